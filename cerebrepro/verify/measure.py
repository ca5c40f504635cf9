"""Measure a run's regression figures on its scaffold, and verify a run end to end."""

from __future__ import annotations

from cerebrepro.analysis.run import analyse_run
from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import Protocol
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold
from cerebrepro.simulate.run import resolve_scaffold
from cerebrepro.verify.check import Verification, require_comparable, verify_figures
from cerebrepro.verify.figures import Figure, regression_figures, values_of
from cerebrepro.verify.reference import Reference


def measure_figures(result: RunResult, scaffold: Scaffold, protocol: Protocol) -> dict[str, Figure]:
    """The regression figures of a run on its scaffold."""
    return regression_figures(analyse_run(result, scaffold, protocol))


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
    """Refuse an incomparable run, else measure its figures and check them and its digest."""
    require_comparable(reference, result, label)
    figures = measure_figures(result, reference_scaffold(reference), reference.spec.protocol)
    return verify_figures(reference, result, values_of(figures))
