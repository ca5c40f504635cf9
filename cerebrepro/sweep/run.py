"""``cerebrepro sweep``'s library call: read the sweep file, run its points, write the table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cerebrepro.data.cache import check_output
from cerebrepro.sweep.cluster import ClusterOptions
from cerebrepro.sweep.engine import SweepObserver, run_sweep
from cerebrepro.sweep.spec import SweepPoint, read_sweep
from cerebrepro.sweep.table import write_table
from cerebrepro.sweep.task import PointOutcome

TABLE_NAME = "sweep.csv"
LOGS_NAME = "logs"


@dataclass
class SweepResult:
    points: list[SweepPoint]
    outcomes: list[PointOutcome]
    table: Path

    @property
    def failed(self) -> list[PointOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def sweep(
    spec_file: Path,
    directory: Path,
    cluster: ClusterOptions | None = None,
    observer: SweepObserver | None = None,
) -> SweepResult:
    """Run every point of ``spec_file`` (or reuse it) and write ``directory``/sweep.csv."""
    points = read_sweep(spec_file)  # every point checked before any work
    table = Path(directory) / TABLE_NAME
    check_output(table, [Path(spec_file)], "--output")
    outcomes = run_sweep(points, cluster or ClusterOptions(), Path(directory) / LOGS_NAME, observer)
    return SweepResult(points, outcomes, write_table(table, points, outcomes))
