"""The figure of a run driven by an event recording: the events, their mapping, and the network's answer.

Left column: (a) the recording's events inside the window, each pixel coloured by the mean
model time of its events (a moving edge draws a gradient); (b) the
glomeruli in the (x, z) plane coloured by the input spikes they received, with the sensor's
outline as mapped; (c) the input's centre of activity over model time. Right: figure 4's
layout, a raster above a PSTH for every population, input first, over the events' model
window. Each raster orders its cells by x (the plane axis the sensor's x maps onto), so a bar
sweeping along x draws a diagonal through the input and the cells it reaches.

The recording is read again from the path its run recorded and must have the same sha256;
the glomerulus positions come from the run's scaffold file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from cerebrepro.analysis.peaks import psth
from cerebrepro.errors import ResultError
from cerebrepro.figures.figure4 import (
    PSTH_BIN,
    RASTER_SAMPLE,
    draw_psth,
    draw_raster,
    raster_label,
    raster_sample,
)
from cerebrepro.figures.output import CAPTION_WIDTH, FigureOutput
from cerebrepro.figures.runs import FigureRun, runs_paragraph
from cerebrepro.figures.style import (
    FONT_SIZE,
    display_order,
    new_figure,
    panel_letter,
    shade_stimulus,
    tidy_axes,
)
from cerebrepro.model.event_mapping import CEREBELLUM_PLANE, activity_centre
from cerebrepro.model.events import EventOptions, Events, model_times
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import PopulationSpikes, RunResult

NUMBER = 0  # not a figure of the paper
MARGIN = (50.0, 100.0)  # ms shown before and after the events' model window
CENTRE_BIN = 5.0  # ms


def window_events(stimulus: Mapping[str, object]) -> tuple[Events, EventOptions]:
    """The recording's events in the run's window after its transforms, read again and checked."""
    from cerebrepro.data.events import read_recording
    from cerebrepro.model.event_transforms import apply_transforms
    from cerebrepro.model.events import select

    recording_facts = stimulus["recording"]
    assert isinstance(recording_facts, Mapping)
    options = EventOptions.coerce(stimulus["options"])  # type: ignore[arg-type]
    recording = read_recording(Path(str(recording_facts["path"])), options.sensor)
    if recording.sha256 != stimulus["file_sha256"]:
        raise ResultError(
            f"events file {recording.path} changed since the run (sha256 {recording.sha256[:12]}, "
            f"the run used {str(stimulus['file_sha256'])[:12]})"
        )
    return select(apply_transforms(recording.events, options)[0], options), options


def cell_positions(result: RunResult) -> dict[str, np.ndarray]:
    """Positions of every population, from the scaffold file the run recorded."""
    from cerebrepro.scaffold.read import read_scaffold

    scaffold = result.provenance.get("scaffold")
    path = scaffold.get("path") if isinstance(scaffold, Mapping) else None
    if not path or not Path(str(path)).is_file():
        raise ResultError(
            f"the run's scaffold file {path} is not there: the figure needs its positions"
        )
    return read_scaffold(Path(str(path))).positions


def rank_by_x(spikes: PopulationSpikes, positions: np.ndarray) -> PopulationSpikes:
    """The same spikes with each cell renumbered by its rank along x."""
    rank = np.empty(positions.shape[0], dtype=np.int64)
    rank[np.argsort(positions[:, 0], kind="stable")] = np.arange(positions.shape[0])
    return PopulationSpikes(spikes.size, spikes.times, rank[spikes.cells])


def event_run_figure(result: RunResult, path: Path | None = None) -> FigureOutput:
    """Draw the figure of an event-driven cerebellum run."""
    stimulus = result.provenance.get("stimulus")
    if not isinstance(stimulus, Mapping) or stimulus.get("kind") != "events":
        raise ResultError(
            f"{path or 'the result'} is not a run driven by an event recording (--stimulus events:FILE)"
        )
    events, options = window_events(stimulus)
    positions = cell_positions(result)
    window = [float(v) for v in stimulus["model_window_ms"]]  # type: ignore[union-attr]
    view = (max(window[0] - MARGIN[0], 0.0), min(window[1] + MARGIN[1], result.duration))
    populations = display_order(result.spikes)

    figure = new_figure(11.0, 1.0 + 1.85 * len(populations))
    outer = figure.add_gridspec(1, 2, width_ratios=[1.0, 1.9])
    left = outer[0].subgridspec(3, 1, height_ratios=[1, 1, 0.8])
    right = outer[1].subgridspec(
        2 * len(populations), 1, height_ratios=[1.25, 0.6] * len(populations)
    )
    frame_ax, plane_ax, centre_ax = (figure.add_subplot(left[k]) for k in range(3))
    draw_frame(frame_ax, events, options)
    glomeruli = result.spikes["glomerulus"]
    xz = positions["glomerulus"][:, list(CEREBELLUM_PLANE)]
    draw_plane(plane_ax, glomeruli, xz, stimulus["mapping"], events.sensor)  # type: ignore[arg-type]
    centres = draw_centre(centre_ax, glomeruli, xz, view, window)
    for letter, ax in zip("abc", (frame_ax, plane_ax, centre_ax), strict=True):
        panel_letter(ax, letter)

    rates = {}
    for row, name in enumerate(populations):
        raster = figure.add_subplot(right[2 * row])
        histogram = figure.add_subplot(right[2 * row + 1], sharex=raster)
        spikes = rank_by_x(result.spikes[name], positions[name])
        sample = raster_sample(spikes.size, RASTER_SAMPLE[name]) if name in RASTER_SAMPLE else None
        draw_raster(raster, name, spikes, view, sample)
        draw_psth(histogram, name, spikes, result.duration, view)
        for ax in (raster, histogram):
            shade_stimulus(ax, *window)
            ax.set_xlim(*view)
        raster.tick_params(labelbottom=False)
        histogram.tick_params(labelbottom=row == len(populations) - 1)
        raster.set_ylabel(raster_label(name, spikes.size, sample) + "\nby x", fontsize=FONT_SIZE)
        histogram.set_ylabel("Hz", fontsize=FONT_SIZE - 1)
        inside = (spikes.times >= window[0]) & (spikes.times < window[1])
        rates[name] = {
            "rate_in_window_hz": float(
                inside.sum() / max(spikes.size, 1) / ((window[1] - window[0]) / 1000.0 or 1.0)
            ),
            "psth_peak_hz": float(
                np.nanmax(psth(spikes.times, spikes.size, PSTH_BIN, result.duration)[1])
            ),
        }
    histogram.set_xlabel("model time (ms)", fontsize=FONT_SIZE)
    figure.suptitle(
        f"Cerebellum driven by {Path(str(stimulus['source'])).name}", fontsize=FONT_SIZE + 3
    )
    run = FigureRun(result, path)
    statistics = {
        "recording": stimulus["recording"],
        "options": stimulus["options"],
        "mapping": stimulus["mapping"],
        "rate_cap": stimulus["rate_cap"],
        "model_window_ms": window,
        "view_ms": list(view),
        "events_in_window": events.size,
        "input_spikes": glomeruli.n_spikes,
        "input_centre_x_um": {"bin_ms": CENTRE_BIN, "values": [None if np.isnan(v) else round(float(v), 3) for v in centres[:, 0]]},
        "populations": rates,
    }  # fmt: skip
    return FigureOutput(NUMBER, figure, caption(stimulus, options, window, run), statistics)


def draw_frame(ax: Axes, events: Events, options: EventOptions) -> None:
    """Each pixel coloured by the mean model time of its events (a moving edge shows as a gradient)."""
    width, height = events.sensor
    pixels = events.pixels()
    counts = np.bincount(pixels, minlength=width * height)
    sums = np.bincount(pixels, weights=model_times(events, options), minlength=width * height)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / counts, np.nan).reshape(height, width)
    image = ax.imshow(mean, origin="lower", cmap="viridis", interpolation="nearest")
    colourbar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    colourbar.set_label("mean event time (ms)", fontsize=FONT_SIZE - 1)
    colourbar.ax.tick_params(labelsize=FONT_SIZE - 2)
    on = int(events.p.sum())
    ax.set_title(
        f"{events.size:,} events ({on:,} ON, {events.size - on:,} OFF)\nsensor {width} x {height} px",
        fontsize=FONT_SIZE,
    )
    ax.set_xlabel("sensor x (px)", fontsize=FONT_SIZE)
    ax.set_ylabel("sensor y (px)", fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 1)


def draw_plane(
    ax: Axes,
    glomeruli: PopulationSpikes,
    xz: np.ndarray,
    mapping: Mapping[str, object],
    sensor: tuple[int, int],
) -> None:
    """Glomeruli at (x, z) coloured by their input spikes; the sensor's outline as mapped."""
    counts = glomeruli.counts_per_cell()
    order = np.argsort(counts, kind="stable")  # busiest on top
    points = ax.scatter(
        xz[order, 0], xz[order, 1], c=counts[order], s=6, cmap="viridis", linewidths=0
    )
    colourbar = ax.figure.colorbar(points, ax=ax, shrink=0.8)
    colourbar.set_label("input spikes", fontsize=FONT_SIZE - 1)
    colourbar.ax.tick_params(labelsize=FONT_SIZE - 2)
    origin, pitch = mapping["origin"], mapping["pitch"]
    ax.add_patch(
        Rectangle(
            origin,
            sensor[0] * pitch[0],
            sensor[1] * pitch[1],
            fill=False,
            ec="tab:red",
            lw=0.8,
            ls="--",
        )  # type: ignore[index]
    )
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("glomeruli: input spikes; dashed: the sensor", fontsize=FONT_SIZE)
    ax.set_xlabel("x (um)", fontsize=FONT_SIZE)
    ax.set_ylabel("z (um)", fontsize=FONT_SIZE)
    tidy_axes(ax)


def draw_centre(
    ax: Axes,
    glomeruli: PopulationSpikes,
    xz: np.ndarray,
    view: tuple[float, float],
    window: list[float],
) -> np.ndarray:
    """The input's spike-weighted mean x and z per ``CENTRE_BIN`` ms; returns (bins, 2)."""
    edges = np.arange(view[0], view[1] + CENTRE_BIN, CENTRE_BIN)
    order = np.lexsort((glomeruli.times, glomeruli.cells))
    counts = np.bincount(glomeruli.cells, minlength=glomeruli.size)
    trains = SpikeTrains(
        glomeruli.times[order], np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    )
    centres = activity_centre(trains, xz, edges)
    middle = (edges[:-1] + edges[1:]) / 2
    ax.plot(middle, centres[:, 0], ".-", ms=3, lw=0.8, color="tab:blue", label="x")
    ax.plot(middle, centres[:, 1], ".-", ms=3, lw=0.8, color="tab:orange", label="z")
    shade_stimulus(ax, *window)
    ax.set_xlim(*view)
    ax.set_xlabel("model time (ms)", fontsize=FONT_SIZE)
    ax.set_ylabel("input centre (um)", fontsize=FONT_SIZE)
    ax.legend(fontsize=FONT_SIZE - 1, frameon=False)
    tidy_axes(ax)
    return centres


def caption(
    stimulus: Mapping[str, object], options: EventOptions, window: list[float], run: FigureRun
) -> str:
    recording = stimulus["recording"]
    cap = stimulus["rate_cap"]
    assert isinstance(recording, Mapping) and isinstance(cap, Mapping)
    applied = stimulus.get("transforms") or []
    transforms = (
        ", ".join(
            f"{t['transform'].rsplit('.', 1)[-1]} {t['parameter']} {t['value']:g}" for t in applied
        )
        or "none"
    )  # type: ignore[union-attr]
    stop = "the last event" if options.stop is None else f"{options.stop:g} ms"
    body = (
        f"Recording {recording['path']} (sha256 {str(recording['sha256'])[:12]}, {recording['format']}, "
        f"sensor {recording['sensor'][0]} x {recording['sensor'][1]} px from {recording['sensor_from']}). "  # type: ignore[index]
        f"Window {options.start:g} ms to {stop} of recording time, polarity {options.polarity}, shown from "
        f"model time {window[0]:g} to {window[1]:g} ms (shaded); tonic transforms: {transforms}. The sensor "
        f"is mapped onto the glomeruli's (x, z) plane by {options.fit}; each glomerulus takes the events of "
        f"the pixel it lies on and of the pixels nearest to it, floored to the {run.result.timestep:g} ms grid. "
        f"(a) The events of the window: each pixel coloured by the mean model time of its events. (b) Input spikes per glomerulus; dashed, the "
        f"sensor as mapped. (c) The input's spike-weighted centre in {CENTRE_BIN:g} ms bins. Right: raster "
        f"(cells ordered by x) above the PSTH ({PSTH_BIN:g} ms bins) of every population. Rate cap "
        f"{cap['rate_cap_hz']:g} Hz per glomerulus ({cap['action']}): {cap['cells_over']:,} glomeruli over it, "
        f"{cap['spikes_over']:,} spikes over, {cap['spikes_removed']:,} removed."
    )
    blocks = ["Cerebellum driven by an event recording.", body, runs_paragraph([run])]
    return (
        "\n\n".join(textwrap.fill(b, CAPTION_WIDTH, break_on_hyphens=False) for b in blocks) + "\n"
    )
