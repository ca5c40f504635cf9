"""tonic 1.7's denoise, refractory period and downsample, applied to a whole recording at once.

tonic's ``Denoise`` and ``RefractoryPeriod`` walk the events one by one in Python (seconds per
million events); these give exactly their results (the tests compare them event for event)
with sorted keys and ``np.searchsorted``. ``Downsample`` is tonic's own transform. Each function
keeps tonic's quirks, so that a recording prepared with tonic and one prepared here agree:
the neighbourhood borders and the per-pixel memories are sized by the largest x and y present,
a pixel's memory starts at ``filter_time`` (denoise: events before it are kept when they have a
neighbour inside the borders) or at ``-delta`` (refractory: a pixel's first event at t = 0 is
dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from cerebrepro.errors import StimulusError
from cerebrepro.model.events import EventOptions, Events

TONIC_VERSION = "1.7.0"
_NEIGHBOURS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def _last_before(pixel: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A lookup: for (query pixels, event indices), the latest earlier event at that pixel, or -1."""
    n = np.int64(pixel.size)
    order = np.argsort(pixel, kind="stable")  # by pixel, then by event index
    keys = pixel[order] * n + order

    def lookup(queries: np.ndarray, index: np.ndarray) -> np.ndarray:
        found = np.searchsorted(keys, queries * n + index, side="left") - 1
        valid = found >= 0
        valid[valid] = keys[found[valid]] // n == queries[valid]
        return np.where(valid, order[np.maximum(found, 0)], -1)

    return lookup


def denoise(events: Events, filter_time: float) -> Events:
    """tonic.transforms.Denoise: keep an event if one of its 4 neighbours fired within ``filter_time`` us."""
    if events.size == 0:
        return events
    width, height = int(events.x.max()) + 1, int(events.y.max()) + 1
    last_before = _last_before(events.x * height + events.y)
    index = np.arange(events.size, dtype=np.int64)
    keep = np.zeros(events.size, dtype=bool)
    for dx, dy in _NEIGHBOURS:
        nx, ny = events.x + dx, events.y + dy
        inside = (nx >= 0) & (nx < width) & (ny >= 0) & (ny < height)
        last = last_before((nx * height + ny)[inside], index[inside])
        memory = np.where(last >= 0, events.t[np.maximum(last, 0)] + filter_time, filter_time)
        keep[inside] |= memory > events.t[inside]
    return events.take(keep)


def refractory(events: Events, delta: float) -> Events:
    """tonic.transforms.RefractoryPeriod: drop an event within ``delta`` us of its pixel's previous event."""
    if events.size == 0:
        return events
    pixel = events.pixels()
    order = np.argsort(pixel, kind="stable")
    same = np.zeros(events.size, dtype=bool)
    same[1:] = pixel[order[1:]] == pixel[order[:-1]]
    previous = np.full(events.size, -float(delta))
    previous[order[1:][same[1:]]] = events.t[order[:-1][same[1:]]]
    return events.take(events.t - previous > delta)


def downsample(events: Events, factor: float) -> Events:
    """tonic.transforms.Downsample(spatial_factor=factor): coordinates scaled and truncated; smaller sensor."""
    try:
        from tonic.transforms import Downsample
    except ImportError as exc:
        raise StimulusError(
            "event downsampling needs tonic: install the events extra (pip install 'cerebrepro[events]')"
        ) from exc
    array = np.empty(events.size, dtype=[("x", "<i8"), ("y", "<i8"), ("t", "<i8"), ("p", "?")])
    for name in ("x", "y", "t", "p"):
        array[name] = getattr(events, name)
    scaled = Downsample(spatial_factor=factor)(array)
    corner = np.empty(1, dtype=array.dtype)
    corner["x"], corner["y"] = events.sensor[0] - 1, events.sensor[1] - 1
    corner = Downsample(spatial_factor=factor)(corner)
    sensor = (int(corner["x"][0]) + 1, int(corner["y"][0]) + 1)
    return replace(events, x=scaled["x"].copy(), y=scaled["y"].copy(), sensor=sensor)


def apply_transforms(
    events: Events, options: EventOptions
) -> tuple[Events, list[dict[str, object]]]:
    """The transforms ``options`` asks for, in a fixed order; the events left after each are recorded."""
    applied: list[dict[str, object]] = []
    steps = (
        ("Denoise", "filter_time_us", options.denoise, denoise),
        ("RefractoryPeriod", "delta_us", options.refractory, refractory),
        ("Downsample", "spatial_factor", options.downsample, downsample),
    )
    for name, parameter, value, transform in steps:
        if value is None:
            continue
        events = transform(events, value)
        applied.append(
            {"transform": f"tonic.transforms.{name}", "parameter": parameter, "value": value,
             "events_left": events.size, "sensor": list(events.sensor), "semantics": f"tonic {TONIC_VERSION}"}
        )  # fmt: skip
    return events, applied
