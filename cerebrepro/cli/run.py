"""`cerebrepro run`: one experiment on one simulator, with progress and a summary table."""

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from cerebrepro.backends import mpi
from cerebrepro.backends.registry import DEFAULT_BACKEND
from cerebrepro.backends.registry import names as simulator_names
from cerebrepro.cli import events as ev
from cerebrepro.cli.app import app
from cerebrepro.cli.backend_options import chosen_options, with_backend_flags
from cerebrepro.cli.render import events as render_events
from cerebrepro.cli.render import runs as render
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL, TIMESTEP
from cerebrepro.model.parameters import parse_settings
from cerebrepro.pipeline.execute import default_threads, map_to, only_maps, run_to
from cerebrepro.pipeline.experiments import preferred_timestep
from cerebrepro.pipeline.spec import (
    DEFAULT_KERNEL_SEED,
    DEFAULT_STIMULUS_SEED,
    EXPERIMENTS,
    RunSpec,
)
from cerebrepro.results.provenance import available_cores


def run(
    experiment: Annotated[
        str,
        typer.Option(
            help=" | ".join(EXPERIMENTS) + " (ei-balanced: the sPyNNaker tutorial's E-I network)"
        ),
    ] = "cerebellum",
    scaffold: Annotated[
        str, typer.Option(help="rebuilt | published | path to a scaffold HDF5 file")
    ] = "rebuilt",
    stimulus: Annotated[
        str,
        typer.Option(
            help="generated (E-I: its pulse) | published | path to a spike-train .npz | events:FILE (a recording)"
        ),
    ] = "generated",
    simulator: Annotated[str, typer.Option(help=" | ".join(simulator_names()))] = DEFAULT_BACKEND,
    size: Annotated[float, typer.Option(help="base size (um) of a rebuilt scaffold")] = 400.0,
    scaffold_seed: Annotated[
        int | None, typer.Option(help="seed of a rebuilt scaffold (default: the builder's)")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help=f"cerebellum: seed of the generated stimulus (default: {DEFAULT_STIMULUS_SEED}); "
            f"ei-balanced: seed of connectivity, initial potentials and Poisson input (default: {DEFAULT_KERNEL_SEED})",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            help=f"simulator threads (default: the cores this process may use, {available_cores()} here; "
            "the E-I network: 1, as its Poisson input changes with the thread count)"
        ),
    ] = None,
    duration: Annotated[float, typer.Option(help="model time (ms)")] = 1000.0,
    timestep: Annotated[
        float | None,
        typer.Option(help=f"ms (default: {TIMESTEP:g}; the E-I network on SpiNNaker: 1.0)"),
    ] = None,
    f_peak: Annotated[
        float, typer.Option(help="burst rate added inside the sphere (Hz)")
    ] = REFERENCE_PROTOCOL.f_peak,
    radius: Annotated[
        float, typer.Option(help="stimulus sphere radius (um)")
    ] = REFERENCE_PROTOCOL.radius,
    burst: Annotated[str, typer.Option(help="poisson | periodic burst")] = REFERENCE_PROTOCOL.kind,
    record_v: Annotated[str, typer.Option(help="v/gsyn recording: none | subset | all")] = "subset",
    set_parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="change a model parameter, NAME=VALUE (repeatable): <projection>.weight (uS), "
            "<projection>.delay (ms) or <cell type>.<parameter> (PyNN units), e.g. goc_grc.weight=0.0055",
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="output directory (or a .h5 file path)")
    ] = Path("results"),
    figure: Annotated[
        bool, typer.Option(help="E-I network: write a figure (PNG) beside the result")
    ] = True,
    event_flags: dict[str, Any] | None = None,
    backend_options: dict[str, object] | None = None,
) -> None:
    """Run an experiment and write one results file (HDF5).

    A backend that maps without simulating (SpiNNaker's --virtual board) writes a mapping
    report instead and prints the cores per population. With --stimulus events:FILE an
    event recording drives the input (docs/events.md); `cerebrepro events figure RESULT`
    then draws the run.
    """
    events = ev.event_options(stimulus, **(event_flags or {}))
    if experiment not in EXPERIMENTS:
        raise typer.BadParameter(f"--experiment is one of {', '.join(EXPERIMENTS)}")
    if simulator not in simulator_names():
        raise typer.BadParameter(f"--simulator is one of {', '.join(simulator_names())}")
    chosen_timestep = (
        timestep if timestep is not None else preferred_timestep(experiment, simulator, TIMESTEP)
    )
    spec = RunSpec(
        experiment=experiment,
        simulator=simulator,
        scaffold=scaffold,
        size=size,
        scaffold_seed=scaffold_seed,
        stimulus=stimulus,
        stimulus_seed=DEFAULT_STIMULUS_SEED if seed is None or experiment != "cerebellum" else seed,
        kernel_seed=seed
        if seed is not None and experiment != "cerebellum"
        else DEFAULT_KERNEL_SEED,
        protocol=dataclasses.replace(REFERENCE_PROTOCOL, f_peak=f_peak, radius=radius, kind=burst),
        duration=duration,
        timestep=chosen_timestep,
        threads=threads if threads is not None else default_threads(experiment),
        record_v=record_v,
        options=chosen_options(simulator, backend_options or {}),
        events=events,
        parameters=parse_settings(set_parameters or (), chosen_timestep),
    )
    execute(spec, output, figure)


def execute(spec: RunSpec, output: Path, figure: bool = True) -> None:
    """Run (or, for a backend that only maps, map) ``spec``, write it under ``output`` and report it."""
    if only_maps(spec):
        render.mapping(map_to(spec, output, render.phase_printer()))
        return
    if not mpi.is_root():  # under mpirun only rank 0 reports and writes
        run_to(spec, output)
        return
    with render.run_progress(spec.duration) as progress:
        result, path = run_to(spec, output, progress)
    render.run_summary(result, path)
    if spec.experiment == "ei-balanced":
        from cerebrepro.cli.ei_balanced import report_run

        report_run(path, figure)
    elif spec.events is not None:
        render_events.print_cap(result.provenance["stimulus"])
        render_events.print_figure_hint(path)


app.command("run")(with_backend_flags(ev.with_event_flags(run)))
