"""`cerebrepro run`: the experiment on a simulator, with progress and a summary table."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cerebrepro.cli import events as ev
from cerebrepro.cli.app import app
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.model.events import DEFAULT_RATE_CAP
from cerebrepro.results.types import RunResult
from cerebrepro.simulate import mpi
from cerebrepro.simulate.run import DEFAULT_STIMULUS_SEED, RunEvents, RunSpec, run_experiment

console = Console()


def default_output(spec: RunSpec, directory: Path) -> Path:
    """A readable, spec-derived file name: simulator, scaffold, stimulus, seeds, duration, threads."""
    scaffold = spec.scaffold if spec.scaffold in ("rebuilt", "published") else Path(spec.scaffold).stem
    if spec.scaffold == "rebuilt":
        scaffold += f"{spec.size:g}" + (f"s{spec.scaffold_seed}" if spec.scaffold_seed is not None else "")
    stimulus = spec.stimulus if spec.stimulus in ("generated", "published") else Path(spec.stimulus).stem
    if spec.stimulus.startswith("events:"):
        stimulus = f"events-{Path(spec.stimulus.removeprefix('events:')).stem}"
    if spec.stimulus == "generated":
        stimulus += f"{spec.stimulus_seed}"
    method = f"_{spec.options['method']}" if "method" in spec.options else ""
    name = f"{spec.simulator}{method}_{scaffold}_{stimulus}_{spec.duration:g}ms_t{spec.threads}.h5"
    return directory / name


@app.command()
def run(
    experiment: Annotated[
        str, typer.Option(help="cerebellum | ei-balanced (the sPyNNaker tutorial's E-I network)")
    ] = "cerebellum",
    scaffold: Annotated[str, typer.Option(help="rebuilt | published | path to a scaffold HDF5 file")] = "rebuilt",
    stimulus: Annotated[
        str, typer.Option(help="generated | published | path to a spike-train .npz | events:FILE (a recording)")
    ] = "generated",
    simulator: Annotated[str, typer.Option(help="nest | spinnaker | brian2")] = "nest",
    size: Annotated[float, typer.Option(help="base size (um) of a rebuilt scaffold")] = 400.0,
    scaffold_seed: Annotated[int | None, typer.Option(help="seed of a rebuilt scaffold (default: the builder's)")] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed of the generated stimulus")] = DEFAULT_STIMULUS_SEED,
    threads: Annotated[int, typer.Option(help="simulator threads")] = 1,
    duration: Annotated[float, typer.Option(help="model time (ms)")] = 1000.0,
    f_peak: Annotated[float, typer.Option(help="burst rate added inside the sphere (Hz)")] = REFERENCE_PROTOCOL.f_peak,
    radius: Annotated[float, typer.Option(help="stimulus sphere radius (um)")] = REFERENCE_PROTOCOL.radius,
    burst: Annotated[str, typer.Option(help="poisson | periodic burst")] = REFERENCE_PROTOCOL.kind,
    record_v: Annotated[str, typer.Option(help="v/gsyn recording: none | subset | all")] = "subset",
    neuron_order: Annotated[
        str, typer.Option(help="SpiNNaker: cell order on cores, grid (paper) | default | random")
    ] = "grid",
    time_scale_factor: Annotated[
        float | None, typer.Option(help="SpiNNaker: slow-down of the board (default 1000, as published)")
    ] = None,
    board: Annotated[str | None, typer.Option(help="SpiNNaker: board host name or IP")] = None,
    spalloc: Annotated[str | None, typer.Option(help="SpiNNaker: spalloc server URL")] = None,
    machine_version: Annotated[int | None, typer.Option(help="SpiNNaker: board version (3 or 5)")] = None,
    method: Annotated[
        str | None, typer.Option(help="Brian2: integration method, rk4 (default) | rk2 | exponential_euler | euler")
    ] = None,
    virtual: Annotated[
        bool, typer.Option(help="SpiNNaker: map on a virtual board and report cores; no spikes, no result file")
    ] = False,
    output: Annotated[Path, typer.Option("-o", "--output", help="output directory (or a .h5 file path)")] = Path(
        "results"
    ),
    events_fit: ev.EventsFit = "stretch",
    events_polarity: ev.EventsPolarity = "both",
    events_start: ev.EventsStart = 0.0,
    events_stop: ev.EventsStop = None,
    events_offset: ev.EventsOffset = 0.0,
    events_sensor: ev.EventsSensor = None,
    events_denoise: ev.EventsDenoise = None,
    events_refractory: ev.EventsRefractory = None,
    events_downsample: ev.EventsDownsample = None,
    events_rate_cap: ev.EventsRateCap = DEFAULT_RATE_CAP,
    events_cap: ev.EventsCap = "report",
) -> None:
    """Run the cerebellum experiment and write one results file (HDF5).

    On SpiNNaker, --virtual maps, places and routes the network without hardware and prints
    the cores per population: a virtual board produces no spikes, so no result is written.
    With --stimulus events:FILE an event recording drives the glomeruli (docs/events.md);
    `cerebrepro events figure RESULT` then draws the run.
    """
    events = ev.event_options(
        stimulus, events_fit, events_polarity, events_start, events_stop, events_offset, events_sensor,
        events_denoise, events_refractory, events_downsample, events_rate_cap, events_cap,
    )  # fmt: skip
    if experiment == "ei-balanced":
        from cerebrepro.cli.ei_balanced import report_run
        from cerebrepro.experiments.ei_run import run_ei_balanced

        ei_stimulus = "pulse" if stimulus == "generated" else stimulus
        machine = {"board": board, "spalloc": spalloc, "version": machine_version, "time_scale_factor": time_scale_factor}
        path = run_ei_balanced(
            simulator, seed, duration, threads, output, virtual, spinnaker_machine=machine,
            stimulus=ei_stimulus, events=events,
        )  # fmt: skip
        if not virtual:
            report_run(path, figure=True)
        return
    if experiment != "cerebellum":
        raise typer.BadParameter("--experiment is cerebellum or ei-balanced")
    if virtual and simulator != "spinnaker":
        raise typer.BadParameter("--virtual maps on a virtual SpiNNaker board: use it with --simulator spinnaker")
    options = {}
    if simulator == "spinnaker":
        from cerebrepro.cli.spinnaker import spinnaker_options

        options = spinnaker_options(neuron_order, None, time_scale_factor, board, spalloc, machine_version)
    elif method is not None:
        if simulator != "brian2":
            raise typer.BadParameter("--method chooses Brian2's integrator: use it with --simulator brian2")
        options = {"method": method}
    protocol = dataclasses.replace(REFERENCE_PROTOCOL, f_peak=f_peak, radius=radius, kind=burst)
    spec = RunSpec(
        simulator=simulator,
        scaffold=scaffold,
        size=size,
        scaffold_seed=scaffold_seed,
        stimulus=stimulus,
        stimulus_seed=seed,
        protocol=protocol,
        duration=duration,
        threads=threads,
        record_v=record_v,
        options=options,
        events=events,
    )
    if events is not None:  # a bad recording is refused before anything is built or written
        from cerebrepro.simulate.run import check_event_recording

        check_event_recording(spec)
    if virtual:
        from cerebrepro.cli.spinnaker import map_virtual

        map_virtual(spec)
        return
    path = output if output.suffix == ".h5" else default_output(spec, output)
    if not mpi.is_root():  # under mpirun only rank 0 reports and writes
        run_experiment(spec, path)
        return
    result, _ = run_with_progress(spec, path)
    print_summary(result, path)
    if events is not None:
        ev.print_cap(result.provenance["stimulus"])
        console.print(f"figure: cerebrepro events figure {path}", highlight=False)


def run_with_progress(spec: RunSpec, path: Path) -> tuple[RunResult, Path]:
    """Run ``spec`` showing the current phase and a bar over model time."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} ms"))
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("preparing", total=spec.duration)

        def phase(name: str) -> None:
            progress.update(task, description=name)

        def model_time(t: float, total: float) -> None:
            progress.update(task, completed=t, description="simulate")

        return run_experiment(spec, path, RunEvents(phase, model_time))


def print_summary(result: RunResult, path: Path) -> None:
    """Cells, synapses, spikes and mean rate per population; wall times."""
    p = result.provenance
    table = Table(title=f"{p['simulator']} run, {result.duration:g} ms", title_justify="left")
    for column in ("population", "cells", "spikes", "mean rate (Hz)"):
        table.add_column(column, justify="right" if column != "population" else "left")
    for name, s in result.spikes.items():
        rate = s.n_spikes / s.size / (result.duration / 1000.0) if s.size else 0.0
        table.add_row(name, f"{s.size:,}", f"{s.n_spikes:,}", f"{rate:.2f}")
    console.print(table)
    t = p["timings"]
    synapses = p.get("n_synapses")
    console.print(
        f"synapses {synapses:,}  " if synapses else "",
        f"build {t['build_s']:.1f} s  simulate {t['simulate_s']:.1f} s  write {t['write_s']:.1f} s  "
        f"peak memory {p['peak_memory_bytes'] / 2**30:.2f} GiB",
        sep="",
    )
    console.print(f"spike digest {p['spike_digest'][:16]}  result [bold]{path}[/]")
