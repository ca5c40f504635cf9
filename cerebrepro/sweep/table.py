"""A sweep's table: one CSV row per point and population, written atomically.

Columns: ``point``, the names the sweep file varies (in the file's order), ``status``
(ran | reused | failed), ``spike_digest``, ``seconds`` (wall time of the point's process),
``path`` (its result in the run cache), ``error``, then the population's ``n_cells``,
``n_spikes`` and ``rate_<window>_hz`` (window population rates, as ``cerebrepro analyse``
computes them). A failed point has one row, with its error and no population.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cerebrepro.data.cache import atomic_path
from cerebrepro.sweep.spec import SweepPoint
from cerebrepro.sweep.task import PointOutcome

POINT_COLUMNS = ("status", "spike_digest", "seconds", "path", "error")


def table_rows(
    points: Sequence[SweepPoint], outcomes: Sequence[PointOutcome]
) -> list[dict[str, Any]]:
    """The table's rows, in the points' order, populations in their result's order."""
    rows = []
    for point, outcome in zip(points, outcomes, strict=True):
        head = {
            "point": point.index,
            **point.values,
            **{name: getattr(outcome, name) for name in POINT_COLUMNS},
        }
        rows.extend({**head, **population} for population in outcome.rows or [{}])
    return rows


def write_table(path: Path, points: Sequence[SweepPoint], outcomes: Sequence[PointOutcome]) -> Path:
    """Write the table to ``path`` (CSV) in one rename, so that a reader never sees half of it."""
    rows = table_rows(points, outcomes)
    columns: list[str] = []
    for row in rows:
        columns.extend(name for name in row if name not in columns)
    with atomic_path(path, suffix=".csv") as tmp, tmp.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_table(path: Path) -> list[dict[str, str]]:
    with Path(path).open(newline="") as f:
        return list(csv.DictReader(f))
