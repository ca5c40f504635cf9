"""Neuron orders applied when a backend creates its populations, and undone on the results.

An order is a permutation of a population's scaffold-local indices: cell ``k`` of the
simulator's population is scaffold cell ``order[k]`` (the convention of
:mod:`cerebrepro.analysis.core_load`). A backend builds a *permuted* scaffold and stimulus,
simulates it, and maps every recorded cell index back through the order, so results are
always in scaffold-local indices whatever order was simulated.

Orders: ``default`` (identity), ``grid`` (the spatial order of protocol.md, see
:func:`cerebrepro.analysis.ordering.grid_order`) and ``random`` (a seeded permutation).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cerebrepro.analysis.ordering import default_order, grid_order
from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.scaffold.types import Connections, Scaffold

NEURON_ORDERS: tuple[str, ...] = ("default", "grid", "random")


def population_order(positions: np.ndarray, mode: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """The order of one population's cells at ``positions`` (n, 3) under ``mode``."""
    size = int(np.asarray(positions).shape[0])
    if mode == "default":
        return default_order(size)
    if mode == "grid":
        return grid_order(positions) if size else default_order(0)
    if mode == "random":
        if rng is None:
            raise SimulatorError("the random neuron order needs a seed")
        return rng.permutation(size).astype(np.int64)
    raise SimulatorError(f"unknown neuron order {mode!r}: choose one of {', '.join(NEURON_ORDERS)}")


@dataclass(frozen=True)
class NeuronOrder:
    """The order of every population of one network, and how it was chosen."""

    mode: str
    seed: int | None
    orders: dict[str, np.ndarray]  # population -> permutation of its local indices

    @property
    def is_identity(self) -> bool:
        return all(np.array_equal(o, np.arange(o.size)) for o in self.orders.values())

    def inverse(self, population: str) -> np.ndarray:
        """``inverse[scaffold cell]`` = the simulator's index of that cell."""
        order = self.orders[population]
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size, dtype=np.int64)
        return inverse

    def digest(self) -> str:
        """sha256 over every population's permutation (equal digests: equal placement order)."""
        h = hashlib.sha256()
        for name in sorted(self.orders):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.orders[name], dtype="<i8").tobytes())
        return h.hexdigest()

    def provenance(self) -> dict[str, object]:
        return {"mode": self.mode, "seed": self.seed, "sha256": self.digest()}


def choose_order(scaffold: Scaffold, mode: str, seed: int | None = None) -> NeuronOrder:
    """The ``mode`` order of every population of ``scaffold`` (``seed`` only matters for random)."""
    rng = np.random.default_rng(seed) if mode == "random" and seed is not None else None
    orders = {
        name: population_order(scaffold.positions[name], mode, rng)
        for name in POPULATIONS
        if name in scaffold.positions
    }
    return NeuronOrder(mode, seed if mode == "random" else None, orders)


def permute_scaffold(scaffold: Scaffold, order: NeuronOrder) -> Scaffold:
    """The same network with every population's cells renumbered into ``order``.

    Cell ``k`` of the result is cell ``order[k]`` of ``scaffold``; every connection row is
    kept (same count, same multiplicity) with its ends renumbered.
    """
    from cerebrepro.model.cerebellum import PROJECTIONS, UNSIMULATED_PROJECTIONS

    ends = {**{n: (p.pre, p.post) for n, p in PROJECTIONS.items()}, **UNSIMULATED_PROJECTIONS}
    positions = {name: p[order.orders[name]] for name, p in scaffold.positions.items()}
    connections = {}
    for name, rows in scaffold.connections.items():
        pre, post = ends[name]
        connections[name] = Connections(order.inverse(pre)[rows.pre], order.inverse(post)[rows.post])
    return Scaffold(positions, connections, dict(scaffold.attrs), scaffold.source, scaffold.sha256)


def permute_trains(trains: SpikeTrains, order: np.ndarray) -> SpikeTrains:
    """Spike trains renumbered so that source ``k`` fires as scaffold source ``order[k]``."""
    order = np.asarray(order, dtype=np.int64)
    lengths = np.diff(trains.offsets)[order]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    shift = np.repeat(trains.offsets[:-1][order] - offsets[:-1], lengths)
    return SpikeTrains(trains.times[np.arange(offsets[-1], dtype=np.int64) + shift], offsets)


def restore_spikes(spikes: PopulationSpikes, order: np.ndarray) -> PopulationSpikes:
    """Spikes recorded in the simulator's indices, in scaffold indices (sorted by time, cell)."""
    cells = np.asarray(order, dtype=np.int64)[np.asarray(spikes.cells, dtype=np.int64)]
    times = np.asarray(spikes.times, dtype=np.float64)
    sort = np.lexsort((cells, times))
    return PopulationSpikes(spikes.size, times[sort], cells[sort])


def restore_analog(analog: AnalogSignals, order: np.ndarray) -> AnalogSignals:
    """Signals of simulator cells, as scaffold cells in ascending scaffold index."""
    cells = np.asarray(order, dtype=np.int64)[np.asarray(analog.cells, dtype=np.int64)]
    sort = np.argsort(cells, kind="stable")
    signals = {name: values[:, sort] for name, values in analog.signals.items()}
    return AnalogSignals(cells[sort], analog.sampling_interval, signals)


def simulator_indices(order: NeuronOrder, scaffold_cells: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The simulator's indices (ascending) of the given scaffold cells, per population."""
    return {name: np.sort(order.inverse(name)[cells]) for name, cells in scaffold_cells.items()}
