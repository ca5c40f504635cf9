"""Neuron orders applied to a network description before it is built, and undone on the results.

The orders themselves live in :mod:`cerebrepro.model.neuron_order` (cell ``k`` of the
simulator's population is description cell ``order[k]``). The backend builds a *permuted*
description (spike trains, initial potentials, positions, recorded cells and both ends of
every connection row renumbered), simulates it, and maps every recorded cell index back
through the order, so results are in description indices whatever order was simulated.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import CellGroup, NetworkDescription
from cerebrepro.model.neuron_order import NEURON_ORDERS, NeuronOrder, neuron_order
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes

__all__ = ["NEURON_ORDERS", "NeuronOrder", "choose_order", "permute_network", "permute_trains"]


def order_positions(network: NetworkDescription, mode: str) -> dict[str, np.ndarray]:
    """Every group's positions for :func:`~cerebrepro.model.neuron_order.neuron_order`.

    The grid order needs every group's (its edges span all cells); the other orders only
    use the sizes, so a group without positions stands in as zeros.
    """
    missing = [group.name for group in network.groups if group.positions is None]
    if mode == "grid" and missing:
        raise SimulatorError(
            f"network {network.name}: the grid neuron order places cells by position, and "
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} none: use --neuron-order default or random"
        )
    return {
        group.name: np.zeros((group.size, 3)) if group.positions is None else group.positions
        for group in network.groups
    }


def choose_order(network: NetworkDescription, mode: str, seed: int | None = None) -> NeuronOrder:
    """The ``mode`` order of every group of ``network`` (``seed`` only matters for random)."""
    return neuron_order(order_positions(network, mode), mode, seed)


def permute_trains(trains: SpikeTrains, order: np.ndarray) -> SpikeTrains:
    """Spike trains renumbered so that source ``k`` fires as source ``order[k]``."""
    order = np.asarray(order, dtype=np.int64)
    lengths = np.diff(trains.offsets)[order]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    shift = np.repeat(trains.offsets[:-1][order] - offsets[:-1], lengths)
    return SpikeTrains(trains.times[np.arange(offsets[-1], dtype=np.int64) + shift], offsets)


def permute_group(group: CellGroup, order: NeuronOrder) -> CellGroup:
    """``group`` with cell ``k`` being its cell ``order[k]`` (recorded cells renumbered, ascending)."""
    cells = order.orders[group.name]
    return dataclasses.replace(
        group,
        initial_v=None if group.initial_v is None else np.asarray(group.initial_v)[cells],
        spike_times=None if group.spike_times is None else permute_trains(group.spike_times, cells),
        positions=None if group.positions is None else np.asarray(group.positions)[cells],
        record_analog=np.sort(order.inverse(group.name)[group.record_analog]),
    )


def permute_network(network: NetworkDescription, order: NeuronOrder) -> NetworkDescription:
    """The same network with every group's cells renumbered into ``order``.

    Every connection row is kept in place (same count, multiplicity, weight and delay)
    with both ends renumbered.
    """
    inverse = {group.name: order.inverse(group.name) for group in network.groups}
    lists = tuple(
        dataclasses.replace(
            rows,
            pre_index=inverse[rows.pre][rows.pre_index],
            post_index=inverse[rows.post][rows.post_index],
        )
        for rows in network.connections
    )
    return NetworkDescription(
        network.name, tuple(permute_group(g, order) for g in network.groups), lists
    )


def restore_spikes(spikes: PopulationSpikes, order: np.ndarray) -> PopulationSpikes:
    """Spikes recorded in the simulator's indices, in description indices (sorted by time, cell)."""
    cells = np.asarray(order, dtype=np.int64)[np.asarray(spikes.cells, dtype=np.int64)]
    times = np.asarray(spikes.times, dtype=np.float64)
    sort = np.lexsort((cells, times))
    return PopulationSpikes(spikes.size, times[sort], cells[sort])


def restore_analog(analog: AnalogSignals, order: np.ndarray) -> AnalogSignals:
    """Signals of simulator cells, as description cells in ascending index."""
    cells = np.asarray(order, dtype=np.int64)[np.asarray(analog.cells, dtype=np.int64)]
    sort = np.argsort(cells, kind="stable")
    signals = {name: values[:, sort] for name, values in analog.signals.items()}
    return AnalogSignals(cells[sort], analog.sampling_interval, signals)
