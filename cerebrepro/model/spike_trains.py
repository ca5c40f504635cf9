"""Spike trains of a population of sources, stored as one flat array plus offsets (CSR)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpikeTrains:
    """``times[offsets[i]:offsets[i + 1]]`` are the spike times (ms, sorted) of source ``i``."""

    times: np.ndarray  # float64
    offsets: np.ndarray  # int64, length n + 1, offsets[0] == 0

    def __post_init__(self) -> None:
        if self.offsets.ndim != 1 or self.offsets.size < 1 or self.offsets[0] != 0:
            raise ValueError("offsets must be 1-D and start at 0")
        if self.offsets[-1] != self.times.size or np.any(np.diff(self.offsets) < 0):
            raise ValueError("offsets must be non-decreasing and end at len(times)")

    @classmethod
    def from_lists(cls, trains: Sequence[np.ndarray]) -> SpikeTrains:
        lengths = np.fromiter((len(t) for t in trains), dtype=np.int64, count=len(trains))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        times = (
            np.concatenate([np.sort(np.asarray(t, dtype=np.float64)) for t in trains])
            if len(trains) and offsets[-1]
            else np.zeros(0)
        )
        return cls(times, offsets)

    @property
    def n_sources(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def n_spikes(self) -> int:
        return int(self.times.size)

    def train(self, i: int) -> np.ndarray:
        return self.times[self.offsets[i] : self.offsets[i + 1]]

    def sources(self) -> np.ndarray:
        """The source index of every spike (same length as ``times``)."""
        return np.repeat(np.arange(self.n_sources, dtype=np.int64), np.diff(self.offsets))

    def to_lists(self) -> list[np.ndarray]:
        return np.split(self.times, self.offsets[1:-1])

    def on_grid(self, dt: float, minimum: float) -> SpikeTrains:
        """Floor every time onto the ``dt`` grid and clamp it to ``>= minimum`` (kept sorted)."""
        steps = np.floor(np.round(self.times / dt, 9)).astype(np.int64)
        times = np.maximum(steps * dt, minimum)
        times = np.round(times, 10)
        return SpikeTrains(times, self.offsets.copy())

    def before(self, stop: float) -> SpikeTrains:
        """Only the spikes strictly before ``stop`` (ms)."""
        keep = self.times < stop
        counts = np.bincount(self.sources()[keep], minlength=self.n_sources)
        return SpikeTrains(
            self.times[keep], np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        )

    def digest(self) -> str:
        """sha256 of the trains as simulated (times on the grid, per-source offsets)."""
        h = hashlib.sha256()
        h.update(np.ascontiguousarray(self.offsets, dtype="<i8").tobytes())
        h.update(np.ascontiguousarray(np.round(self.times, 6), dtype="<f8").tobytes())
        return h.hexdigest()


def trains_digest(trains: SpikeTrains) -> str:
    """sha256 of spike trains as simulated (see :meth:`SpikeTrains.digest`)."""
    return trains.digest()
