"""`cerebrepro verify`: a run against the stored reference; `verify regenerate`: remake it.

``cerebrepro verify [RESULT]`` is short for ``cerebrepro verify check [RESULT]``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cerebrepro.cli.app import app
from cerebrepro.cli.cluster_flags import with_cluster_flags
from cerebrepro.cli.render import verification as render
from cerebrepro.cli.render.console import wrote
from cerebrepro.cli.render.runs import new_progress, progress_events, run_progress
from cerebrepro.cli.render.sweep import sweep_progress
from cerebrepro.sweep.cluster import ClusterOptions
from cerebrepro.verify.experiments import FULL, POWER_ENGINE, QUICK, reference_path
from cerebrepro.verify.tolerances import FLOOR_COUNTS, MARGIN


class CheckByDefault(TyperGroup):
    """A group that runs ``check`` when the first argument is not one of its commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


verify_app = typer.Typer(
    cls=CheckByDefault,
    help="Verify a run against the stored reference statistics (cerebrepro/verify/references), "
    "or regenerate them. `cerebrepro verify [RESULT]` is short for `cerebrepro verify check [RESULT]`.",
)
app.add_typer(verify_app, name="verify")


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
        typer.Option("--reference", help="Reference file (default: the stored <experiment>.yaml)."),
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
    from cerebrepro.pipeline.cache import cached_run
    from cerebrepro.results.io import read_result
    from cerebrepro.verify.junit import write_junit
    from cerebrepro.verify.measure import verify_result
    from cerebrepro.verify.reference import read_reference

    path = reference or reference_path(QUICK if quick else FULL)
    stored = read_reference(path)
    render.print_reference(path, stored)
    if result is None:
        with run_progress(stored.spec.duration, "reference run") as events:
            result, cached = cached_run(stored.spec, events)
        render.print_reference_run(result, cached)
    verification = verify_result(stored, read_result(result, analog=False), f"result {result}")
    render.print_verification(verification)
    if junit is not None:
        write_junit(verification, junit)
        wrote(junit)
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
            "-o", "--output", help="Where to write (default: the checkout's <experiment>.yaml)."
        ),
    ] = None,
) -> None:
    """Run the reference with a seed ensemble and store figures and tolerances (runs are cached)."""
    from cerebrepro.verify import regenerate as regeneration

    plan = regeneration.plan_regeneration(
        quick, stimulus_seeds, scaffold_seeds, size, threads, duration, margin, floor_counts, output
    )
    render.print_regeneration_plan(plan)
    started = time.perf_counter()
    total = len(plan.specs)
    with new_progress() as progress:
        stored, path = regeneration.regenerate(
            plan,
            lambda k, spec: progress_events(
                progress, render.member_label(k, total, spec), spec.duration
            ),
            lambda k, spec: progress_events(
                progress, f"noise run {k + 1} ({regeneration.noise_label(spec)})", spec.duration
            ),
        )
    render.print_regenerated(path, stored, total, time.perf_counter() - started)


@verify_app.command()
@with_cluster_flags
def power(
    quick: Annotated[
        bool, typer.Option("--quick", help=f"Mutate {QUICK} (500 ms, 100 um) instead of {FULL}.")
    ] = False,
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="Reference file (default: the stored <experiment>.yaml)."),
    ] = None,
    simulator: Annotated[
        str, typer.Option(help="The engine that runs the mutants.")
    ] = POWER_ENGINE,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only the mutants of this parameter (repeatable), e.g. goc_grc.weight.",
        ),
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            help="Paired checks only, at this model time (ms): the reference spec is run at it on "
            "its simulator with the noise runs, to see whether a longer run catches a mutant."
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Directory of the YAML, Markdown and PNG.")
    ] = Path("results"),
    *,
    cluster: ClusterOptions,
) -> None:
    """Mutation study: change one parameter at a time, run it, and report which checks catch it.

    The runs not in the run cache run first as a sweep on Dask (one worker per core by default; the scheduler flags are those of `cerebrepro sweep`), then each is verified.
    """
    import shlex
    import sys

    from cerebrepro.pipeline.cache import run_key
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.sweep.run import run_specs
    from cerebrepro.verify import power as study
    from cerebrepro.verify.reference import read_reference

    path = reference or reference_path(QUICK if quick else FULL)
    stored = read_reference(path)
    render.print_reference(path, stored)
    chosen = study.mutants(stored.spec.timestep)
    if only:
        chosen = study.only_mutants(chosen, only)
    started = time.perf_counter()
    specs = study.study_specs(stored, simulator, chosen, duration)
    with sweep_progress() as observer:
        ran = run_specs(specs, cluster, observer)
    paths = {run_key(spec): Path(str(o.path)) for spec, o in zip(specs, ran, strict=True)}

    def locate(spec: RunSpec) -> Path:  # every run is in the cache now, verified by the sweep
        return paths[run_key(spec)]

    if duration is None:
        outcomes, derivation = study.run_power(stored, simulator, chosen, locate), None
    else:
        outcomes, derivation = study.paired_only(stored, duration, simulator, chosen, locate)
    command = shlex.join(["cerebrepro", "verify", *sys.argv[2:]])
    report = study.power_report(
        stored, outcomes, simulator, time.perf_counter() - started, command, duration, derivation
    )
    stem = f"power-{stored.experiment}-{simulator}" + (f"-{duration:g}ms" if duration else "")
    paths = study.write_power(report, output, stem)
    render.print_power(report)
    for written in paths.values():
        wrote(written)
