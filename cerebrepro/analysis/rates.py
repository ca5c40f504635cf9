"""Firing rates of a population and of its cells inside a window."""

from __future__ import annotations

import numpy as np

from cerebrepro.analysis.windows import Window


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
