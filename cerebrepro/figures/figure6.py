"""Figure 6: spike timing between two simulators, and the membrane of one granule cell.

Panel a (only with a run on a second simulator): histograms of the lag of matching
spikes (``lead_lag.matching_lags``: the nearest spike of the same cell in run B within
+-5 ms of each spike of run A), per population. Panel b: membrane potential and
excitatory and inhibitory conductances of one recorded granule cell, 200-450 ms, with its
spikes; the cell is a typical excited one (see ``chosen_cell``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from cerebrepro.analysis.lead_lag import MAX_LAG, lag_summary, matching_lags
from cerebrepro.analysis.rates import counts_to_rates, window_counts
from cerebrepro.analysis.response import MIN_STIMULUS_SPIKES, classify_response
from cerebrepro.analysis.windows import EDGE_TOLERANCE, population_windows
from cerebrepro.errors import ResultError
from cerebrepro.figures.output import FigureOutput, caption_text
from cerebrepro.figures.runs import FigureRun, run_labels, runs_paragraph
from cerebrepro.figures.style import (
    FONT_SIZE,
    display_order,
    new_figure,
    panel_letter,
    population_colour,
    shade_stimulus,
    simulator_colour,
    simulator_line,
    tidy_axes,
)
from cerebrepro.model.cerebellum import CELLS, REFERENCE_PROTOCOL, Protocol
from cerebrepro.results.types import AnalogSignals, RunResult

NUMBER = 6
CELL_POPULATION = "granule"
VIEW = (200.0, 450.0)  # ms
LAG_BIN = 0.1  # ms, one timestep
SIGNALS = (
    ("v", "membrane potential (mV)", 1.0),
    ("gsyn_exc", "g_exc (nS)", 1e3),
    ("gsyn_inh", "g_inh (nS)", 1e3),
)


def sample_times(signals: AnalogSignals, duration: float) -> np.ndarray:
    """Times (ms) of the samples of ``signals``.

    A result holds samples without a start time: ``duration / interval`` samples are taken
    to start one interval in (NEST samples at the end of each step), one more to start at 0.
    """
    n = next(iter(signals.signals.values())).shape[0]
    starts_at_zero = n > round(duration / signals.sampling_interval)
    offset = 0 if starts_at_zero else 1
    return (np.arange(n) + offset) * signals.sampling_interval


@dataclass(frozen=True)
class ChosenCell:
    """The recorded cell panel b shows, and why it was chosen."""

    cell: int  # population-local index
    stimulus_spikes: int  # its spikes in the stimulus window
    n_recorded: int
    n_excited: int  # recorded cells excited by the stimulus


def chosen_cell(
    result: RunResult, protocol: Protocol = REFERENCE_PROTOCOL, population: str = CELL_POPULATION
) -> ChosenCell:
    """A typical excited recorded cell: the median stimulus-window spike count among them.

    Cells are classified by ``response.classify_response``; among the recorded cells it
    calls excited (all recorded cells if none is), sorted by stimulus-window spikes and
    then index, the middle one (the lower of two) is chosen. Raises ResultError when the
    run recorded no cell of ``population``.
    """
    recorded = result.analog.get(population)
    if recorded is None or recorded.cells.size == 0:
        raise ResultError(f"the run recorded no membrane potential of any {population} cell")
    spikes = result.spikes[population]
    tolerance = EDGE_TOLERANCE * result.timestep
    baseline, stimulus, _ = population_windows(population, result.duration, protocol)
    counts = {
        w.name: window_counts(spikes.times, spikes.cells, spikes.size, w, tolerance)
        for w in (baseline, stimulus)
    }
    response = classify_response(
        counts_to_rates(counts["baseline"], baseline),
        counts_to_rates(counts["stimulus"], stimulus),
        spikes.counts_per_cell(),
        counts["stimulus"],
        MIN_STIMULUS_SPIKES.get(population, 0),
    )
    excited = recorded.cells[response.excited[recorded.cells]]
    candidates = excited if excited.size else recorded.cells
    ranked = candidates[np.lexsort((candidates, counts["stimulus"][candidates]))]
    cell = int(ranked[(ranked.size - 1) // 2])
    return ChosenCell(
        cell, int(counts["stimulus"][cell]), int(recorded.cells.size), int(excited.size)
    )


def spike_timing_figure(
    reference: FigureRun, other: FigureRun | None = None, notes: Sequence[str] = ()
) -> FigureOutput:
    """Panel a (lead/lag, only with ``other``) and panel b (one granule cell's membrane)."""
    runs = [reference] + ([other] if other else [])
    labels = run_labels(runs)
    chosen = chosen_cell(reference.result, reference.protocol)
    figure = new_figure(11.5 if other else 7.5, 5.6)
    if other:
        left, right = figure.subfigures(1, 2, width_ratios=[1, 1.25])
        lags = draw_lags(left.subplots(), reference, other, labels)
    else:
        right, lags = figure, {}
    trace_axes = right.subplots(len(SIGNALS), 1, sharex=True)
    draw_cell(trace_axes, runs, labels, chosen.cell)
    panel_letter(trace_axes[0], "b")
    if other:
        panel_letter(figure.axes[0], "a")
    figure.suptitle("Spike timing and the membrane of one granule cell", fontsize=FONT_SIZE + 3)
    caption = timing_caption(runs, labels, chosen, notes)
    statistics = {
        "lead_lag": {"a": labels[0], "b": labels[1], "max_lag_ms": MAX_LAG, "populations": lags}
        if other
        else None,
        "cell": cell_statistics(reference, chosen),
    }
    return FigureOutput(NUMBER, figure, caption, statistics)


def draw_lags(ax: Axes, a: FigureRun, b: FigureRun, labels: Sequence[str]) -> dict[str, dict]:
    """Histogram of B - A lags of matching spikes per population; returns their summaries."""
    edges = np.arange(-MAX_LAG - LAG_BIN / 2, MAX_LAG + LAG_BIN, LAG_BIN)
    summaries = {}
    for name in display_order(p for p in a.result.spikes if p in b.result.spikes):
        sa, sb = a.result.spikes[name], b.result.spikes[name]
        lags = matching_lags(sa.times, sa.cells, sb.times, sb.cells, MAX_LAG)
        summaries[name] = lag_summary(lags)
        matched = lags[~np.isnan(lags)]
        if matched.size:
            counts, _ = np.histogram(matched, edges)
            fraction = summaries[name]["matched_fraction"]
            ax.stairs(
                counts / sa.n_spikes,
                edges,
                color=population_colour(name),
                linewidth=1.1,
                label=f"{name} ({100 * fraction:.0f} % matched)",
            )
    ax.set_yscale("log")
    ax.set_xlim(-MAX_LAG, MAX_LAG)
    ax.set_xlabel(f"lag of the matching spike, {labels[1]} - {labels[0]} (ms)", fontsize=FONT_SIZE)
    ax.set_ylabel(f"fraction of {labels[0]} spikes per {LAG_BIN:g} ms bin", fontsize=FONT_SIZE)
    ax.legend(fontsize=FONT_SIZE - 1, frameon=False, loc="upper right")
    ax.set_title("Lead/lag of matching spikes", fontsize=FONT_SIZE + 1)
    tidy_axes(ax)
    return summaries


def draw_cell(
    axes: Sequence[Axes], runs: Sequence[FigureRun], labels: Sequence[str], cell: int
) -> None:
    """v, g_exc and g_inh of ``cell`` in every run that recorded it; spikes as ticks above v."""
    view = VIEW
    stimulus = population_windows(CELL_POPULATION, runs[0].result.duration, runs[0].protocol)[1]
    for run, label in zip(runs, labels, strict=True):
        recorded = run.result.analog.get(CELL_POPULATION)
        if recorded is None or cell not in recorded.cells:
            continue
        column = int(np.flatnonzero(recorded.cells == cell)[0])
        times = sample_times(recorded, run.result.duration)
        inside = (times >= view[0]) & (times <= view[1])
        style = {
            "color": simulator_colour(run.simulator),
            "linestyle": simulator_line(run.simulator),
            "linewidth": 0.8,
            "label": label,
        }
        for ax, (signal, _, scale) in zip(axes, SIGNALS, strict=True):
            ax.plot(times[inside], recorded.signals[signal][inside, column] * scale, **style)
        spikes = run.result.spikes[CELL_POPULATION]
        mine = spikes.times[
            (spikes.cells == cell) & (spikes.times >= view[0]) & (spikes.times <= view[1])
        ]
        axes[0].plot(
            mine,
            np.full(mine.size, 1.07),
            "|",
            transform=axes[0].get_xaxis_transform(),
            color=style["color"],
            markersize=7,
            clip_on=False,
        )
    threshold = CELLS[CELL_POPULATION].parameters["v_thresh"]
    axes[0].axhline(threshold, color="0.5", linestyle=":", linewidth=0.8)
    for ax, (_, unit, _) in zip(axes, SIGNALS, strict=True):
        shade_stimulus(ax, stimulus.start, stimulus.stop)
        ax.set_ylabel(unit, fontsize=FONT_SIZE)
        ax.set_xlim(*view)
        tidy_axes(ax)
    axes[0].set_title(
        f"{CELL_POPULATION} cell {cell}: spikes (ticks), v, g_exc, g_inh",
        fontsize=FONT_SIZE + 1,
        pad=16,
    )
    axes[-1].set_xlabel("time (ms)", fontsize=FONT_SIZE)
    if len(runs) > 1:
        axes[0].legend(fontsize=FONT_SIZE - 1, frameon=False, loc="lower right")


def timing_caption(
    runs: Sequence[FigureRun], labels: Sequence[str], chosen: ChosenCell, notes: Sequence[str]
) -> str:
    stimulus = population_windows(CELL_POPULATION, runs[0].result.duration, runs[0].protocol)[1]
    recorded = runs[0].result.analog[CELL_POPULATION]
    parts = []
    if len(runs) > 1:
        parts.append(
            f"(a) Lead/lag of matching spikes: for every spike of {labels[0]}, the nearest spike of "
            f"the same cell in {labels[1]} within ±{MAX_LAG:g} ms; histogram of the lag "
            f"{labels[1]} - {labels[0]} (positive: {labels[1]} fires later) in {LAG_BIN:g} ms bins, "
            f"as a fraction of {labels[0]}'s spikes of each population (log scale); the legend gives "
            "the fraction of spikes that found a match."
        )
    else:
        parts.append(
            "Only panel b is shown: the lead/lag panel needs a run of the same spec on a second "
            "simulator (SpiNNaker or Brian2), and none was available; a run compared with itself "
            "or with a NEST run at another thread count says nothing about simulator timing."
        )
    parts.append(
        f"(b) Membrane potential (mV), excitatory and inhibitory synaptic conductances (nS) of "
        f"{CELL_POPULATION} cell {chosen.cell} (population-local index), sampled every "
        f"{recorded.sampling_interval:g} ms, {VIEW[0]:g}-{VIEW[1]:g} ms; ticks above the "
        f"potential mark its spikes, the dotted line its threshold "
        f"({CELLS[CELL_POPULATION].parameters['v_thresh']:g} mV; a spike resets v within the step, so "
        "the sampled potential stays below it). Of the {chosen.n_recorded:,} recorded {CELL_POPULATION} cells "
        f"(every 64th), {chosen.n_excited:,} are excited by the stimulus (stimulus rate above twice "
        f"the baseline rate, at least {MIN_STIMULUS_SPIKES.get(CELL_POPULATION, 0)} spikes in the "
        f"stimulus window); this one has the median number of spikes among them: "
        f"{chosen.stimulus_spikes} in its stimulus window ({stimulus.start:g}-{stimulus.stop:g} ms, "
        "shaded)." + (f" Lines: {', '.join(labels)}." if len(runs) > 1 else "")
    )
    return caption_text(
        NUMBER,
        "Spike timing and the membrane of one granule cell",
        *parts,
        *notes,
        runs_paragraph(runs),
    )


def cell_statistics(run: FigureRun, chosen: ChosenCell) -> dict:
    spikes = run.result.spikes[CELL_POPULATION]
    mine = spikes.times[spikes.cells == chosen.cell]
    return {
        "population": CELL_POPULATION,
        "cell": chosen.cell,
        "recorded_cells": chosen.n_recorded,
        "excited_recorded_cells": chosen.n_excited,
        "stimulus_window_spikes": chosen.stimulus_spikes,
        "spike_times_ms": [float(t) for t in mine[(mine >= VIEW[0]) & (mine <= VIEW[1])]],
        "view_ms": list(VIEW),
    }
