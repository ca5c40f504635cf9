"""Rendering of ``cerebrepro reproduce``: a bar per run, a line per run (ran or reused), the caption and files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import Progress

from cerebrepro.cli.render.console import console, safe_text, wrote
from cerebrepro.cli.render.runs import new_progress, progress_events
from cerebrepro.pipeline.spec import RunEvents, RunSpec

if TYPE_CHECKING:
    from cerebrepro.reproduce.figure import Reproduced


class ConsoleObserver:
    """Shows a progress bar while a run simulates and one line per run: ran or reused."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def starting(self, spec: RunSpec, index: int, total: int) -> RunEvents:
        from cerebrepro.reproduce.plans import spec_summary

        return progress_events(
            self.progress, f"run {index}/{total} ({spec_summary(spec)})", spec.duration
        )

    def finished(self, spec: RunSpec, path: Path, reused: bool, index: int, total: int) -> None:
        from cerebrepro.reproduce.plans import spec_summary

        for task in list(self.progress.tasks):
            self.progress.remove_task(task.id)
        word = "[green]reused[/]" if reused else "[yellow]ran[/]"
        self.progress.console.print(
            f"run {index}/{total} {word}: {safe_text(spec_summary(spec))}\n  {safe_text(path)}",
            highlight=False,
            soft_wrap=True,
        )

    def companion(self, simulator: str, path: Path | None) -> None:
        from cerebrepro.figures.style import simulator_name

        name = safe_text(simulator_name(simulator))
        if path is None:
            self.progress.console.print(
                f"no {name} run of the same spec in the cache", highlight=False
            )
        else:
            self.progress.console.print(
                f"[green]reused[/] {name} run of the same spec\n  {safe_text(path)}",
                highlight=False,
                soft_wrap=True,
            )


@contextmanager
def observing() -> Iterator[ConsoleObserver]:
    """An observer of a figure's runs, its progress shown while the figure is made."""
    with new_progress() as progress:
        yield ConsoleObserver(progress)


def print_reproduced(figure: int, reproduced: Reproduced, elapsed: float) -> None:
    """The caption, the files written, and how many runs ran or were reused in how long."""
    console.print()
    console.print(reproduced.output.caption, highlight=False, markup=False, soft_wrap=True)
    for path in reproduced.files.all():
        wrote(path)
    ran = sum(r.status == "ran" for r in reproduced.runs)
    console.print(
        f"figure {figure}: {len(reproduced.runs)} run{'s' if len(reproduced.runs) != 1 else ''} "
        f"({ran} ran, {len(reproduced.runs) - ran} reused) in {elapsed:.0f} s",
        highlight=False,
    )
