"""Where user data lives (the cache directory) and how files get there safely."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import platformdirs

from cerebrepro.errors import CerebreproError, DataDirError

DATA_DIR_ENV = "CEREBREPRO_DATA_DIR"


def data_dir(create: bool = False) -> Path:
    """The user data cache: ``$CEREBREPRO_DATA_DIR`` or the platform cache dir."""
    path = Path(os.environ.get(DATA_DIR_ENV) or platformdirs.user_cache_dir("cerebrepro"))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataDirError(
                f"cannot create the data directory {path}: {exc.strerror}; "
                f"set {DATA_DIR_ENV} to a writable directory"
            ) from exc
    return path


def writable_data_dir() -> Path:
    """The data directory, created if needed and checked writable before any work is done.

    Commands that write into the cache (scaffold builds, cached runs, fetches) call this
    first, so a read-only directory is one clear message rather than an OSError later.
    """
    directory = data_dir(create=True)
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        raise DataDirError(
            f"the data directory {directory} is not writable; set {DATA_DIR_ENV} to a writable directory"
        )
    return directory


def check_output(
    path: Path | None, inputs: Iterable[Path] = (), option: str = "the output"
) -> None:
    """Refuse, before any work, an output that cannot be written or would replace an input.

    ``path`` must not be a directory or another non-regular file, must not be one of
    ``inputs``, and its nearest existing parent must be a writable directory. None: no output.
    """
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise CerebreproError(f"{option} {path} is a directory; give a file name")
    if path.exists() and not path.is_file():
        raise CerebreproError(f"{option} {path} exists and is not a regular file")
    resolved = path.resolve()
    for source in inputs:
        if Path(source).exists() and Path(source).resolve() == resolved:
            raise CerebreproError(
                f"{option} {path} is also an input of this command; choose another name"
            )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise CerebreproError(f"{option} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CerebreproError(f"{option} {path}: the directory {parent} is not writable")


def umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back at once."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def honour_umask(path: Path) -> None:
    """Give a file made by ``mkstemp`` (always 0600) the mode a plain ``open`` would have given."""
    os.chmod(path, 0o666 & ~umask())


def remove_stale_parts(destination: Path) -> list[Path]:
    """Delete the temporary files a killed writer of ``destination`` left beside it.

    Call it only while holding ``destination``'s lock: then no live writer owns them.
    """
    destination = Path(destination)
    removed = []
    for part in destination.parent.glob(f".{glob_escape(destination.name)}.*.part"):
        with contextlib.suppress(OSError):
            part.unlink()
            removed.append(part)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    import glob

    return glob.escape(name)


@contextlib.contextmanager
def atomic_path(destination: Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it into place only on success.

    If the body raises, ``destination`` is untouched and the temporary file is removed,
    so a file at ``destination`` is always complete. A killed process leaves only the
    hidden ``.<name>.*.part`` file, which :func:`remove_stale_parts` deletes under the
    destination's lock. The file gets the mode the umask allows (not mkstemp's 0600).
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=suffix + ".part"
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        honour_umask(tmp_path)
        os.replace(tmp_path, destination)
    finally:
        tmp_path.unlink(missing_ok=True)
