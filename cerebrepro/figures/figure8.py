"""Figure 8: SpiNNaker communication load per core with the default and the grid neuron order.

For every population with afferents the cores are cut along each order and
``packet_load`` estimates from the run's spikes the multicast packets every core receives
per step (routing by source core, one delay model drawn: the paper's by default; the
statistics hold both). Panel a shows, per population, the distribution over its cores of
each core's peak; panel b the peak of each population and of the whole network with the
change the grid order brings; panel c the median over cores of the per-core peaks
(``packet_load_summary`` and ``network_core_load`` of ``analysis.run``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS
from cerebrepro.analysis.packet_load import (
    DEFAULT_DELAY_MODEL,
    DELAY_MODELS,
    DELAY_SLOTS,
    PacketLoad,
    delay_slots,
)
from cerebrepro.analysis.run import PACKET_LOAD_METHOD, network_core_load, packet_load_summary
from cerebrepro.analysis.serialize import to_plain
from cerebrepro.figures.core_loads import packet_loads_of_run
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
PAPER_REDUCTION = 41.0  # percent, the grid order's peak reduction the paper measured on hardware
ORDER_LINES: Mapping[str, str] = {"default": "-", "grid": "--"}
ORDER_HATCH: Mapping[str, str] = {"default": "", "grid": "///"}
ECDF_COLUMNS = 3
ORDER_NAMES = ("default", "grid")


def ordering_figure(
    run: FigureRun,
    scaffold: Scaffold,
    notes: Sequence[str] = (),
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
    delay_model: str = DEFAULT_DELAY_MODEL,
) -> FigureOutput:
    """Per-core peak loads (ECDF per population), peak and median loads per order (bars).

    ``delay_model`` is the one drawn; the statistics give every model of ``DELAY_MODELS``.
    """
    delay_slots(delay_model)
    models = (delay_model, *(m for m in DELAY_MODELS if m != delay_model))
    by_model = packet_loads_of_run(run.result, scaffold, models, chunk_steps)
    loads = by_model[delay_model]
    timestep = run.result.timestep
    summaries = {
        name: population_statistics(name, {m: by_model[m][name] for m in models}, run, delay_model)
        for name in loads
    }
    network = network_core_load(loads, timestep, GridEdges.over(scaffold.positions))
    network["delay_models"] = {m: network_core_load(by_model[m], timestep) for m in models}
    rows = max(-(-len(loads) // ECDF_COLUMNS), 2)
    figure = new_figure(13.0, 2.6 * rows + 0.8)
    grid = figure.add_gridspec(rows, ECDF_COLUMNS + 2)
    for k, (name, load) in enumerate(loads.items()):
        ax = figure.add_subplot(grid[k // ECDF_COLUMNS, k % ECDF_COLUMNS])
        draw_ecdf(ax, name, load, summaries[name])
        if k == 0:
            panel_letter(ax, "a")
    right = grid[:, ECDF_COLUMNS:].subgridspec(2, 1)
    bars, medians = figure.add_subplot(right[0]), figure.add_subplot(right[1])
    draw_peaks(bars, summaries, network)
    panel_letter(bars, "b")
    draw_medians(medians, summaries)
    panel_letter(medians, "c")
    figure.suptitle(
        f"Estimated SpiNNaker packets per core and step (delay model {delay_model}): "
        "default vs grid neuron order",
        fontsize=FONT_SIZE + 3,
    )
    caption = ordering_caption(run, summaries, network, delay_model, notes)
    statistics = {
        "method": PACKET_LOAD_METHOD,
        "delay_model": delay_model,
        "populations": summaries,
        "network": network,
        "paper_peak_reduction_percent": PAPER_REDUCTION,
    }
    return FigureOutput(NUMBER, figure, caption, to_plain(statistics))


def population_statistics(
    name: str, loads: Mapping[str, Mapping[str, PacketLoad]], run: FigureRun, delay_model: str
) -> dict:
    """The drawn delay model's per-order statistics at the top, every model's under its name."""
    summary = packet_load_summary(loads, name, run.result.spikes[name].size, run.result.timestep)
    return {**summary, "delay_model": delay_model, **summary[delay_model]}


def draw_ecdf(
    ax: Axes, name: str, loads: Mapping[str, PacketLoad], summary: Mapping[str, object]
) -> None:
    """Cumulative fraction of cores against each core's peak packets per step, per order."""
    for order in ORDER_NAMES:
        peaks = loads[order].per_core_peak
        if peaks.size:
            ax.ecdf(
                peaks,
                color=population_colour(name),
                linestyle=ORDER_LINES[order],
                linewidth=1.3,
                label=f"{order}: peak {loads[order].peak:,}, median {summary[order]['median']:,.0f}",
            )
    n_cores, per_core = summary["n_cores"], summary["cells_per_core"]
    cores = f"{n_cores:,} core{'s' if n_cores != 1 else ''}, {per_core} cell{'s' if per_core != 1 else ''}/core"
    change = peak_change(summary["peak_reduction_percent"])
    ax.set_title(
        f"{name}\n{cores}; peak {change}", fontsize=FONT_SIZE + 0.5, color=population_colour(name)
    )
    ax.set_xlabel("peak packets per step of a core", fontsize=FONT_SIZE)
    ax.set_ylabel("fraction of cores", fontsize=FONT_SIZE)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=FONT_SIZE - 1.5, frameon=True, framealpha=0.85, edgecolor="none", loc="best")
    tidy_axes(ax)


def draw_peaks(ax: Axes, summaries: Mapping[str, Mapping], network: Mapping[str, object]) -> None:
    """Grouped bars: peak packets per core and step per population and order, the network last."""
    names = list(summaries) + ["network"]
    peaks = {
        order: [summaries[n][order]["peak"] for n in summaries] + [network[order]["peak"]]
        for order in ORDER_NAMES
    }
    reductions = [summaries[n]["peak_reduction_percent"] for n in summaries] + [
        network["peak_reduction_percent"]
    ]
    x = order_bars(
        ax, names, peaks, [population_colour(n) if n in summaries else "0.25" for n in names]
    )
    for xi, top, reduction in zip(
        x, np.maximum(peaks["default"], peaks["grid"]), reductions, strict=True
    ):
        ax.annotate(
            peak_change(reduction),
            (xi, top),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            fontsize=FONT_SIZE - 1,
        )
    ax.set_ylabel("peak packets per core per step", fontsize=FONT_SIZE)
    ax.set_title(
        "Peak load and its change with the grid order\n"
        f"(the paper, on hardware: \u2212{PAPER_REDUCTION:g} % network peak)",
        fontsize=FONT_SIZE + 0.5,
    )
    ax.legend(fontsize=FONT_SIZE - 1, frameon=False, loc="upper center", ncols=2)


def draw_medians(ax: Axes, summaries: Mapping[str, Mapping]) -> None:
    """Grouped bars: the median over a population's cores of each core's peak, per order."""
    names = list(summaries)
    medians = {order: [summaries[n][order]["median"] for n in names] for order in ORDER_NAMES}
    order_bars(ax, names, medians, [population_colour(n) for n in names])
    ax.set_ylabel("median over cores of the\nper-core peak packets per step", fontsize=FONT_SIZE)
    ax.set_title("Typical core: median of the per-core peaks", fontsize=FONT_SIZE + 0.5)


def order_bars(
    ax: Axes, names: Sequence[str], values: Mapping[str, Sequence[float]], colours: Sequence[str]
) -> np.ndarray:
    """Default (plain) and grid (hatched) bars side by side per name, on a log scale; the bar centres."""
    x = np.arange(len(names))
    width = 0.38
    for k, order in enumerate(ORDER_NAMES):
        ax.bar(
            x + (k - 0.5) * width,
            values[order],
            width,
            color=colours,
            alpha=0.8 if k == 0 else 0.45,
            hatch=ORDER_HATCH[order],
            edgecolor="0.2",
            linewidth=0.6,
            label=f"{order} order",
        )
    plain_log_scale(ax)
    top = max((v for order in ORDER_NAMES for v in values[order] if np.isfinite(v)), default=1.0)
    ax.set_ylim(1, 4 * max(top, 1.0))
    ax.set_xticks(x, names, rotation=30, ha="right", fontsize=FONT_SIZE)
    tidy_axes(ax)
    return x


def peak_change(reduction: float | None) -> str:
    """The change of a peak as signed percent (``-10 %``, ``+8 %``, ``0 %``); ``n/a`` if undefined."""
    if reduction is None or not np.isfinite(reduction):
        return "n/a"
    change = -float(reduction)
    return "0 %" if round(change) == 0 else f"{change:+.0f} %".replace("-", "\u2212")


def ordering_caption(
    run: FigureRun,
    summaries: Mapping[str, Mapping],
    network: Mapping[str, object],
    delay_model: str,
    notes: Sequence[str],
) -> str:
    columns, rows = GRID_COLUMNS, GRID_ROWS
    slots = DELAY_SLOTS[delay_model]
    per_population = ", ".join(
        f"{name} {s['default']['peak']:,} to {s['grid']['peak']:,} (median {s['default']['median']:,.0f} "
        f"to {s['grid']['median']:,.0f})"
        for name, s in summaries.items()
    )
    others = ", ".join(
        f"{model}: {_percent(n['peak_reduction_percent'])}"
        for model, n in network["delay_models"].items()
        if model != delay_model
    )
    body = (
        "SpiNNaker communication load estimated from the spikes of one run; this is not the "
        "hardware counter MAX_SPIKES_IN_A_TICK the paper read from every core, but the packets "
        "sPyNNaker would deliver. Every population, spike sources included, is cut into cores of "
        "consecutive neurons of an order (64 per core, purkinje 1); multicast packets are routed by "
        "source core, so a core receives, per 0.1 ms step, every spike of every source core with at "
        "least one synapse onto it, one packet per spike, whether or not the spiking cell has a "
        "target there. The order of the pre-synaptic populations therefore matters as much as the "
        f"receiving population's. Delay model {delay_model}: {slots} delay slots per core; a "
        f"synapse with a delay of d > {slots} steps is served by delay-extension stage "
        f"ceil(d/{slots}) - 1, which re-sends the spike {slots} k steps later as a packet of its "
        "own, while delays the receiving core holds arrive in the step the spike is sent. Not "
        "modelled: synapse processing time, dropped packets. Default order: the scaffold's cell "
        f"order; grid order (the original study's): every population cut into {columns} columns "
        f"along x by {rows} rows along z over the bounds of all cells, voxels visited "
        "column-major and cells sorted by position inside each. (a) Cumulative distribution over "
        "the cores of each population of every core's peak packets in one step (solid: default, "
        "dashed: grid; the title gives the number of cores, the cells per core and the change of "
        "the population's peak). (b) Peak packets per core and step of each population and of the "
        "whole network (log scale; plain: default, hatched: grid), labelled with the change the "
        "grid order brings. (c) Median over each population's cores of the per-core peaks. Peak "
        f"per population, default to grid: {per_population}. Network peak "
        f"{network['default']['peak']:,} ({network['default']['population']}) with the default "
        f"order, {network['grid']['peak']:,} ({network['grid']['population']}) with the grid "
        f"order: a reduction of {_percent(network['peak_reduction_percent'])}"
        + (f" ({others} with the other delay model)" if others else "")
        + f". For comparison only (nothing here is tuned toward it): the paper reported that the "
        f"grid order cut the peak by about {PAPER_REDUCTION:g} %, measured on the hardware with a "
        "custom sPyNNaker."
    )
    return caption_text(
        NUMBER,
        "Estimated communication load per core with the default and the grid order",
        body,
        *notes,
        runs_paragraph([run]),
    )


def _percent(value: object) -> str:
    return (
        "undefined" if value is None or not np.isfinite(float(value)) else f"{float(value):.1f} %"
    )
