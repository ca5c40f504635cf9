"""The neuron orders of the model layer, checked on a hand-made scaffold worked out by hand.

Grid edges come from the dcn cells, which span x 0..89.99 and z 0..229.99, so the columns
are 10 um wide (0, 10, ..., 90) and the rows too (0, 10, ..., 230): the granule and golgi
cells below all sit in the first two columns and three rows, where bounds of their own
would give other voxels.
"""

import numpy as np
import pytest

from cerebrepro.model.neuron_order import (
    NEURON_ORDERS,
    GridEdges,
    NeuronOrderError,
    neuron_order,
)

# (x, y, z); y is the height and is never cut.
GRANULE = np.array(
    [
        [15.0, 1.0, 5.0],  # 0: column 1, row 0
        [5.0, 2.0, 15.0],  # 1: column 0, row 1
        [10.0, 1.0, 0.0],  # 2: x on an edge: column 1 (half-open), row 0
        [9.999, 1.0, 10.0],  # 3: column 0, z on an edge: row 1
        [5.0, 1.0, 5.0],  # 4: column 0, row 0
        [3.0, 2.0, 15.0],  # 5: column 0, row 1; same z as 1, smaller x
        [3.0, 0.5, 15.0],  # 6: same x and z as 5, lower
    ]
)
GOLGI = np.array(
    [
        [5.0, 0.0, 12.0],  # 0: column 0, row 1
        [3.0, 0.0, 18.0],  # 1: column 0, row 1
        [3.0, 0.0, 11.0],  # 2: column 0, row 1
        [15.0, 0.0, 5.0],  # 3: column 1, row 0
        [5.0, 0.0, 25.0],  # 4: column 0, row 2
    ]
)
DCN = np.array([[0.0, 0.0, 0.0], [89.99, 500.0, 229.99]])
POSITIONS = {"golgi": GOLGI, "granule": GRANULE, "dcn": DCN}


def test_grid_edges_span_every_cell_of_the_scaffold():
    edges = GridEdges.over(POSITIONS)
    assert np.allclose(edges.columns, np.arange(0.0, 91.0, 10.0))
    assert np.allclose(edges.rows, np.arange(0.0, 231.0, 10.0))
    assert edges.describe()["row_axis"] == "z"


def test_granule_grid_order_worked_by_hand():
    # column 0: row 0 [4]; row 1 sorted by (z, x, y): [3 (z 10), 6 (x 3, y 0.5), 5 (x 3, y 2), 1 (x 5)]
    # column 1: row 0 sorted by z: [2 (z 0), 0 (z 5)]
    order = neuron_order(POSITIONS, "grid").orders["granule"]
    assert order.tolist() == [4, 3, 6, 5, 1, 2, 0]


def test_golgi_grid_order_is_column_major_and_sorted_by_x_first():
    # column 0: row 1 by (x, z, y): 2 (3, 11), 1 (3, 18), 0 (5, 12); row 2: 4; then column 1: 3.
    # (z first would give 2, 0, 1; row-major would put 3 before 4.)
    order = neuron_order(POSITIONS, "grid").orders["golgi"]
    assert order.tolist() == [2, 1, 0, 4, 3]


def test_grid_order_covers_the_far_corner_and_maps_ids_both_ways():
    order = neuron_order(POSITIONS, "grid")
    assert order.orders["dcn"].tolist() == [0, 1]
    mapping = order.mapping("granule")  # the original's form: mapping[scaffold cell] = new id
    assert mapping.tolist() == [6, 4, 5, 1, 0, 3, 2]
    assert order.to_scaffold("granule", mapping).tolist() == list(range(7))
    with pytest.raises(NeuronOrderError, match="outside the population of 7"):
        order.to_scaffold("granule", np.array([7]))


def test_per_population_bounds_would_differ():
    # Alone, the granule cells span x 3..15, so their own 9 columns would split column 0.
    alone = neuron_order({"granule": GRANULE}, "grid").orders["granule"]
    assert alone.tolist() != [4, 3, 6, 5, 1, 2, 0]


def test_random_order_is_the_original_random_mapping():
    order = neuron_order(POSITIONS, "random", seed=17)
    for name, p in POSITIONS.items():
        expected = np.random.RandomState(17).permutation(p.shape[0])
        assert order.mapping(name).tolist() == expected.tolist()
    assert order.provenance()["seed"] == 17
    assert neuron_order(POSITIONS, "random", seed=17).digest() == order.digest()
    assert neuron_order(POSITIONS, "random", seed=18).digest() != order.digest()


def test_every_order_is_a_permutation_and_default_is_the_identity():
    for mode in NEURON_ORDERS:
        order = neuron_order(POSITIONS, mode, seed=1)
        for name, p in POSITIONS.items():
            assert np.array_equal(np.sort(order.orders[name]), np.arange(p.shape[0]))
    assert neuron_order(POSITIONS, "default").is_identity


def test_bad_orders_are_refused():
    with pytest.raises(NeuronOrderError, match="needs a seed"):
        neuron_order(POSITIONS, "random")
    with pytest.raises(NeuronOrderError, match="unknown neuron order 'spiral'"):
        neuron_order(POSITIONS, "spiral")
