"""The seed ensemble of a reference: run (or reuse) every member, then derive the reference.

The first member is the reference run itself; the others differ only in a seed (see
:func:`cerebrepro.verify.experiments.ensemble_specs`). Runs go through the run cache, so a
second ``regenerate`` with the same versions only re-analyses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cerebrepro.pipeline.cache import cached_run
from cerebrepro.pipeline.resolve import resolve_scaffold
from cerebrepro.pipeline.spec import RunEvents, RunSpec
from cerebrepro.results.io import read_result
from cerebrepro.results.provenance import now_utc, package_versions
from cerebrepro.verify.experiments import scaffold_seed_of
from cerebrepro.verify.measure import measure_metrics
from cerebrepro.verify.metrics import Metric
from cerebrepro.verify.paired import window_counts
from cerebrepro.verify.reference import Reference, ReferenceFigure
from cerebrepro.verify.tolerances import DEFAULT_RULE, ToleranceRule, derive_tolerance

EXACT_CHECK_PACKAGES = ("nest-simulator", "PyNN")  # the simulator a digest is valid for
RECORDED_PACKAGES = ("cerebrepro", "nest-simulator", "PyNN", "numpy")


@dataclass(frozen=True)
class Member:
    """One analysed run of the ensemble."""

    spec: RunSpec
    provenance: dict[str, object]
    metrics: dict[str, Metric]
    spike_digest: str
    counts: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # per cell and window (verify.paired)


def run_member(spec: RunSpec, events: RunEvents | None = None) -> Member:
    """Run ``spec`` (or reuse its cached result) and measure its metrics."""
    path, _ = cached_run(spec, events)
    result = read_result(path, analog=False)
    if events:
        events.phase("analyse")
    scaffold = resolve_scaffold(spec)
    metrics = measure_metrics(result, scaffold, spec.protocol)
    counts = window_counts(result, spec.protocol)
    return Member(spec, result.provenance, metrics, result.spike_digest(), counts)


def run_ensemble(
    specs: Sequence[RunSpec], events_for: Callable[[int, RunSpec], RunEvents] | None = None
) -> list[Member]:
    """Every member of the ensemble, in order; ``events_for(index, spec)`` reports progress."""
    return [
        run_member(spec, events_for(k, spec) if events_for else None)
        for k, spec in enumerate(specs)
    ]


def build_reference(
    experiment: str,
    members: Sequence[Member],
    command: str,
    rule: ToleranceRule = DEFAULT_RULE,
) -> Reference:
    """The reference of ``experiment`` from its ensemble (``members[0]`` is the reference run)."""
    head = members[0]
    p = head.provenance
    figures, left_out = {}, {}
    for name, metric in head.metrics.items():
        missing = [_member_label(m) for m in members if name not in m.metrics]
        if missing:
            left_out[name] = "undefined on " + ", ".join(missing)
            continue
        values = [m.metrics[name].value for m in members]
        spread = derive_tolerance(metric.value, values, metric.resolution, rule)
        figures[name] = ReferenceFigure(
            metric.value, spread.tolerance, metric.unit, metric.resolution, spread
        )
    versions = p.get("versions") or package_versions()
    scaffold = p["scaffold"]
    return Reference(
        experiment=experiment,
        spec=head.spec,
        scaffold={
            "seed": scaffold_seed_of(head.spec),
            "digest": p["scaffold_digest"],
            "sizes": scaffold.get("sizes") if isinstance(scaffold, dict) else None,
        },
        stimulus={
            "seed": head.spec.stimulus_seed,
            "sha256": p["stimulus_sha256"],
            "n_spikes": (p.get("stimulus") or {}).get("n_spikes"),
        },
        exact={
            "spike_digest": head.spike_digest,
            "simulator": head.spec.simulator,
            "simulation_revision": p.get("simulation_revision"),
            **{name: versions.get(name) for name in EXACT_CHECK_PACKAGES},
            "threads": head.spec.threads,
            "kernel_seed": head.spec.kernel_seed,
        },
        figures=figures,
        versions={name: versions.get(name) for name in RECORDED_PACKAGES},
        tolerance_rule=rule.describe(),
        ensemble=[_member_record(m) for m in members],
        left_out=left_out,
        created=now_utc(),
        command=command,
    )


def _member_label(member: Member) -> str:
    return (
        f"stimulus seed {member.spec.stimulus_seed} / scaffold seed {scaffold_seed_of(member.spec)}"
    )


def _member_record(member: Member) -> dict[str, object]:
    return {
        "stimulus_seed": member.spec.stimulus_seed,
        "scaffold_seed": scaffold_seed_of(member.spec),
        "scaffold_digest": member.provenance.get("scaffold_digest"),
        "spike_digest": member.spike_digest,
        "simulate_s": round(
            float((member.provenance.get("timings") or {}).get("simulate_s", 0.0)), 1
        ),
    }


def with_overrides(spec: RunSpec, **overrides: object) -> RunSpec:
    """``spec`` with the non-None ``overrides`` applied."""
    return dataclasses.replace(spec, **{k: v for k, v in overrides.items() if v is not None})
