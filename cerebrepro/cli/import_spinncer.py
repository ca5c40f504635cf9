"""`cerebrepro import-spinncer`: a SpiNNCer result archive as a cerebrepro result file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.render.runs import print_import


@app.command("import-spinncer")
def import_spinncer(
    archive: Annotated[
        Path, typer.Argument(help="SpiNNCer result archive (.npz of pickled objects)")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="result file to write (.h5)")],
    scaffold: Annotated[
        str, typer.Option(help="the scaffold the run used: rebuilt | published | path")
    ] = "published",
    size: Annotated[float, typer.Option(help="base size (um) of a rebuilt scaffold")] = 400.0,
    scaffold_seed: Annotated[int | None, typer.Option(help="seed of a rebuilt scaffold")] = None,
    stimulus: Annotated[
        str | None,
        typer.Option(
            help="the stimulus the run used (published | path); default: its recorded glomerulus spikes"
        ),
    ] = None,
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="the archive's published sha256")
    ] = None,
    trust: Annotated[
        bool, typer.Option("--trust", help="open the archive without a checksum (your own file)")
    ] = False,
    neuron_order: Annotated[
        str | None,
        typer.Option(
            "--neuron-order",
            help="order the run created cells in: grid | random | default (default: the archive's id_remap)",
        ),
    ] = None,
    id_seed: Annotated[
        int | None,
        typer.Option("--id-seed", help="seed of a random order (default: the archive's id_seed)"),
    ] = None,
) -> None:
    """Convert a SpiNNCer result archive into a cerebrepro result file, after checking its checksum.

    SpiNNCer's spike ids are in the order the run created cells in (--id_remap grid in the
    paper's runs); they are reverted to scaffold indices on the scaffold the run used.
    """
    from cerebrepro.pipeline.spinncer_archive import import_archive

    imported = import_archive(
        archive,
        output,
        scaffold,
        size,
        scaffold_seed,
        stimulus,
        sha256,
        trust,
        neuron_order,
        id_seed,
    )
    print_import(imported, archive, output)
