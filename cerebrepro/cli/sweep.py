"""`cerebrepro sweep SPEC.yaml -o DIR`: run a parameter sweep on Dask and write its table."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.cluster_flags import with_cluster_flags
from cerebrepro.cli.render.sweep import print_sweep, sweep_progress
from cerebrepro.sweep.cluster import ClusterOptions


@app.command()
@with_cluster_flags
def sweep(
    spec_file: Annotated[
        Path, typer.Argument(help="The sweep file (YAML): base and grid or points.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Directory for sweep.csv and the points' logs.")
    ],
    *,
    cluster: ClusterOptions,
) -> None:
    """Run every point of a sweep (each in a process of its own) and write one table.

    The sweep file names a base run spec and the values to vary (docs/sweeps.md), e.g. base: {simulator: brian2, size: 100, duration: 400} and grid: {f_peak: [50, 150], radius: [70, 140]}.

    Points already in the run cache are reused; a point that fails is retried once, then reported while the others finish (exit code 1).
    """
    from cerebrepro.sweep.run import sweep as run_sweep

    started = time.perf_counter()
    with sweep_progress() as observer:
        result = run_sweep(spec_file, output, cluster, observer)
    print_sweep(result, time.perf_counter() - started)
    if result.failed:
        raise typer.Exit(1)
