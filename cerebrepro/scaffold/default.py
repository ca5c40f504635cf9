"""The rebuilt scaffold in the data cache: built once per (size, seed, builder version)."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock

from cerebrepro.data.cache import data_dir
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
    """Path of the rebuilt scaffold, building and caching it on first use.

    A file lock next to the cache file makes a second process wait for the first one's
    build instead of building again.

    Example:
        >>> path = default_scaffold()  # about 100 MB; a few seconds the first time
    """
    path = default_scaffold_path(size, seed)
    if path.is_file():
        return path
    data_dir(create=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        if not path.is_file():
            write_scaffold(build_scaffold(size, seed, progress), path)
    return path


def build_scaffold_file(
    size: float = 400.0,
    seed: int = DEFAULT_SCAFFOLD_SEED,
    output: Path | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Path, bool]:
    """Build the scaffold into ``output`` (default: the cache, reused if already built).

    Returns its path and whether it was built now (a cached one is not).
    """
    stages: list[str] = []

    def heard(stage: str, completed: int, total: int) -> None:
        stages.append(stage)
        if progress is not None:
            progress(stage, completed, total)

    if output is None:
        return default_scaffold(size, seed, heard), bool(stages)
    write_scaffold(build_scaffold(size, seed, heard), output)
    return output, True
