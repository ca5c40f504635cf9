"""`cerebrepro export`: a result in a format other tools read (neo NIX)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.render.console import wrote
from cerebrepro.results.export import export_result
from cerebrepro.results.io import read_result


@app.command()
def export(
    result: Annotated[Path, typer.Argument(help="a cerebrepro results file (.h5)")],
    fmt: Annotated[str, typer.Option("--format", help="nix (neo's NIX format)")] = "nix",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="output file (default: beside RESULT)")
    ] = None,
    per_cell: Annotated[
        bool, typer.Option(help="one neo SpikeTrain per cell instead of one per population")
    ] = False,
) -> None:
    """Export a result to neo/NIX so that neo, Elephant and NIX tools can read it."""
    destination = output or result.with_suffix(f".{fmt}")
    export_result(read_result(result), destination, fmt, per_cell)
    wrote(destination)
