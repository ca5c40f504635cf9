"""Neuron orders applied to a network description and undone on the results (pure, no simulator)."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.backends.spinnaker.ordering import (
    choose_order,
    permute_network,
    permute_trains,
    restore_analog,
    restore_spikes,
)
from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum_network import describe_cerebellum
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.neuron_order import NeuronOrder, neuron_order
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes


@pytest.fixture(scope="module")
def cerebellum(small_scaffold) -> NetworkDescription:
    """The small scaffold's network; glomerulus ``k`` fires once, at ``k`` ms."""
    n = small_scaffold.size("glomerulus")
    trains = SpikeTrains(np.arange(n, dtype=np.float64), np.arange(n + 1, dtype=np.int64))
    return describe_cerebellum(small_scaffold.positions, small_scaffold.connections, trains)


def tiny() -> NetworkDescription:
    """Three sources and two cells, every per-cell field distinct, one list with per-row weights and delays."""
    sources = CellGroup(
        "src", 3, "SpikeSourceArray",
        spike_times=SpikeTrains.from_lists([np.array([1.0]), np.array([]), np.array([2.0, 3.0])]),
        positions=np.array([[0.0, 0, 0], [1, 0, 0], [2, 0, 0]]),
    )  # fmt: skip
    cells = CellGroup(
        "cell", 2, "IF_cond_exp", {"v_rest": -65.0},
        initial_v=np.array([-60.0, -70.0]), positions=np.array([[5.0, 0, 0], [6, 0, 0]]),
        record_analog=np.array([0]),
    )  # fmt: skip
    rows = ConnectionList(
        "src_cell", "src", "cell", np.array([0, 2, 2]), np.array([1, 0, 1]),
        weight=np.array([0.1, 0.2, 0.3]), delay=np.array([1.0, 2.0, 3.0]), receptor="excitatory",
    )  # fmt: skip
    return NetworkDescription("tiny", (sources, cells), (rows,))


TINY_ORDER = NeuronOrder("default", None, {"src": np.array([2, 0, 1]), "cell": np.array([1, 0])})


def test_a_permuted_description_is_the_same_network_renumbered():
    """Simulator cell k is description cell order[k]: src 0,1,2 are 2,0,1; cell 0,1 are 1,0."""
    permuted = permute_network(tiny(), TINY_ORDER)
    src, cell = permuted.groups
    assert [src.spike_times.train(k).tolist() for k in range(3)] == [[2.0, 3.0], [1.0], []]
    assert src.positions[:, 0].tolist() == [2.0, 0.0, 1.0]
    assert cell.initial_v.tolist() == [-70.0, -60.0]
    assert cell.record_analog.tolist() == [1]  # description cell 0 is simulator cell 1
    rows = permuted.connections[0]
    assert rows.pre_index.tolist() == [1, 0, 0]  # src 0 -> 1, src 2 -> 0
    assert rows.post_index.tolist() == [0, 1, 0]  # cell 1 -> 0, cell 0 -> 1
    assert rows.weights().tolist() == [0.1, 0.2, 0.3] and rows.delays().tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("mode", ["default", "grid", "random"])
def test_every_order_is_a_permutation(cerebellum, mode):
    order = choose_order(cerebellum, mode, seed=4)
    for name, size in cerebellum.sizes.items():
        assert np.array_equal(np.sort(order.orders[name]), np.arange(size)), name


def test_grid_order_is_the_model_grid_order_of_the_scaffold(cerebellum, small_scaffold):
    order = choose_order(cerebellum, "grid")
    assert order.digest() == neuron_order(small_scaffold.positions, "grid").digest()
    assert not order.is_identity
    assert choose_order(cerebellum, "default").is_identity


def test_random_order_depends_on_its_seed_only(cerebellum):
    a, b, c = (choose_order(cerebellum, "random", seed=s) for s in (1, 1, 2))
    assert a.digest() == b.digest() != c.digest()
    assert a.provenance()["seed"] == 1


def test_the_grid_order_needs_every_groups_positions():
    network = tiny()
    unplaced = NetworkDescription(
        "tiny", (network.groups[0], CellGroup("cell", 2, "IF_cond_exp")), network.connections
    )
    with pytest.raises(
        SimulatorError,
        match=r"network tiny: the grid neuron order .* cell has none: use --neuron-order",
    ):
        choose_order(unplaced, "grid")
    assert choose_order(unplaced, "default").is_identity
    assert choose_order(unplaced, "random", seed=1).orders["cell"].size == 2


def test_the_cerebellum_permuted_keeps_every_row(cerebellum):
    order = choose_order(cerebellum, "grid")
    permuted = permute_network(cerebellum, order)
    assert permuted.sizes == cerebellum.sizes
    for before, after in zip(cerebellum.connections, permuted.connections, strict=True):
        back_pre = order.orders[after.pre][after.pre_index]
        back_post = order.orders[after.post][after.post_index]
        assert np.array_equal(back_pre, before.pre_index), after.name
        assert np.array_equal(back_post, before.post_index), after.name
    glomeruli = permuted.group("glomerulus").spike_times
    fired = order.orders["glomerulus"].astype(np.float64)  # source k fired at k ms
    assert np.array_equal(glomeruli.times, fired)


def test_permuted_trains_follow_the_order():
    trains = SpikeTrains.from_lists(
        [np.array([1.0]), np.array([]), np.array([2.0, 3.0]), np.array([4.0])]
    )
    order = np.array([2, 0, 3, 1])
    permuted = permute_trains(trains, order)
    for k, source in enumerate(order):
        assert np.array_equal(permuted.train(k), trains.train(source))
    assert permuted.n_spikes == trains.n_spikes


def test_spikes_and_signals_return_to_description_indices():
    order = np.array([3, 0, 2, 1])  # simulator cell k is description cell order[k]
    simulated = PopulationSpikes(4, np.array([1.0, 1.0, 2.0]), np.array([0, 1, 3]))
    restored = restore_spikes(simulated, order)
    assert restored.cells.tolist() == [0, 3, 1] and restored.times.tolist() == [1.0, 1.0, 2.0]

    analog = AnalogSignals(np.array([0, 2]), 0.1, {"v": np.array([[10.0, 20.0]], dtype=np.float32)})
    back = restore_analog(analog, order)
    assert back.cells.tolist() == [2, 3]
    assert back.signals["v"].tolist() == [[20.0, 10.0]]
