"""`cerebrepro reproduce --figure N`: run or reuse the runs a figure needs, then draw and write it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.backends.registry import DEFAULT_BACKEND
from cerebrepro.backends.registry import names as simulator_names
from cerebrepro.cli.app import app
from cerebrepro.cli.cluster_flags import with_cluster_flags
from cerebrepro.cli.render.reproduce import observing, print_reproduced
from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import BURST_KINDS
from cerebrepro.reproduce.figure import FIGURE_NUMBERS
from cerebrepro.sweep.cluster import ClusterOptions

BURSTS = ("both", *BURST_KINDS)


@app.command()
@with_cluster_flags
def reproduce(
    figure: Annotated[
        int,
        typer.Option(
            "--figure", "-f", help=f"Figure number: {', '.join(map(str, FIGURE_NUMBERS))}."
        ),
    ],
    size: Annotated[
        float | None,
        typer.Option(help="Base size (um) of the rebuilt scaffold (default 400)."),
    ] = None,
    simulator: Annotated[
        str, typer.Option(help=f"Simulator of the runs: {' | '.join(simulator_names())}.")
    ] = DEFAULT_BACKEND,
    threads: Annotated[int, typer.Option(help="Simulator threads.")] = 1,
    duration: Annotated[
        float | None,
        typer.Option(
            help="Model time (ms) of every run (default 1000; figure 7: 400, --full 1000)."
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Figure 7: the paper's sweep (360 runs) instead of the reduced one (12)."
        ),
    ] = False,
    burst: Annotated[
        str, typer.Option(help="Figure 7: both | poisson | periodic bursts.")
    ] = "both",
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Directory for the figure files.")
    ] = Path("figures"),
    *,
    cluster: ClusterOptions,
) -> None:
    """Reproduce one figure of the paper: PNG, PDF, statistics (YAML) and caption (text).

    Runs come from the run cache when there and are run otherwise (figure 7 runs a sweep on Dask, with the scheduler options of `cerebrepro sweep`); figures 4-6 add a run of the same spec on another simulator when the cache holds one.
    """
    from cerebrepro.reproduce.figure import reproduce_figure
    from cerebrepro.reproduce.plans import FigureOptions

    if burst not in BURSTS:
        raise CerebreproError(f"unknown burst {burst!r}: choose one of {', '.join(BURSTS)}")
    options = FigureOptions(size, simulator, threads, duration, full, burst, cluster)
    started = time.perf_counter()
    with observing() as observer:
        reproduced = reproduce_figure(figure, options, output, observer)
    print_reproduced(figure, reproduced, time.perf_counter() - started)
