"""`cerebrepro ei-balanced run|reference`: the sPyNNaker tutorial's E-I balanced network."""

from pathlib import Path
from typing import Annotated, Any

import typer

from cerebrepro.backends.registry import DEFAULT_BACKEND
from cerebrepro.backends.registry import names as simulator_names
from cerebrepro.cli import events as ev
from cerebrepro.cli.app import app
from cerebrepro.cli.backend_options import chosen_options, with_backend_flags
from cerebrepro.cli.render import ei_balanced as render
from cerebrepro.cli.render.console import status
from cerebrepro.pipeline.execute import default_threads
from cerebrepro.verify.tolerances import MARGIN

ei_app = typer.Typer(
    help="The E-I balanced random network of the sPyNNaker tutorial on NEST or SpiNNaker.",
    no_args_is_help=True,
)
app.add_typer(ei_app, name="ei-balanced")


def run(
    simulator: Annotated[str, typer.Option(help=" | ".join(simulator_names()))] = DEFAULT_BACKEND,
    seed: Annotated[
        int, typer.Option(help="seed of connectivity, initial potentials and Poisson input")
    ] = 1,
    duration: Annotated[float, typer.Option(help="model time (ms)")] = 5000.0,
    threads: Annotated[
        int,
        typer.Option(
            help="simulator threads (the spikes change with it: NEST draws the Poisson input per thread)"
        ),
    ] = default_threads("ei-balanced"),
    timestep: Annotated[
        float | None, typer.Option(help="ms (default: 0.1; on SpiNNaker 1.0)")
    ] = None,
    figure: Annotated[bool, typer.Option(help="write a figure (PNG) beside the result")] = True,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="output directory (or a .h5 file path)")
    ] = Path("results"),
    stimulus: Annotated[
        str,
        typer.Option(
            help="pulse (the tutorial's, at 1000 ms) | events:FILE (a recording drives the pulse sources)"
        ),
    ] = "pulse",
    event_flags: dict[str, Any] | None = None,
    backend_options: dict[str, object] | None = None,
) -> None:
    """Run the network, write the result, print rates and oscillation frequency (checked against the reference).

    With --stimulus events:FILE the 250 pulse sources, laid on a grid, take an event
    recording instead of their one pulse (docs/events.md); no reference check then.
    Same as `cerebrepro run --experiment ei-balanced`.
    """
    from cerebrepro.cli.run import execute
    from cerebrepro.pipeline.experiments import preferred_timestep
    from cerebrepro.pipeline.spec import RunSpec

    events = ev.event_options(stimulus, **(event_flags or {}))
    spec = RunSpec(
        experiment="ei-balanced",
        simulator=simulator,
        stimulus="generated" if stimulus == "pulse" else stimulus,
        kernel_seed=seed,
        duration=duration,
        timestep=timestep
        if timestep is not None
        else preferred_timestep("ei-balanced", simulator, 0.1),
        threads=threads,
        options=chosen_options(simulator, backend_options or {}),
        events=events,
    )
    execute(spec, output, figure)


ei_app.command("run")(with_backend_flags(ev.with_event_flags(run)))


def report_run(path: Path, figure: bool) -> None:
    """Statistics of a written run (with the reference's verdicts where one applies) and its figure."""
    from cerebrepro.results.io import read_result
    from cerebrepro.verify.ei_balanced import check_run

    result = read_result(path)
    checked = check_run(result)
    render.print_run_check(result, path, checked)
    if figure:
        from cerebrepro.figures.ei_balanced import plot_ei_run

        render.print_figure(plot_ei_run(result, path.with_suffix(".png")))
    if not checked.passed:
        raise typer.Exit(1)


@ei_app.command("reference")
def reference(
    seeds: Annotated[
        str, typer.Option(help="ensemble seeds; the first is the reference run")
    ] = "1,2,3,4,5,6,7,8",
    durations: Annotated[
        str, typer.Option(help="durations (ms) to store; shorter ones are prefixes of the longest")
    ] = "5000,1000",
    margin: Annotated[
        float, typer.Option(help="tolerance = largest ensemble deviation x margin")
    ] = MARGIN,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="(default: the checkout's cerebrepro/verify/references/ei-balanced-nest.yaml)",
        ),
    ] = None,
) -> None:
    """Regenerate the stored NEST statistics and their tolerances from a seed ensemble."""
    from cerebrepro.verify.ei_balanced import build_reference, write_reference

    seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    duration_list = [float(d) for d in durations.split(",") if d.strip()]
    with status("ensemble") as update:
        stored = build_reference(
            seed_list, duration_list, margin, on_seed=lambda s: update(f"seed {s} of {seed_list}")
        )
    render.print_reference(stored, seed_list, write_reference(stored, output))
