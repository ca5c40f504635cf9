"""Paired checks: a run's per-cell spike counts against the reference run's own cells.

A run on the reference's scaffold and stimulus gets the same inputs cell by cell, so the
seed noise that sets the ensemble tolerances (a new stimulus moves every rate) is absent.
Per population and analysis window, with d_i the difference of cell i's spike count from
the reference run's::

    z = mean(d) / (std(d, ddof=1) / sqrt(n))

the mean per-cell difference over its paired standard error. What remains is the chaotic
divergence of two simulations of the same network (another thread count, another
simulator or integration method), so the threshold is measured on such runs, which must
pass; each population and window gets its own threshold::

    threshold = max(margin * max |z| of the figure over the noise runs, floor)

The reference run's counts are stored beside the reference YAML (``<name>.counts.npz``,
one int array per population, cells x windows) with their sha256 in the YAML.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cerebrepro.analysis.rates import population_window_rates
from cerebrepro.analysis.windows import WINDOW_NAMES
from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import CELLS, Protocol
from cerebrepro.results.types import RunResult

MARGIN = 1.5  # on the largest |z| of the noise runs, as the ensemble tolerances' margin
Z_FLOOR = 4.0  # never below: 18 figures at |z| < 4 pass chance alone but for ~1e-3
COUNTS_DTYPE = np.int32
RULE = (
    "z = mean(run - reference per-cell counts) / (std(ddof=1) / sqrt(n)) per population and "
    "window; threshold of each = max(margin * max |z| of it over the noise runs, floor)"
)


def window_counts(result: RunResult, protocol: Protocol) -> dict[str, np.ndarray]:
    """Spikes per cell (rows) in each analysis window (columns, WINDOW_NAMES) of every cell population."""
    out = {}
    for name, spikes in result.spikes.items():
        if name in CELLS and CELLS[name].is_source:
            continue
        counts = population_window_rates(
            name, spikes, result.timestep, result.duration, protocol
        ).counts
        out[name] = np.stack([counts[w] for w in WINDOW_NAMES], axis=1).astype(COUNTS_DTYPE)
    return out


def paired_z(
    run: Mapping[str, np.ndarray], reference: Mapping[str, np.ndarray]
) -> dict[str, float]:
    """``population.window`` -> z of the run's counts against the reference's (cells paired by index).

    A population of fewer than two cells has no standard error and is left out; equal
    differences everywhere give z = 0 (none) or +-inf (every cell moved alike).
    """
    out = {}
    for name, ref in reference.items():
        if name not in run:
            raise ResultError(f"the run has no {name} spikes to pair with the reference's")
        mine = np.asarray(run[name])
        if mine.shape != ref.shape:
            raise ResultError(
                f"{name}: {mine.shape[0]} cells here, {ref.shape[0]} in the reference: not paired"
            )
        if ref.shape[0] < 2:
            continue
        d = mine.astype(np.float64) - ref
        mean = d.mean(axis=0)
        se = d.std(axis=0, ddof=1) / math.sqrt(d.shape[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            moved = np.where(mean == 0, 0.0, np.sign(mean) * np.inf)
            z = np.where(se > 0, mean / np.where(se > 0, se, 1.0), moved)
        for k, window in enumerate(WINDOW_NAMES):
            out[f"{name}.{window}"] = float(z[k])
    return out


def derive_thresholds(
    noise: Sequence[tuple[str, Mapping[str, float]]], margin: float = MARGIN, floor: float = Z_FLOOR
) -> tuple[dict[str, float], dict[str, object]]:
    """Per figure, the z threshold from noise runs that must pass; and its derivation as stored data.

    Each figure gets its own: the simulators' divergence is not alike everywhere (Brian2's
    granule cells fire systematically fewer spikes in the burst than NEST's, the other
    populations hardly differ), and one shared threshold would blunt every other figure.
    """
    largest: dict[str, float] = {}
    runs = []
    for label, z in noise:
        for name, value in z.items():
            largest[name] = max(largest.get(name, 0.0), abs(value))
        worst = max(z, key=lambda k: abs(z[k]), default=None)
        runs.append(
            {
                "run": label,
                "max_abs_z": round(abs(z[worst]), 3) if worst else 0.0,
                "at": worst,
                "z": {k: round(v, 3) for k, v in z.items()},
            }
        )
    thresholds = {name: round(max(margin * value, floor), 2) for name, value in largest.items()}
    return thresholds, {
        "thresholds": thresholds,
        "margin": margin,
        "floor": floor,
        "rule": RULE,
        "noise": runs,
    }


@dataclass(frozen=True)
class PairedCheck:
    """One population and window: z of the run against the reference run, and the threshold."""

    name: str  # population.window
    z: float
    threshold: float

    @property
    def passed(self) -> bool:
        return abs(self.z) <= self.threshold


def check_paired(
    run: Mapping[str, np.ndarray],
    reference: Mapping[str, np.ndarray],
    thresholds: Mapping[str, float],
    floor: float = Z_FLOOR,
) -> list[PairedCheck]:
    """Every paired figure of a run against its threshold (``floor`` where none was measured)."""
    return [
        PairedCheck(f"paired.{name}", z, float(thresholds.get(name, floor)))
        for name, z in paired_z(run, reference).items()
    ]


def counts_bytes(counts: Mapping[str, np.ndarray]) -> bytes:
    """The counts as a compressed .npz."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, **{k: np.asarray(v, COUNTS_DTYPE) for k, v in sorted(counts.items())}
    )
    return buffer.getvalue()


def write_counts(counts: Mapping[str, np.ndarray], path: Path) -> str:
    """Write the counts atomically; their sha256, which the reference YAML records."""
    data = counts_bytes(counts)
    with atomic_path(Path(path), suffix=".npz") as tmp:
        tmp.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_counts(path: Path, sha256: str) -> dict[str, np.ndarray]:
    """The stored counts, refused (naming the file) unless their sha256 is the recorded one."""
    path = Path(path)
    if not path.is_file():
        raise ResultError(
            f"no stored counts {path}: regenerate the reference (cerebrepro verify regenerate)"
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ResultError(
            f"{path}: sha256 {digest[:16]}, the reference records {str(sha256)[:16]} (changed or damaged)"
        )
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}
