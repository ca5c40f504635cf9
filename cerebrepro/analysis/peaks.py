"""Peak activity of a population: most spikes in one step, and PSTHs."""

from __future__ import annotations

import numpy as np

from cerebrepro.analysis.steps import step_time
from cerebrepro.analysis.windows import EDGE_TOLERANCE

PSTH_BIN_WIDTHS: tuple[float, ...] = (0.1, 3.0)  # ms


def peak_per_step(steps: np.ndarray, size: int, n_steps: int, timestep: float) -> dict[str, float]:
    """Largest number of spikes in one step, per cell, and the time of the first such step.

    ``steps`` are grid steps in [0, n_steps). With no spike the peak is 0 at time 0.
    """
    counts = np.bincount(steps, minlength=n_steps)
    step = int(np.argmax(counts)) if counts.size else 0
    peak = int(counts[step]) if counts.size else 0
    return {
        "spikes": peak,
        "per_cell": peak / size if size else float("nan"),
        "time": step_time(step, timestep),
    }


def psth(
    times: np.ndarray, size: int, bin_width: float, duration: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges (ms) and the population rate (Hz per cell) in bins of ``bin_width`` over the run.

    Bin k is [k w, (k + 1) w); the last bin may be shorter and also takes spikes at t =
    duration. Edges are compared with a tolerance of ``EDGE_TOLERANCE`` bins.
    """
    n_bins = max(int(np.ceil(duration / bin_width - EDGE_TOLERANCE)), 1)
    edges = np.round(np.minimum(np.arange(n_bins + 1) * bin_width, duration), 9)
    times = np.asarray(times, dtype=np.float64)
    index = np.floor(times / bin_width + EDGE_TOLERANCE).astype(np.int64)
    index = index[(index >= 0) & (times <= duration + EDGE_TOLERANCE * bin_width)]
    counts = np.bincount(np.minimum(index, n_bins - 1), minlength=n_bins)
    widths = np.diff(edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = counts / (widths / 1000.0) / max(size, 1)
    return edges, rates


def psth_peak(times: np.ndarray, size: int, bin_width: float, duration: float) -> dict[str, float]:
    """The highest PSTH rate (Hz) with bins of ``bin_width`` and the start of its bin."""
    edges, rates = psth(times, size, bin_width, duration)
    k = int(np.nanargmax(rates)) if np.isfinite(rates).any() else 0
    return {"rate": float(rates[k]), "time": float(edges[k])}
