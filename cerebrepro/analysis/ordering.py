"""Neuron orders (permutations of population-local indices) for placing cells on cores.

Grid order: the population's positions are binned into ``GRID_ORDER_SHAPE`` = 9 columns
along x by 23 rows along y (y is the height), each axis cut into equal bins over the
population's own range (the maximum falls into the last bin; a flat axis is one bin).
Cells are ordered by row, then column, then by x, y and z inside a grid cell.
"""

from __future__ import annotations

import numpy as np

from cerebrepro.model.cerebellum import GRID_ORDER_SHAPE

ORDER_NAMES: tuple[str, ...] = ("default", "grid")


def default_order(size: int) -> np.ndarray:
    """The identity order: cells in their population-local index order."""
    return np.arange(size, dtype=np.int64)


def equal_bins(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin index (0..n_bins-1) of each value in ``n_bins`` equal bins over [min, max]."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = values.min(), values.max()
    if high <= low:
        return np.zeros(values.size, dtype=np.int64)
    index = np.floor((values - low) / (high - low) * n_bins).astype(np.int64)
    return np.minimum(index, n_bins - 1)


def grid_order(
    positions: np.ndarray,
    shape: tuple[int, int] = GRID_ORDER_SHAPE,
    axes: tuple[int, int] = (0, 1),
) -> np.ndarray:
    """Grid order of cells at ``positions`` (n, 3): by row, column, then x, y, z.

    ``shape`` is (columns, rows); ``axes`` the position columns binned into columns and
    rows (x and y by default).
    """
    positions = np.asarray(positions, dtype=np.float64)
    column = equal_bins(positions[:, axes[0]], shape[0])
    row = equal_bins(positions[:, axes[1]], shape[1])
    x, y, z = positions[:, 0], positions[:, 1], positions[:, 2]
    return np.lexsort((z, y, x, column, row)).astype(np.int64)
