"""The analysis windows of a population: baseline, stimulus and post, shifted by its input delay.

With shift d (CELL_TYPES.delay_from_input): baseline [0, start + d), stimulus
[start + d, stop + d), post [stop + d, duration), all half-open. Window edges are compared
with a tolerance of ``EDGE_TOLERANCE`` timesteps, so that a grid time computed as
``step * timestep`` (e.g. 303.99999999999994) lands in the window its step belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cerebrepro.model.cerebellum import CELLS, REFERENCE_PROTOCOL, Protocol

WINDOW_NAMES: tuple[str, ...] = ("baseline", "stimulus", "post")
EDGE_TOLERANCE = 1e-6  # in timesteps


@dataclass(frozen=True)
class Window:
    """A half-open time interval [start, stop) in ms."""

    name: str
    start: float
    stop: float

    @property
    def duration(self) -> float:
        return max(self.stop - self.start, 0.0)

    def contains(self, times: np.ndarray, tolerance: float = 0.0) -> np.ndarray:
        """Boolean mask of ``times`` inside the window (edges shifted down by ``tolerance``)."""
        return (times >= self.start - tolerance) & (times < self.stop - tolerance)


def window_shift(population: str) -> float:
    """The delay (ms) from the input to ``population``; 0 for a population the model lacks."""
    cell = CELLS.get(population)
    return cell.delay_from_input if cell is not None else 0.0


def shifted_windows(
    shift: float, duration: float, protocol: Protocol = REFERENCE_PROTOCOL
) -> tuple[Window, ...]:
    """Baseline, stimulus and post windows shifted by ``shift`` ms and clipped to the run."""
    start = min(protocol.start + shift, duration)
    stop = min(protocol.stop + shift, duration)
    return (
        Window("baseline", 0.0, start),
        Window("stimulus", start, stop),
        Window("post", stop, duration),
    )


def population_windows(
    population: str, duration: float, protocol: Protocol = REFERENCE_PROTOCOL
) -> tuple[Window, ...]:
    """The three windows of ``population`` (shifted by its input delay)."""
    return shifted_windows(window_shift(population), duration, protocol)
