"""`cerebrepro scaffold build|inspect`: rebuild a scaffold offline, or describe a scaffold file."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cerebrepro.cli.app import app
from cerebrepro.scaffold.version import DEFAULT_SCAFFOLD_SEED

# The scaffold modules load numba and scipy: they are imported inside the commands so that
# other commands start fast.

_PLAIN_WIDTH = 120  # columns of the tables when the output is not a terminal

scaffold_app = typer.Typer(
    help="Rebuild the cerebellum scaffold offline, or inspect a scaffold HDF5 file.",
    no_args_is_help=True,
)
app.add_typer(scaffold_app, name="scaffold")


@scaffold_app.command("build")
def build(
    size: Annotated[
        float, typer.Option(help="Side of the square base, um (400 is the published network).")
    ] = 400.0,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same size and seed give the same scaffold.")
    ] = DEFAULT_SCAFFOLD_SEED,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="HDF5 file to write (default: the data cache, reused if already built).",
        ),
    ] = None,
) -> None:
    """Rebuild a scaffold with the 2019 placement and connectivity rules and write it as HDF5."""
    from cerebrepro.data.cache import check_output
    from cerebrepro.scaffold.budget import check_build
    from cerebrepro.scaffold.build import STAGES, build_scaffold
    from cerebrepro.scaffold.default import default_scaffold, default_scaffold_path
    from cerebrepro.scaffold.write import write_scaffold

    console = Console(stderr=True)
    started = time.perf_counter()
    check_build(size, seed)  # values, memory and output refused before any work
    check_output(output, (), "--output")
    target = output or default_scaffold_path(size, seed)
    stages_run: list[str] = []
    columns = (
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("building", total=len(STAGES) + 1)

        def progress(stage: str, completed: int, total: int) -> None:
            stages_run.append(stage)
            description = "writing" if stage == "done" else stage
            bar.update(task, completed=completed, description=description)

        if output is None:
            default_scaffold(size, seed, progress)  # reuses the cached file if there is one
        else:
            write_scaffold(build_scaffold(size, seed, progress), output)
    if stages_run:
        elapsed = time.perf_counter() - started
        console.print(
            f"built {size:g} x {size:g} um, seed {seed} in {elapsed:.1f} s", highlight=False
        )
    else:
        console.print(f"already built: {target}", highlight=False)
    typer.echo(str(target))


def _summary_tables(summary: dict) -> tuple[Table, Table]:
    cells = Table("population", "cells", title="populations")
    for name, n in summary["populations"].items():
        cells.add_row(name, f"{n:,}")
    cells.add_row("total", f"{summary['n_cells']:,}", style="bold")
    rows = Table(
        "projection",
        "pre -> post",
        "rows",
        "out-degree",
        "in-degree",
        title="projections (* not simulated)",
        caption="degree: rows per cell, mean [min, max] over every cell of the population",
    )

    def degree(d: dict) -> str:
        return f"{d['mean']:.2f} [{d['min']}, {d['max']}]"

    for name, p in summary["projections"].items():
        rows.add_row(
            name if p["simulated"] else f"{name}*",
            f"{p['pre']} -> {p['post']}",
            f"{p['rows']:,}",
            degree(p["out_degree"]),
            degree(p["in_degree"]),
        )
    rows.add_row("total", "", f"{summary['n_connections']:,}", style="bold")
    return cells, rows


@scaffold_app.command("inspect")
def inspect(
    file: Annotated[Path, typer.Argument(help="A scaffold HDF5 file (old-style or bsb 3.x layout).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate a scaffold file and show its cells, connections, degrees and digests."""
    from cerebrepro.scaffold.read import read_scaffold
    from cerebrepro.scaffold.summary import summarize

    summary = summarize(read_scaffold(file))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console = Console(width=None if sys.stdout.isatty() else _PLAIN_WIDTH)
    for table in _summary_tables(summary):
        console.print(table)
    console.print(f"file sha256:          {summary['sha256']}", highlight=False)
    console.print(f"connectivity digest:  {summary['connectivity_digest']}", highlight=False)
    for key, value in summary["attrs"].items():
        console.print(f"{key}: {value}", highlight=False)
