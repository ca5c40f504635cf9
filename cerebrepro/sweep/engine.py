"""Run a sweep's points on a Dask cluster; points already in the run cache are not run again.

Each point is one Dask task (:func:`~cerebrepro.sweep.task.run_point`) that runs the point
in a process of its own. A task that fails is retried once by Dask (``retries=1``) and then
reported with its error while the other points finish; a task whose worker dies is given to
another worker by the scheduler (up to Dask's ``allowed-failures``), so no point is lost.
Points whose verified result is already in the run cache are read here, and no cluster is
started when every point is cached.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from cerebrepro.data.cache import data_dir
from cerebrepro.pipeline.cache import reusable_run, run_key
from cerebrepro.sweep.cluster import ClusterOptions, connect
from cerebrepro.sweep.spec import SweepPoint, spec_to_json
from cerebrepro.sweep.task import PointOutcome, outcome_of, run_point

RETRIES = 1
POLL_S = 0.5


class SweepObserver(Protocol):
    """Told how a sweep goes: once at the start, on every change, and for each finished point."""

    def started(self, total: int, reused: int, where: str) -> None: ...

    def changed(self, done: int, running: int, failed: int) -> None: ...

    def finished(self, point: SweepPoint, outcome: PointOutcome) -> None: ...


class SilentSweepObserver:
    def started(self, total: int, reused: int, where: str) -> None:
        pass

    def changed(self, done: int, running: int, failed: int) -> None:
        pass

    def finished(self, point: SweepPoint, outcome: PointOutcome) -> None:
        pass


def run_sweep(
    points: Sequence[SweepPoint],
    cluster: ClusterOptions,
    log_directory: Path,
    observer: SweepObserver | None = None,
) -> list[PointOutcome]:
    """Every point's outcome, in the points' order (reused, ran or failed)."""
    observer = observer or SilentSweepObserver()
    outcomes: dict[int, PointOutcome] = {}
    todo = []
    for point in points:
        path = reusable_run(point.spec)
        if path is None:
            todo.append(point)
        else:
            outcomes[point.index] = outcome_of(point.index, point.spec, path, "reused", 0.0)
    observer.started(len(points), len(outcomes), cluster.describe() if todo else "the run cache")
    for point in points:
        if point.index in outcomes:
            observer.finished(point, outcomes[point.index])
    if todo:
        _clear_logs(log_directory, todo)
        outcomes.update(_run_on_cluster(todo, cluster, log_directory, observer, len(outcomes)))
    return [outcomes[point.index] for point in points]


def _run_on_cluster(
    points: Sequence[SweepPoint],
    cluster: ClusterOptions,
    log_directory: Path,
    observer: SweepObserver,
    already: int,
) -> dict[int, PointOutcome]:
    from distributed import wait

    outcomes: dict[int, PointOutcome] = {}
    failed = 0
    jobs = log_directory / "jobs"
    with connect(cluster, str(jobs)) as client:
        futures = {
            client.submit(
                run_point,
                point.index,
                spec_to_json(point.spec),
                str(data_dir()),
                str(log_directory),
                key=f"sweep-point-{point.index}-{run_key(point.spec)}",
                retries=RETRIES,
                pure=False,
            ): point
            for point in points
        }
        keys = {future.key for future in futures}
        pending = set(futures)
        while pending:
            try:
                done, pending = wait(pending, timeout=POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for future in done:
                point = futures[future]
                if future.status == "finished":
                    outcome = future.result()
                else:
                    failed += 1
                    outcome = PointOutcome(
                        point.index, "failed", error=_message(future.exception())
                    )
                outcomes[point.index] = outcome
                observer.finished(point, outcome)
            running = sum(len(keys.intersection(k)) for k in client.processing().values())
            observer.changed(already + len(outcomes), running, failed)
    return outcomes


def _message(exc: BaseException | None) -> str:
    text = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error"
    return " ".join(text.split())


def _clear_logs(log_directory: Path, points: Sequence[SweepPoint]) -> None:
    """Remove the attempt logs of an earlier invocation of the points about to run."""
    for point in points:
        for log in log_directory.glob(f"point-{point.index:04d}.attempt-*.log"):
            log.unlink(missing_ok=True)
    shutil.rmtree(log_directory / "jobs", ignore_errors=True)
