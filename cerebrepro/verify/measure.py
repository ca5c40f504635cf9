"""Measure a run's regression metrics on its scaffold, and verify a run end to end."""

from __future__ import annotations

from cerebrepro.analysis.run import analyse_run
from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import Protocol
from cerebrepro.pipeline.resolve import resolve_scaffold
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold
from cerebrepro.verify.check import Verification, require_comparable, verify_figures
from cerebrepro.verify.metrics import Metric, regression_metrics, values_of
from cerebrepro.verify.reference import Reference


def measure_metrics(result: RunResult, scaffold: Scaffold, protocol: Protocol) -> dict[str, Metric]:
    """The regression metrics of a run on its scaffold."""
    return regression_metrics(analyse_run(result, scaffold, protocol))


def reference_scaffold(reference: Reference) -> Scaffold:
    """The scaffold the reference spec names, checked against the reference's digest."""
    scaffold = resolve_scaffold(reference.spec)
    if scaffold.connectivity_digest() != reference.scaffold.get("digest"):
        raise ResultError(
            f"the scaffold of {reference.experiment} ({scaffold.source}) no longer has the "
            "reference's connectivity digest (did the scaffold builder change?): regenerate the reference"
        )
    return scaffold


def verify_result(reference: Reference, result: RunResult, label: str = "the run") -> Verification:
    """Refuse an incomparable run, else measure its metrics and check them and its digest."""
    require_comparable(reference, result, label)
    metrics = measure_metrics(result, reference_scaffold(reference), reference.spec.protocol)
    return verify_figures(reference, result, values_of(metrics))
