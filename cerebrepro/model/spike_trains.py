"""Spike trains of a population of sources, stored as one flat array plus offsets (CSR)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cerebrepro.errors import StimulusError

# Latest spike time accepted (ms, about 31 years): far beyond any run, and small enough
# that time / timestep stays exact in int64 for every timestep down to 1 ns.
MAX_SPIKE_TIME = 1e12


def checked_trains(times: object, offsets: object, source: str) -> SpikeTrains:
    """Spike trains from untrusted arrays, every property checked; StimulusError naming ``source``.

    ``times``: 1-D, real, finite, 0 <= t <= MAX_SPIKE_TIME, sorted within each train;
    ``offsets``: 1-D integers, starting at 0, non-decreasing, ending at ``len(times)``.
    """
    t, o = np.asarray(times), np.asarray(offsets)
    if t.ndim != 1 or t.dtype.kind not in "fiu":
        raise StimulusError(
            f"stimulus {source}: 'times' must be a 1-D array of numbers, got {t.dtype} {t.shape}"
        )
    if o.ndim != 1 or o.size < 1:
        raise StimulusError(
            f"stimulus {source}: 'offsets' must be a 1-D array of at least one entry, got {o.shape}"
        )
    if o.dtype.kind == "f" and o.size and not (np.isfinite(o).all() and (np.floor(o) == o).all()):
        raise StimulusError(f"stimulus {source}: 'offsets' must be integers")
    if o.dtype.kind not in "fiu" or (o.size and np.abs(o.astype(np.float64)).max() > 2**62):
        raise StimulusError(f"stimulus {source}: 'offsets' must be integers of a sensible size")
    t, o = t.astype(np.float64), o.astype(np.int64)
    if o[0] != 0 or o[-1] != t.size:
        raise StimulusError(
            f"stimulus {source}: 'offsets' must start at 0 and end at len(times) = {t.size}, "
            f"got {int(o[0])} .. {int(o[-1])}"
        )
    steps = np.diff(o)
    if steps.size and steps.min() < 0:
        at = int(np.argmax(steps < 0))
        raise StimulusError(f"stimulus {source}: 'offsets' decrease after source {at}")
    if t.size:
        if not np.isfinite(t).all():
            raise StimulusError(
                f"stimulus {source}: spike {int(np.argmax(~np.isfinite(t)))} is not finite"
            )
        if t.min() < 0 or t.max() > MAX_SPIKE_TIME:
            bad = int(np.argmax((t < 0) | (t > MAX_SPIKE_TIME)))
            raise StimulusError(
                f"stimulus {source}: spike {bad} at {t[bad]!r} ms is outside 0 .. {MAX_SPIKE_TIME:g} ms"
            )
        backwards = np.diff(t) < 0
        backwards[o[1:-1][(o[1:-1] > 0) & (o[1:-1] < t.size)] - 1] = (
            False  # a new train may start earlier
        )
        if backwards.any():
            at = int(np.argmax(backwards)) + 1
            raise StimulusError(
                f"stimulus {source}: spike times are not sorted within a train (spike {at})"
            )
    return SpikeTrains(t, o)


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
        if self.times.size and not self.times.max() / dt < 2**62:
            raise StimulusError(
                f"a spike at {self.times.max()!r} ms does not fit the {dt:g} ms grid"
            )
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
