"""Raw benchmark measurements on disk: a CSV of rows and a JSON file with the machine's provenance."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from cerebrepro import __version__
from cerebrepro.data.cache import atomic_path
from cerebrepro.results.provenance import machine, now_utc, package_versions


def provenance() -> dict[str, object]:
    """Who measured: the machine, the package versions and when."""
    return {
        "cerebrepro": __version__,
        "machine": machine(),
        "versions": package_versions(),
        "written": now_utc(),
    }


def write_csv(rows: Sequence[Mapping[str, object]], path: Path) -> Path:
    """``rows`` (dicts with the same keys) as a CSV file with a header line."""
    path = Path(path)
    with atomic_path(path, suffix=".csv") as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(payload: Mapping[str, object], path: Path) -> Path:
    """``payload`` plus this machine's provenance as indented JSON."""
    path = Path(path)
    with atomic_path(path, suffix=".json") as tmp:
        tmp.write_text(json.dumps({**payload, "provenance": provenance()}, indent=1, default=str))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file written by :func:`write_csv` (values as strings)."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
