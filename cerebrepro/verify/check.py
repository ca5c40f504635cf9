"""Verify a run against a stored reference: refuse what is not comparable, then compare.

A run is comparable only when it was made on the reference's scaffold (connectivity
digest) with the reference's stimulus (digest), timestep and duration; anything else is
refused with the differences named, never compared. Then every reference figure must lie
within its tolerance, and when the simulator, its version, the thread count and the kernel
seed are the reference's, the spikes must equal the reference's exactly (digest).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from cerebrepro.errors import ResultError
from cerebrepro.results.types import RunResult
from cerebrepro.verify.paired import PairedCheck, check_paired, window_counts
from cerebrepro.verify.reference import Reference

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"
_RELATIVE_SLACK = 1e-9  # float noise allowed on top of a tolerance


class IncomparableRun(ResultError):
    """The run was made on another scaffold, stimulus, timestep or duration."""


@dataclass(frozen=True)
class FigureCheck:
    """One figure measured against its reference."""

    name: str
    reference: float
    measured: float | None  # None: undefined in the measured run
    tolerance: float
    unit: str

    @property
    def deviation(self) -> float:
        """|measured - reference|: the smallest tolerance that would pass this figure."""
        if self.measured is None or not math.isfinite(self.measured):
            return math.inf
        return abs(self.measured - self.reference)

    @property
    def passed(self) -> bool:
        slack = _RELATIVE_SLACK * max(1.0, abs(self.reference))
        return self.deviation <= self.tolerance + slack


@dataclass(frozen=True)
class DigestCheck:
    """The same-seed exact check: pass, fail, or skipped with the reason."""

    status: str
    reason: str
    expected: str | None = None
    measured: str | None = None


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying one run."""

    experiment: str
    figures: list[FigureCheck]
    digest: DigestCheck
    paired: list[PairedCheck] = field(default_factory=list)
    paired_note: str = ""  # why there are no paired checks

    @property
    def failures(self) -> list[FigureCheck]:
        return [f for f in self.figures if not f.passed]

    @property
    def paired_failures(self) -> list[PairedCheck]:
        return [p for p in self.paired if not p.passed]

    @property
    def passed(self) -> bool:
        return not self.failures and not self.paired_failures and self.digest.status != FAIL


def incompatibilities(
    reference: Reference, provenance: Mapping[str, object], timestep: float, duration: float
) -> list[str]:
    """What makes a run incomparable with ``reference`` (empty when it is comparable)."""
    problems = []
    expected_digest = reference.scaffold.get("digest")
    if provenance.get("scaffold_digest") != expected_digest:
        problems.append(
            f"scaffold connectivity digest {_short(provenance.get('scaffold_digest'))}, "
            f"the reference's is {_short(expected_digest)} (a different scaffold)"
        )
    expected_stimulus = reference.stimulus.get("sha256")
    if provenance.get("stimulus_sha256") != expected_stimulus:
        problems.append(
            f"stimulus digest {_short(provenance.get('stimulus_sha256'))}, "
            f"the reference's is {_short(expected_stimulus)}"
        )
    if not math.isclose(timestep, reference.spec.timestep):
        problems.append(
            f"timestep {timestep:g} ms, the reference's is {reference.spec.timestep:g} ms"
        )
    if not math.isclose(duration, reference.spec.duration):
        problems.append(
            f"duration {duration:g} ms, the reference's is {reference.spec.duration:g} ms"
        )
    return problems


def require_comparable(reference: Reference, result: RunResult, label: str = "the run") -> None:
    """Raise IncomparableRun naming every difference that makes ``result`` incomparable."""
    problems = incompatibilities(reference, result.provenance, result.timestep, result.duration)
    if problems:
        raise IncomparableRun(
            f"{label} is refused, not compared with the reference {reference.experiment}: "
            + "; ".join(problems)
            + ". Verification needs the reference's scaffold, stimulus, timestep and duration "
            "(run `cerebrepro verify` without a result to make one)."
        )


def check_figures(reference: Reference, measured: Mapping[str, float]) -> list[FigureCheck]:
    """Every reference figure against the measured value (missing ones fail)."""
    return [
        FigureCheck(name, f.reference, measured.get(name), f.tolerance, f.unit)
        for name, f in reference.figures.items()
    ]


def check_digest(
    reference: Reference, provenance: Mapping[str, object], spike_digest: str
) -> DigestCheck:
    """The exact check when the run's simulator setup is the reference's; else skipped, saying why."""
    exact = reference.exact
    expected = exact.get("spike_digest")
    if not expected:
        return DigestCheck(SKIPPED, "the reference records no spike digest")
    here = run_setup(provenance)
    differences = [
        f"{key} {here.get(key)} here, {value} in the reference"
        for key, value in exact.items()
        if key != "spike_digest" and here.get(key) != value
    ]
    if differences:
        return DigestCheck(
            SKIPPED,
            "valid only for the reference's setup: " + "; ".join(differences),
            expected,
            spike_digest,
        )
    if spike_digest == expected:
        return DigestCheck(PASS, "the spikes equal the reference's exactly", expected, spike_digest)
    return DigestCheck(
        FAIL,
        "same simulator version, threads and seeds, but the spikes differ from the reference's",
        expected,
        spike_digest,
    )


def run_setup(provenance: Mapping[str, object]) -> dict[str, object]:
    """What a spike digest depends on besides scaffold and stimulus: simulator, simulation
    revision, threads, kernel seed and package versions."""
    spec = provenance.get("spec")
    versions = provenance.get("versions")
    return {
        "simulator": provenance.get("simulator"),
        "simulation_revision": provenance.get("simulation_revision"),
        "threads": provenance.get("threads"),
        "kernel_seed": spec.get("kernel_seed") if isinstance(spec, Mapping) else None,
        **(versions if isinstance(versions, Mapping) else {}),
    }


def verify_figures(
    reference: Reference, result: RunResult, measured: Mapping[str, float]
) -> Verification:
    """Verify a comparable run given its measured figures."""
    require_comparable(reference, result)
    stored = reference.paired_counts()
    paired = (
        check_paired(
            window_counts(result, reference.spec.protocol),
            stored,
            reference.paired["thresholds"],  # type: ignore[arg-type]
            float(reference.paired["floor"]),  # type: ignore[arg-type]
        )
        if stored is not None
        else []
    )
    return Verification(
        reference.experiment,
        check_figures(reference, measured),
        check_digest(reference, result.provenance, result.spike_digest()),
        paired,
        "" if stored is not None else "the reference stores no per-cell counts",
    )


def _short(digest: object) -> str:
    return "<missing>" if not digest else str(digest)[:16]
