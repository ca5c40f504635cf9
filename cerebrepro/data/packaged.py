"""Files shipped inside the package: the data manifest and the stored references.

They are package data read through :mod:`importlib.resources`, so that a wheel or a
``pip install .`` finds them as a source checkout does. Regenerated files go into the
source tree's copy only, where they are reviewed and committed with the code; an installed
package's copy would be overwritten by the next install.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from cerebrepro.errors import CerebreproError


def packaged_path(package: str, *parts: str) -> Path:
    """The file or folder ``parts`` inside the importable ``package``, as a path on disk.

    The readers name the path in their errors, so a package imported from a zip archive
    (whose files are not on disk) is refused with a clear message.
    """
    resource = files(package).joinpath(*parts)
    if not isinstance(resource, Path):
        raise CerebreproError(
            f"{package} is not installed as files on disk, so {'/'.join(parts)} cannot be read: "
            "install cerebrepro from a wheel or a source checkout"
        )
    return resource


def source_checkout() -> Path | None:
    """The source checkout the package is imported from (the folder with its pyproject.toml),
    or None for an installed package (a wheel in site-packages has no pyproject.toml beside it).
    """
    root = packaged_path("cerebrepro").parent
    return root if (root / "pyproject.toml").is_file() else None


def writable_packaged_path(package: str, *parts: str) -> Path:
    """:func:`packaged_path` for writing: only in a writable source checkout.

    Raises CerebreproError naming the folder when the package is installed (not from a
    checkout) or its folder is read-only.
    """
    path = packaged_path(package, *parts)
    folder = path if path.is_dir() else path.parent
    if source_checkout() is None:
        raise CerebreproError(
            f"{folder} belongs to an installed cerebrepro, not a source checkout: regenerate "
            "in a checkout (git clone, then make install), or write elsewhere with --output"
        )
    if not os.access(folder, os.W_OK):
        raise CerebreproError(
            f"{folder} is read-only: regenerate in a writable checkout, "
            "or write elsewhere with --output"
        )
    return path
