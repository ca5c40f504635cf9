"""Neuron orders applied when a backend creates its populations, and undone on the results.

The orders themselves live in :mod:`cerebrepro.model.neuron_order` (cell ``k`` of the
simulator's population is scaffold cell ``order[k]``). A backend builds a *permuted*
scaffold and stimulus, simulates it, and maps every recorded cell index back through the
order, so results are always in scaffold-local indices whatever order was simulated.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cerebrepro.model.neuron_order import NEURON_ORDERS, NeuronOrder, neuron_order
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.scaffold.types import Connections, Scaffold

__all__ = ["NEURON_ORDERS", "NeuronOrder", "choose_order", "permute_scaffold", "permute_trains"]


def choose_order(scaffold: Scaffold, mode: str, seed: int | None = None) -> NeuronOrder:
    """The ``mode`` order of every population of ``scaffold`` (``seed`` only matters for random)."""
    return neuron_order(scaffold.positions, mode, seed)


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
