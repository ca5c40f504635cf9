"""Summaries of a distribution of values as plain numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RATE_PERCENTILES: tuple[int, ...] = (5, 25, 75, 95)
LOAD_PERCENTILES: tuple[int, ...] = (50, 95, 99)


def describe(values: np.ndarray, percentiles: Sequence[int] = RATE_PERCENTILES) -> dict[str, float]:
    """mean, std (population, ddof 0), median, max and ``p<q>`` for each percentile q.

    An empty array gives NaN everywhere.
    """
    values = np.asarray(values, dtype=np.float64)
    keys = ["mean", "std", "median", "max"] + [f"p{q}" for q in percentiles]
    if values.size == 0:
        return dict.fromkeys(keys, float("nan"))
    quantiles = np.percentile(values, [50, *percentiles])
    summary = {
        "mean": float(values.mean()),
        "std": float(values.std()),
        "median": float(quantiles[0]),
        "max": float(values.max()),
    }
    summary.update({f"p{q}": float(v) for q, v in zip(percentiles, quantiles[1:], strict=True)})
    return summary


def mean_std(values: np.ndarray) -> dict[str, float]:
    """mean and std (ddof 0) of ``values``; NaN for an empty array."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return {"mean": float("nan"), "std": float("nan")}
    return {"mean": float(values.mean()), "std": float(values.std())}
