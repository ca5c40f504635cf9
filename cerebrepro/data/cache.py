"""Where user data lives (the cache directory) and how files get there safely."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from cerebrepro.errors import CerebreproError

DATA_DIR_ENV = "CEREBREPRO_DATA_DIR"


def data_dir(create: bool = False) -> Path:
    """The user data cache: ``$CEREBREPRO_DATA_DIR`` or the platform cache dir."""
    path = Path(os.environ.get(DATA_DIR_ENV) or platformdirs.user_cache_dir("cerebrepro"))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CerebreproError(
                f"cannot create the data directory {path}: {exc.strerror}; "
                f"set {DATA_DIR_ENV} to a writable directory"
            ) from exc
    return path


@contextlib.contextmanager
def atomic_path(destination: Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it into place only on success.

    If the body raises (or the process dies), ``destination`` is untouched and the
    temporary file is removed, so a file at ``destination`` is always complete.
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
        os.replace(tmp_path, destination)
    finally:
        tmp_path.unlink(missing_ok=True)
