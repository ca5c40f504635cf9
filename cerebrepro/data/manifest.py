"""The data manifest: which remote files the experiment uses, where they live, their checksums."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from cerebrepro.data.packaged import packaged_path
from cerebrepro.errors import FetchError, ManifestError

MANIFEST_ENV = "CEREBREPRO_MANIFEST"
UNPUBLISHED = "unpublished"
SUPPORTED_VERSION = 1

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TEXT_FIELDS = ("name", "kind", "description", "citation", "licence", "landing_page")
_FIELDS = frozenset((*_TEXT_FIELDS, "urls", "sha256", "size"))


@dataclass(frozen=True)
class Entry:
    """One remote file: what it is, where to get it (primary URL first) and its sha256."""

    name: str
    kind: str
    description: str
    citation: str
    licence: str
    landing_page: str
    urls: tuple[str, ...]
    sha256: str | None  # None: no checksum is published (the file says "unpublished")
    size: int | None

    @property
    def published(self) -> bool:
        """Whether the manifest carries a checksum for this file."""
        return self.sha256 is not None


@dataclass(frozen=True)
class Manifest:
    """The validated entries of a manifest file, in file order."""

    path: Path
    entries: tuple[Entry, ...]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.entries)

    def get(self, name: str) -> Entry:
        """The entry called ``name``; an unknown name raises FetchError listing the valid ones."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        valid = ", ".join(self.names) or "(none)"
        raise FetchError(f"unknown data file {name!r}; the manifest {self.path} lists: {valid}")


def default_manifest_path() -> Path:
    """``$CEREBREPRO_MANIFEST``, or the manifest shipped in the package (``cerebrepro/data``)."""
    override = os.environ.get(MANIFEST_ENV)
    if override:
        return Path(override)
    return packaged_path("cerebrepro.data", "manifest.yaml")


def load_manifest(path: Path | None = None) -> Manifest:
    """Read and validate a manifest (default: :func:`default_manifest_path`).

    Any problem (unreadable file, bad YAML, missing or unknown field, malformed sha256,
    duplicate names, no URLs, ...) raises ManifestError naming the file and the problem.
    """
    path = Path(path) if path is not None else default_manifest_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"cannot read the manifest {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"the manifest {path} is not UTF-8 text (byte {exc.start}: {exc.object[exc.start : exc.start + 1]!r})"
        ) from exc
    except yaml.YAMLError as exc:
        raise ManifestError(f"the manifest {path} is not valid YAML: {exc}") from exc
    try:
        entries = _parse_document(document)
    except ValueError as exc:
        raise ManifestError(f"the manifest {path} is malformed: {exc}") from exc
    return Manifest(path=path, entries=entries)


def _parse_document(document: Any) -> tuple[Entry, ...]:
    if not isinstance(document, dict):
        raise ValueError("the top level must be a mapping with 'version' and 'files'")
    if document.get("version") != SUPPORTED_VERSION:
        raise ValueError(f"'version' must be {SUPPORTED_VERSION}, got {document.get('version')!r}")
    files = document.get("files")
    if not isinstance(files, list) or not files:
        raise ValueError("'files' must be a non-empty list")
    entries = tuple(_parse_entry(item, index) for index, item in enumerate(files))
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise ValueError(f"the name {entry.name!r} appears more than once")
        seen.add(entry.name)
    return entries


def _parse_entry(item: Any, index: int) -> Entry:
    where = f"files[{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be a mapping")
    if isinstance(item.get("name"), str):
        where = f"{where} ({item['name']})"
    missing = sorted(_FIELDS - item.keys())
    if missing:
        raise ValueError(f"{where} lacks the field(s) {', '.join(missing)}")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {', '.join(map(str, unknown))}")
    text = {field: _text(item[field], f"{where}.{field}") for field in _TEXT_FIELDS}
    _check_file_name(text["name"], where)
    return Entry(
        **text,
        urls=_urls(item["urls"], where),
        sha256=_sha256(item["sha256"], where),
        size=_size(item["size"], where),
    )


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value.strip()


def _check_file_name(name: str, where: str) -> None:
    if "\\" in name or PurePosixPath(name).name != name or name in {".", ".."}:
        raise ValueError(f"{where}.name must be a plain file name, got {name!r}")


def _urls(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}.urls must be a non-empty list")
    for url in value:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ValueError(f"{where}.urls holds {url!r}, not an http(s) URL")
    return tuple(value)


def _sha256(value: Any, where: str) -> str | None:
    if value == UNPUBLISHED:
        return None
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ValueError(
            f"{where}.sha256 must be 64 lowercase hex digits or {UNPUBLISHED!r}, got {value!r}"
        )
    return value


def _size(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}.size must be a non-negative integer or null, got {value!r}")
    return value
