"""Figure of a comparison: per-population rate distributions of both runs and lead/lag histograms.

Two lead/lag columns: ours (per spike of A, the nearest spike of the same cell in B) and
the original study's (per cell with equal spike counts, its 10th-or-last spike; see
``lead_lag.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from cerebrepro.analysis.lead_lag import MAX_LAG, NTH_SPIKE, matching_lags, nth_spike_lags
from cerebrepro.analysis.rates import cell_rates
from cerebrepro.analysis.run import ordered_populations, run_label
from cerebrepro.analysis.windows import EDGE_TOLERANCE, population_windows
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL, Protocol
from cerebrepro.results.types import RunResult

RATE_BINS = 30
LAG_BIN_WIDTH = 0.1  # ms


def comparison_figure(
    a: RunResult, b: RunResult, protocol: Protocol = REFERENCE_PROTOCOL, max_lag: float = MAX_LAG
) -> Figure:
    """Rows: populations; columns: per-cell rate histograms per window (A and B), both lead/lags."""
    names = ordered_populations([p for p in a.spikes if p in b.spikes])
    label_a, label_b = run_label(a, "A"), run_label(b, "B")
    tolerance = EDGE_TOLERANCE * a.timestep
    figure = Figure(figsize=(17.5, 2.2 * max(len(names), 1)), layout="constrained")
    axes = figure.subplots(max(len(names), 1), 5, squeeze=False)
    for row, name in zip(axes, names, strict=False):
        sa, sb = a.spikes[name], b.spikes[name]
        for ax, window in zip(row[:3], population_windows(name, a.duration, protocol), strict=True):
            rates_a = cell_rates(sa.times, sa.cells, sa.size, window, tolerance)
            rates_b = cell_rates(sb.times, sb.cells, sb.size, window, tolerance)
            finite = np.concatenate([rates_a, rates_b])
            finite = finite[np.isfinite(finite)]
            bins = np.linspace(
                0.0, max(float(finite.max()) if finite.size else 1.0, 1.0), RATE_BINS + 1
            )
            ax.hist(rates_a, bins=bins, histtype="step", label=label_a)
            ax.hist(rates_b, bins=bins, histtype="step", label=label_b)
            ax.set_title(
                f"{name}, {window.name} [{window.start:g}, {window.stop:g}) ms", fontsize=9
            )
            ax.set_xlabel("rate (Hz)")
            ax.set_ylabel("cells")
        lags = matching_lags(sa.times, sa.cells, sb.times, sb.cells, max_lag)
        matched = lags[~np.isnan(lags)]
        edges = np.arange(-max_lag - LAG_BIN_WIDTH / 2, max_lag + LAG_BIN_WIDTH, LAG_BIN_WIDTH)
        row[3].hist(matched, bins=edges, color="0.3")
        fraction = matched.size / lags.size if lags.size else float("nan")
        row[3].set_title(
            f"{name}: lag {label_b} - {label_a}, ours ({100 * fraction:.0f} % matched)", fontsize=9
        )
        row[3].set_xlabel("lag (ms)")
        _, nth_lags = nth_spike_lags(sa.times, sa.cells, sb.times, sb.cells, sa.size)
        outside = int(np.count_nonzero(np.abs(nth_lags) > max_lag + LAG_BIN_WIDTH / 2))
        row[4].hist(nth_lags, bins=edges, color="0.55")
        row[4].set_title(
            f"{name}: lag of the {NTH_SPIKE}th-or-last spike\n"
            f"{nth_lags.size} equal-count cells, {outside} beyond ±{max_lag:g} ms",
            fontsize=9,
        )
        row[4].set_xlabel("lag (ms)")
    if names:
        axes[0][0].legend(fontsize=8)
    figure.suptitle(
        f"Per-cell rate distributions per window; lead/lag, ours (nearest spike of the same "
        f"cell within ±{max_lag:g} ms) and original ({NTH_SPIKE}th-or-last spike of cells with "
        f"equal spike counts, whole run): {label_b} against {label_a}"
    )
    return figure


def save_comparison_figure(a: RunResult, b: RunResult, path: Path, **options: object) -> None:
    """Draw ``comparison_figure`` and write it to ``path`` (PNG, PDF or SVG by suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    comparison_figure(a, b, **options).savefig(path, dpi=120)  # type: ignore[arg-type]
