"""Grid order of cells for core placement."""

import numpy as np

from cerebrepro.analysis.ordering import default_order, equal_bins, grid_order


def test_equal_bins_put_the_maximum_in_the_last_bin():
    assert equal_bins(np.array([0.0, 4.4, 5.0, 9.99, 10.0]), 2).tolist() == [0, 0, 1, 1, 1]
    assert equal_bins(np.array([3.0, 3.0]), 9).tolist() == [0, 0]


def test_grid_order_is_by_row_then_column_then_position():
    # (x, y, z); columns split x at 5, rows split y at 5
    positions = np.array(
        [
            [9.0, 9.0, 0.0],  # 0: row 1, column 1
            [0.0, 0.0, 0.0],  # 1: row 0, column 0
            [10.0, 0.0, 0.0],  # 2: row 0, column 1
            [0.0, 10.0, 0.0],  # 3: row 1, column 0
            [3.0, 1.0, 0.0],  # 4: row 0, column 0, x after cell 1
            [9.0, 9.0, -1.0],  # 5: same place as 0 but lower z
        ]
    )
    assert grid_order(positions, shape=(2, 2)).tolist() == [1, 4, 2, 3, 5, 0]


def test_default_grid_is_nine_columns_by_twenty_three_rows():
    x = np.repeat(np.arange(9.0), 23)
    y = np.tile(np.arange(23.0), 9)
    positions = np.column_stack([x, y, np.zeros(x.size)])
    order = grid_order(positions)
    assert np.array_equal(np.sort(order), default_order(x.size))
    # first the 9 cells of the lowest row, left to right
    assert x[order[:9]].tolist() == list(range(9)) and set(y[order[:9]]) == {0.0}
