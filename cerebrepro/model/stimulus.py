"""The mossy-fibre stimulus of protocol.md, generated for any scaffold, and its checks."""

from __future__ import annotations

import numpy as np

from cerebrepro.errors import StimulusError
from cerebrepro.model.cerebellum import MIN_SPIKE_TIME, TIMESTEP, Protocol
from cerebrepro.model.spike_trains import SpikeTrains


def stimulated_glomeruli(positions: np.ndarray, radius: float) -> np.ndarray:
    """Indices of glomeruli strictly inside ``radius`` of the per-axis median position."""
    centre = np.median(positions, axis=0)
    distance = np.linalg.norm(positions - centre, axis=1)
    return np.flatnonzero(distance < radius)


def _poisson_spikes(
    rng: np.random.Generator, n_cells: int, cells: np.ndarray, rate_hz: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson spikes of ``cells`` in [start, stop): (times, cell ids)."""
    if rate_hz <= 0 or stop <= start or cells.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(rate_hz * (stop - start) / 1000.0, size=cells.size)
    owners = np.repeat(cells, counts)
    times = rng.uniform(start, stop, size=owners.size)
    return times, owners


def _periodic_spikes(cells: np.ndarray, rate_hz: float, start: float, stop: float) -> tuple[np.ndarray, np.ndarray]:
    """A regular burst: every cell fires at start, start + 1/f, ... below stop (a synchronous volley)."""
    if rate_hz <= 0 or stop <= start or cells.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    train = np.arange(start, stop, 1000.0 / rate_hz)
    return np.tile(train, cells.size), np.repeat(cells, train.size)


def generate_stimulus(
    glomerulus_positions: np.ndarray, protocol: Protocol, seed: int, timestep: float = TIMESTEP
) -> SpikeTrains:
    """Spike trains of every glomerulus for ``protocol``, reproducible from ``seed``.

    Every glomerulus fires as a Poisson process at ``f_base`` for the whole run; those strictly
    inside the sphere additionally fire at ``f_peak`` during [start, stop), as a Poisson process
    or a periodic burst. Times are floored onto the timestep grid and clamped to >= 0.2 ms.
    """
    rng = np.random.default_rng(seed)
    n = int(glomerulus_positions.shape[0])
    everyone = np.arange(n, dtype=np.int64)
    inside = stimulated_glomeruli(glomerulus_positions, protocol.radius)
    base_t, base_c = _poisson_spikes(rng, n, everyone, protocol.f_base, 0.0, protocol.duration)
    if protocol.kind == "poisson":
        burst_t, burst_c = _poisson_spikes(rng, n, inside, protocol.f_peak, protocol.start, protocol.stop)
    elif protocol.kind == "periodic":
        burst_t, burst_c = _periodic_spikes(inside, protocol.f_peak, protocol.start, protocol.stop)
    else:
        raise StimulusError(f"unknown stimulus kind {protocol.kind!r}: use 'poisson' or 'periodic'")
    times = np.concatenate([base_t, burst_t])
    cells = np.concatenate([base_c, burst_c])
    order = np.lexsort((times, cells))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(cells, minlength=n))]).astype(np.int64)
    return SpikeTrains(times[order], offsets).on_grid(timestep, MIN_SPIKE_TIME)


def check_stimulus_fits(trains: SpikeTrains, n_glomeruli: int, source: str) -> None:
    """Refuse a stimulus whose train count differs from the scaffold's glomeruli, or with bad times."""
    if trains.n_sources != n_glomeruli:
        raise StimulusError(
            f"stimulus {source} has {trains.n_sources} spike trains but the scaffold has "
            f"{n_glomeruli} glomeruli: they do not belong together (use --stimulus generated)"
        )
    if trains.n_spikes and (trains.times.min() < 0 or not np.all(np.isfinite(trains.times))):
        raise StimulusError(f"stimulus {source} holds negative or non-finite spike times")
