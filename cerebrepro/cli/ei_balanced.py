"""`cerebrepro ei-balanced run|reference`: the sPyNNaker tutorial's E-I balanced network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cerebrepro.cli import events as ev
from cerebrepro.cli.app import app
from cerebrepro.model.events import DEFAULT_RATE_CAP

console = Console()

ei_app = typer.Typer(
    help="The E-I balanced random network of the sPyNNaker tutorial on NEST or SpiNNaker.", no_args_is_help=True
)
app.add_typer(ei_app, name="ei-balanced")


@ei_app.command("run")
def run(
    simulator: Annotated[str, typer.Option(help="nest | spinnaker")] = "nest",
    seed: Annotated[int, typer.Option(help="seed of connectivity, initial potentials and Poisson input")] = 1,
    duration: Annotated[float, typer.Option(help="model time (ms)")] = 5000.0,
    threads: Annotated[int, typer.Option(help="NEST threads")] = 1,
    timestep: Annotated[float | None, typer.Option(help="ms [default: 0.1 on NEST, 1.0 on SpiNNaker]")] = None,
    virtual: Annotated[
        bool, typer.Option(help="SpiNNaker: map on a virtual board (no spikes, a mapping report)")
    ] = False,
    figure: Annotated[bool, typer.Option(help="write a figure (PNG) beside the result")] = True,
    output: Annotated[Path, typer.Option("-o", "--output", help="output directory (or a .h5 file path)")] = Path(
        "results"
    ),
    stimulus: Annotated[
        str, typer.Option(help="pulse (the tutorial's, at 1000 ms) | events:FILE (a recording drives the pulse sources)")
    ] = "pulse",
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
    """Run the network, write the result, print rates and oscillation frequency (checked against the reference).

    With --stimulus events:FILE the 250 pulse sources, laid on a grid, take an event
    recording instead of their one pulse (docs/events.md); no reference check then.
    """
    from cerebrepro.experiments.ei_run import run_ei_balanced

    events = ev.event_options(
        stimulus, events_fit, events_polarity, events_start, events_stop, events_offset, events_sensor,
        events_denoise, events_refractory, events_downsample, events_rate_cap, events_cap,
    )  # fmt: skip
    with console.status(f"E-I balanced network on {simulator}, {duration:g} ms"):
        path = run_ei_balanced(
            simulator, seed, duration, threads, output, virtual, timestep, stimulus=stimulus, events=events
        )
    if virtual:
        console.print(f"virtual board: mapping only, no spikes; report [bold]{path}[/]")
        return
    report_run(path, figure)


def report_run(path: Path, figure: bool) -> None:
    """Statistics of a written run (with the reference's verdicts where one is stored) and its figure."""
    from cerebrepro.errors import CerebreproError
    from cerebrepro.experiments.ei_reference import check_statistics, load_reference
    from cerebrepro.experiments.ei_statistics import ei_statistics
    from cerebrepro.results.io import read_result

    result = read_result(path)
    statistics = ei_statistics(result)
    checks = {}
    p = result.provenance
    driven_by_events = isinstance(p.get("stimulus"), dict) and p["stimulus"].get("kind") == "events"
    if driven_by_events:
        console.print("driven by an event recording: no reference check (the reference has the pulse)")
    elif p["simulator"] == "nest":
        try:
            checks = {c.name: c for c in check_statistics(statistics, load_reference(), result.duration)}
        except CerebreproError as exc:
            console.print(f"[yellow]no reference check:[/] {exc}")
    table = Table(
        title=f"E-I balanced network, {p['simulator']}, seed {p['seed']}, {result.duration:g} ms", title_justify="left"
    )
    for column in ("statistic", "value", "reference", "tolerance", "check"):
        table.add_column(column, justify="left" if column == "statistic" else "right")
    for name, value in statistics.items():
        check = checks.get(name)
        verdict = "" if check is None else ("[green]ok[/]" if check.passed else "[red]outside[/]")
        reference = "" if check is None else f"{check.reference:.3f}"
        tolerance = "" if check is None else f"±{check.tolerance:.3f}"
        table.add_row(name, f"{value:.3f}", reference, tolerance, verdict)
    console.print(table)
    console.print(
        f"synapses {p['n_synapses']:,}  build {p['timings']['build_s']:.1f} s  simulate {p['timings']['simulate_s']:.1f} s"
    )
    console.print(f"result [bold]{path}[/]")
    if figure:
        from cerebrepro.experiments.ei_figure import plot_ei_run

        console.print(f"figure [bold]{plot_ei_run(result, path.with_suffix('.png'))}[/]")
    if checks and not all(c.passed for c in checks.values()):
        raise typer.Exit(1)


@ei_app.command("reference")
def reference(
    seeds: Annotated[str, typer.Option(help="ensemble seeds; the first is the reference run")] = "1,2,3,4,5,6,7,8",
    durations: Annotated[
        str, typer.Option(help="durations (ms) to store; shorter ones are prefixes of the longest")
    ] = "5000,1000",
    margin: Annotated[float, typer.Option(help="tolerance = largest ensemble deviation x margin")] = 1.5,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="[default: data/reference/ei-balanced-nest.yaml]")
    ] = None,
) -> None:
    """Regenerate the stored NEST statistics and their tolerances from a seed ensemble."""
    from cerebrepro.experiments.ei_reference import build_reference, write_reference

    seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    duration_list = [float(d) for d in durations.split(",") if d.strip()]
    with console.status("ensemble") as status:
        stored = build_reference(
            seed_list, duration_list, margin, on_seed=lambda s: status.update(f"seed {s} of {seed_list}")
        )
    path = write_reference(stored, output)
    for key, run in stored["runs"].items():
        table = Table(title=f"{key} ms, reference seed {seed_list[0]}, {len(seed_list)} seeds", title_justify="left")
        for column in ("statistic", "value", "tolerance", "ensemble min", "ensemble max"):
            table.add_column(column, justify="left" if column == "statistic" else "right")
        for name, entry in run["statistics"].items():
            table.add_row(name, *(f"{entry[k]:.3f}" for k in ("value", "tolerance", "ensemble_min", "ensemble_max")))
        console.print(table)
    console.print(f"reference [bold]{path}[/]")
