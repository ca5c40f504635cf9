"""`cerebrepro scaffold build|inspect`: rebuild a scaffold offline, or describe a scaffold file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.render import scaffold as render
from cerebrepro.scaffold.version import DEFAULT_SCAFFOLD_SEED

# The scaffold modules load numba and scipy: they are imported inside the commands so that
# other commands start fast.

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
    from cerebrepro.scaffold.build import STAGES
    from cerebrepro.scaffold.default import build_scaffold_file

    started = time.perf_counter()
    with render.build_progress(len(STAGES) + 1) as progress:
        path, built = build_scaffold_file(size, seed, output, progress)
    render.print_built(path, built, size, seed, time.perf_counter() - started)
    typer.echo(str(path))


@scaffold_app.command("inspect")
def inspect(
    file: Annotated[
        Path, typer.Argument(help="A scaffold HDF5 file (old-style or bsb 3.x layout).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate a scaffold file and show its cells, connections, degrees and digests."""
    from cerebrepro.scaffold.read import read_scaffold
    from cerebrepro.scaffold.summary import summarize

    summary = summarize(read_scaffold(file))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    render.print_summary(summary)
