"""Spikes on the simulation grid: step indices and sparse (cell x step) spike matrices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cerebrepro.results.types import PopulationSpikes


def step_count(duration: float, timestep: float) -> int:
    """Number of steps covering [0, duration] inclusive.

    NEST stamps a spike at the end of the step in which it happened, so a spike may carry
    the time ``duration`` itself: step indices run from 0 to ``round(duration / timestep)``.
    """
    return int(np.rint(duration / timestep)) + 1


def to_steps(times: np.ndarray, timestep: float) -> np.ndarray:
    """The grid step (int64) of every spike time: ``round(t / timestep)``."""
    return np.rint(np.asarray(times, dtype=np.float64) / timestep).astype(np.int64)


@dataclass(frozen=True)
class SpikeSteps:
    """One population's spikes as (cell, step) pairs sorted by step; steps lie in [0, n_steps)."""

    cells: np.ndarray  # int64
    steps: np.ndarray  # int64, non-decreasing
    size: int
    n_steps: int
    distinct_pairs: bool = False  # True when no (cell, step) pair repeats

    @classmethod
    def from_population(cls, spikes: PopulationSpikes, timestep: float, n_steps: int) -> SpikeSteps:
        """Steps of ``spikes``; spikes outside [0, n_steps) steps are dropped."""
        steps = to_steps(spikes.times, timestep)
        cells = np.asarray(spikes.cells, dtype=np.int64)
        inside = (steps >= 0) & (steps < n_steps)
        steps, cells = steps[inside], cells[inside]
        if steps.size and np.any(np.diff(steps) < 0):
            order = np.argsort(steps, kind="stable")
            steps, cells = steps[order], cells[order]
        return cls(cells, steps, int(spikes.size), n_steps)

    def distinct(self) -> SpikeSteps:
        """The same spikes with each (cell, step) pair once: a cell spiking twice in a step counts once."""
        if self.distinct_pairs:
            return self
        size = max(self.size, 1)
        keys = np.sort(self.steps * size + self.cells)
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys
        return SpikeSteps(keys % size, keys // size, self.size, self.n_steps, distinct_pairs=True)

    def counts_per_cell(self, first: int = 0, stop: int | None = None) -> np.ndarray:
        """Spikes per cell emitted in steps [first, stop)."""
        lo, hi = self._slice(first, self.n_steps if stop is None else stop)
        return np.bincount(self.cells[lo:hi], minlength=self.size)

    def matrix(self, first: int, stop: int, shift: int = 0) -> sp.csc_array:
        """Sparse (size x (stop - first)) counts of spikes arriving in steps [first, stop).

        A spike emitted in step s arrives in step s + ``shift``; column j is step first + j.
        Built directly in compressed-column form (the spikes are sorted by step); a cell
        spiking twice in one step is a repeated entry, which sparse products add up.
        """
        lo, hi = self._slice(first - shift, stop - shift)
        columns = self.steps[lo:hi] - (first - shift)
        indptr = np.searchsorted(columns, np.arange(stop - first + 1), side="left")
        data = np.ones(hi - lo, dtype=np.int32)
        return sp.csc_array((data, self.cells[lo:hi], indptr), shape=(self.size, stop - first))

    def _slice(self, first: int, stop: int) -> tuple[int, int]:
        lo, hi = np.searchsorted(self.steps, [first, stop], side="left")
        return int(lo), int(hi)


def step_chunks(n_steps: int, chunk_steps: int) -> list[tuple[int, int]]:
    """Consecutive [first, stop) ranges of at most ``chunk_steps`` steps covering [0, n_steps)."""
    edges = list(range(0, n_steps, chunk_steps)) + [n_steps]
    return list(zip(edges[:-1], edges[1:], strict=True))


def step_time(step: int, timestep: float) -> float:
    """The time (ms) of ``step``, rounded to 1e-9 ms to drop float noise; NaN for step < 0."""
    return round(step * timestep, 9) if step >= 0 else float("nan")
