"""`cerebrepro spinnaker ...` (machine settings, virtual mapping) and `cerebrepro import-spinncer`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cerebrepro.cli.app import app
from cerebrepro.simulate.run import DEFAULT_STIMULUS_SEED, RunSpec

console = Console()
spinnaker_app = typer.Typer(
    help="SpiNNaker: the machine a run would use, and virtual-board mapping reports.", no_args_is_help=True
)
app.add_typer(spinnaker_app, name="spinnaker")

NeuronOrderOption = Annotated[
    str, typer.Option("--neuron-order", help="cell order on cores: grid (paper) | default | random")
]
TimeScaleOption = Annotated[
    float | None, typer.Option("--time-scale-factor", help="slow-down of the board (default 1000, as published)")
]


def spinnaker_options(
    neuron_order: str = "grid",
    order_seed: int | None = None,
    time_scale_factor: float | None = None,
    board: str | None = None,
    spalloc: str | None = None,
    machine_version: int | None = None,
    virtual: bool = False,
    synapse_cores: int = 0,
    boards: int | None = None,
    run_dir: Path | None = None,
) -> dict[str, object]:
    """``RunSpec.options`` for the SpiNNaker backend from command-line values (unset ones left out)."""
    options: dict[str, object] = {
        "neuron_order": neuron_order,
        "order_seed": order_seed,
        "time_scale_factor": time_scale_factor,
        "board": board,
        "spalloc": spalloc,
        "version": machine_version,
        "virtual": True if virtual else None,
        "synapse_cores": synapse_cores,
        "boards": boards,
        "run_dir": str(run_dir) if run_dir else None,
    }
    return {key: value for key, value in options.items() if value is not None}


@spinnaker_app.command("config")
def config(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """The SpiNNaker machine a run would use now, and where each setting comes from."""
    from cerebrepro.simulate.spinnaker_config import describe_settings

    facts = describe_settings()
    if as_json:
        typer.echo(json.dumps(facts, indent=2, default=str))
        return
    table = Table(title="SpiNNaker settings", title_justify="left", show_header=False)
    for key, value in facts.items():
        table.add_row(key, json.dumps(value, default=str) if isinstance(value, dict | list) else str(value))
    console.print(table)


@spinnaker_app.command("map")
def map_command(
    scaffold: Annotated[str, typer.Option(help="rebuilt | published | path to a scaffold HDF5 file")] = "rebuilt",
    size: Annotated[float, typer.Option(help="base size (um) of a rebuilt scaffold")] = 400.0,
    scaffold_seed: Annotated[int | None, typer.Option(help="seed of a rebuilt scaffold")] = None,
    stimulus: Annotated[str, typer.Option(help="generated | published | path to a spike-train .npz")] = "generated",
    seed: Annotated[int, typer.Option("--seed", help="seed of the generated stimulus")] = DEFAULT_STIMULUS_SEED,
    duration: Annotated[float, typer.Option(help="model time (ms) the mapping reserves memory for")] = 1000.0,
    neuron_order: NeuronOrderOption = "grid",
    order_seed: Annotated[int | None, typer.Option(help="seed of the random order")] = None,
    synapse_cores: Annotated[int, typer.Option(help="synapse cores per neuron core (0: shared, as published)")] = 0,
    time_scale_factor: TimeScaleOption = None,
    run_dir: Annotated[Path | None, typer.Option(help="sPyNNaker's directory (config, reports)")] = None,
    report: Annotated[Path | None, typer.Option("-o", "--report", help="save the mapping report (.yaml or .json)")] = None,
) -> None:
    """Map, place and route the network on a virtual board: chips and cores per population.

    A virtual board has no hardware: it produces no spikes and this command writes no result file.
    The full network: `cerebrepro spinnaker map --size 400 -o mapping-400.yaml`.
    """
    spec = RunSpec(
        simulator="spinnaker", scaffold=scaffold, size=size, scaffold_seed=scaffold_seed,
        stimulus=stimulus, stimulus_seed=seed, duration=duration,
        options=spinnaker_options(
            neuron_order, order_seed, time_scale_factor, synapse_cores=synapse_cores, run_dir=run_dir
        ),
    )
    map_virtual(spec, report)


def map_virtual(spec: RunSpec, report: Path | None = None) -> None:
    """Map ``spec``'s network on a virtual board, print the cores per population, save the report."""
    from cerebrepro.simulate.run import RunEvents, resolve_scaffold, resolve_stimulus
    from cerebrepro.simulate.spinnaker import SpinnakerOptions, map_network
    from cerebrepro.simulate.spinnaker_mapping import VIRTUAL_NOTE, write_mapping_report

    options = SpinnakerOptions.from_mapping(spec.options)
    events = RunEvents(phase=lambda name: console.print(f"[dim]{name}[/]"))
    network = resolve_scaffold(spec, events)
    trains = resolve_stimulus(spec, network).trains
    mapping = map_network(spec, network, trains, options, events)
    print_mapping(mapping.to_dict())
    console.print(f"[bold]{VIRTUAL_NOTE}.[/]")
    if report is not None:
        console.print(f"mapping report [bold]{write_mapping_report(mapping, report)}[/]")


def print_mapping(report: dict) -> None:
    """Cores and chips per population, then the totals."""
    table = Table(title="SpiNNaker mapping", title_justify="left")
    for column in ("population", "cells", "neurons/core", "cores", "slices", "expected", "chips"):
        table.add_column(column, justify="left" if column == "population" else "right")
    for name, row in report["populations"].items():
        table.add_row(
            name, f"{row['cells']:,}", str(row["neurons_per_core"]), f"{row['cores']:,}",
            f"{row['slices']:,}", f"{row['expected_slices']:,}", str(row["chips"]),
        )
    console.print(table)
    machine = report["machine"]
    console.print(
        f"machine {machine['width']}x{machine['height']} ({machine['boards']} boards, {machine['chips']} chips); "
        f"chips with population cores {report['chips_used']}, population cores {report['application_cores']:,}, "
        f"all cores in use {report['cores_used']:,}; system cores {report['other_cores']}"
    )
    if "mapping_s" in report:
        console.print(f"build {report['build_s']:.1f} s, map/place/route {report['mapping_s']:.1f} s")


@app.command("import-spinncer")
def import_spinncer(
    archive: Annotated[Path, typer.Argument(help="SpiNNCer result archive (.npz of pickled objects)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="result file to write (.h5)")],
    scaffold: Annotated[str, typer.Option(help="the scaffold the run used: rebuilt | published | path")] = "published",
    size: Annotated[float, typer.Option(help="base size (um) of a rebuilt scaffold")] = 400.0,
    scaffold_seed: Annotated[int | None, typer.Option(help="seed of a rebuilt scaffold")] = None,
    stimulus: Annotated[
        str | None, typer.Option(help="the stimulus the run used (published | path); default: its recorded glomerulus spikes")
    ] = None,
    sha256: Annotated[str | None, typer.Option("--sha256", help="the archive's published sha256")] = None,
    trust: Annotated[bool, typer.Option("--trust", help="open the archive without a checksum (your own file)")] = False,
    neuron_order: Annotated[
        str | None,
        typer.Option(
            "--neuron-order",
            help="order the run created cells in: grid | random | default (default: the archive's id_remap)",
        ),
    ] = None,
    id_seed: Annotated[
        int | None, typer.Option("--id-seed", help="seed of a random order (default: the archive's id_seed)")
    ] = None,
) -> None:
    """Convert a SpiNNCer result archive into a cerebrepro result file, after checking its checksum.

    SpiNNCer's spike ids are in the order the run created cells in (--id_remap grid in the
    paper's runs); they are reverted to scaffold indices on the scaffold the run used.
    """
    import warnings

    from cerebrepro.results.io import write_result
    from cerebrepro.results.spinncer_import import (
        ArchiveOrderWarning,
        archive_to_result,
        check_stimulus_matches,
        read_spinncer_archive,
    )
    from cerebrepro.simulate.run import resolve_scaffold, resolve_stimulus

    loaded = read_spinncer_archive(archive, sha256=sha256, trust=trust)
    spec = RunSpec(
        scaffold=scaffold, size=size, scaffold_seed=scaffold_seed, stimulus=stimulus or "generated",
        timestep=loaded.timestep, duration=loaded.duration,
    )
    network = resolve_scaffold(spec)
    named = resolve_stimulus(spec, network) if stimulus else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ArchiveOrderWarning)
        result = archive_to_result(loaded, network, archive, named.info if named else None, neuron_order, id_seed)
    for warning in caught:
        console.print(f"[yellow]warning:[/] {warning.message}")
    if named is not None:
        check_stimulus_matches(result, named.trains)
    write_result(result, output)
    table = Table(title=f"imported {archive.name} ({loaded.simulator}, {loaded.duration:g} ms)", title_justify="left")
    for column in ("population", "cells", "spikes"):
        table.add_column(column, justify="left" if column == "population" else "right")
    for name, spikes in result.spikes.items():
        table.add_row(name, f"{spikes.size:,}", f"{spikes.n_spikes:,}")
    console.print(table)
    order = result.provenance["neuron_order"]
    seed = f", seed {order['seed']}" if order["seed"] is not None else ""
    console.print(f"ids reverted from the {order['mode']} order{seed} to scaffold indices (order {order['sha256'][:16]})")
    console.print(f"archive sha256 {loaded.sha256[:16]} ({loaded.trust}); result [bold]{output}[/]")
