"""Neuron orders applied when building and undone on the results (pure, no simulator)."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.model.neuron_order import neuron_order
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.simulate.ordering import (
    choose_order,
    permute_scaffold,
    permute_trains,
    restore_analog,
    restore_spikes,
    simulator_indices,
)


def rows_by_pair(scaffold, name, order=None):
    """A projection's rows as sorted (pre, post) pairs in scaffold indices."""
    rows = scaffold.connections[name]
    pre, post = rows.pre, rows.post
    if order is not None:
        from cerebrepro.model.cerebellum import PROJECTIONS

        p = PROJECTIONS[name]
        pre, post = order.orders[p.pre][pre], order.orders[p.post][post]
    pairs = np.column_stack([pre, post])
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


@pytest.mark.parametrize("mode", ["default", "grid", "random"])
def test_every_order_is_a_permutation(small_scaffold, mode):
    order = choose_order(small_scaffold, mode, seed=4)
    for name, size in small_scaffold.sizes.items():
        assert np.array_equal(np.sort(order.orders[name]), np.arange(size)), name


def test_grid_order_is_the_model_grid_order(small_scaffold):
    order = choose_order(small_scaffold, "grid")
    expected = neuron_order(small_scaffold.positions, "grid")
    assert order.digest() == expected.digest()
    assert not order.is_identity
    assert choose_order(small_scaffold, "default").is_identity


def test_random_order_depends_on_its_seed_only(small_scaffold):
    a, b, c = (choose_order(small_scaffold, "random", seed=s) for s in (1, 1, 2))
    assert a.digest() == b.digest() != c.digest()
    assert a.provenance()["seed"] == 1


def test_permuted_scaffold_is_the_same_network_renumbered(small_scaffold):
    order = choose_order(small_scaffold, "grid")
    permuted = permute_scaffold(small_scaffold, order)
    assert permuted.sizes == small_scaffold.sizes
    assert np.array_equal(permuted.positions["granule"], small_scaffold.positions["granule"][order.orders["granule"]])
    for name in small_scaffold.connections:
        if name == "goc_glom":
            continue
        assert np.array_equal(rows_by_pair(permuted, name, order), rows_by_pair(small_scaffold, name)), name


def test_permuted_trains_follow_the_order():
    trains = SpikeTrains.from_lists([np.array([1.0]), np.array([]), np.array([2.0, 3.0]), np.array([4.0])])
    order = np.array([2, 0, 3, 1])
    permuted = permute_trains(trains, order)
    for k, source in enumerate(order):
        assert np.array_equal(permuted.train(k), trains.train(source))
    assert permuted.n_spikes == trains.n_spikes


def test_spikes_and_signals_return_to_scaffold_indices():
    order = np.array([3, 0, 2, 1])  # simulator cell k is scaffold cell order[k]
    simulated = PopulationSpikes(4, np.array([1.0, 1.0, 2.0]), np.array([0, 1, 3]))
    restored = restore_spikes(simulated, order)
    assert restored.cells.tolist() == [0, 3, 1] and restored.times.tolist() == [1.0, 1.0, 2.0]

    analog = AnalogSignals(np.array([0, 2]), 0.1, {"v": np.array([[10.0, 20.0]], dtype=np.float32)})
    back = restore_analog(analog, order)
    assert back.cells.tolist() == [2, 3]
    assert back.signals["v"].tolist() == [[20.0, 10.0]]


def test_simulator_indices_of_a_recorded_subset(small_scaffold):
    order = choose_order(small_scaffold, "grid")
    wanted = np.arange(0, small_scaffold.size("granule"), 64)
    indices = simulator_indices(order, {"granule": wanted})["granule"]
    assert np.array_equal(np.sort(order.orders["granule"][indices]), wanted)
