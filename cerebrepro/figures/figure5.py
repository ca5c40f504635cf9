"""Figure 5: per-cell firing-rate distributions per population and period, per simulator.

Two views. Panel a, all cells: boxes drawn from the distribution summaries of
``analyse_run`` (percentiles 5, 25, 50, 75, 95 and the mean of the per-cell rates in each
delay-shifted window). Panel b, the original study's view (its figure 5, SpiNNCer's
``compare_results``): the stimulus-window rates of the excited cells only, every
population but dcn, each run's own excited cells (``original_view.py``). When two runs
are comparable cell by cell, ``compare_runs`` and ``excited_comparison`` add distances
between them to the statistics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cerebrepro.analysis.compare import compare_runs, comparison_mismatches, excited_comparison
from cerebrepro.analysis.original_view import (
    ORIGINAL_VIEW,
    ExcitedRates,
    excited_stimulus_rates,
    original_populations,
)
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.summary import describe
from cerebrepro.analysis.windows import WINDOW_NAMES
from cerebrepro.figures.output import FigureOutput, caption_text
from cerebrepro.figures.runs import FigureRun, run_labels, runs_paragraph
from cerebrepro.figures.style import (
    FONT_SIZE,
    display_order,
    new_figure,
    panel_letter,
    population_colour,
    simulator_colour,
    tidy_axes,
)

NUMBER = 5
COLUMNS = 4
GROUP_WIDTH = 0.8  # of the unit spacing between periods
COMPARED = ("rate_difference", "ks", "wasserstein", "cohens_d")
ORIGINAL_COMPARED = (
    "excited_both",
    "mean_difference",
    "median_difference",
    "ks",
    "wasserstein",
    "cohens_d",
)
ALL_CELLS_VIEW = (
    "all cells: every cell of every population, in the baseline, stimulus and post windows"
)
EXCITED_SET = (
    "each run's own excited cells (the original's compare_results classified each run on its "
    "own spikes); excited_both counts the cells excited in both runs"
)


def box_statistics(window: Mapping[str, object], label: str) -> dict | None:
    """The ``Axes.bxp`` description of one window's per-cell rates; None if undefined."""
    rates = window["cell_rates"]
    keys = {
        "med": "median",
        "q1": "p25",
        "q3": "p75",
        "whislo": "p5",
        "whishi": "p95",
        "mean": "mean",
    }
    if any(rates.get(k) is None for k in keys.values()):
        return None
    return {name: rates[key] for name, key in keys.items()} | {"label": label, "fliers": []}


def rate_distribution_figure(runs: Sequence[FigureRun], notes: Sequence[str] = ()) -> FigureOutput:
    """Box plots of per-cell rates: a, every population by period (runs within); b, the original's view."""
    labels = run_labels(runs)
    statistics = {
        label: analyse_run(run.result, None, run.protocol)
        for label, run in zip(labels, runs, strict=True)
    }
    populations = display_order(runs[0].result.spikes)
    excited = {label: excited_rates(run) for label, run in zip(labels, runs, strict=True)}
    rows = -(-(len(populations) + 1) // COLUMNS)
    figure = new_figure(3.3 * COLUMNS, 2.9 * (rows + 1))
    grid = figure.add_gridspec(rows + 1, COLUMNS)
    axes = [figure.add_subplot(grid[k // COLUMNS, k % COLUMNS]) for k in range(rows * COLUMNS)]
    for ax, name in zip(axes, populations, strict=False):
        draw_population(ax, name, runs, labels, statistics)
    legend_panel(axes[len(populations)], runs, labels)
    for ax in axes[len(populations) + 1 :]:
        ax.set_visible(False)
    original = figure.add_subplot(grid[rows, :])
    draw_original_view(original, runs, labels, excited)
    panel_letter(axes[0], "a")
    panel_letter(original, "b")
    figure.suptitle(
        "Per-cell firing rates: a, all cells per population and period; "
        "b, excited cells in the stimulus window (the original study's view)",
        fontsize=FONT_SIZE + 3,
    )
    comparisons, refusals = comparisons_against_first(runs, labels)
    caption = rate_caption(runs, labels, notes, refusals, excited)
    statistics_out = {
        "views": {"all_cells": ALL_CELLS_VIEW, "original": ORIGINAL_VIEW},
        **rate_statistics(statistics, comparisons, refusals),
        "original": original_statistics(labels, excited, refusals),
    }
    return FigureOutput(NUMBER, figure, caption, statistics_out)


def excited_rates(run: FigureRun) -> dict[str, ExcitedRates]:
    """The excited cells and stimulus rates of every population of ``run`` but dcn."""
    result = run.result
    return {
        name: excited_stimulus_rates(
            name, result.spikes[name], result.timestep, result.duration, run.protocol
        )
        for name in original_populations(display_order(result.spikes))
    }


def draw_original_view(
    ax: Axes,
    runs: Sequence[FigureRun],
    labels: Sequence[str],
    excited: Mapping[str, Mapping[str, ExcitedRates]],
) -> None:
    """Panel b: a group per population (no dcn), a box per run of its excited cells' stimulus rates."""
    names = list(excited[labels[0]])
    width = GROUP_WIDTH / len(runs)
    ticks = []
    for position, name in enumerate(names):
        for k, run in enumerate(runs):
            sample = excited[labels[k]][name]
            box = (
                box_statistics({"cell_rates": describe(sample.rates)}, labels[k])
                if sample.rates.size
                else None
            )
            if box is not None:
                offset = (k - (len(runs) - 1) / 2) * width
                ax.bxp(
                    [box],
                    positions=[position + offset],
                    widths=0.85 * width,
                    showmeans=True,
                    patch_artist=True,
                    **box_style(name, run.simulator, first=k == 0),
                )
        window = excited[labels[0]][name].window
        counts = " / ".join(str(excited[label][name].cells.size) for label in labels)
        ticks.append(f"{name}\n[{window.start:g}, {window.stop:g})\nn = {counts}")
    ax.set_xticks(range(len(names)), ticks, fontsize=FONT_SIZE - 1)
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylim(bottom=0)
    ax.set_title(
        "Excited cells only, stimulus window, dcn left out; each run's own excited cells "
        f"(n: excited cells, {' / '.join(labels)})",
        fontsize=FONT_SIZE + 1,
    )
    ax.set_ylabel("stimulus rate of excited cells (Hz)", fontsize=FONT_SIZE)
    tidy_axes(ax)


def draw_population(
    ax: Axes,
    name: str,
    runs: Sequence[FigureRun],
    labels: Sequence[str],
    statistics: Mapping[str, dict],
) -> None:
    """Boxes of one population: a group per period, a box per run inside the group."""
    width = GROUP_WIDTH / len(runs)
    ticks: list[str] = []
    for k, run in enumerate(runs):
        windows = statistics[labels[k]]["populations"][name]["windows"]
        for position, window in enumerate(WINDOW_NAMES):
            box = box_statistics(windows[window], labels[k])
            if box is None:
                continue
            offset = (k - (len(runs) - 1) / 2) * width
            ax.bxp(
                [box],
                positions=[position + offset],
                widths=0.85 * width,
                showmeans=True,
                patch_artist=True,
                **box_style(name, run.simulator, first=k == 0),
            )
        if k == 0:
            ticks = [
                f"{w}\n[{windows[w]['start']:g}, {windows[w]['stop']:g})" for w in WINDOW_NAMES
            ]
    ax.set_xticks(range(len(WINDOW_NAMES)), ticks, fontsize=FONT_SIZE - 1)
    ax.set_xlim(-0.6, len(WINDOW_NAMES) - 0.4)
    ax.set_ylim(bottom=0)
    size = runs[0].result.spikes[name].size
    ax.set_title(f"{name} ({size:,} cells)", fontsize=FONT_SIZE + 1, color=population_colour(name))
    ax.set_ylabel("rate (Hz)", fontsize=FONT_SIZE)
    tidy_axes(ax)


def box_style(population: str, simulator: str, first: bool) -> dict[str, dict]:
    """Fill in the population's colour (hatched after the first run), lines in the simulator's."""
    lines = simulator_colour(simulator)
    return {
        "boxprops": {
            "facecolor": population_colour(population),
            "alpha": 0.55 if first else 0.3,
            "edgecolor": lines,
            "hatch": "" if first else "///",
        },
        "medianprops": {"color": lines, "linewidth": 1.4},
        "whiskerprops": {"color": lines},
        "capprops": {"color": lines},
        "meanprops": {
            "marker": "D",
            "markersize": 3.5,
            "markerfacecolor": "white",
            "markeredgecolor": lines,
        },
    }


def legend_panel(ax: Axes, runs: Sequence[FigureRun], labels: Sequence[str]) -> None:
    """The last panel: which run each box style stands for, and what a box shows."""
    handles = [
        Patch(
            facecolor="0.6",
            alpha=0.55 if k == 0 else 0.3,
            hatch="" if k == 0 else "///",
            edgecolor=simulator_colour(run.simulator),
            label=label,
        )
        for k, (run, label) in enumerate(zip(runs, labels, strict=True))
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=FONT_SIZE, frameon=False, title="run")
    ax.text(
        0.0,
        0.5,
        "box: 25th-75th percentile\nline: median\nwhiskers: 5th-95th percentile\n"
        "diamond: mean (population rate)\nwindow times in ms",
        transform=ax.transAxes,
        fontsize=FONT_SIZE,
        va="top",
    )
    ax.set_axis_off()


def comparisons_against_first(
    runs: Sequence[FigureRun], labels: Sequence[str]
) -> tuple[dict, dict]:
    """``compare_runs`` of every later run against the first, and why any pair was refused."""
    comparisons, refusals = {}, {}
    for run, label in zip(runs[1:], labels[1:], strict=True):
        key = f"{label} vs {labels[0]}"
        problems = comparison_mismatches(runs[0].result, run.result)
        if problems:
            refusals[key] = problems
            continue
        full = compare_runs(runs[0].result, run.result, runs[0].protocol)
        comparisons[key] = {
            name: {w: {k: s[k] for k in COMPARED} for w, s in p["windows"].items()}
            for name, p in full["populations"].items()
        }
    return comparisons, refusals


def rate_caption(
    runs: Sequence[FigureRun],
    labels: Sequence[str],
    notes: Sequence[str],
    refusals: Mapping[str, list],
    excited: Mapping[str, Mapping[str, ExcitedRates]],
) -> str:
    protocol = runs[0].protocol
    body = (
        "Two views. a, all cells: distributions of per-cell firing rates (Hz) of every "
        "population (panels, input first) "
        f"in the baseline, stimulus and post-stimulus periods (groups). Each population's "
        f"windows are shifted by its synaptic delay from the glomeruli (stimulus "
        f"{protocol.start:g}-{protocol.stop:g} ms plus the delay; the window of each group is "
        "printed under it, half-open, in ms); a rate is the cell's spike count over the "
        "window's duration. Box: 25th-75th percentile; line: median; whiskers: 5th-95th "
        "percentile; diamond: mean (the population rate)."
    )
    if len(runs) > 1:
        body += (
            f" Boxes side by side: {', '.join(labels)} (plain, then hatched). "
            "The statistics file adds, per population and window, the rate difference, the "
            "Kolmogorov-Smirnov statistic, the Wasserstein distance and Cohen's d of the "
            f"per-cell rates against {labels[0]}."
        )
    extra = [f"{key}: not compared cell by cell ({'; '.join(p)})." for key, p in refusals.items()]
    return caption_text(
        NUMBER,
        "Per-cell firing-rate distributions per population and period",
        body,
        original_caption(labels, excited),
        *notes,
        *extra,
        runs_paragraph(runs),
    )


def original_caption(
    labels: Sequence[str], excited: Mapping[str, Mapping[str, ExcitedRates]]
) -> str:
    """The paragraph on panel b, with the excited cells of every run per population."""
    counts = "; ".join(
        f"{name} {'/'.join(str(excited[label][name].cells.size) for label in labels)}"
        for name in excited[labels[0]]
    )
    text = (
        "b, the original study's view (its figure 5): stimulus-window rates (Hz) of the excited "
        "cells only (stimulus rate > 2 x baseline rate and at least one spike in the run; "
        "granule cells also at least 2 spikes in the stimulus window), every population but "
        "dcn, each run's own excited cells as in the original's comparison (the cells excited "
        "in both runs are counted in the statistics file). Boxes as in a (the original drew "
        "notched boxes with whiskers at 1.5 interquartile ranges). Excited cells per run "
        f"({'/'.join(labels)}): {counts}."
    )
    if len(labels) > 1:
        text += (
            " The statistics file adds, per population, the differences of the mean and the "
            "median rate, the Kolmogorov-Smirnov statistic, the Wasserstein distance and "
            f"Cohen's d of the two excited samples against {labels[0]}."
        )
    return text


def rate_statistics(statistics: Mapping[str, dict], comparisons: dict, refusals: dict) -> dict:
    """Per run, population and window: the population rate and the per-cell rate summary."""
    return {
        "rates": {
            label: {
                name: {
                    w: {
                        "window_ms": [s["start"], s["stop"]],
                        "rate": s["rate"],
                        "cell_rates": s["cell_rates"],
                    }
                    for w, s in p["windows"].items()
                }
                for name, p in stats["populations"].items()
            }
            for label, stats in statistics.items()
        },
        "comparisons": comparisons,
        "not_compared": refusals,
    }


def original_statistics(
    labels: Sequence[str],
    excited: Mapping[str, Mapping[str, ExcitedRates]],
    refusals: Mapping[str, list],
) -> dict:
    """Panel b: per run and population the excited cells and their rates; distances to the first run."""
    comparisons = {}
    for label in labels[1:]:
        key = f"{label} vs {labels[0]}"
        if key in refusals:
            continue
        comparisons[key] = {
            name: {
                k: v
                for k, v in excited_comparison(first, excited[label][name]).items()
                if k in ORIGINAL_COMPARED
            }
            for name, first in excited[labels[0]].items()
        }
    return {
        "excited_set": EXCITED_SET,
        "rates": {
            label: {
                name: {"window_ms": [e.window.start, e.window.stop], **e.summary()}
                for name, e in excited[label].items()
            }
            for label in labels
        },
        "comparisons": comparisons,
    }
