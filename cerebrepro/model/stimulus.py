"""The mossy-fibre stimulus of protocol.md, generated for any scaffold, and its checks."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from cerebrepro.errors import StimulusError
from cerebrepro.model.cerebellum import MIN_SPIKE_TIME, TIMESTEP, Protocol
from cerebrepro.model.spike_trains import SpikeTrains, checked_trains

# Revision of each generator: raised whenever the trains a seed gives change, so that cached
# runs made with the old trains are not reused. Periodic 2: the original study's burst.
GENERATOR_REVISIONS: Mapping[str, int] = MappingProxyType({"poisson": 1, "periodic": 2})


def stimulated_glomeruli(positions: np.ndarray, radius: float) -> np.ndarray:
    """Indices of glomeruli strictly inside ``radius`` of the per-axis median position."""
    centre = np.median(positions, axis=0)
    distance = np.linalg.norm(positions - centre, axis=1)
    return np.flatnonzero(distance < radius)


def _poisson_spikes(
    rng: np.random.Generator,
    n_cells: int,
    cells: np.ndarray,
    rate_hz: float,
    start: float,
    stop: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson spikes of ``cells`` in [start, stop): (times, cell ids)."""
    if rate_hz <= 0 or stop <= start or cells.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(rate_hz * (stop - start) / 1000.0, size=cells.size)
    owners = np.repeat(cells, counts)
    times = rng.uniform(start, stop, size=owners.size)
    return times, owners


def periodic_burst_times(rate_hz: float, start: float, stop: float) -> np.ndarray:
    """The original study's periodic burst (ms): ``round(linspace(start, stop, n))``.

    ``n = round(rate_hz * (stop - start) / 1000)`` spikes, both ends included, rounded to whole
    ms with numpy's round-half-to-even, as the original did (151 Hz over 300-350 ms: 8 spikes
    at 300, 307, 314, 321, 329, 336, 343 and 350 ms).
    """
    n = int(np.round(rate_hz * (stop - start) / 1000.0))
    return np.round(np.linspace(start, stop, n))


def _periodic_burst(
    cells: np.ndarray, rate_hz: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """Every cell of ``cells`` fires the same periodic burst: (times, cell ids)."""
    train = periodic_burst_times(rate_hz, start, stop)
    return np.tile(train, cells.size), np.repeat(cells, train.size)


def generate_stimulus(
    glomerulus_positions: np.ndarray, protocol: Protocol, seed: int, timestep: float = TIMESTEP
) -> SpikeTrains:
    """Spike trains of every glomerulus for ``protocol``, reproducible from ``seed``.

    Every glomerulus fires as a Poisson process at ``f_base`` for the whole run. Those strictly
    inside the sphere fire at ``f_base + f_peak`` during [start, stop): as a Poisson process
    (the background plus ``f_peak``, the same process), or, for a periodic burst, exactly as
    the original study built it (:func:`periodic_burst_times` at ``f_base + f_peak``, with
    their background spikes of that window removed). Times are floored onto the timestep grid
    and clamped to >= 0.2 ms.
    """
    rng = np.random.default_rng(seed)
    n = int(glomerulus_positions.shape[0])
    everyone = np.arange(n, dtype=np.int64)
    inside = stimulated_glomeruli(glomerulus_positions, protocol.radius)
    base_t, base_c = _poisson_spikes(rng, n, everyone, protocol.f_base, 0.0, protocol.duration)
    if protocol.kind == "poisson":
        burst_t, burst_c = _poisson_spikes(
            rng, n, inside, protocol.f_peak, protocol.start, protocol.stop
        )
    elif protocol.kind == "periodic":
        # With f_peak 0 the rate stays f_base and the original keeps the Poisson background.
        burst_cells = inside if protocol.f_peak > 0 else inside[:0]
        in_burst = (base_t >= protocol.start) & (base_t < protocol.stop)
        keep = ~(in_burst & np.isin(base_c, burst_cells))
        base_t, base_c = base_t[keep], base_c[keep]
        rate = protocol.f_base + protocol.f_peak
        burst_t, burst_c = _periodic_burst(burst_cells, rate, protocol.start, protocol.stop)
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
    checked_trains(trains.times, trains.offsets, source)  # every property, whatever made the trains
