"""The figure of a mutation study (``cerebrepro verify power``): how near each mutant came to failing.

One bar per mutant (model order, the control on top) on a log axis: the largest |z| over
its threshold of the run's paired figures (1, dashed: the threshold). An infinite z (every
cell of a population moved alike) is drawn at twice the largest finite one. A bar is red
where the ensemble checks caught the mutant, orange where only the paired checks did, grey
where nothing did. Drawn from the study's plain data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from cerebrepro.figures.style import DPI, FONT_SIZE, new_figure, tidy_axes

COLOURS = {"ensemble": "#d62728", "paired": "#ff7f0e", "missed": "#7f7f7f"}
Z_FLOOR = 0.01  # where a z of zero is drawn on the log axis


def _kind(mutant: dict) -> str:
    if mutant["ensemble"]:
        return "ensemble"
    return "paired" if mutant["paired"] else "missed"


def power_figure(report: dict, path: Path) -> Path:
    """Draw the study ``report`` (see :func:`cerebrepro.verify.power.power_report`) to ``path``."""
    rows = report["mutants"]
    z = np.array(
        [m["max_abs_z"] / m["threshold"] if m["max_abs_z"] is not None else np.nan for m in rows]
    )
    finite = z[np.isfinite(z)]
    cap = 2.0 * max(float(finite.max()) if finite.size else 1.0, 1.0)  # |z| = inf: every cell alike
    shown = np.clip(np.nan_to_num(z, nan=Z_FLOOR, posinf=cap), Z_FLOOR, cap)
    figure = new_figure(6.5, 0.13 * len(rows) + 1.2)
    ax = figure.add_subplot()
    y = np.arange(len(rows))[::-1]
    ax.barh(y, shown, color=[COLOURS[_kind(m)] for m in rows], height=0.75)
    ax.set_yticks(y, [m["mutant"] for m in rows], fontsize=FONT_SIZE - 3)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("largest paired |z| / its threshold (z: mean count difference / paired SE)")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    handles = [
        ax.barh([np.nan], [np.nan], color=COLOURS[k], label=label)
        for k, label in (
            ("ensemble", "caught by the ensemble checks"),
            ("paired", "caught by the paired checks only"),
            ("missed", "missed"),
        )
    ]
    figure.legend(
        handles=handles, fontsize=FONT_SIZE - 2, loc="outside lower center", ncols=3, frameon=False
    )
    s = report["summary"]
    ax.set_title(
        f"{report['reference']} on {report['simulator']}: {s['caught_by_ensemble']} / "
        f"{s['caught_by_either']} of {s['mutants']} mutants caught (ensemble / + paired)",
        fontsize=FONT_SIZE,
    )
    tidy_axes(ax)
    figure.savefig(path, dpi=DPI)
    return Path(path)
