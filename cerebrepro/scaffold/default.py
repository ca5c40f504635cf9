"""The rebuilt scaffold in the data cache: built once per (size, seed, builder version).

Beside each cached file, ``<file>.sha256`` records the digest it had when written; a file
that no longer matches (truncated, edited) is rebuilt, with a warning naming it, instead
of being trusted because it exists. Older caches without the record are checked by
reading them once (:func:`read_scaffold`), then given one.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pooch
from filelock import FileLock

from cerebrepro.data.cache import atomic_path, data_dir, remove_stale_parts, writable_data_dir
from cerebrepro.errors import ScaffoldError
from cerebrepro.scaffold.budget import check_build
from cerebrepro.scaffold.build import ProgressCallback, build_scaffold
from cerebrepro.scaffold.version import BUILDER_VERSION, DEFAULT_SCAFFOLD_SEED
from cerebrepro.scaffold.write import write_scaffold

__all__ = ["DEFAULT_SCAFFOLD_SEED", "default_scaffold", "default_scaffold_path"]


def default_scaffold_path(size: float = 400.0, seed: int = DEFAULT_SCAFFOLD_SEED) -> Path:
    """Where the rebuilt scaffold of this size and seed is cached."""
    return data_dir() / "scaffolds" / f"rebuilt_{size:g}um_seed{seed}_v{BUILDER_VERSION}.hdf5"


def default_scaffold(
    size: float = 400.0, seed: int = DEFAULT_SCAFFOLD_SEED, progress: ProgressCallback | None = None
) -> Path:
    """Path of the rebuilt scaffold, building and caching it on first use (or when damaged).

    A file lock next to the cache file makes a second process wait for the first one's
    build instead of building again.

    Example:
        >>> path = default_scaffold()  # about 100 MB; a few seconds the first time
    """
    check_build(size, seed)  # refused before the cache is touched
    path = default_scaffold_path(size, seed)
    if _intact(path, locked=False):
        return path
    writable_data_dir()
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        remove_stale_parts(path)
        if not _intact(path, locked=True):
            path.unlink(missing_ok=True)
            write_scaffold(build_scaffold(size, seed, progress), path)
            _record(path)
    return path


def build_scaffold_file(
    size: float = 400.0,
    seed: int = DEFAULT_SCAFFOLD_SEED,
    output: Path | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Path, bool]:
    """Build the scaffold into ``output`` (default: the cache, reused if already built).

    Returns its path and whether it was built now (a cached one is not). Values, memory
    and the output path are refused before any work.
    """
    from cerebrepro.data.cache import check_output
    from cerebrepro.scaffold.budget import check_build

    check_build(size, seed)
    check_output(output, (), "--output")
    stages: list[str] = []

    def heard(stage: str, completed: int, total: int) -> None:
        stages.append(stage)
        if progress is not None:
            progress(stage, completed, total)

    if output is None:
        return default_scaffold(size, seed, heard), bool(stages)
    write_scaffold(build_scaffold(size, seed, heard), output)
    return output, True


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _record(path: Path) -> None:
    with atomic_path(_record_path(path)) as tmp:
        tmp.write_text(pooch.file_hash(str(path)) + "\n", encoding="ascii")


def _intact(path: Path, locked: bool) -> bool:
    """Whether the cached file matches its recorded digest (or, unrecorded, reads cleanly).

    Unlocked, an unrecorded file counts as not intact when the cache is writable, so that
    the caller takes the lock, checks it once and records its digest.
    """
    if not path.is_file():
        return False
    record = _record_path(path)
    try:
        recorded = record.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        recorded = None
    if recorded is not None:
        if pooch.file_hash(str(path)) == recorded:
            return True
        problem = f"its sha256 differs from the one recorded in {record}"
    elif not locked and os.access(path.parent, os.W_OK):
        return False
    else:
        from cerebrepro.scaffold.read import read_scaffold

        try:
            read_scaffold(path)
        except ScaffoldError as exc:
            problem = str(exc)
        else:
            if locked:  # record the digest for next time
                _record(path)
            return True
    if locked:
        warnings.warn(
            f"the cached scaffold {path} is damaged ({problem}): rebuilding it", stacklevel=3
        )
    return False
