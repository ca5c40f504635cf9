"""Figure 8: SpiNNaker communication load per core with the default and the grid neuron order.

For every population with afferents, the cores are cut along each order (``ordering``)
and ``core_load`` counts the packets every core receives per step; panel a shows the
distribution over cores of each core's peak, panel b the peak of each population and of
the whole network, with the reduction the grid order brings (``core_load_summary`` and
``network_core_load`` of ``analysis.run``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS
from cerebrepro.analysis.core_load import CoreLoad
from cerebrepro.analysis.run import core_load_summary, network_core_load
from cerebrepro.analysis.serialize import to_plain
from cerebrepro.figures.core_loads import ordered_core_loads
from cerebrepro.figures.output import FigureOutput, caption_text
from cerebrepro.figures.runs import FigureRun, runs_paragraph
from cerebrepro.figures.style import (
    FONT_SIZE,
    new_figure,
    panel_letter,
    plain_log_scale,
    population_colour,
    tidy_axes,
)
from cerebrepro.model.neuron_order import GRID_COLUMNS, GRID_ROWS, GridEdges
from cerebrepro.scaffold.types import Scaffold

NUMBER = 8
PAPER_REDUCTION = 41.0  # percent, the grid order's peak reduction reported by the paper
ORDER_LINES: Mapping[str, str] = {"default": "-", "grid": "--"}
ORDER_HATCH: Mapping[str, str] = {"default": "", "grid": "///"}
ECDF_COLUMNS = 3
ORDER_NAMES = ("default", "grid")


def ordering_figure(
    run: FigureRun, scaffold: Scaffold, notes: Sequence[str] = (), chunk_steps: int = DEFAULT_CHUNK_STEPS
) -> FigureOutput:
    """Per-core peak loads (ECDF per population) and peak loads per order (bars)."""
    loads = ordered_core_loads(run.result, scaffold, chunk_steps)
    summaries = {
        name: core_load_summary(load, name, run.result.spikes[name].size, run.result.timestep)
        for name, load in loads.items()
    }
    network = network_core_load(loads, run.result.timestep, GridEdges.over(scaffold.positions))
    rows = -(-len(loads) // ECDF_COLUMNS)
    figure = new_figure(13.0, 2.6 * rows + 0.8)
    grid = figure.add_gridspec(rows, ECDF_COLUMNS + 2)
    for k, (name, load) in enumerate(loads.items()):
        ax = figure.add_subplot(grid[k // ECDF_COLUMNS, k % ECDF_COLUMNS])
        draw_ecdf(ax, name, load, summaries[name])
        if k == 0:
            panel_letter(ax, "a")
    bars = figure.add_subplot(grid[:, ECDF_COLUMNS:])
    draw_peaks(bars, summaries, network)
    panel_letter(bars, "b")
    figure.suptitle("SpiNNaker communication load per core: default vs grid neuron order", fontsize=FONT_SIZE + 3)
    caption = ordering_caption(run, summaries, network, notes)
    statistics = {"populations": summaries, "network": network, "paper_peak_reduction_percent": PAPER_REDUCTION}
    return FigureOutput(NUMBER, figure, caption, to_plain(statistics))


def draw_ecdf(ax: Axes, name: str, loads: Mapping[str, CoreLoad], summary: Mapping[str, object]) -> None:
    """Cumulative fraction of cores against each core's peak packets per step, per order."""
    for order in ORDER_NAMES:
        peaks = loads[order].per_core_peak
        if peaks.size:
            ax.ecdf(peaks, color=population_colour(name), linestyle=ORDER_LINES[order], linewidth=1.3,
                    label=f"{order}: peak {loads[order].peak:,}")
    n_cores, per_core = summary["n_cores"], summary["cells_per_core"]
    cores = f"{n_cores:,} core{'s' if n_cores != 1 else ''}, {per_core} cell{'s' if per_core != 1 else ''}/core"
    change = peak_change(summary["peak_reduction_percent"])
    ax.set_title(f"{name}\n{cores}; peak {change}", fontsize=FONT_SIZE + 0.5, color=population_colour(name))
    ax.set_xlabel("peak packets per step of a core", fontsize=FONT_SIZE)
    ax.set_ylabel("fraction of cores", fontsize=FONT_SIZE)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=FONT_SIZE - 1.5, frameon=False, loc="lower right")
    tidy_axes(ax)


def draw_peaks(ax: Axes, summaries: Mapping[str, Mapping], network: Mapping[str, object]) -> None:
    """Grouped bars: peak packets per core and step per population and order, the network last."""
    names = list(summaries) + ["network"]
    peaks = {
        order: [summaries[n][order]["peak"] for n in summaries] + [network[order]["peak"]]
        for order in ORDER_NAMES
    }
    reductions = [summaries[n]["peak_reduction_percent"] for n in summaries] + [network["peak_reduction_percent"]]
    x = np.arange(len(names))
    width = 0.38
    colours = [population_colour(n) if n in summaries else "0.25" for n in names]
    for k, order in enumerate(ORDER_NAMES):
        ax.bar(x + (k - 0.5) * width, peaks[order], width, color=colours, alpha=0.8 if k == 0 else 0.45,
               hatch=ORDER_HATCH[order], edgecolor="0.2", linewidth=0.6, label=f"{order} order")
    for xi, top, reduction in zip(x, np.maximum(peaks["default"], peaks["grid"]), reductions, strict=True):
        ax.annotate(peak_change(reduction), (xi, top), textcoords="offset points", xytext=(0, 3),
                    ha="center", fontsize=FONT_SIZE - 1)
    plain_log_scale(ax)
    ax.set_ylim(1, 4 * max(max(peaks["default"]), max(peaks["grid"]), 1))
    ax.set_xticks(x, names, rotation=30, ha="right", fontsize=FONT_SIZE)
    ax.set_ylabel("peak packets received per core per step", fontsize=FONT_SIZE)
    ax.set_title(f"Peak load and its change with the grid order (paper: \u2212{PAPER_REDUCTION:g} %)",
                 fontsize=FONT_SIZE + 0.5)
    ax.legend(fontsize=FONT_SIZE - 1, frameon=False, loc="upper center", ncols=2)
    tidy_axes(ax)


def peak_change(reduction: float | None) -> str:
    """The change of a peak as signed percent (``-10 %``, ``+8 %``, ``0 %``); ``n/a`` if undefined."""
    if reduction is None or not np.isfinite(reduction):
        return "n/a"
    change = -float(reduction)
    return "0 %" if round(change) == 0 else f"{change:+.0f} %".replace("-", "\u2212")


def ordering_caption(
    run: FigureRun, summaries: Mapping[str, Mapping], network: Mapping[str, object], notes: Sequence[str]
) -> str:
    columns, rows = GRID_COLUMNS, GRID_ROWS
    reduction = network["peak_reduction_percent"]
    per_population = ", ".join(
        f"{name} {s['default']['peak']:,} to {s['grid']['peak']:,}"
        for name, s in summaries.items()
    )
    body = (
        "Estimated SpiNNaker communication load from the spikes of one run: each population is cut "
        "into cores of consecutive cells of a neuron order (64 cells per core, purkinje 1), and a "
        "core receives, per 0.1 ms step, one multicast packet per distinct spiking pre-synaptic "
        "cell with at least one target on it. Default order: the scaffold's cell order; grid "
        f"order (the original study's): every population cut into {columns} columns along x by "
        f"{rows} rows along z over the bounds of all cells, voxels visited column-major and cells "
        "sorted by position inside each. (a) Cumulative distribution over the cores of each population "
        "of every core's peak packets in one step (solid: default, dashed: grid; the title gives "
        "the number of cores, the cells per core and the change of the population's peak). (b) "
        "Peak packets per core and step of each population and of the whole network (log scale; "
        "plain: default, hatched: grid), labelled with the change the grid order brings. Peak per "
        f"population, default to grid: {per_population}. Network peak "
        f"{network['default']['peak']:,} ({network['default']['population']}) with the default "
        f"order, {network['grid']['peak']:,} ({network['grid']['population']}) with the grid "
        f"order: a reduction of {_percent(reduction)}, against the {PAPER_REDUCTION:g} % the "
        "paper reports. Cores holding a single cell (purkinje) or a whole population (when it "
        "has 64 cells or fewer) receive the same packets in every order."
    )
    return caption_text(NUMBER, "Communication load per core with the default and the grid order", body,
                        *notes, runs_paragraph([run]))


def _percent(value: object) -> str:
    return "undefined" if value is None or not np.isfinite(float(value)) else f"{float(value):.1f} %"
