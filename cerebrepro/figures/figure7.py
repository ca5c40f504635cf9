"""Figure 7: per-core peak packets per step against burst rate and stimulus radius.

The paper's statistic (analysis.md; SpiNNCer's ``provenance_analysis.py``): every core of
a run reports the most spike packets it received in one 0.1 ms tick (the hardware counter
MAX_SPIKES_IN_A_TICK). Here ``estimate_packet_load`` estimates that per-core peak from a
run's spikes, with every population cut into cores along the grid neuron order (the
paper's runs used it) and the paper's delay model. For each receiving population the
per-core peaks of all cores of all runs at a sweep point are pooled, and the figure shows
their median with 5-95 % percentile bars and, as the original also drew, their mean with
the standard deviation, on a log y axis. Rows: the statistic (median, then mean) and the
burst kind; columns: f_peak swept at a fixed radius, radius swept at a fixed f_peak.

A run's spikes are dropped once its per-core peaks are known (``sweep_run``), so a sweep
of hundreds of runs holds only a few thousand numbers per run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes

from cerebrepro.analysis.packet_load import DEFAULT_DELAY_MODEL, DELAY_SLOTS, estimate_packet_load
from cerebrepro.analysis.run import DELAY_MODEL_TEXT, PACKET_LOAD_METHOD
from cerebrepro.figures.output import FigureOutput, caption_text
from cerebrepro.figures.runs import FigureRun, runs_paragraph
from cerebrepro.figures.style import (
    FONT_SIZE,
    display_order,
    new_figure,
    panel_letter,
    plain_log_scale,
    population_colour,
    tidy_axes,
)
from cerebrepro.model.neuron_order import NeuronOrder
from cerebrepro.scaffold.types import Scaffold

NUMBER = 7
ORDER = "grid"
DELAY_MODEL = DEFAULT_DELAY_MODEL
PERCENTILES = (5, 95)
STATISTICS = ("median", "mean")  # the rows of the figure, top first
AXES = ("f_peak", "radius")
AXIS_LABELS = {"f_peak": "burst rate f_peak (Hz)", "radius": "stimulus radius (um)"}
DODGE = 0.012  # x offset between populations, as a fraction of the axis span


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its stimulus, the axis it belongs to and its per-core peaks."""

    burst: str  # poisson | periodic
    axis: str  # f_peak | radius: the parameter swept along this run's axis
    f_peak: float  # Hz
    radius: float  # um
    seed: int  # stimulus seed
    run: FigureRun
    peaks: Mapping[str, np.ndarray]  # receiving population -> per-core peak packets per step


def core_peaks(run: FigureRun, scaffold: Scaffold, order: NeuronOrder) -> dict[str, np.ndarray]:
    """Per receiving population: each core's most packets in one step (``estimate_packet_load``)."""
    loads = estimate_packet_load(run.result, scaffold, order, DELAY_MODEL)
    return {name: loads[name].per_core_peak for name in display_order(loads)}


def sweep_run(
    burst: str,
    axis: str,
    f_peak: float,
    radius: float,
    seed: int,
    run: FigureRun,
    scaffold: Scaffold,
    order: NeuronOrder,
) -> SweepRun:
    """The run's per-core peaks, with the run kept for its caption line but without its spikes."""
    peaks = core_peaks(run, scaffold, order)
    light = dataclasses.replace(run, result=dataclasses.replace(run.result, spikes={}, analog={}))
    return SweepRun(burst, axis, f_peak, radius, seed, light, peaks)


def pooled_statistics(per_core_peaks: Sequence[np.ndarray]) -> dict[str, float | int]:
    """Median, 5th and 95th percentile (linear interpolation), mean and std (ddof 0) of all
    cores of all runs pooled, and how many cores and runs that is; NaN when there are none."""
    arrays = [np.asarray(a, dtype=np.float64).ravel() for a in per_core_peaks]
    pooled = np.concatenate(arrays) if arrays else np.zeros(0)
    counts: dict[str, float | int] = {"n_cores": int(pooled.size), "n_runs": len(arrays)}
    if pooled.size == 0:
        return dict.fromkeys(("median", "p5", "p95", "mean", "std"), float("nan")) | counts
    median, low, high = np.percentile(pooled, [50, *PERCENTILES])
    return {
        "median": float(median),
        "p5": float(low),
        "p95": float(high),
        "mean": float(pooled.mean()),
        "std": float(pooled.std()),
    } | counts


def point_statistics(runs: Sequence[SweepRun]) -> list[dict]:
    """One entry per (burst, axis, point) in the order first met: its runs and, per population,
    the pooled statistics of all its cores."""
    groups: dict[tuple[str, str, float, float], list[SweepRun]] = {}
    for r in runs:
        groups.setdefault((r.burst, r.axis, r.f_peak, r.radius), []).append(r)
    points = []
    for (burst, axis, f_peak, radius), members in groups.items():
        names = display_order(dict.fromkeys(name for r in members for name in r.peaks))
        points.append(
            {
                "burst": burst,
                "axis": axis,
                "f_peak": f_peak,
                "radius": radius,
                "seeds": [r.seed for r in members],
                "runs": [run_entry(r) for r in members],
                "populations": {
                    name: pooled_statistics([r.peaks[name] for r in members if name in r.peaks])
                    for name in names
                },
            }
        )
    return points


def run_entry(run: SweepRun) -> dict[str, object]:
    """What the statistics file says of one run: seed, result file and spike digest."""
    path = run.run.path
    return {
        "seed": run.seed,
        "result": str(path) if path else None,
        "run_key": path.stem if path else None,
        "spike_digest": run.run.provenance.get("spike_digest"),
    }


def load_sweep_figure(
    runs: Sequence[SweepRun],
    order: NeuronOrder,
    fixed: Mapping[str, float],
    sweep_text: str,
    sweep: Mapping[str, object],
    notes: Sequence[str] = (),
) -> FigureOutput:
    """The median (5-95 %) and the mean (std) of the pooled per-core peaks at every sweep point.

    ``fixed`` holds the f_peak of the radius axis and the radius of the f_peak axis;
    ``sweep_text`` describes the sweep for the caption and ``sweep`` its settings for the
    statistics file.
    """
    points = point_statistics(runs)
    bursts = list(dict.fromkeys(p["burst"] for p in points))
    rows = [(statistic, burst) for statistic in STATISTICS for burst in bursts]
    figure = new_figure(10.0, 2.9 * len(rows) + 0.6)
    axes = figure.subplots(len(rows), len(AXES), sharey=True, squeeze=False)
    letters = iter("abcdefghijklmnop")
    for (statistic, burst), row in zip(rows, axes, strict=True):
        for axis, ax in zip(AXES, row, strict=True):
            mine = [p for p in points if p["burst"] == burst and p["axis"] == axis]
            draw_panel(ax, mine, axis, statistic)
            other = "radius" if axis == "f_peak" else "f_peak"
            unit = "um" if other == "radius" else "Hz"
            ax.set_title(
                f"{burst.capitalize()} bursts: {axis} at {other} {fixed[other]:g} {unit}",
                fontsize=FONT_SIZE + 1,
            )
            panel_letter(ax, next(letters))
        row[0].set_ylabel(
            f"{statistic} of per-core peak\npackets received per step", fontsize=FONT_SIZE
        )
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=FONT_SIZE, frameon=False, loc="outside right center")
    figure.suptitle(
        f"Peak SpiNNaker core load against stimulus strength (estimate, {ORDER} neuron "
        f"order, {DELAY_MODEL})",
        fontsize=FONT_SIZE + 3,
    )
    caption = sweep_caption(runs, bursts, fixed, sweep_text, notes)
    statistics = {
        "statistic": "per-core peak packets received in one step (estimate of MAX_SPIKES_IN_A_TICK), "
        "all cores of all runs at a sweep point pooled per receiving population",
        "method": PACKET_LOAD_METHOD,
        "simulators": sorted({r.run.simulator for r in runs}),
        "order": order.provenance(),
        "delay_model": {"name": DELAY_MODEL, "delay_slots": DELAY_SLOTS[DELAY_MODEL]},
        "percentiles": list(PERCENTILES),
        "fixed": dict(fixed),
        "sweep": {"text": sweep_text, **sweep},
        "points": points,
    }
    return FigureOutput(NUMBER, figure, caption, statistics)


def draw_panel(ax: Axes, points: Sequence[dict], axis: str, statistic: str) -> None:
    """One line per population: median with 5-95 % bars, or mean with std bars."""
    names = display_order(dict.fromkeys(n for p in points for n in p["populations"]))
    values = np.array([p[axis] for p in points], dtype=np.float64)
    step = DODGE * axis_span(values)
    for k, name in enumerate(names):
        stats = [p["populations"].get(name, {}) for p in points]
        centre = np.array([s.get(statistic, np.nan) for s in stats], dtype=np.float64)
        if statistic == "median":
            low = centre - np.array([s.get("p5", np.nan) for s in stats])
            high = np.array([s.get("p95", np.nan) for s in stats]) - centre
        else:
            low = high = np.array([s.get("std", np.nan) for s in stats])
        x = values + (k - (len(names) - 1) / 2) * step
        ax.errorbar(
            x,
            centre,
            yerr=np.vstack([low, high]),
            color=population_colour(name),
            marker="o",
            markersize=3.5,
            linewidth=1.2,
            capsize=2,
            alpha=0.85,
            label=name,
        )
    plain_log_scale(ax)
    ax.set_xlabel(AXIS_LABELS[axis], fontsize=FONT_SIZE)
    ax.set_xticks(values)
    tidy_axes(ax)


def axis_span(values: np.ndarray) -> float:
    """The range of the swept values; a lone value's own size (at least 1) when there is no range."""
    if values.size > 1 and np.ptp(values) > 0:
        return float(np.ptp(values))
    return max(float(np.abs(values).max()), 1.0) if values.size else 1.0


def sweep_caption(
    runs: Sequence[SweepRun],
    bursts: Sequence[str],
    fixed: Mapping[str, float],
    sweep_text: str,
    notes: Sequence[str],
) -> str:
    simulators = ", ".join(dict.fromkeys(r.run.label for r in runs))
    rows = len(bursts)
    letters = "abcdefgh"
    burst_rows = " and ".join(f"{b} bursts" for b in bursts)
    body = (
        "Peak load of every SpiNNaker core against the stimulus, estimated from the spikes of runs "
        f"on {simulators}: for every core, the most multicast packets it receives in one 0.1 ms "
        f"step, an {PACKET_LOAD_METHOD}. The neuron order is {ORDER} "
        f"(the original study's spatial order, used by the paper's runs); delay model "
        f"{DELAY_MODEL} ({DELAY_MODEL_TEXT[DELAY_MODEL]}). At each sweep point the per-core peaks of "
        "all cores of "
        "all its runs are pooled per receiving population. "
        f"({letters[0]}-{letters[2 * rows - 1]}) Median with 5-95 % percentile bars; "
        f"({letters[2 * rows]}-{letters[4 * rows - 1]}) mean with standard-deviation bars; "
        f"rows: {burst_rows}; left: against the burst rate f_peak added inside a sphere of radius "
        f"{fixed['radius']:g} um; right: against the sphere's radius at f_peak {fixed['f_peak']:g} Hz. "
        "Log y axis: a value of 0 (or a bar reaching 0) is not drawn. Populations are offset "
        "slightly along x so that their bars do not overlap."
    )
    return caption_text(
        NUMBER,
        "Per-core peak packets received per step against burst rate and stimulus radius",
        body,
        sweep_text,
        *notes,
        runs_paragraph([r.run for r in runs]),
    )
