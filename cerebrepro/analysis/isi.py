"""Variability of inter-spike intervals per cell: CV and CV2, without per-cell loops.

Spikes are sorted by (cell, time); an interval is the difference of two consecutive spikes
of the same cell. CV = std / mean of a cell's intervals (std with ddof 0); CV2 (Holt et al.
1996) = mean over consecutive interval pairs of 2 |I2 - I1| / (I2 + I1). Both need at least
two intervals (three spikes); cells with fewer get NaN.
"""

from __future__ import annotations

import numpy as np

MIN_INTERVALS = 2


def sorted_by_cell(times: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``times`` and ``cells`` sorted by cell, then time."""
    order = np.lexsort((times, cells))
    return np.asarray(times)[order], np.asarray(cells)[order]


def intervals(times: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intervals between consecutive spikes, their cells, and a mask of the real ones.

    All three have length ``len(times) - 1`` (in (cell, time) order); ``valid[k]`` is False
    where spikes k and k + 1 belong to different cells.
    """
    times, cells = sorted_by_cell(times, cells)
    return np.diff(times), cells[1:], cells[1:] == cells[:-1]


def cv_per_cell(times: np.ndarray, cells: np.ndarray, size: int) -> np.ndarray:
    """Coefficient of variation of each cell's intervals (NaN below two intervals)."""
    isi, isi_cells, valid = intervals(times, cells)
    isi, isi_cells = isi[valid], isi_cells[valid]
    n = np.bincount(isi_cells, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(isi_cells, isi, minlength=size) / n
        deviation = isi - mean[isi_cells]
        std = np.sqrt(np.bincount(isi_cells, deviation**2, minlength=size) / n)
        cv = std / mean
    cv[n < MIN_INTERVALS] = np.nan
    return cv


def cv2_per_cell(times: np.ndarray, cells: np.ndarray, size: int) -> np.ndarray:
    """Mean CV2 of each cell's consecutive interval pairs (NaN below two intervals)."""
    isi, isi_cells, valid = intervals(times, cells)
    pair = valid[:-1] & valid[1:]
    first, second, pair_cells = isi[:-1][pair], isi[1:][pair], isi_cells[1:][pair]
    summed = first + second
    defined = summed > 0
    values = 2.0 * np.abs(second - first)[defined] / summed[defined]
    n = np.bincount(pair_cells[defined], minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.bincount(pair_cells[defined], values, minlength=size) / n
