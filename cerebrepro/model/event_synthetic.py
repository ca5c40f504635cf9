"""A synthetic event recording: a bar sweeping across the sensor, for tests, docs and offline trials.

The bar spans the sensor's other axis and moves along ``axis`` at constant speed; each pixel
fires ON events when the bar's leading edge reaches it and OFF events when its trailing edge
leaves, ``per_edge`` events each, jittered within one column's crossing time; ``noise_hz`` adds
uniform background events. The result is a tonic-style structured array (x, y: int16; t: int64
us; p: bool), sorted by time, the same for the same arguments.
"""

from __future__ import annotations

import numpy as np

TONIC_DTYPE = np.dtype([("x", np.int16), ("y", np.int16), ("t", np.int64), ("p", bool)])


def moving_bar(
    sensor: tuple[int, int] = (64, 48),
    sweep_ms: float = 100.0,
    start_ms: float = 0.0,
    bar_width: int = 4,
    axis: str = "x",
    sweeps: int = 1,
    per_edge: int = 1,
    noise_hz: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Events of a bar crossing the sensor ``sweeps`` times, each crossing ``sweep_ms`` long."""
    width, height = sensor
    along, across = (width, height) if axis == "x" else (height, width)
    rng = np.random.default_rng(seed)
    step_us = sweep_ms * 1000.0 / along  # time the bar takes per column
    sweep = np.arange(sweeps)[:, None, None, None]
    column = np.arange(along)[None, :, None, None]
    row = np.arange(across)[None, None, :, None]
    edges = []
    for polarity, delay in ((True, 0), (False, bar_width)):
        shape = (sweeps, along, across, per_edge)
        t = (
            start_ms * 1000.0
            + (sweep * along + column + delay) * step_us
            + rng.uniform(0, step_us, shape)
        )
        c = np.broadcast_to(column, shape)
        r = np.broadcast_to(row, shape)
        edges.append((t.ravel(), c.ravel(), r.ravel(), np.full(t.size, polarity)))
    t, c, r, p = (np.concatenate(parts) for parts in zip(*edges, strict=True))
    if noise_hz > 0:
        span_us = (sweeps * along + bar_width + 1) * step_us
        n = rng.poisson(noise_hz * width * height * span_us / 1e6)
        t = np.concatenate([t, start_ms * 1000.0 + rng.uniform(0, span_us, n)])
        c = np.concatenate([c, rng.integers(0, along, n)])
        r = np.concatenate([r, rng.integers(0, across, n)])
        p = np.concatenate([p, rng.random(n) < 0.5])
    x, y = (c, r) if axis == "x" else (r, c)
    t = np.floor(t).astype(np.int64)
    order = np.argsort(t, kind="stable")
    events = np.empty(t.size, dtype=TONIC_DTYPE)
    events["x"], events["y"], events["t"], events["p"] = x[order], y[order], t[order], p[order]
    return events
