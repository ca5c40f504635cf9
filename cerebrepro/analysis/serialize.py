"""Statistics dicts as plain data, and their YAML or JSON files."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import yaml


def to_plain(value: object) -> object:
    """``value`` with numpy scalars and arrays turned into Python ints, floats and lists.

    A non-finite float (NaN: undefined, e.g. a rate of an empty window) becomes None.
    """
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def dumps_stats(stats: Mapping, as_json: bool = False) -> str:
    """The statistics as YAML (keys in insertion order) or as JSON text."""
    plain = to_plain(stats)
    if as_json:
        return json.dumps(plain, indent=2) + "\n"
    return yaml.safe_dump(plain, sort_keys=False, default_flow_style=False)


def write_stats(stats: Mapping, path: Path, as_json: bool | None = None) -> None:
    """Write ``stats`` to ``path``: JSON when ``as_json`` or the name ends in .json, else YAML."""
    if as_json is None:
        as_json = path.suffix.lower() == ".json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_stats(stats, as_json), encoding="utf-8")
