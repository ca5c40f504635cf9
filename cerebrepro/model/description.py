"""A network as any simulator can take it: cell groups, connection lists, inputs, recording.

Every experiment (the cerebellum, the E-I balanced network, the pipeline benchmark's
network) describes itself with these types, and every backend
(:mod:`cerebrepro.backends`) builds from them. Names, models and units are PyNN's
standard ones (ms, mV, nF, nA, uS), so a description means the same on every simulator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cerebrepro.model.spike_trains import SpikeTrains

CellModel = Literal["IF_cond_exp", "IF_curr_exp", "SpikeSourceArray", "SpikeSourcePoisson"]
SOURCE_MODELS: frozenset[str] = frozenset({"SpikeSourceArray", "SpikeSourcePoisson"})
Receptor = Literal["excitatory", "inhibitory"]
ANALOG_SIGNALS: tuple[str, ...] = ("v", "gsyn_exc", "gsyn_inh")


def _no_cells() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class CellGroup:
    """One population: its size, PyNN cell model, parameters, input and what to record.

    ``initial_v`` is one potential per cell (mV) or None for ``v_rest``. ``spike_times``
    drives a ``SpikeSourceArray`` (times on the run's grid). ``positions`` (um, n x 3)
    are given where a backend may place cells by position (SpiNNaker's grid order).
    ``record_analog`` lists the local indices whose v and conductances are sampled at
    every time step; spikes of every cell are always recorded. ``neurons_per_core`` caps
    how many of the group's cells share a core on a neuromorphic machine (None: its default).
    """

    name: str
    size: int
    model: CellModel
    parameters: Mapping[str, float] = field(default_factory=dict)
    initial_v: np.ndarray | None = None
    spike_times: SpikeTrains | None = None
    positions: np.ndarray | None = None
    record_analog: np.ndarray = field(default_factory=_no_cells)
    neurons_per_core: int | None = (
        None  # a neuromorphic mapping's cap (the paper's: 64, purkinje 1)
    )

    @property
    def is_source(self) -> bool:
        return self.model in SOURCE_MODELS


@dataclass(frozen=True)
class ConnectionList:
    """One static projection: row i is a synapse ``pre_index[i] -> post_index[i]``.

    ``weight`` (uS for conductance cells, nA for current cells) is a magnitude: the
    receptor carries the sign. ``weight`` and ``delay`` (ms, on the time-step grid) are
    one number for every row or one per row. A repeated row is its own synapse.
    """

    name: str
    pre: str
    post: str
    pre_index: np.ndarray
    post_index: np.ndarray
    weight: float | np.ndarray
    delay: float | np.ndarray
    receptor: Receptor

    def __len__(self) -> int:
        return int(self.pre_index.size)

    def weights(self) -> np.ndarray:
        """One weight per row (magnitudes)."""
        return np.broadcast_to(np.asarray(self.weight, dtype=np.float64), self.pre_index.shape)

    def delays(self) -> np.ndarray:
        """One delay per row (ms)."""
        return np.broadcast_to(np.asarray(self.delay, dtype=np.float64), self.pre_index.shape)


@dataclass(frozen=True)
class NetworkDescription:
    """A whole network: groups (created in this order) and connection lists (wired in this order)."""

    name: str
    groups: tuple[CellGroup, ...]
    connections: tuple[ConnectionList, ...]

    def __post_init__(self) -> None:
        names = [group.name for group in self.groups]
        if len(set(names)) != len(names):
            raise ValueError(f"network {self.name}: group names repeat ({', '.join(names)})")
        for rows in self.connections:
            for end in (rows.pre, rows.post):
                if end not in names:
                    raise ValueError(
                        f"network {self.name}: projection {rows.name} names no group {end!r}"
                    )

    @property
    def sizes(self) -> dict[str, int]:
        return {group.name: group.size for group in self.groups}

    def group(self, name: str) -> CellGroup:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    @property
    def models(self) -> frozenset[str]:
        """The cell models the network uses (a backend refuses those it cannot simulate)."""
        return frozenset(group.model for group in self.groups)

    def connectivity_digest(self) -> str:
        """sha256 over every connection list's rows, weights and delays, in order."""
        h = hashlib.sha256()
        for rows in self.connections:
            h.update(f"{rows.name}:{rows.pre}>{rows.post}:{rows.receptor};".encode())
            for array, dtype in (
                (rows.pre_index, "<i8"),
                (rows.post_index, "<i8"),
                (np.round(rows.weights(), 12), "<f8"),
                (np.round(rows.delays(), 6), "<f8"),
            ):
                h.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
        return h.hexdigest()
