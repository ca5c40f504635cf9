"""The runs a figure is drawn from, and how a caption names them.

A caption names every run by its simulator, scaffold (kind, size, seed, connectivity
digest prefix), stimulus (source, seed, burst), duration, timestep, threads and result
file, all read from the run's own provenance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from cerebrepro.figures.style import simulator_name
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL, Protocol
from cerebrepro.results.types import RunResult

DIGEST_PREFIX = 8


@dataclass(frozen=True)
class FigureRun:
    """One run feeding a figure: its result, its file and whether it was run or reused."""

    result: RunResult
    path: Path | None = None
    status: str = "given"  # ran | reused | given (read from a file or made in memory)

    @property
    def provenance(self) -> Mapping[str, object]:
        return self.result.provenance

    @property
    def simulator(self) -> str:
        """The simulator's short name (``nest``), else the run's label, else ``run``."""
        return str(self.provenance.get("simulator") or self.provenance.get("label") or "run")

    @property
    def label(self) -> str:
        """The simulator's display name (``NEST``)."""
        return simulator_name(self.simulator)

    @property
    def protocol(self) -> Protocol:
        """The stimulus protocol the run recorded; the reference protocol if it recorded none."""
        stimulus = self.provenance.get("stimulus")
        recorded = stimulus.get("protocol") if isinstance(stimulus, Mapping) else None
        if isinstance(recorded, Mapping):
            known = {f.name for f in fields(Protocol)}
            return Protocol(**{k: v for k, v in recorded.items() if k in known})
        return replace(REFERENCE_PROTOCOL, duration=self.result.duration)

    def describe(self) -> str:
        """One line naming the run for a caption."""
        parts = [
            scaffold_text(self.provenance),
            stimulus_text(self.provenance),
            f"{self.result.duration:g} ms at {self.result.timestep:g} ms steps",
        ]
        threads = self.provenance.get("threads")
        if threads is not None:
            parts.append(f"{threads} thread{'s' if threads != 1 else ''}")
        where = str(self.path) if self.path else "not from a file"
        head = f"{self.label}{_version(self.provenance)}" + (
            f" ({self.status})" if self.status != "given" else ""
        )
        return f"{head}: " + "; ".join(p for p in parts if p) + f"; result {where}"


def _version(provenance: Mapping[str, object]) -> str:
    backend = provenance.get("backend")
    version = backend.get("version") if isinstance(backend, Mapping) else None
    return f" {version}" if version else ""


def scaffold_text(provenance: Mapping[str, object]) -> str:
    """``rebuilt scaffold 400 um, seed 20190037, digest 2ee9c163`` (or what is known)."""
    scaffold = provenance.get("scaffold")
    if not isinstance(scaffold, Mapping):
        return "scaffold not recorded"
    attrs = scaffold.get("attrs") if isinstance(scaffold.get("attrs"), Mapping) else {}
    text = f"{scaffold.get('kind', 'unknown')} scaffold"
    if attrs.get("base_size") is not None:
        text += f" {float(attrs['base_size']):g} um"
    if attrs.get("seed") is not None:
        text += f", seed {attrs['seed']}"
    digest = provenance.get("scaffold_digest") or scaffold.get("digest")
    if digest:
        text += f", digest {str(digest)[:DIGEST_PREFIX]}"
    return text


def stimulus_text(provenance: Mapping[str, object]) -> str:
    """``generated stimulus seed 3 (Poisson burst of 150 Hz within 140 um, 300-350 ms)``."""
    stimulus = provenance.get("stimulus")
    if not isinstance(stimulus, Mapping):
        return "stimulus not recorded"
    source = str(stimulus.get("source", "unknown"))
    if source == "generated":
        text = f"generated stimulus seed {stimulus.get('seed')}"
    elif source == "published":
        text = "published stimulus 400x400_stimulus_3.npz"
    else:
        text = f"stimulus file {source}"
    protocol = stimulus.get("protocol")
    if isinstance(protocol, Mapping):
        text += (
            f" ({str(protocol.get('kind', '')).capitalize()} burst of {protocol.get('f_peak'):g} Hz "
            f"within {protocol.get('radius'):g} um, {protocol.get('start'):g}-{protocol.get('stop'):g} ms)"
        )
    return text


def runs_paragraph(runs: Sequence[FigureRun]) -> str:
    """``Runs: (1) ...; (2) ...`` for a caption."""
    if not runs:
        return "Runs: none."
    if len(runs) == 1:
        return f"Run: {runs[0].describe()}."
    return "Runs: " + "; ".join(f"({k}) {r.describe()}" for k, r in enumerate(runs, 1)) + "."


def run_labels(runs: Sequence[FigureRun]) -> list[str]:
    """The runs' display names, numbered where two runs share one (``NEST``, ``NEST (2)``)."""
    labels: list[str] = []
    for run in runs:
        label, k = run.label, 2
        while label in labels:
            label, k = f"{run.label} ({k})", k + 1
        labels.append(label)
    return labels
