"""`cerebrepro info`: versions, the simulator backends, the data cache and what it holds."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.render.info import print_info
from cerebrepro.pipeline.info import backend_facts, gather_info

__all__ = ["backend_facts", "info"]  # backend_facts: tests and scripts look backends up here


@app.command()
def info(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Versions, each simulator backend (installed? threads, MPI, machine), the data cache and its files."""
    facts = gather_info()
    if as_json:
        typer.echo(json.dumps(facts, indent=2, default=str))
        return
    print_info(facts)
