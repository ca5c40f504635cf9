"""Regenerating a stored reference: what runs, where it goes, the command that remakes it.

A plan is made first (and everything that can be refused is refused then: an unknown
experiment, an installed package that cannot be written), so that nothing runs for a
reference that could not be stored; the ensemble then runs through the run cache.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cerebrepro.analysis.windows import WINDOW_NAMES
from cerebrepro.pipeline.cache import cached_run
from cerebrepro.pipeline.spec import RunEvents, RunSpec
from cerebrepro.results.io import read_result
from cerebrepro.verify.ensemble import Member, build_reference, run_ensemble, with_overrides
from cerebrepro.verify.experiments import (
    FULL,
    QUICK,
    ensemble_specs,
    experiment,
    writable_reference_path,
)
from cerebrepro.verify.paired import derive_thresholds, paired_z, window_counts, write_counts
from cerebrepro.verify.reference import Reference, write_reference
from cerebrepro.verify.tolerances import FLOOR_COUNTS, MARGIN, ToleranceRule

COUNTS_SUFFIX = ".counts.npz"  # beside <experiment>.yaml


@dataclass(frozen=True)
class Regeneration:
    """The ensemble of one reference and where the reference is written."""

    name: str
    target: Path
    specs: list[RunSpec]
    stimulus_seeds: int
    scaffold_seeds: int
    command: str  # the command line that regenerates it, stored in the reference
    rule: ToleranceRule


def plan_regeneration(
    quick: bool = False,
    stimulus_seeds: int | None = None,
    scaffold_seeds: int | None = None,
    size: float | None = None,
    threads: int | None = None,
    duration: float | None = None,
    margin: float = MARGIN,
    floor_counts: float = FLOOR_COUNTS,
    output: Path | None = None,
) -> Regeneration:
    """The plan of ``cerebrepro verify regenerate``; None means the experiment's own value."""
    chosen = experiment(QUICK if quick else FULL)
    target = output or writable_reference_path(chosen.name)  # refused before any run if installed
    spec = with_overrides(chosen.spec, size=size, threads=threads, duration=duration)
    n_stimulus = stimulus_seeds or chosen.stimulus_seeds
    n_scaffold = scaffold_seeds or chosen.scaffold_seeds
    return Regeneration(
        name=chosen.name,
        target=target,
        specs=ensemble_specs(spec, n_stimulus, n_scaffold),
        stimulus_seeds=n_stimulus,
        scaffold_seeds=n_scaffold,
        command=regenerate_command(quick, n_stimulus, n_scaffold, spec, margin, floor_counts),
        rule=ToleranceRule(margin, floor_counts),
    )


def noise_specs(spec: RunSpec) -> list[RunSpec]:
    """Runs of the reference spec that must pass the paired checks: NEST at another thread
    count, and Brian2 with its default integration method."""
    return [
        dataclasses.replace(spec, threads=1 if spec.threads > 1 else 2),
        dataclasses.replace(spec, simulator="brian2", options={}),
    ]


def noise_label(spec: RunSpec) -> str:
    return f"{spec.simulator}, {spec.threads} thread{'s' if spec.threads > 1 else ''}" + (
        ", default method" if spec.simulator == "brian2" else ""
    )


def paired_block(
    head: Member,
    target: Path,
    noise: Sequence[RunSpec],
    events_for: Callable[[int, RunSpec], RunEvents] | None = None,
) -> dict[str, object]:
    """The reference run's counts written beside ``target``, and the paired threshold measured on ``noise``."""
    measured = []
    for k, spec in enumerate(noise):
        path, _ = cached_run(spec, events_for(k, spec) if events_for else None)
        counts = window_counts(read_result(path, analog=False), spec.protocol)
        measured.append((noise_label(spec), paired_z(counts, head.counts)))
    _, derivation = derive_thresholds(measured)
    counts_path = target.with_name(f"{target.stem}{COUNTS_SUFFIX}")
    sha256 = write_counts(head.counts, counts_path)
    return {
        "counts": counts_path.name,
        "sha256": sha256,
        "windows": list(WINDOW_NAMES),
        **derivation,
    }


def regenerate(
    plan: Regeneration,
    events_for: Callable[[int, RunSpec], RunEvents] | None = None,
    noise_events_for: Callable[[int, RunSpec], RunEvents] | None = None,
) -> tuple[Reference, Path]:
    """Run (or reuse) the plan's ensemble and noise runs, derive the reference and write it
    (and the reference run's counts) beside ``plan.target``."""
    members = run_ensemble(plan.specs, events_for)
    stored = build_reference(plan.name, members, plan.command, plan.rule)
    stored.paired = paired_block(
        members[0], plan.target, noise_specs(plan.specs[0]), noise_events_for
    )
    return stored, write_reference(stored, plan.target, reference_header(plan.name, plan.command))


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
    """The comment at the top of a stored reference: what it is and how to remake it."""
    return (
        f"Stored regression statistics of the experiment {name}: reference values and tolerances.\n"
        "Tolerances come from a seed ensemble, not by hand (see tolerance_rule, ensemble and each\n"
        "figure's spread; docs/verification.md). Do not edit; regenerate with:\n"
        f"    {command}\n"
        "The exact spike digest is valid only for the simulator version and thread count under 'exact'."
    )
