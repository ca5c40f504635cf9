"""`cerebrepro reproduce --figure N`: run or reuse the runs a figure needs, then draw and write it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from cerebrepro.cli.app import app
from cerebrepro.cli.verify import new_progress, progress_events
from cerebrepro.errors import CerebreproError
from cerebrepro.simulate.run import RunEvents, RunSpec

console = Console()
BURSTS = ("both", "poisson", "periodic")


class ConsoleObserver:
    """Shows a progress bar while a run simulates and one line per run: ran or reused."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def starting(self, spec: RunSpec, index: int, total: int) -> RunEvents:
        from cerebrepro.report.plans import spec_summary

        return progress_events(self.progress, f"run {index}/{total} ({spec_summary(spec)})", spec.duration)

    def finished(self, spec: RunSpec, path: Path, reused: bool, index: int, total: int) -> None:
        from cerebrepro.report.plans import spec_summary

        for task in list(self.progress.tasks):
            self.progress.remove_task(task.id)
        word = "[green]reused[/]" if reused else "[yellow]ran[/]"
        self.progress.console.print(f"run {index}/{total} {word}: {spec_summary(spec)}\n  {path}", highlight=False, soft_wrap=True)

    def companion(self, simulator: str, path: Path | None) -> None:
        from cerebrepro.figures.style import simulator_name

        name = simulator_name(simulator)
        if path is None:
            self.progress.console.print(f"no {name} run of the same spec in the cache", highlight=False)
        else:
            self.progress.console.print(f"[green]reused[/] {name} run of the same spec\n  {path}", highlight=False, soft_wrap=True)


@app.command()
def reproduce(
    figure: Annotated[int, typer.Option("--figure", "-f", help="Figure number: 4, 5, 6, 7 or 8.")],
    size: Annotated[
        float | None,
        typer.Option(help="Base size (um) of the rebuilt scaffold (default 400)."),
    ] = None,
    simulator: Annotated[str, typer.Option(help="Simulator of the runs: nest | brian2 | spinnaker.")] = "nest",
    threads: Annotated[int, typer.Option(help="Simulator threads.")] = 1,
    duration: Annotated[
        float | None, typer.Option(help="Model time (ms) of every run (default 1000; figure 7: 400, --full 1000).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Figure 7: the paper's sweep (360 runs) instead of the reduced one (12).")
    ] = False,
    burst: Annotated[str, typer.Option(help="Figure 7: both | poisson | periodic bursts.")] = "both",
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory for the figure files.")] = Path("figures"),
) -> None:
    """Reproduce one figure of the paper: PNG, PDF, statistics (YAML) and caption (text).

    Runs come from the run cache when there and are run otherwise (figure 7 runs a sweep); figures 4-6 add a run of the same spec on another simulator when the cache holds one.
    """
    from cerebrepro.report.plans import FigureOptions
    from cerebrepro.report.reproduce import reproduce_figure

    if burst not in BURSTS:
        raise CerebreproError(f"unknown burst {burst!r}: choose one of {', '.join(BURSTS)}")
    options = FigureOptions(size, simulator, threads, duration, full, burst)
    started = time.perf_counter()
    with new_progress() as progress:
        reproduced = reproduce_figure(figure, options, output, ConsoleObserver(progress))
    elapsed = time.perf_counter() - started
    console.print()
    console.print(reproduced.output.caption, highlight=False, markup=False, soft_wrap=True)
    for path in reproduced.files.all():
        console.print(f"wrote {path}", highlight=False)
    ran = sum(r.status == "ran" for r in reproduced.runs)
    console.print(
        f"figure {figure}: {len(reproduced.runs)} run{'s' if len(reproduced.runs) != 1 else ''} "
        f"({ran} ran, {len(reproduced.runs) - ran} reused) in {elapsed:.0f} s",
        highlight=False,
    )
