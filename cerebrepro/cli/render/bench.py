"""Rendering of the benchmarks: fitted cost models and measured points, as tables wider than 80 columns."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from cerebrepro.cli.render.console import safe_text, wide_console

if (
    TYPE_CHECKING
):  # the benchmarks load the simulator backends: imported by the commands that run them
    from cerebrepro.studies.cerebellum_bench import CerebellumBench
    from cerebrepro.studies.pipeline_bench import PipelineBench


def pipeline_point(n: int, t: float, repeat: int, repeats: int) -> str:
    return f"repeat {repeat + 1}/{repeats}: N = {n}, T = {t:g} ms"


def cerebellum_point(size: float, threads: int) -> str:
    return f"{size:g} um, {threads} thread(s): run, analyse, raw wiring"


def fit_table(bench: PipelineBench, clock: str) -> Table:
    """Per phase: a (us per cell), b (us per cell and model second), c (s), R^2 with and without c."""
    table = Table(
        title=f"time = a*N + b*N*T + c, {safe_text(clock)} clock, medians over repeats (at most "
        f"{bench.config.repeats}) (N cells, T model seconds)",
        title_justify="left",
    )
    table.add_column("phase", no_wrap=True)
    for column in ("a µs/cell", "b µs/cell/s", "c s", "R²", "R² c=0", "max s"):
        table.add_column(column, justify="right")
    with_c, without_c = bench.fits[clock]["with_intercept"], bench.fits[clock]["no_intercept"]
    for label, fit in with_c.items():
        longest = max(getattr(p, f"{clock}_s") for p in bench.points if p.phase == label)
        table.add_row(
            safe_text(label),
            f"{fit.coefficients['N'] * 1e6:.3g}",
            f"{fit.coefficients['N*T'] * 1e6:.3g}",
            f"{fit.intercept:.2g}",
            f"{fit.r2:.3f}",
            f"{without_c[label].r2:.3f}",
            f"{longest:.3g}",
        )
    return table


def points_table(bench: CerebellumBench) -> Table:
    """Per size and thread count: cells, synapses, wall times, build / raw wiring by wall and by CPU time."""
    table = Table(
        title=f"cerebellum run, {bench.config.duration:g} ms model time (wall s)",
        title_justify="left",
    )
    columns = (
        "um",
        "thr",
        "cells",
        "synapses",
        "build",
        "raw",
        "build/raw",
        "cpu ratio",
        "simulate",
        "analyse",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for p in bench.points:
        table.add_row(
            f"{p.size:g}", str(p.threads), f"{p.cells:,}", f"{p.synapses:,}", f"{p.build_s:.2f}",
            f"{p.raw_wiring_s:.2f}", f"{p.build_ratio:.2f}", f"{p.build_ratio_cpu:.2f}", f"{p.simulate_s:.1f}",
            f"{p.analyse_s:.2f}",
        )  # fmt: skip
    return table


def cost_table(bench: CerebellumBench, clock: str) -> Table:
    """Per thread count and phase: fitted cost per cell (us), per synapse (ns), constant (s), R^2."""
    table = Table(
        title=f"time = a*cells + b*synapses + c, {safe_text(clock)} clock", title_justify="left"
    )
    for column in ("threads", "phase", "a µs/cell", "b ns/synapse", "c s", "R²", "R² c=0"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for threads, by_clock in bench.fits.items():
        variant, fits = bench.preferred(threads, clock)
        without = by_clock[clock]["no_intercept"]
        for phase, fit in fits.items():
            table.add_row(
                str(threads), safe_text(phase), f"{fit.coefficients['cells'] * 1e6:.3g}",
                f"{fit.coefficients['synapses'] * 1e9:.3g}", f"{fit.intercept:.2g}" if variant == "with_intercept" else "-",
                f"{fit.r2:.3f}", f"{without[phase].r2:.3f}",
            )  # fmt: skip
    return table


def print_bench(tables: list[Table], count: str, elapsed: float, paths: Mapping[str, Path]) -> None:
    """The tables, how many measurements took how long, and the files written."""
    console = wide_console()
    for table in tables:
        console.print(table)
    console.print(f"{count} in {elapsed:.0f} s")
    for kind, path in paths.items():
        console.print(f"{safe_text(kind)}: [bold]{safe_text(path)}[/]")


def print_pipeline(
    bench: PipelineBench, clock: str, elapsed: float, paths: Mapping[str, Path]
) -> None:
    print_bench([fit_table(bench, clock)], f"{len(bench.rows)} measurements", elapsed, paths)


def print_cerebellum(
    bench: CerebellumBench, clock: str, elapsed: float, paths: Mapping[str, Path]
) -> None:
    print_bench(
        [points_table(bench), cost_table(bench, clock)],
        f"{len(bench.points)} points",
        elapsed,
        paths,
    )
