"""Lead/lag of matching spikes: how much later run B fires the spikes of run A.

For each spike of A, the match is B's nearest spike of the same cell within +-``max_lag``
ms (a B spike may match several A spikes; at equal distance the earlier B spike wins).
The lag is t_B - t_A: positive when B fires later. Vectorised with one np.searchsorted on
a combined key ``cell * span + time`` that orders spikes by cell, then time.
"""

from __future__ import annotations

import numpy as np

from cerebrepro.analysis.summary import describe

MAX_LAG = 5.0  # ms
LAG_PERCENTILES: tuple[int, ...] = (5, 25, 75, 95)


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
