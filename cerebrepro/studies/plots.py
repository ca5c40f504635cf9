"""Measured against fitted times, one panel per phase (matplotlib, Agg backend)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Panel:
    """The points of one phase: measured and fitted seconds, the fit's R^2, a colour per point."""

    measured: np.ndarray
    fitted: np.ndarray
    r2: float
    groups: np.ndarray  # e.g. the network size of each point, for the colour scale
    group_label: str


def plot_measured_vs_fitted(panels: Mapping[str, Panel], path: Path, title: str) -> Path:
    """A grid of log-log scatter plots with the identity line; writes ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    n = len(panels)
    if n == 0:
        raise ValueError("nothing to plot")
    columns = min(3, n)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.8 * rows), squeeze=False)
    for ax, (label, panel) in zip(axes.flat, panels.items(), strict=False):
        scatter = ax.scatter(
            panel.fitted,
            panel.measured,
            c=panel.groups,
            cmap="viridis",
            norm=_log_norm(panel.groups),
        )
        values = np.concatenate([panel.measured, panel.fitted])
        positive = values[values > 0]
        if positive.size:
            low, high = positive.min(), positive.max()
            ax.plot([low, high], [low, high], color="0.5", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_minor_formatter(NullFormatter())
        ax.set_title(f"{label}  (R$^2$ = {panel.r2:.3f})", fontsize=10)
        ax.set_xlabel("fitted (s)")
        ax.set_ylabel("measured (s)")
        fig.colorbar(scatter, ax=ax, label=panel.group_label)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _log_norm(values: np.ndarray):
    from matplotlib.colors import LogNorm, Normalize

    values = np.asarray(values, dtype=float)
    if values.size and values.min() > 0 and values.max() > values.min():
        return LogNorm(values.min(), values.max())
    return Normalize()
