"""`cerebrepro verify`: a run against the stored reference; `verify regenerate`: remake it.

``cerebrepro verify [RESULT]`` is short for ``cerebrepro verify check [RESULT]``.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from cerebrepro.cli.app import app
from cerebrepro.simulate.run import RunEvents, RunSpec
from cerebrepro.verify.experiments import FULL, QUICK, experiment, reference_path
from cerebrepro.verify.tolerances import FLOOR_COUNTS, MARGIN, ToleranceRule

console = Console()


class CheckByDefault(TyperGroup):
    """A group that runs ``check`` when the first argument is not one of its commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


verify_app = typer.Typer(
    cls=CheckByDefault,
    help="Verify a run against the stored reference statistics (data/reference), or regenerate "
    "them. `cerebrepro verify [RESULT]` is short for `cerebrepro verify check [RESULT]`.",
)
app.add_typer(verify_app, name="verify")


def progress_events(progress: Progress, label: str, duration: float) -> RunEvents:
    """RunEvents that show ``label``, the current phase and a bar over model time."""
    task = progress.add_task(label, total=duration)

    def phase(name: str) -> None:
        progress.update(task, description=f"{label}: {name}")

    def model_time(t: float, total: float) -> None:
        progress.update(task, completed=t, description=f"{label}: simulate")

    return RunEvents(phase, model_time)


def new_progress() -> Progress:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} ms"),
    )
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)


@verify_app.command()
def check(
    result: Annotated[
        Path | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="A run result file (default: run or reuse the reference run).",
        ),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference", help="Reference file (default: data/reference/<experiment>.yaml)."
        ),
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help=f"Use the small reference {QUICK} (about ten seconds) instead of {FULL}.",
        ),
    ] = False,
) -> None:
    """Compare a run's regression figures with the stored reference; exit 1 on any failure."""
    from cerebrepro.results.io import read_result
    from cerebrepro.simulate.cache import cached_run
    from cerebrepro.verify.junit import write_junit
    from cerebrepro.verify.measure import verify_result
    from cerebrepro.verify.reference import read_reference
    from cerebrepro.verify.report import print_verification

    path = reference or reference_path(QUICK if quick else FULL)
    stored = read_reference(path)
    console.print(
        f"reference {path} ({stored.experiment}, {len(stored.figures)} figures, created {stored.created})"
    )
    if result is None:
        with new_progress() as progress:
            result, cached = cached_run(
                stored.spec, progress_events(progress, "reference run", stored.spec.duration)
            )
        console.print(f"{'reused' if cached else 'ran'} the reference run: {result}")
    verification = verify_result(stored, read_result(result, analog=False), f"result {result}")
    print_verification(verification, console)
    if junit is not None:
        write_junit(verification, junit)
        console.print(f"wrote {junit}")
    if not verification.passed:
        raise typer.Exit(1)


@verify_app.command()
def regenerate(
    stimulus_seeds: Annotated[
        int | None,
        typer.Option(help="Stimulus seeds on the reference scaffold, the reference's included."),
    ] = None,
    scaffold_seeds: Annotated[
        int | None,
        typer.Option(help="Scaffold seeds (reference stimulus seed), the reference's included."),
    ] = None,
    size: Annotated[
        float | None, typer.Option(help="Base size (um) of the rebuilt scaffold.")
    ] = None,
    threads: Annotated[
        int | None, typer.Option(help="Simulator threads of the reference run.")
    ] = None,
    duration: Annotated[float | None, typer.Option(help="Model time (ms).")] = None,
    margin: Annotated[
        float, typer.Option(help="Tolerance = margin x largest deviation over the ensemble.")
    ] = MARGIN,
    floor_counts: Annotated[
        float,
        typer.Option(help="Smallest tolerance, in counts (spikes, cells, packets) of each figure."),
    ] = FLOOR_COUNTS,
    quick: Annotated[
        bool, typer.Option("--quick", help=f"Regenerate {QUICK} instead of {FULL}.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write (default: data/reference/<experiment>.yaml)."
        ),
    ] = None,
) -> None:
    """Run the reference with a seed ensemble and store figures and tolerances (runs are cached)."""
    from cerebrepro.verify.ensemble import build_reference, run_ensemble, with_overrides
    from cerebrepro.verify.experiments import ensemble_specs
    from cerebrepro.verify.reference import write_reference

    chosen = experiment(QUICK if quick else FULL)
    spec = with_overrides(chosen.spec, size=size, threads=threads, duration=duration)
    n_stimulus = stimulus_seeds or chosen.stimulus_seeds
    n_scaffold = scaffold_seeds or chosen.scaffold_seeds
    specs = ensemble_specs(spec, n_stimulus, n_scaffold)
    command = regenerate_command(quick, n_stimulus, n_scaffold, spec, margin, floor_counts)
    console.print(
        f"{chosen.name}: {len(specs)} runs ({n_stimulus} stimulus seeds, {n_scaffold} scaffold seeds)"
    )
    started = time.perf_counter()
    with new_progress() as progress:
        members = run_ensemble(
            specs,
            lambda k, s: progress_events(progress, _member_label(k, len(specs), s), s.duration),
        )
    stored = build_reference(chosen.name, members, command, ToleranceRule(margin, floor_counts))
    path = write_reference(
        stored, output or reference_path(chosen.name), reference_header(chosen.name, command)
    )
    elapsed = time.perf_counter() - started
    console.print(
        f"wrote {path}: {len(stored.figures)} figures from {len(members)} runs in {elapsed:.0f} s"
    )


def _member_label(index: int, total: int, spec: RunSpec) -> str:
    scaffold = (
        "reference scaffold"
        if spec.scaffold_seed is None
        else f"scaffold seed {spec.scaffold_seed}"
    )
    return f"run {index + 1}/{total} (stimulus seed {spec.stimulus_seed}, {scaffold})"


def regenerate_command(
    quick: bool,
    stimulus_seeds: int,
    scaffold_seeds: int,
    spec: RunSpec,
    margin: float,
    floor_counts: float,
) -> str:
    """The command line that regenerates this reference."""
    words = ["cerebrepro", "verify", "regenerate", *(["--quick"] if quick else [])]
    words += ["--stimulus-seeds", str(stimulus_seeds), "--scaffold-seeds", str(scaffold_seeds)]
    words += [
        "--size",
        f"{spec.size:g}",
        "--threads",
        str(spec.threads),
        "--duration",
        f"{spec.duration:g}",
    ]
    if margin != MARGIN:
        words += ["--margin", f"{margin:g}"]
    if floor_counts != FLOOR_COUNTS:
        words += ["--floor-counts", f"{floor_counts:g}"]
    return shlex.join(words)


def reference_header(name: str, command: str) -> str:
    return (
        f"Stored regression statistics of the experiment {name}: reference values and tolerances.\n"
        "Tolerances come from a seed ensemble, not by hand (see tolerance_rule, ensemble and each\n"
        "figure's spread; docs/verification.md). Do not edit; regenerate with:\n"
        f"    {command}\n"
        "The exact spike digest is valid only for the simulator version and thread count under 'exact'."
    )
