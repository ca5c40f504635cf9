"""`cerebrepro bench pipeline|cerebellum`: how the run's phases scale, as tables, files and figures."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cerebrepro.cli.app import app

console = Console(width=None if sys.stdout.isatty() else 120)  # the tables are wide; logs get 120 columns

bench_app = typer.Typer(help="Benchmarks: build, simulate and write times and their cost models.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


def _numbers(text: str, kind: type) -> tuple:
    try:
        return tuple(kind(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(f"expected a comma-separated list of numbers, not {text!r}") from None


@bench_app.command("pipeline")
def pipeline(
    quick: Annotated[bool, typer.Option(help="3 sizes x 2 model times, 1 repeat (about 15 s of CPU)")] = False,
    sizes: Annotated[str | None, typer.Option(help="network sizes N, comma-separated")] = None,
    durations: Annotated[str | None, typer.Option(help="model times T (ms), comma-separated")] = None,
    repeats: Annotated[int | None, typer.Option(help="repeats per point (medians are fitted)")] = None,
    clock: Annotated[str, typer.Option(help="wall | cpu: the clock the table and figure show")] = "wall",
    output: Annotated[Path, typer.Option("-o", "--output", help="directory for CSV, JSON and figure")] = Path("bench"),
    refit: Annotated[Path | None, typer.Option(help="fit a pipeline.csv measured before instead of measuring")] = None,
) -> None:
    """Time build, simulate, collect and write of an N-cell network for T ms; fit a*N + b*N*T + c.

    The raw rows are saved after every point (pipeline.csv), so an interrupted sweep can be
    fitted with --refit.
    """
    from cerebrepro.bench.pipeline import FULL, QUICK, PipelineBench, read_measurements, run_sweep
    from cerebrepro.bench.pipeline_report import save_pipeline, save_rows

    if clock not in ("wall", "cpu"):
        raise typer.BadParameter("--clock is wall or cpu")
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
    if refit is not None:
        rows = read_measurements(refit)
        config = dataclasses.replace(
            config,
            sizes=tuple(sorted({r.n_cells for r in rows})),
            durations=tuple(sorted({r.duration_ms for r in rows})),
            repeats=max(r.repeat for r in rows) + 1,
        )
        bench = PipelineBench(config, rows)
    else:
        with console.status("starting NEST") as status:

            def on_point(n: int, t: float, repeat: int) -> None:
                status.update(f"repeat {repeat + 1}/{config.repeats}: N = {n}, T = {t:g} ms")

            bench = PipelineBench(config, run_sweep(config, on_point, lambda rows: save_rows(rows, output)))
    paths = save_pipeline(bench, output, clock)
    console.print(fit_table(bench, clock))
    console.print(f"{len(bench.rows)} measurements in {time.perf_counter() - started:.0f} s")
    for kind, path in paths.items():
        console.print(f"{kind}: [bold]{path}[/]")


def fit_table(bench, clock: str) -> Table:
    """Per phase: a (us per cell), b (us per cell and model second), c (s), R^2 with and without c."""
    table = Table(
        title=f"time = a*N + b*N*T + c, {clock} clock, medians over repeats (at most {bench.config.repeats}) "
        "(N cells, T model seconds)",
        title_justify="left",
    )
    table.add_column("phase", no_wrap=True)
    for column in ("a µs/cell", "b µs/cell/s", "c s", "R²", "R² c=0", "max s"):
        table.add_column(column, justify="right")
    with_c, without_c = bench.fits[clock]["with_intercept"], bench.fits[clock]["no_intercept"]
    for label, fit in with_c.items():
        longest = max(getattr(p, f"{clock}_s") for p in bench.points if p.phase == label)
        table.add_row(
            label,
            f"{fit.coefficients['N'] * 1e6:.3g}",
            f"{fit.coefficients['N*T'] * 1e6:.3g}",
            f"{fit.intercept:.2g}",
            f"{fit.r2:.3f}",
            f"{without_c[label].r2:.3f}",
            f"{longest:.3g}",
        )
    return table


@bench_app.command("cerebellum")
def cerebellum(
    sizes: Annotated[str, typer.Option(help="rebuilt scaffold sizes (um), comma-separated")] = "100,200,300,400",
    threads: Annotated[str, typer.Option(help="NEST thread counts, comma-separated")] = "1,2",
    duration: Annotated[float, typer.Option(help="model time of each run (ms)")] = 1000.0,
    clock: Annotated[str, typer.Option(help="wall | cpu: the clock of the fit table and figure")] = "wall",
    output: Annotated[Path, typer.Option("-o", "--output", help="directory for CSV, JSON and figure")] = Path("bench"),
    refit: Annotated[
        Path | None, typer.Option(help="fit a cerebellum.csv measured before instead of measuring")
    ] = None,
) -> None:
    """Build, simulate and analyse the cerebellum run per size and thread count, against raw NEST wiring.

    The points are saved after each one (cerebellum.csv); --refit fits such a file again.
    """
    from cerebrepro.bench.cerebellum import (
        CerebellumBench,
        CerebellumConfig,
        read_points,
        run_cerebellum_bench,
    )
    from cerebrepro.bench.cerebellum_report import save_cerebellum, save_points

    if clock not in ("wall", "cpu"):
        raise typer.BadParameter("--clock is wall or cpu")
    config = CerebellumConfig(_numbers(sizes, float), _numbers(threads, int), duration)
    started = time.perf_counter()
    if refit is not None:
        points = read_points(refit)
        config = CerebellumConfig(
            tuple(sorted({p.size for p in points})), tuple(sorted({p.threads for p in points})), duration
        )
    else:
        with console.status("starting") as status:
            points = run_cerebellum_bench(
                config,
                lambda size, n: status.update(f"{size:g} um, {n} thread(s): run, analyse, raw wiring"),
                lambda done: save_points(done, output),
            )
    bench = CerebellumBench(config, points)
    paths = save_cerebellum(bench, output, clock)
    console.print(points_table(bench))
    console.print(cost_table(bench, clock))
    console.print(f"{len(points)} points in {time.perf_counter() - started:.0f} s")
    for kind, path in paths.items():
        console.print(f"{kind}: [bold]{path}[/]")


def points_table(bench) -> Table:
    """Per size and thread count: cells, synapses, wall times, build / raw wiring by wall and by CPU time."""
    table = Table(title=f"cerebellum run, {bench.config.duration:g} ms model time (wall s)", title_justify="left")
    columns = ("um", "thr", "cells", "synapses", "build", "raw", "build/raw", "cpu ratio", "simulate", "analyse")
    for column in columns:
        table.add_column(column, justify="right")
    for p in bench.points:
        table.add_row(
            f"{p.size:g}", str(p.threads), f"{p.cells:,}", f"{p.synapses:,}", f"{p.build_s:.2f}",
            f"{p.raw_wiring_s:.2f}", f"{p.build_ratio:.2f}", f"{p.build_ratio_cpu:.2f}", f"{p.simulate_s:.1f}",
            f"{p.analyse_s:.2f}",
        )  # fmt: skip
    return table


def cost_table(bench, clock: str) -> Table:
    """Per thread count and phase: fitted cost per cell (us), per synapse (ns), constant (s), R^2."""
    table = Table(title=f"time = a*cells + b*synapses + c, {clock} clock", title_justify="left")
    for column in ("threads", "phase", "a µs/cell", "b ns/synapse", "c s", "R²", "R² c=0"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for threads, by_clock in bench.fits.items():
        variant, fits = bench.preferred(threads, clock)
        without = by_clock[clock]["no_intercept"]
        for phase, fit in fits.items():
            table.add_row(
                str(threads), phase, f"{fit.coefficients['cells'] * 1e6:.3g}",
                f"{fit.coefficients['synapses'] * 1e9:.3g}", f"{fit.intercept:.2g}" if variant == "with_intercept" else "-",
                f"{fit.r2:.3f}", f"{without[phase].r2:.3f}",
            )  # fmt: skip
    return table
