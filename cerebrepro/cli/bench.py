"""`cerebrepro bench pipeline|cerebellum`: how the run's phases scale, as tables, files and figures."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.render import bench as render
from cerebrepro.cli.render.console import status

bench_app = typer.Typer(
    help="Benchmarks: build, simulate and write times and their cost models.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


ClockOption = Annotated[str, typer.Option(help="wall | cpu: the clock of the fit table and figure")]
OutputOption = Annotated[
    Path, typer.Option("-o", "--output", help="directory for CSV, JSON and figure")
]


def _check_clock(clock: str) -> None:
    if clock not in ("wall", "cpu"):
        raise typer.BadParameter("--clock is wall or cpu")


def _numbers(text: str, kind: type) -> tuple:
    try:
        return tuple(kind(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(
            f"expected a comma-separated list of numbers, not {text!r}"
        ) from None


@bench_app.command("pipeline")
def pipeline(
    quick: Annotated[
        bool, typer.Option(help="3 sizes x 2 model times, 1 repeat (about 15 s of CPU)")
    ] = False,
    sizes: Annotated[str | None, typer.Option(help="network sizes N, comma-separated")] = None,
    durations: Annotated[
        str | None, typer.Option(help="model times T (ms), comma-separated")
    ] = None,
    repeats: Annotated[
        int | None, typer.Option(help="repeats per point (medians are fitted)")
    ] = None,
    clock: ClockOption = "wall",
    output: OutputOption = Path("bench"),
    refit: Annotated[
        Path | None, typer.Option(help="fit a pipeline.csv measured before instead of measuring")
    ] = None,
) -> None:
    """Time build, simulate, collect and write of an N-cell network for T ms; fit a*N + b*N*T + c.

    The raw rows are saved after every point (pipeline.csv), so an interrupted sweep can be
    fitted with --refit.
    """
    from cerebrepro.studies.benchmarks import pipeline_bench
    from cerebrepro.studies.pipeline_bench import FULL, QUICK

    _check_clock(clock)
    config = QUICK if quick else FULL
    changes: dict[str, object] = {}
    if sizes:
        changes["sizes"] = _numbers(sizes, int)
    if durations:
        changes["durations"] = _numbers(durations, float)
    if repeats:
        changes["repeats"] = repeats
    config = dataclasses.replace(config, **changes)
    started = time.perf_counter()
    with status("starting NEST", show=refit is None) as update:
        bench, paths = pipeline_bench(
            config,
            output,
            clock,
            refit,
            lambda n, t, r: update(render.pipeline_point(n, t, r, config.repeats)),
        )
    render.print_pipeline(bench, clock, time.perf_counter() - started, paths)


@bench_app.command("cerebellum")
def cerebellum(
    sizes: Annotated[
        str, typer.Option(help="rebuilt scaffold sizes (um), comma-separated")
    ] = "100,200,300,400",
    threads: Annotated[str, typer.Option(help="NEST thread counts, comma-separated")] = "1,2",
    duration: Annotated[float, typer.Option(help="model time of each run (ms)")] = 1000.0,
    clock: ClockOption = "wall",
    output: OutputOption = Path("bench"),
    refit: Annotated[
        Path | None, typer.Option(help="fit a cerebellum.csv measured before instead of measuring")
    ] = None,
) -> None:
    """Build, simulate and analyse the cerebellum run per size and thread count, against raw NEST wiring.

    The points are saved after each one (cerebellum.csv); --refit fits such a file again.
    """
    from cerebrepro.studies.benchmarks import cerebellum_bench
    from cerebrepro.studies.cerebellum_bench import CerebellumConfig

    _check_clock(clock)
    config = CerebellumConfig(_numbers(sizes, float), _numbers(threads, int), duration)
    started = time.perf_counter()
    with status("starting", show=refit is None) as update:
        bench, paths = cerebellum_bench(
            config, output, clock, refit, lambda size, n: update(render.cerebellum_point(size, n))
        )
    render.print_cerebellum(bench, clock, time.perf_counter() - started, paths)
