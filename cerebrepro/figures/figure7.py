"""Figure 7: peak packets received per core per step against burst rate and stimulus radius.

Each run of a sweep gives, for every receiving population and the default neuron order,
the most packets one core receives in one step (``core_load``); the network's value is
the maximum over populations. Panel a sweeps the burst rate f_peak at a fixed radius,
panel b the radius at a fixed f_peak; runs with several stimulus seeds are summarised by
``describe`` (mean and std) and also shown one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from cerebrepro.analysis.run import network_core_load
from cerebrepro.analysis.summary import describe
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
from cerebrepro.model.neuron_order import GridEdges
from cerebrepro.scaffold.types import Scaffold

NUMBER = 7
ORDER = "default"
NETWORK = "network"
LISTED_RUNS = 8  # a caption lists at most this many runs; the statistics file lists all


@dataclass(frozen=True)
class SweepRun:
    """One run of the sweep and the stimulus it was made with."""

    f_peak: float  # Hz
    radius: float  # um
    seed: int  # stimulus seed
    run: FigureRun


@dataclass(frozen=True)
class SweepAxis:
    """One panel: the parameter swept and the value the other one is held at."""

    parameter: str  # f_peak | radius
    label: str
    fixed: str


def sweep_peaks(points: Sequence[SweepRun], scaffold: Scaffold) -> list[dict]:
    """Per run: its stimulus and the peak packets per core and step of every population."""
    rows = []
    for point in points:
        loads = ordered_core_loads(point.run.result, scaffold)
        network = network_core_load(loads, point.run.result.timestep, GridEdges.over(scaffold.positions))
        rows.append(
            {
                "f_peak": point.f_peak,
                "radius": point.radius,
                "seed": point.seed,
                "result": str(point.run.path) if point.run.path else None,
                "peaks": {name: load[ORDER].peak for name, load in loads.items()}
                | {NETWORK: network[ORDER]["peak"]},
                "grid_peaks": {name: load["grid"].peak for name, load in loads.items()}
                | {NETWORK: network["grid"]["peak"]},
                "network_peak_population": network[ORDER]["population"],
            }
        )
    return rows


def series(rows: Sequence[dict], parameter: str, fixed: Mapping[str, float]) -> dict[str, list[dict]]:
    """Per population: the runs of one panel grouped by the swept value, summarised over seeds."""
    other = "radius" if parameter == "f_peak" else "f_peak"
    mine = [r for r in rows if r[other] == fixed[other]]
    names = list(mine[0]["peaks"]) if mine else []
    out: dict[str, list[dict]] = {}
    for name in names:
        out[name] = [
            {parameter: value, "seeds": [r["seed"] for r in mine if r[parameter] == value],
             "values": [r["peaks"][name] for r in mine if r[parameter] == value]}
            | describe(np.array([r["peaks"][name] for r in mine if r[parameter] == value]))
            for value in sorted({r[parameter] for r in mine})
        ]
    return out


def core_load_sweep_figure(
    points: Sequence[SweepRun],
    scaffold: Scaffold,
    fixed: Mapping[str, float],
    sweep_text: str,
    notes: Sequence[str] = (),
) -> FigureOutput:
    """Panel a: peak load against f_peak at ``fixed['radius']``; b: against radius at ``fixed['f_peak']``."""
    rows = sweep_peaks(points, scaffold)
    axes_info = (
        SweepAxis("f_peak", "burst rate f_peak (Hz)", f"radius {fixed['radius']:g} um"),
        SweepAxis("radius", "stimulus radius (um)", f"f_peak {fixed['f_peak']:g} Hz"),
    )
    figure = new_figure(12.0, 4.8)
    axes = figure.subplots(1, 2, sharey=True)
    panels = {}
    for ax, info, letter in zip(axes, axes_info, "ab", strict=True):
        panels[info.parameter] = series(rows, info.parameter, fixed)
        draw_series(ax, panels[info.parameter], info)
        panel_letter(ax, letter)
    axes[0].set_ylabel("peak packets received per core per step", fontsize=FONT_SIZE)
    axes[1].legend(fontsize=FONT_SIZE - 1, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    figure.suptitle("Peak SpiNNaker core load against stimulus strength (default neuron order)",
                    fontsize=FONT_SIZE + 3)
    caption = sweep_caption(points, fixed, sweep_text, notes)
    statistics = {"order": ORDER, "fixed": dict(fixed), "sweep": sweep_text, "points": rows, "series": panels}
    return FigureOutput(NUMBER, figure, caption, statistics)


def draw_series(ax: Axes, panel: Mapping[str, list[dict]], info: SweepAxis) -> None:
    """Mean over seeds (line, std as error bars) and single runs (dots) of every population."""
    for name, points in panel.items():
        colour = "black" if name == NETWORK else population_colour(name)
        x = [p[info.parameter] for p in points]
        ax.errorbar(x, [p["mean"] for p in points], yerr=[p["std"] for p in points], color=colour,
                    linewidth=1.6 if name == NETWORK else 1.2, linestyle="--" if name == NETWORK else "-",
                    marker="o", markersize=3.5, capsize=2, zorder=3 if name == NETWORK else 2,
                    label="network (max over populations)" if name == NETWORK else name)
        if any(len(p["values"]) > 1 for p in points):
            for p in points:
                ax.scatter(np.full(len(p["values"]), p[info.parameter]), p["values"], s=5, color=colour,
                           alpha=0.35, linewidths=0)
    plain_log_scale(ax)
    ax.set_xlabel(info.label, fontsize=FONT_SIZE)
    ax.set_title(f"{info.parameter} swept at {info.fixed}", fontsize=FONT_SIZE + 1)
    tidy_axes(ax)


def sweep_caption(
    points: Sequence[SweepRun], fixed: Mapping[str, float], sweep_text: str, notes: Sequence[str]
) -> str:
    seeds = sorted({p.seed for p in points})
    body = (
        "Peak communication load of a SpiNNaker core estimated from each run's spikes: the most "
        "multicast packets one core receives in one 0.1 ms step (one packet per distinct spiking "
        "pre-synaptic cell with a target on the core), over all cores and steps of the run, with "
        "the default neuron order (64 cells per core, purkinje 1). One line per receiving "
        "population; black dashed: the whole network (the maximum over populations). "
        f"(a) Against the burst rate f_peak added to the glomeruli inside a sphere of radius "
        f"{fixed['radius']:g} um; (b) against the sphere's radius at f_peak {fixed['f_peak']:g} Hz. "
        + (
            f"Points: mean over {len(seeds)} stimulus seeds ({', '.join(map(str, seeds))}); error "
            "bars: standard deviation; dots: single runs."
            if len(seeds) > 1
            else f"One run per point (stimulus seed {seeds[0]})."
        )
    )
    runs = [p.run for p in points]
    if len(runs) <= LISTED_RUNS:
        listed = runs_paragraph(runs)
    else:
        listed = (
            f"{len(runs)} runs, every result file listed in the statistics file; the first: "
            + runs[0].describe() + "."
        )
    return caption_text(NUMBER, "Peak packets received per core per step against burst rate and "
                        "stimulus radius", body, sweep_text, *notes, listed)
