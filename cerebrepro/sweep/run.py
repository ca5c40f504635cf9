"""``cerebrepro sweep``'s library call: read the sweep file, run its points, write the table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cerebrepro.data.cache import check_output, data_dir
from cerebrepro.errors import CerebreproError
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.sweep.cluster import ClusterOptions
from cerebrepro.sweep.engine import SweepObserver, run_sweep
from cerebrepro.sweep.spec import SweepPoint, differences, read_sweep
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


def run_specs(
    specs: list[RunSpec],
    cluster: ClusterOptions | None = None,
    observer: SweepObserver | None = None,
) -> list[PointOutcome]:
    """Every run of ``specs`` in the run cache, those missing run as a sweep (for figures, studies).

    Each point is labelled by what its spec changes from the first one.

    The points' logs go to ``<data dir>/sweeps/logs``; a run that failed twice stops here,
    naming the logs and its error, since what needs the runs cannot go on without it.
    """
    points = [SweepPoint(i, differences(spec, specs[0]), spec) for i, spec in enumerate(specs)]
    logs = data_dir() / "sweeps" / "logs"
    outcomes = run_sweep(points, cluster or ClusterOptions(), logs, observer)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise CerebreproError(
            f"{len(failed)} of {len(specs)} runs failed (logs in {logs}); first: {failed[0].error}"
        )
    return outcomes
