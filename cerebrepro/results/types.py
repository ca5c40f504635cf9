"""The in-memory result of one run: spikes per population, recorded signals, provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class PopulationSpikes:
    """All spikes of one population: parallel arrays sorted by time, then cell."""

    size: int  # number of cells in the population
    times: np.ndarray  # float64, ms
    cells: np.ndarray  # int64, population-local cell index

    @property
    def n_spikes(self) -> int:
        return int(self.times.size)

    def counts_per_cell(self) -> np.ndarray:
        return np.bincount(self.cells, minlength=self.size)


@dataclass(frozen=True)
class AnalogSignals:
    """Sampled signals of a recorded subset of one population."""

    cells: np.ndarray  # int64, population-local indices of the recorded cells
    sampling_interval: float  # ms
    signals: dict[str, np.ndarray]  # name (v, gsyn_exc, gsyn_inh) -> float32 (n_samples, n_cells)


@dataclass
class RunResult:
    """A complete run; ``provenance`` holds every fact needed to re-run and to compare it."""

    spikes: dict[str, PopulationSpikes]
    timestep: float  # ms
    duration: float  # ms
    analog: dict[str, AnalogSignals] = field(default_factory=dict)
    provenance: dict[str, object] = field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        return {name: s.size for name, s in self.spikes.items()}

    def spike_digest(self) -> str:
        """sha256 over every population's (cell, time-step) pairs: equal iff spikes are equal."""
        import hashlib

        h = hashlib.sha256()
        for name in sorted(self.spikes):
            s = self.spikes[name]
            steps = np.round(s.times / self.timestep).astype("<i8")
            order = np.lexsort((s.cells, steps))
            h.update(name.encode())
            h.update(steps[order].tobytes())
            h.update(np.asarray(s.cells, dtype="<i8")[order].tobytes())
        return h.hexdigest()
