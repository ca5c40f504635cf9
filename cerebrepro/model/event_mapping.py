"""Sensor pixels onto a population's horizontal plane, and events into that population's spike trains.

The sensor is laid over the bounding box of the cells' positions in the plane (for the
cerebellum's glomeruli: x and z, y being the height). ``stretch`` fits the sensor to the box
(pixels need not be square); ``crop`` keeps pixels square and covers the whole box, the
overhanging pixels being dropped. A cell takes the events of the pixel it lies on and of every
pixel whose centre is nearer to it than to any other cell, so that a coarse sensor reaches every
cell and a fine one loses no event inside the box. An event becomes a spike of each of its
pixel's cells at ``offset + t - start`` ms, floored onto the time step grid.

Example, a tonic recording as PyNN ``SpikeSourceArray`` input of any population with positions::

    import numpy as np, pyNN.nest as sim, tonic
    from cerebrepro.model.event_mapping import grid_positions, spike_source_times

    events, label = tonic.datasets.NMNIST(save_to="data", train=False)[0]  # fetched once
    positions = grid_positions(500)  # or the population's own (n, 2) or (n, 3) positions
    times = spike_source_times(events, positions, sensor=(34, 34), timestep=0.1)
    sim.setup(timestep=0.1)
    source = sim.Population(len(times), sim.SpikeSourceArray(spike_times=times))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cerebrepro.errors import StimulusError
from cerebrepro.model.cerebellum import MIN_SPIKE_TIME, TIMESTEP
from cerebrepro.model.event_transforms import apply_transforms
from cerebrepro.model.events import EventOptions, Events, from_structured, model_times, select
from cerebrepro.model.spike_trains import SpikeTrains

CEREBELLUM_PLANE = (0, 2)  # x and z of (x, y, z) positions: y is the height
DEFAULT_OPTIONS = EventOptions()


@dataclass(frozen=True)
class PixelMap:
    """The cells each pixel drives, as CSR: ``cells[offsets[q]:offsets[q + 1]]`` for pixel q = y * width + x."""

    offsets: np.ndarray  # int64, width * height + 1
    cells: np.ndarray  # int64, sorted within each pixel
    origin: tuple[float, float]  # plane coordinates of the sensor's corner (pixel 0, 0)
    pitch: tuple[float, float]  # plane size of one pixel along (sensor x, sensor y)
    sensor: tuple[int, int]

    def describe(self) -> dict[str, object]:
        per_pixel = np.diff(self.offsets)
        return {
            "origin": [round(v, 6) for v in self.origin],
            "pitch": [round(v, 6) for v in self.pitch],
            "pixels_mapped": int(np.count_nonzero(per_pixel)),
            "pixels_outside": int(per_pixel.size - np.count_nonzero(per_pixel)),
            "pairs": int(self.cells.size),
            "cells_per_mapped_pixel_max": int(per_pixel.max()) if per_pixel.size else 0,
        }


def plane_positions(positions: np.ndarray, plane: tuple[int, int] | None = None) -> np.ndarray:
    """The (n, 2) plane coordinates of ``positions``: (x, z) of 3-D positions, as given of 2-D ones."""
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 2 or positions.shape[1] not in (2, 3):
        raise StimulusError(f"positions of shape {positions.shape} are not (n, 2) or (n, 3)")
    if plane is None:
        plane = CEREBELLUM_PLANE if positions.shape[1] == 3 else (0, 1)
    return positions[:, list(plane)]


def grid_positions(n: int) -> np.ndarray:
    """``n`` cells on a unit grid in row-major order, ``ceil(sqrt(n))`` per row: (n, 2) positions."""
    columns = max(int(np.ceil(np.sqrt(n))), 1)
    k = np.arange(n)
    return np.column_stack([k % columns, k // columns]).astype(np.float64)


def pixel_map(sensor: tuple[int, int], plane: np.ndarray, fit: str) -> PixelMap:
    """Which cells (rows of ``plane``, (n, 2)) each pixel of a ``sensor`` (width, height) drives."""
    from scipy.spatial import cKDTree

    width, height = sensor
    n = plane.shape[0]
    if n == 0:
        raise StimulusError("the population to map events onto has no cells")
    lo, hi = plane.min(axis=0), plane.max(axis=0)
    extent = np.where(hi > lo, hi - lo, 1.0)  # cells on a line (or one cell): a box 1 wide
    hi = lo + extent
    size = np.array([width, height], dtype=np.float64)
    if fit == "stretch":
        pitch, origin = extent / size, lo
    else:  # crop: square pixels covering the whole box, centred on it
        pitch = np.full(2, float(np.max(extent / size)))
        origin = (lo + hi) / 2.0 - size * pitch / 2.0
    # The pixels covering the box (all of them under stretch); a cell on the box's far edge
    # belongs to the last of them, not to the overhanging pixel beyond.
    first = np.floor((lo - origin) / pitch + 1e-9).astype(np.int64)
    last = np.ceil((hi - origin) / pitch - 1e-9).astype(np.int64) - 1
    under = np.clip(
        np.floor((plane - origin) / pitch).astype(np.int64), first, np.maximum(last, first)
    )
    own_pixel = under[:, 1] * width + under[:, 0]
    ix, iy = np.meshgrid(np.arange(width), np.arange(height))
    centres = origin + (np.column_stack([ix.ravel(), iy.ravel()]) + 0.5) * pitch
    inside = np.flatnonzero(np.all((centres >= lo - 1e-9) & (centres <= hi + 1e-9), axis=1))
    _, nearest = cKDTree(plane).query(centres[inside])
    pixels = np.concatenate([own_pixel, inside])
    cells = np.concatenate([np.arange(n, dtype=np.int64), np.asarray(nearest, dtype=np.int64)])
    pairs = np.unique(pixels * np.int64(n) + cells)
    pixels, cells = pairs // n, pairs % n
    offsets = np.concatenate(
        [[0], np.cumsum(np.bincount(pixels, minlength=width * height))]
    ).astype(np.int64)
    return PixelMap(
        offsets,
        cells,
        (float(origin[0]), float(origin[1])),
        (float(pitch[0]), float(pitch[1])),
        sensor,
    )


def events_to_trains(
    events: Events, times: np.ndarray, mapping: PixelMap, n_cells: int, timestep: float
) -> SpikeTrains:
    """One spike per (event, cell of its pixel) at ``times`` (ms) floored onto the grid; trains per cell."""
    pixel = events.pixels()
    starts = mapping.offsets[pixel]
    counts = mapping.offsets[pixel + 1] - starts
    total = int(counts.sum())
    first = np.cumsum(counts) - counts
    cells = mapping.cells[np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)]
    spike_times = np.repeat(times, counts)
    order = np.argsort(cells, kind="stable")  # events are sorted by time: trains stay sorted
    offsets = np.concatenate([[0], np.cumsum(np.bincount(cells, minlength=n_cells))]).astype(
        np.int64
    )
    # A simulator drops input spikes at or below one step: the earliest is the second step.
    return SpikeTrains(spike_times[order], offsets).on_grid(
        timestep, max(MIN_SPIKE_TIME, 2 * timestep)
    )


def rate_cap(
    trains: SpikeTrains, cap_hz: float, apply: bool
) -> tuple[SpikeTrains, dict[str, object]]:
    """Count (and with ``apply`` drop) spikes beyond one per cell in each ``1000 / cap_hz`` ms bin.

    Bins start at model time 0; the first spike of a cell in a bin is the one kept.
    """
    width = 1000.0 / cap_hz
    cells = trains.sources()
    bins = np.floor(np.round(trains.times / width, 9)).astype(np.int64)
    key = cells * (int(bins.max()) + 1 if bins.size else 1) + bins
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    over = ~first
    per_bin = (
        np.diff(np.flatnonzero(np.concatenate([first, [True]])))
        if key.size
        else np.zeros(0, np.int64)
    )
    report: dict[str, object] = {
        "rate_cap_hz": cap_hz,
        "bin_ms": width,
        "action": "apply" if apply else "report",
        "cells_over": int(np.unique(cells[over]).size),
        "spikes_over": int(over.sum()),
        "most_spikes_in_a_bin": int(per_bin.max()) if per_bin.size else 0,
        "spikes_removed": int(over.sum()) if apply else 0,
    }
    if not apply or not over.any():
        return trains, report
    counts = np.bincount(cells[first], minlength=trains.n_sources)
    return SpikeTrains(
        trains.times[first], np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    ), report


@dataclass(frozen=True)
class EventInput:
    """Spike trains made from a recording, and the facts of how (for provenance)."""

    trains: SpikeTrains
    info: dict[str, object]


def map_events(
    events: Events,
    positions: np.ndarray,
    options: EventOptions = DEFAULT_OPTIONS,
    timestep: float = TIMESTEP,
    plane: tuple[int, int] | None = None,
) -> EventInput:
    """Transforms, polarity and window, pixel map, spikes on the grid and the rate cap, in that order."""
    read = events.size
    events, transforms = apply_transforms(events, options)
    chosen = select(events, options)
    xz = plane_positions(positions, plane)
    mapping = pixel_map(chosen.sensor, xz, options.fit)
    trains = events_to_trains(chosen, model_times(chosen, options), mapping, xz.shape[0], timestep)
    trains, cap = rate_cap(trains, options.rate_cap, options.cap == "apply")
    mapped = np.diff(mapping.offsets)[chosen.pixels()] > 0
    info: dict[str, object] = {
        "sensor": list(chosen.sensor),
        "events_read": read,
        "events_in_window": chosen.size,
        "events_outside_plane": int(chosen.size - mapped.sum()),
        "transforms": transforms,
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(options).items()},
        "mapping": {"plane_axes": list(plane or (CEREBELLUM_PLANE if np.shape(positions)[1] == 3 else (0, 1))),
                    **mapping.describe()},
        "rate_cap": cap,
        "model_window_ms": [options.offset, float(model_times(chosen, options)[-1])],
    }  # fmt: skip
    return EventInput(trains, info)


def spike_source_times(
    events: np.ndarray,
    positions: np.ndarray,
    sensor: tuple[int, int] | None = None,
    options: EventOptions = DEFAULT_OPTIONS,
    timestep: float = TIMESTEP,
    plane: tuple[int, int] | None = None,
) -> list[np.ndarray]:
    """tonic events (a structured array x, y, t in us, p) as one spike-time array (ms) per cell.

    The list is what PyNN's ``SpikeSourceArray(spike_times=...)`` takes for a population of
    ``len(positions)`` sources; see the module's example. ``sensor`` (width, height): the
    recording's sensor (tonic datasets give ``sensor_size``); None infers it from the events.
    """
    checked = from_structured(np.asarray(events), sensor or options.sensor, "events")
    return map_events(checked, positions, options, timestep, plane).trains.to_lists()


def activity_centre(trains: SpikeTrains, plane: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """The spike-weighted mean plane position of the cells per time bin ``edges`` (ms): (bins, 2), NaN if none."""
    edges = np.asarray(edges, dtype=np.float64)
    bins = np.searchsorted(edges, trains.times, side="right") - 1
    keep = (bins >= 0) & (bins < edges.size - 1)
    cells, bins = trains.sources()[keep], bins[keep]
    counts = np.bincount(bins, minlength=edges.size - 1).astype(np.float64)
    sums = np.column_stack(
        [np.bincount(bins, weights=plane[cells, k], minlength=edges.size - 1) for k in (0, 1)]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]
