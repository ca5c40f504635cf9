"""NEST's recorders for one network: every spike, and v and conductances of chosen cells.

One ``spike_recorder`` for every population and one ``multimeter`` per recorded subset,
read back as arrays (no per-cell neo objects, no per-cell recorders). A run advances in
chunks and moves the events out of NEST after each, so NEST holds one chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.backends import mpi
from cerebrepro.backends.nest.kernel import import_nest
from cerebrepro.backends.nest.wiring import node_ids
from cerebrepro.results.types import AnalogSignals, PopulationSpikes

# The analog signals of each cell model: our name -> (NEST's name, factor to our unit; the
# conductances nS -> uS). Current-based cells have no conductances: v alone is sampled.
NEST_SIGNALS: dict[str, dict[str, tuple[str, float]]] = {
    "IF_cond_exp": {"v": ("V_m", 1.0), "gsyn_exc": ("g_ex", 1e-3), "gsyn_inh": ("g_in", 1e-3)},
    "IF_curr_exp": {"v": ("V_m", 1.0)},
}


@dataclass
class Meter:
    """One multimeter sampling ``signals`` of the (sorted) local ``cells`` of a population."""

    device: Any
    cells: np.ndarray
    signals: dict[str, tuple[str, float]]


@dataclass
class Recorders:
    """NEST devices recording one network, and the events already moved out of NEST.

    ``drain()`` moves the recorded events into compact numpy buffers and clears NEST's
    own storage, so a long run holds one chunk of events inside NEST at a time.
    """

    spikes: Any
    id_ranges: dict[str, tuple[int, int]]  # population -> (first node id, size)
    multimeters: dict[str, Meter] = field(default_factory=dict)
    interval: float = 0.1
    # (senders, times) and, per population, (steps, columns, values) of each drained chunk
    spike_parts: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    analog_parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(
        default_factory=dict
    )

    def drain(self) -> None:
        """Move every event recorded so far from NEST into this object's buffers."""
        events = self.spikes.get("events")
        if len(events["times"]):
            self.spike_parts.append(
                (
                    np.asarray(events["senders"], dtype=np.int64),
                    np.asarray(events["times"], dtype=np.float64),
                )
            )
        self.spikes.n_events = 0
        for name, meter in self.multimeters.items():
            events = meter.device.get("events")
            if not len(events["times"]):
                continue
            first = self.id_ranges[name][0]
            steps = np.round(np.asarray(events["times"]) / self.interval).astype(np.int32)
            columns = np.searchsorted(meter.cells, np.asarray(events["senders"]) - first).astype(
                np.int32
            )
            values = np.column_stack(
                [
                    np.asarray(events[nest_name], dtype=np.float32) * scale
                    for nest_name, scale in meter.signals.values()
                ]
            )
            self.analog_parts.setdefault(name, []).append((steps, columns, values))
            meter.device.n_events = 0


def record(
    populations: dict[str, Any],
    subsets: dict[str, np.ndarray],
    models: dict[str, str],
    interval: float,
) -> Recorders:
    """All spikes of every population; the analog signals of each population's (sorted) subset.

    ``models`` names each subset's cell model (which signals it has).
    """
    nest = import_nest()

    spike_recorder = nest.Create("spike_recorder")
    id_ranges = {}
    for name, population in populations.items():
        ids = node_ids(population)
        if ids.size and not np.array_equal(ids, np.arange(ids[0], ids[0] + ids.size)):
            raise RuntimeError(f"NEST node ids of {name} are not contiguous")
        id_ranges[name] = (int(ids[0]) if ids.size else 0, int(ids.size))
        # NEST stores each neuron-to-device connection in its own block (~24 KB for
        # static_synapse_hom_w, ~31 KB for static_synapse): 2.1 GB for 88k granule cells.
        # Connecting the NodeCollection with static_synapse_hom_w takes 0.02 s for 88k
        # cells (arrays: 3.5 s; static_synapse: 4 s).
        nest.Connect(
            population.node_collection,
            spike_recorder,
            syn_spec={"synapse_model": "static_synapse_hom_w"},
        )
    recorders = Recorders(spike_recorder, id_ranges, interval=interval)
    for name, cells in subsets.items():
        if cells.size == 0:
            continue
        signals = NEST_SIGNALS[models[name]]
        meter = nest.Create(
            "multimeter",
            params={"interval": interval, "record_from": [s for s, _ in signals.values()]},
        )
        nest.Connect(meter, nest.NodeCollection(node_ids(populations[name])[cells].tolist()))
        recorders.multimeters[name] = Meter(meter, cells, signals)
    return recorders


def run(
    sim: ModuleType,
    duration: float,
    chunk: float,
    on_chunk: Callable[[float], None] | None = None,
    recorders: Recorders | None = None,
) -> None:
    """Advance the simulation to ``duration`` ms in chunks, draining recorders after each."""
    t = 0.0
    while t < duration - 1e-9:
        step = min(chunk, duration - t)
        sim.run(step)
        t += step
        if recorders is not None:
            recorders.drain()
        if on_chunk is not None:
            on_chunk(t)


def collect_spikes(recorders: Recorders, duration: float) -> dict[str, PopulationSpikes]:
    """Spikes per population as (time, local cell) arrays, sorted by time then cell.

    Under MPI every rank records its own neurons; rank 0 receives all of them.
    """
    recorders.drain()
    parts = recorders.spike_parts or [(np.zeros(0, np.int64), np.zeros(0))]
    senders, times = mpi.gather_concatenated(
        np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    )
    keep = times < duration - 1e-9
    senders, times = senders[keep], times[keep]
    out = {}
    for name, (first, size) in recorders.id_ranges.items():
        mine = (senders >= first) & (senders < first + size)
        t, c = times[mine], senders[mine] - first
        order = np.lexsort((c, t))
        out[name] = PopulationSpikes(size, t[order], c[order])
    return out


def collect_analog(recorders: Recorders, duration: float) -> dict[str, AnalogSignals]:
    """Sampled v (mV) and, for conductance cells, conductances (uS) as (samples x cells) float32 arrays.

    Sample k is taken at (k + 1) * interval, up to ``duration`` inclusive.
    """
    recorders.drain()
    n_samples = int(round(duration / recorders.interval))
    out = {}
    for name, meter in recorders.multimeters.items():
        parts = recorders.analog_parts.get(name) or [
            (
                np.zeros(0, np.int32),
                np.zeros(0, np.int32),
                np.zeros((0, len(meter.signals)), np.float32),
            )
        ]
        steps, columns, values = mpi.gather_concatenated(
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )
        rows = steps.astype(np.int64) - 1
        keep = (rows >= 0) & (rows < n_samples)
        signals = {}
        for k, signal in enumerate(meter.signals):
            grid = np.full((n_samples, meter.cells.size), np.nan, dtype=np.float32)
            grid[rows[keep], columns[keep]] = values[keep, k]
            signals[signal] = grid
        out[name] = AnalogSignals(meter.cells, recorders.interval, signals)
    return out
