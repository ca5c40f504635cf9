"""The user-level lock file of accepted hashes: files without a published checksum, trusted once.

``cerebrepro fetch NAME --accept-new`` records the sha256 it saw in
``<data dir>/accepted-hashes.yaml``; every later fetch of NAME must match it. To accept
different content, delete the entry from that file.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

from cerebrepro.data.cache import atomic_path, data_dir
from cerebrepro.errors import FetchError

ACCEPTED_FILE = "accepted-hashes.yaml"
_HEADER = (
    "# sha256 of data files with no published checksum, accepted once with\n"
    "# `cerebrepro fetch NAME --accept-new`. Delete an entry to accept new content.\n"
)


def accepted_hashes_path() -> Path:
    """Where the lock file lives: beside the cached files."""
    return data_dir() / ACCEPTED_FILE


def accepted_hash(name: str) -> str | None:
    """The sha256 accepted earlier for ``name``, or None."""
    record = _read(accepted_hashes_path()).get(name)
    return record["sha256"] if record else None


def record_accepted_hash(name: str, sha256: str, source: str) -> None:
    """Remember that ``name`` with this ``sha256`` (obtained from ``source``) is trusted."""
    path = accepted_hashes_path()
    with FileLock(f"{path}.lock"):
        records = _read(path)
        records[name] = {
            "sha256": sha256,
            "source": source,
            "accepted": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
        document = yaml.safe_dump({"version": 1, "files": records}, sort_keys=True)
        with atomic_path(path) as tmp:
            tmp.write_text(_HEADER + document, encoding="utf-8")


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise FetchError(f"cannot read the accepted-hash file {path}: {exc}") from exc
    if document is None:
        return {}
    records = document.get("files") if isinstance(document, dict) else None
    if not isinstance(records, dict) or not all(
        isinstance(record, dict) and isinstance(record.get("sha256"), str)
        for record in records.values()
    ):
        raise FetchError(
            f"the accepted-hash file {path} is malformed; fix it or delete it and "
            "accept the files again with `cerebrepro fetch NAME --accept-new`"
        )
    return records
