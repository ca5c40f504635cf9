"""Rendering of a sweep: one bar over its points (done, running, failed, ETA), a line per point."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cerebrepro.cli.render.console import console, safe_text, wrote

if TYPE_CHECKING:
    from cerebrepro.sweep.run import SweepResult
    from cerebrepro.sweep.spec import SweepPoint
    from cerebrepro.sweep.task import PointOutcome

_STATUS = {"ran": "[yellow]ran[/]", "reused": "[green]reused[/]", "failed": "[red]failed[/]"}


class ProgressObserver:
    """A sweep's progress: points done of all, running now, failed, and the time left."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def started(self, total: int, reused: int, where: str) -> None:
        self.task = self.progress.add_task(
            "sweep", total=total, completed=reused, running=0, failed=0
        )
        self.progress.console.print(
            f"{total} point{'s' if total != 1 else ''}, {reused} in the run cache; "
            f"running on {safe_text(where)}",
            highlight=False,
        )

    def changed(self, done: int, running: int, failed: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done, running=running, failed=failed)

    def finished(self, point: SweepPoint, outcome: PointOutcome) -> None:
        values = ", ".join(f"{k}={_value(v)}" for k, v in point.values.items()) or "base"
        line = f"point {point.index} {_STATUS[outcome.status]}: {safe_text(values)}"
        if outcome.status == "ran":
            line += f" ({outcome.seconds:.0f} s)"
        if outcome.error:
            line += f"\n  {safe_text(outcome.error)}"
        self.progress.console.print(line, highlight=False, soft_wrap=True)


def _value(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


@contextmanager
def sweep_progress() -> Iterator[ProgressObserver]:
    """A transient bar for a sweep's points while it runs."""
    columns = (
        TextColumn("points"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} done"),
        TextColumn("{task.fields[running]} running"),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield ProgressObserver(progress)


def print_sweep(result: SweepResult, elapsed: float) -> None:
    """How many points ran, were reused and failed, in how long, and the table written."""
    counts = {s: sum(o.status == s for o in result.outcomes) for s in _STATUS}
    wrote(result.table)
    console.print(
        f"sweep: {len(result.outcomes)} points ({counts['ran']} ran, {counts['reused']} reused, "
        f"{counts['failed']} failed) in {elapsed:.0f} s",
        highlight=False,
    )
