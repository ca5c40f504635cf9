"""Figure 4: network activity around the stimulus, a raster plot and PSTH of every population.

One column per run (simulator), one raster and one PSTH per population, 200-450 ms, with
each population's stimulus window (shifted by its input delay) shaded. The granule
raster shows a seeded random subsample of cells; every PSTH uses all cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from cerebrepro.analysis.peaks import psth
from cerebrepro.analysis.run import PSTH_PEAK_BIN, analyse_run
from cerebrepro.analysis.windows import population_windows, window_shift
from cerebrepro.figures.output import FigureOutput, caption_text
from cerebrepro.figures.runs import FigureRun, runs_paragraph
from cerebrepro.figures.style import (
    FONT_SIZE,
    display_order,
    new_figure,
    population_colour,
    shade_stimulus,
    tidy_axes,
)
from cerebrepro.results.types import PopulationSpikes

NUMBER = 4
VIEW = (200.0, 450.0)  # ms
PSTH_BIN = PSTH_PEAK_BIN  # ms, the bin of the PSTH statistics
RASTER_SAMPLE: dict[str, int] = {"granule": 2000}  # cells shown in the raster
RASTER_SAMPLE_SEED = 2019
RASTER_HEIGHT, PSTH_HEIGHT = 1.25, 0.6  # inches per population


def raster_sample(size: int, n_cells: int, seed: int = RASTER_SAMPLE_SEED) -> np.ndarray:
    """Sorted indices of ``n_cells`` cells drawn without replacement (all cells if fewer)."""
    if size <= n_cells:
        return np.arange(size, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(size, n_cells, replace=False))


def spikes_in_view(
    spikes: PopulationSpikes, view: tuple[float, float], cells: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Times and cells of the spikes inside ``view`` (ms), of ``cells`` only if given."""
    keep = (spikes.times >= view[0]) & (spikes.times <= view[1])
    if cells is not None:
        keep &= np.isin(spikes.cells, cells)
    return spikes.times[keep], spikes.cells[keep]


def activity_figure(
    runs: Sequence[FigureRun], notes: Sequence[str] = (), view: tuple[float, float] = VIEW
) -> FigureOutput:
    """Raster plots and PSTHs of every population of ``runs`` (one column each)."""
    populations = display_order(runs[0].result.spikes)
    heights = [h for _ in populations for h in (RASTER_HEIGHT, PSTH_HEIGHT)]
    figure = new_figure(1.2 + 5.2 * len(runs), 0.9 + sum(heights))
    grid = figure.add_gridspec(len(heights), len(runs), height_ratios=heights)
    samples = {}
    for column, run in enumerate(runs):
        for row, name in enumerate(populations):
            raster = figure.add_subplot(grid[2 * row, column])
            histogram = figure.add_subplot(grid[2 * row + 1, column], sharex=raster)
            samples[name] = draw_population(raster, histogram, name, run, view)
            histogram.tick_params(labelbottom=row == len(populations) - 1)
            if row == 0:
                raster.set_title(run.label, fontsize=FONT_SIZE + 2, fontweight="bold")
        histogram.set_xlabel("time (ms)", fontsize=FONT_SIZE)
    share_psth_scale(figure.axes[1::2], len(populations))
    figure.suptitle(
        f"Network activity around the stimulus, {view[0]:g}-{view[1]:g} ms", fontsize=FONT_SIZE + 3
    )
    caption = activity_caption(runs, populations, samples, notes, view)
    return FigureOutput(NUMBER, figure, caption, activity_statistics(runs, samples, view))


def draw_population(
    raster: Axes, histogram: Axes, name: str, run: FigureRun, view: tuple[float, float]
) -> np.ndarray | None:
    """The raster and PSTH of one population of one run; returns the raster's cell sample."""
    spikes = run.result.spikes[name]
    sample = raster_sample(spikes.size, RASTER_SAMPLE[name]) if name in RASTER_SAMPLE else None
    stimulus = population_windows(name, run.result.duration, run.protocol)[1]
    draw_raster(raster, name, spikes, view, sample)
    draw_psth(histogram, name, spikes, run.result.duration, view)
    for ax in (raster, histogram):
        shade_stimulus(ax, stimulus.start, stimulus.stop)
        ax.set_xlim(*view)
    raster.tick_params(labelbottom=False)
    raster.set_ylabel(raster_label(name, spikes.size, sample), fontsize=FONT_SIZE)
    histogram.set_ylabel("Hz", fontsize=FONT_SIZE - 1)
    return sample


def draw_raster(
    ax: Axes,
    name: str,
    spikes: PopulationSpikes,
    view: tuple[float, float],
    sample: np.ndarray | None,
) -> None:
    """One mark per spike at (time, cell index); rasterised so that the PDF stays small.

    With few cells each spike is a vertical tick one cell row high; with many, a dot.
    """
    times, cells = spikes_in_view(spikes, view, sample)
    rows = sample.size if sample is not None else spikes.size
    row_points = RASTER_HEIGHT * 72.0 / max(rows, 1)
    colour = population_colour(name)
    if row_points >= 3.0:
        tick = min(0.8 * row_points, 9.0)
        ax.scatter(
            times, cells, s=tick**2, marker="|", color=colour, linewidths=0.7, rasterized=True
        )
    else:
        dot = float(np.clip(1.5 * row_points**2, 0.8, 6.0))
        ax.scatter(times, cells, s=dot, marker=".", color=colour, linewidths=0, rasterized=True)
    ax.set_ylim(-0.5, max(spikes.size, 1) - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    tidy_axes(ax)


def draw_psth(
    ax: Axes, name: str, spikes: PopulationSpikes, duration: float, view: tuple[float, float]
) -> None:
    """The population rate (Hz per cell) in ``PSTH_BIN`` bins, over all cells."""
    edges, rates = psth(spikes.times, spikes.size, PSTH_BIN, duration)
    inside = (edges[1:] > view[0]) & (edges[:-1] < view[1])
    first, last = np.flatnonzero(inside)[[0, -1]] if inside.any() else (0, -1)
    values, bins = rates[first : last + 1], edges[first : last + 2]
    ax.stairs(values, bins, fill=True, color=population_colour(name), alpha=0.45, linewidth=0)
    ax.stairs(values, bins, color="0.15", linewidth=0.7)
    ax.set_ylim(bottom=0)
    tidy_axes(ax)


def share_psth_scale(axes: Sequence[Axes], n_populations: int) -> None:
    """Give the PSTHs of one population the same rate scale in every column."""
    for row in range(n_populations):
        same = axes[row::n_populations]
        top = max(ax.get_ylim()[1] for ax in same)
        for ax in same:
            ax.set_ylim(0, top)


def raster_label(name: str, size: int, sample: np.ndarray | None) -> str:
    if sample is not None and sample.size < size:
        return f"{name}\n{sample.size:,} of {size:,}"
    return f"{name}\n{size:,} cells"


def activity_caption(
    runs: Sequence[FigureRun],
    populations: Sequence[str],
    samples: dict[str, np.ndarray | None],
    notes: Sequence[str],
    view: tuple[float, float],
) -> str:
    protocol = runs[0].protocol
    shifts = ", ".join(f"{p} {window_shift(p):g}" for p in populations)
    sampled = [
        f"the {name} raster shows a random subsample of {s.size:,} of "
        f"{runs[0].result.spikes[name].size:,} cells (drawn without replacement, seed "
        f"{RASTER_SAMPLE_SEED}; the same cells in every column), while its PSTH counts all cells"
        for name, s in samples.items()
        if s is not None and s.size < runs[0].result.spikes[name].size
    ]
    columns = ", ".join(r.label for r in runs)
    body = (
        f"Spiking activity of every population from {view[0]:g} to {view[1]:g} ms of model time. "
        f"For each population (rows, input first) a raster plot (one mark per spike; y: the "
        f"population-local cell index) above its PSTH (population rate per cell in "
        f"{PSTH_BIN:g} ms bins, Hz; one rate scale per population across columns). Shaded: the "
        f"population's stimulus window, {protocol.start:g}-{protocol.stop:g} ms shifted by its "
        f"synaptic delay from the glomeruli ({shifts} ms). "
        + (sampled[0][0].upper() + sampled[0][1:] + ". " if sampled else "")
        + f"Columns: {columns}."
    )
    return caption_text(
        NUMBER, "Network activity around the stimulus", body, *notes, runs_paragraph(runs)
    )


def activity_statistics(
    runs: Sequence[FigureRun], samples: dict[str, np.ndarray | None], view: tuple[float, float]
) -> dict:
    """Window rates and PSTH peaks of every population per run, from ``analyse_run``."""
    per_run = {}
    for run in runs:
        stats = analyse_run(run.result, None, run.protocol)
        per_run[run.label] = {
            name: {
                "rate_hz": {w: s["rate"] for w, s in p["windows"].items()},
                "windows_ms": {w: [s["start"], s["stop"]] for w, s in p["windows"].items()},
                "psth_3ms_peak": p["peak"]["psth_3ms"],
                "peak_spikes_per_step": p["peak"]["spikes"],
            }
            for name, p in stats["populations"].items()
        }
    return {
        "view_ms": list(view),
        "psth_bin_ms": PSTH_BIN,
        "raster_sample": {
            name: {"cells": int(s.size), "seed": RASTER_SAMPLE_SEED}
            for name, s in samples.items()
            if s is not None
        },
        "populations": per_run,
    }
