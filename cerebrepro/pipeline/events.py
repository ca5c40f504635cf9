"""An event recording converted onto a rebuilt scaffold's glomeruli, timed (``cerebrepro events convert``).

Reading and converting are timed apart: a large recording's cost is mostly one or the other
(the file format's reader, or the transforms and the pixel map).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cerebrepro.data.events import Recording, read_recording
from cerebrepro.model.event_mapping import EventInput, map_events
from cerebrepro.model.events import EventOptions


@dataclass(frozen=True)
class Conversion:
    """A recording as read, the trains made from it, and the time of each step."""

    recording: Recording
    made: EventInput
    glomeruli: int  # cells of the plane the events were mapped onto
    read_s: float
    convert_s: float


def convert_recording(
    path: Path, size: float, options: EventOptions, timestep: float
) -> Conversion:
    """Map the recording at ``path`` onto the glomeruli of the rebuilt ``size`` um scaffold (default seed)."""
    from cerebrepro.scaffold.default import DEFAULT_SCAFFOLD_SEED, default_scaffold
    from cerebrepro.scaffold.read import read_scaffold

    glomeruli = read_scaffold(default_scaffold(size, DEFAULT_SCAFFOLD_SEED)).positions["glomerulus"]
    t0 = time.perf_counter()
    recording = read_recording(path, options.sensor)
    t1 = time.perf_counter()
    made = map_events(recording.events, glomeruli, options, timestep)
    t2 = time.perf_counter()
    return Conversion(recording, made, int(glomeruli.shape[0]), t1 - t0, t2 - t1)
