"""Lead/lag between two runs: how much later run B fires than run A (t_B - t_A, ms).

Two definitions:

- ours (``matching_lags``): for each spike of A, the match is B's nearest spike of the
  same cell within +-``max_lag`` ms (a B spike may match several A spikes; at equal
  distance the earlier B spike wins). Vectorised with one np.searchsorted on a combined
  key ``cell * span + time`` that orders spikes by cell, then time.
- the original study's (``nth_spike_lags``, SpiNNCer's ``compare_results``): for each cell
  that fired the same number n > 0 of spikes in both runs, the lag of its 10th spike, or
  of its last if n < 10. Every spike of the run counts (no window). SpiNNCer printed
  t_A - t_B; here the sign is t_B - t_A like ours. Vectorised by sorting each run's spikes
  by cell, then time, and indexing each cell's k-th spike at its offset.
"""

from __future__ import annotations

import numpy as np

from cerebrepro.analysis.summary import describe
from cerebrepro.results.types import PopulationSpikes

MAX_LAG = 5.0  # ms
LAG_PERCENTILES: tuple[int, ...] = (5, 25, 75, 95)
NTH_SPIKE = 10  # the original's spike of each cell (1-based; the last one if fewer)
NTH_PERCENTILES: tuple[int, ...] = (5, 95)
STEP_TOLERANCE = 1e-6  # in timesteps: |lag| <= one step despite float times


def lead_lag_definitions(max_lag: float = MAX_LAG, nth: int = NTH_SPIKE) -> dict[str, str]:
    """One sentence per definition, keyed as the statistics of ``compare_runs`` are."""
    return {
        "lead_lag": (
            f"ours: for each spike of A in the window, t_B - t_A of B's nearest spike of the "
            f"same cell within +-{max_lag:g} ms (any time in B); summary over A's spikes"
        ),
        "original_lead_lag": (
            f"original: {nth}th-or-last spike of equal-count cells: for each cell with the "
            f"same number n > 0 of spikes in both runs (whole run), t_B - t_A of its {nth}th "
            f"spike, or of its last if n < {nth}; summary over those cells"
        ),
    }


def matching_lags(
    a_times: np.ndarray,
    a_cells: np.ndarray,
    b_times: np.ndarray,
    b_cells: np.ndarray,
    max_lag: float = MAX_LAG,
) -> np.ndarray:
    """t_B - t_A of the match of every spike of A (in A's order); NaN where none matches."""
    a_times, a_cells = np.asarray(a_times, dtype=np.float64), np.asarray(a_cells, dtype=np.int64)
    lags = np.full(a_times.size, np.nan)
    if a_times.size == 0 or np.size(b_times) == 0:
        return lags
    order = np.lexsort((b_times, b_cells))
    b_times = np.asarray(b_times, dtype=np.float64)[order]
    b_cells = np.asarray(b_cells, dtype=np.int64)[order]
    origin = min(a_times.min(), b_times.min())
    span = max(a_times.max(), b_times.max()) - origin + 2.0 * max_lag + 1.0
    b_keys = b_cells * span + (b_times - origin)
    right = np.searchsorted(b_keys, a_cells * span + (a_times - origin), side="left")
    left = right - 1
    after = _lag_to(right, a_times, a_cells, b_times, b_cells)
    before = _lag_to(left, a_times, a_cells, b_times, b_cells)
    best = np.where(np.abs(before) <= np.abs(after), before, after)
    best = np.where(np.isnan(before), after, np.where(np.isnan(after), before, best))
    matched = np.abs(best) <= max_lag + 1e-9
    lags[matched] = best[matched]
    return lags


def _lag_to(
    index: np.ndarray,
    a_times: np.ndarray,
    a_cells: np.ndarray,
    b_times: np.ndarray,
    b_cells: np.ndarray,
) -> np.ndarray:
    """t_B[index] - t_A where ``index`` is a valid spike of the same cell, else NaN."""
    inside = (index >= 0) & (index < b_times.size)
    safe = np.clip(index, 0, b_times.size - 1)
    same = inside & (b_cells[safe] == a_cells)
    return np.where(same, b_times[safe] - a_times, np.nan)


def lag_summary(lags: np.ndarray) -> dict[str, float]:
    """Fraction of A's spikes matched and the distribution of the matched lags (ms)."""
    matched = lags[~np.isnan(lags)]
    summary = {
        "n_spikes": int(lags.size),
        "matched_fraction": matched.size / lags.size if lags.size else float("nan"),
    }
    summary.update(describe(matched, LAG_PERCENTILES))
    return summary


def nth_spike_lags(
    a_times: np.ndarray,
    a_cells: np.ndarray,
    b_times: np.ndarray,
    b_cells: np.ndarray,
    size: int,
    nth: int = NTH_SPIKE,
) -> tuple[np.ndarray, np.ndarray]:
    """The original lead/lag: (cells, t_B - t_A) of each cell's ``nth``-or-last spike.

    Only cells that fired the same number n > 0 of spikes in A and B count; their spike
    of rank min(n, ``nth``) (1-based) is compared. Cells come out in increasing order.
    """
    if nth < 1:
        raise ValueError(f"nth must be at least 1, got {nth}")
    a_sorted, a_counts = _spikes_by_cell(a_times, a_cells, size)
    b_sorted, b_counts = _spikes_by_cell(b_times, b_cells, size)
    cells = np.flatnonzero((a_counts == b_counts) & (a_counts > 0))
    rank = np.minimum(a_counts[cells], nth) - 1  # 0-based: the 10th spike is index 9
    a_start = np.cumsum(a_counts) - a_counts
    b_start = np.cumsum(b_counts) - b_counts
    lags = b_sorted[b_start[cells] + rank] - a_sorted[a_start[cells] + rank]
    return cells, lags


def _spikes_by_cell(
    times: np.ndarray, cells: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Spike times sorted by cell, then time, and the spike count of every cell."""
    times = np.asarray(times, dtype=np.float64)
    cells = np.asarray(cells, dtype=np.int64)
    return times[np.lexsort((times, cells))], np.bincount(cells, minlength=size)


def nth_lag_summary(lags: np.ndarray, size: int, timestep: float) -> dict[str, float]:
    """Cells compared (count and fraction of ``size``), lag distribution, share within a step."""
    lags = np.asarray(lags, dtype=np.float64)
    within = np.abs(lags) <= timestep * (1.0 + STEP_TOLERANCE)
    summary = {
        "n_cells": int(lags.size),
        "cell_fraction": lags.size / size if size else float("nan"),
        "within_one_step": float(within.mean()) if lags.size else float("nan"),
    }
    summary.update(describe(lags, NTH_PERCENTILES))
    return summary


def original_lead_lag(
    a: PopulationSpikes, b: PopulationSpikes, timestep: float, nth: int = NTH_SPIKE
) -> dict[str, float]:
    """``nth_lag_summary`` of the original lead/lag of one population (whole run, all cells)."""
    _, lags = nth_spike_lags(a.times, a.cells, b.times, b.cells, a.size, nth)
    return nth_lag_summary(lags, a.size, timestep)
