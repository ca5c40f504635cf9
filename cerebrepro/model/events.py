"""Event-camera recordings as data: the event arrays, their checks, and the options of a mapping.

A recording is what tonic 1.7 calls events: a structured array with fields ``x``, ``y`` (pixel
column and row), ``t`` (whole microseconds, sorted) and ``p`` (polarity; ``> 0`` is ON). Here it
is held as four plain arrays plus the sensor size, so that the checks and the mapping are
vectorised numpy and never loop over events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import numpy as np

from cerebrepro.errors import StimulusError

EVENT_FIELDS: tuple[str, ...] = ("x", "y", "t", "p")
FITS: tuple[str, ...] = ("stretch", "crop")
POLARITIES: tuple[str, ...] = ("both", "on", "off")
CAP_ACTIONS: tuple[str, ...] = ("report", "apply")
DEFAULT_RATE_CAP = 1000.0  # Hz per cell: one spike per ms


@dataclass(frozen=True)
class Events:
    """One recording: parallel arrays sorted by ``t`` (us) and the sensor's (width, height) in pixels."""

    x: np.ndarray  # int64
    y: np.ndarray  # int64
    t: np.ndarray  # int64, us
    p: np.ndarray  # bool, True = ON
    sensor: tuple[int, int]
    source: str = "events"  # the file (or a name) that error messages quote

    @property
    def size(self) -> int:
        return int(self.t.size)

    def take(self, keep: np.ndarray) -> Events:
        """The events where ``keep`` (a boolean mask or sorted indices) selects them."""
        return replace(self, x=self.x[keep], y=self.y[keep], t=self.t[keep], p=self.p[keep])

    def pixels(self) -> np.ndarray:
        """Each event's pixel as one index, ``y * width + x``."""
        return self.y * self.sensor[0] + self.x


@dataclass(frozen=True)
class EventOptions:
    """How a recording becomes spike trains; every field is part of a run's spec and cache key.

    Times: the window ``[start, stop)`` is in ms of recording time (``t / 1000``; ``stop`` None: to
    the last event) and its start lands at model time ``offset`` ms. Transforms (tonic 1.7
    semantics, applied in this order, before the window): ``denoise`` (filter time, us),
    ``refractory`` (per-pixel refractory period, us), ``downsample`` (spatial factor < 1).
    ``sensor`` overrides or supplies the sensor size (width, height).
    """

    fit: str = "stretch"  # stretch | crop
    polarity: str = "both"  # both | on | off
    start: float = 0.0  # ms of recording time
    stop: float | None = None  # ms of recording time
    offset: float = 0.0  # ms of model time at which ``start`` lands
    sensor: tuple[int, int] | None = None
    denoise: float | None = None  # us
    refractory: float | None = None  # us
    downsample: float | None = None  # spatial factor
    rate_cap: float = DEFAULT_RATE_CAP  # Hz per cell
    cap: str = "report"  # report | apply

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("fit", self.fit, FITS),
            ("polarity", self.polarity, POLARITIES),
            ("cap", self.cap, CAP_ACTIONS),
        ):
            if value not in allowed:
                raise StimulusError(
                    f"unknown events {name} {value!r}: choose one of {', '.join(allowed)}"
                )
        if self.start < 0 or (self.stop is not None and self.stop <= self.start):
            raise StimulusError(f"events window {self.start:g}-{self.stop} ms is empty or negative")
        if self.offset < 0:
            raise StimulusError(f"events offset {self.offset:g} ms is negative")
        if self.sensor is not None and (len(self.sensor) != 2 or min(self.sensor) < 1):
            raise StimulusError(f"sensor size {self.sensor} is not (width, height) in whole pixels")
        if self.downsample is not None and not 0 < self.downsample <= 1:
            raise StimulusError(f"events downsample factor {self.downsample:g} is not in (0, 1]")
        for name in ("denoise", "refractory"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise StimulusError(f"events {name} time {value:g} us is not positive")
        if self.rate_cap <= 0:
            raise StimulusError(f"events rate cap {self.rate_cap:g} Hz is not positive")

    @classmethod
    def coerce(cls, value: EventOptions | Mapping[str, object]) -> EventOptions:
        """Options given as themselves or as the plain mapping a spec is stored as."""
        if isinstance(value, EventOptions):
            return value
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in value.items() if k in known}
        if data.get("sensor") is not None:
            data["sensor"] = tuple(int(v) for v in data["sensor"])  # type: ignore[union-attr]
        return cls(**data)  # type: ignore[arg-type]


def from_structured(array: np.ndarray, sensor: tuple[int, int] | None, source: str) -> Events:
    """Events from a tonic-style structured array, checked; ``sensor`` None: inferred (max + 1)."""
    names = array.dtype.fields or {}  # names and titles: aedat calls p "on", titled "p"
    missing = [name for name in EVENT_FIELDS if name not in names]
    if missing:
        raise StimulusError(
            f"events file {source} lacks field(s) {', '.join(missing)}: a recording needs x, y, t (us) and p"
        )
    return check_events(
        {name: np.asarray(array[name]).reshape(-1) for name in EVENT_FIELDS}, sensor, source
    )


def check_events(
    columns: Mapping[str, np.ndarray], sensor: tuple[int, int] | None, source: str
) -> Events:
    """Events from four columns, refused with a message naming ``source`` when malformed.

    Refused: different lengths, non-integer coordinates or times, negative or unsorted times,
    and coordinates outside the sensor. A recording without events is refused too.
    """
    lengths = {name: np.asarray(columns[name]).size for name in EVENT_FIELDS}
    if len(set(lengths.values())) != 1:
        raise StimulusError(f"events file {source}: fields differ in length ({lengths})")
    if lengths["t"] == 0:
        raise StimulusError(f"events file {source} holds no events")
    x, y, t = (_whole(columns[name], name, source) for name in ("x", "y", "t"))
    p = np.asarray(columns["p"]).reshape(-1) > 0
    negative = np.flatnonzero(t < 0)
    if negative.size:
        i = int(negative[0])
        raise StimulusError(f"events file {source} holds negative times (event {i}: t = {t[i]} us)")
    backwards = np.flatnonzero(np.diff(t) < 0)
    if backwards.size:
        i = int(backwards[0])
        raise StimulusError(
            f"events file {source}: times are not sorted (event {i + 1}: t = {t[i + 1]} us after {t[i]} us)"
        )
    if sensor is None:
        sensor = (int(x.max()) + 1 if x.min() >= 0 else 1, int(y.max()) + 1 if y.min() >= 0 else 1)
    width, height = int(sensor[0]), int(sensor[1])
    for name, values, limit in (("x", x, width), ("y", y, height)):
        outside = np.flatnonzero((values < 0) | (values >= limit))
        if outside.size:
            i = int(outside[0])
            raise StimulusError(
                f"events file {source}: {name} = {values[i]} (event {i}) lies outside the "
                f"{width} x {height} sensor ({outside.size:,} events outside)"
            )
    return Events(x, y, t, p, (width, height), source)


def _whole(values: np.ndarray, name: str, source: str) -> np.ndarray:
    """``values`` as int64, refusing fractional or non-finite numbers."""
    values = np.asarray(values).reshape(-1)
    if values.dtype.kind in "iub":
        return values.astype(np.int64)
    if (
        values.dtype.kind != "f"
        or not np.all(np.isfinite(values))
        or np.any(values != np.round(values))
    ):
        unit = " (whole microseconds)" if name == "t" else " (whole pixels)"
        raise StimulusError(f"events file {source}: field {name} is not integer{unit}")
    return values.astype(np.int64)


def select(events: Events, options: EventOptions) -> Events:
    """The events of the chosen polarity inside the time window; refused when none are left."""
    keep = np.ones(events.size, dtype=bool)
    if options.polarity != "both":
        keep &= events.p == (options.polarity == "on")
    lo = int(np.searchsorted(events.t, round(options.start * 1000.0), side="left"))
    hi = (
        events.size
        if options.stop is None
        else int(np.searchsorted(events.t, round(options.stop * 1000.0)))
    )
    keep[:lo] = False
    keep[hi:] = False
    chosen = events.take(keep)
    if chosen.size == 0:
        stop = "the end" if options.stop is None else f"{options.stop:g} ms"
        raise StimulusError(
            f"events file {events.source}: the window {options.start:g} ms to {stop} holds no "
            f"{'' if options.polarity == 'both' else options.polarity.upper() + ' '}events "
            f"(the recording spans {events.t[0] / 1000:g}-{events.t[-1] / 1000:g} ms)"
        )
    return chosen


def model_times(events: Events, options: EventOptions) -> np.ndarray:
    """Each event's model time (ms): ``offset + t / 1000 - start``."""
    return options.offset + (events.t - round(options.start * 1000.0)) / 1000.0
