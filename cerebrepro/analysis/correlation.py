"""Spike-count correlation of two runs of the same population in fixed bins of a window.

Counts are taken in bins of ``bin_width`` ms from the window start (the last bin may be
shorter). Two measures:
- ``population``: Pearson correlation of the two population spike-count series (PSTHs);
- ``cell_mean``: the mean over cells of the Pearson correlation between the cell's count
  series in A and in B, over the cells whose counts vary in both runs (``n_cells``).
Everything works on sparse (cell, bin) keys; no dense cells x bins matrix is built.
"""

from __future__ import annotations

import numpy as np

from cerebrepro.analysis.windows import EDGE_TOLERANCE, Window

COUNT_BIN_WIDTH = 5.0  # ms


def bin_count(window: Window, bin_width: float) -> int:
    """Number of bins of ``bin_width`` covering ``window`` (at least 1)."""
    return max(int(np.ceil(window.duration / bin_width - EDGE_TOLERANCE)), 1)


def binned_keys(
    times: np.ndarray, cells: np.ndarray, window: Window, bin_width: float, tolerance: float = 0.0
) -> tuple[np.ndarray, np.ndarray, int]:
    """Sorted unique keys ``cell * n_bins + bin`` of spikes in ``window``, their counts, n_bins."""
    n_bins = bin_count(window, bin_width)
    inside = window.contains(np.asarray(times), tolerance)
    bins = np.floor((np.asarray(times)[inside] - window.start) / bin_width + EDGE_TOLERANCE)
    bins = np.clip(bins.astype(np.int64), 0, n_bins - 1)
    keys, counts = np.unique(np.asarray(cells)[inside] * n_bins + bins, return_counts=True)
    return keys, counts.astype(np.int64), n_bins


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN when either series is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt((dx**2).sum() * (dy**2).sum())
    return float((dx * dy).sum() / denominator) if denominator > 0 else float("nan")


def count_correlation(
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
    size: int,
    window: Window,
    bin_width: float = COUNT_BIN_WIDTH,
    tolerance: float = 0.0,
) -> dict[str, float]:
    """Population and mean per-cell count correlation of runs ``a`` and ``b`` (times, cells)."""
    keys_a, counts_a, n_bins = binned_keys(*a, window, bin_width, tolerance)
    keys_b, counts_b, _ = binned_keys(*b, window, bin_width, tolerance)
    psth_a = np.bincount(keys_a % n_bins, counts_a, minlength=n_bins)
    psth_b = np.bincount(keys_b % n_bins, counts_b, minlength=n_bins)

    sum_a, square_a = _cell_sums(keys_a, counts_a, n_bins, size)
    sum_b, square_b = _cell_sums(keys_b, counts_b, n_bins, size)
    common, in_a, in_b = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    cross = np.bincount(common // n_bins, counts_a[in_a] * counts_b[in_b], minlength=size)
    # n^2 times the covariance and variances, exact in integers
    covariance = n_bins * cross - sum_a * sum_b
    variance_a = n_bins * square_a - sum_a**2
    variance_b = n_bins * square_b - sum_b**2
    varying = (variance_a > 0) & (variance_b > 0)
    per_cell = covariance[varying] / np.sqrt(
        variance_a[varying].astype(np.float64) * variance_b[varying]
    )
    return {
        "population": pearson(psth_a, psth_b),
        "cell_mean": float(per_cell.mean()) if per_cell.size else float("nan"),
        "n_cells": int(varying.sum()),
    }


def _cell_sums(
    keys: np.ndarray, counts: np.ndarray, n_bins: int, size: int
) -> tuple[np.ndarray, np.ndarray]:
    cells = keys // n_bins
    summed = np.bincount(cells, counts, minlength=size).astype(np.int64)
    squared = np.bincount(cells, counts**2, minlength=size).astype(np.int64)
    return summed, squared
