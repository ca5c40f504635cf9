"""Firing rates of a population and of its cells inside a window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cerebrepro.analysis.windows import EDGE_TOLERANCE, Window, population_windows
from cerebrepro.model.cerebellum import Protocol
from cerebrepro.results.types import PopulationSpikes


def window_counts(
    times: np.ndarray, cells: np.ndarray, size: int, window: Window, tolerance: float = 0.0
) -> np.ndarray:
    """Spikes per cell (int64, length ``size``) inside ``window``."""
    inside = window.contains(np.asarray(times), tolerance)
    return np.bincount(np.asarray(cells)[inside], minlength=size)


def counts_to_rates(counts: np.ndarray, window: Window) -> np.ndarray:
    """Per-cell rates (Hz) from spike counts in ``window``; NaN for an empty window."""
    if window.duration <= 0:
        return np.full(counts.shape, np.nan)
    return counts / (window.duration / 1000.0)


def cell_rates(
    times: np.ndarray, cells: np.ndarray, size: int, window: Window, tolerance: float = 0.0
) -> np.ndarray:
    """Per-cell firing rates (Hz) inside ``window``."""
    return counts_to_rates(window_counts(times, cells, size, window, tolerance), window)


def population_rate(n_spikes: int, size: int, window: Window) -> float:
    """Spikes in the window / window duration / population size, in Hz."""
    if window.duration <= 0 or size == 0:
        return float("nan")
    return float(n_spikes / (window.duration / 1000.0) / size)


@dataclass(frozen=True)
class WindowRates:
    """One population's spike counts and rates per cell in each of its windows (by name)."""

    windows: tuple[Window, ...]
    counts: dict[str, np.ndarray]  # window name -> int64 per cell
    rates: dict[str, np.ndarray]  # window name -> Hz per cell


def population_window_rates(
    name: str,
    spikes: PopulationSpikes,
    timestep: float,
    duration: float,
    protocol: Protocol,
) -> WindowRates:
    """Counts and rates of every cell of population ``name`` in its shifted windows."""
    tolerance = EDGE_TOLERANCE * timestep
    windows = tuple(population_windows(name, duration, protocol))
    counts = {
        w.name: window_counts(spikes.times, spikes.cells, spikes.size, w, tolerance)
        for w in windows
    }
    rates = {w.name: counts_to_rates(counts[w.name], w) for w in windows}
    return WindowRates(windows, counts, rates)
