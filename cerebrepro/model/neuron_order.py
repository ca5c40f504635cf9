"""Neuron orders: which scaffold cell becomes the k-th neuron of a population on SpiNNaker.

An order is a permutation of a population's scaffold-local indices: neuron ``k`` of the
simulator's population is scaffold cell ``order[k]``. SpiNNaker fills its cores with
consecutive neurons, so the order decides which cells share a core. The original study
(SpiNNCer, ``--id_remap``) stores the inverse, ``mapping[scaffold cell] = new id``;
:meth:`NeuronOrder.mapping` gives that form.

Orders (protocol.md):

- ``default``: the identity.
- ``grid``: the original study's spatial order, applied to every population. The horizontal
  plane (x, z) is cut into 9 columns along x and 23 rows along z, with edges
  ``linspace(min, max + 0.01, n + 1)`` taken over *all* cells of the scaffold; voxels are
  half-open ``[lo, hi)`` on both axes and visited column-major (every row of column 0, then
  column 1, ...). Inside a voxel, golgi, purkinje, stellate and basket cells are sorted by
  (x, z, y), glomerulus, granule and dcn cells by (z, x, y). Height (y) is never cut.
- ``random``: what the original's ``random_id_mapping`` gives for a seed: per population,
  ``numpy.random.RandomState(seed).permutation(n)`` as the mapping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cerebrepro.errors import CerebreproError

NEURON_ORDERS: tuple[str, ...] = ("default", "grid", "random")
GRID_COLUMNS = 9  # along x
GRID_ROWS = 23  # along z (the original's "y": it reads the file's columns as x, z, y)
GRID_EDGE_PAD = 0.01  # um added to the maximum, so the last cell falls inside the last voxel
X, Y, Z = 0, 1, 2  # position columns (y is the height)
# Sort keys inside a voxel, most significant first (position columns).
VOXEL_SORT_XZY = (X, Z, Y)
VOXEL_SORT_ZXY = (Z, X, Y)
GRID_VOXEL_SORT: Mapping[str, tuple[int, int, int]] = {
    "golgi": VOXEL_SORT_XZY,
    "purkinje": VOXEL_SORT_XZY,
    "stellate": VOXEL_SORT_XZY,
    "basket": VOXEL_SORT_XZY,
    "glomerulus": VOXEL_SORT_ZXY,
    "granule": VOXEL_SORT_ZXY,
    "dcn": VOXEL_SORT_ZXY,
}


class NeuronOrderError(CerebreproError):
    """An unknown neuron order, or one that cannot be built from what was given."""


@dataclass(frozen=True)
class GridEdges:
    """Voxel edges of the grid order (um): ``columns`` along x, ``rows`` along z."""

    columns: np.ndarray
    rows: np.ndarray

    @classmethod
    def over(cls, positions: Mapping[str, np.ndarray]) -> GridEdges:
        """The edges over every cell of every population in ``positions``."""
        cells = [np.asarray(p, dtype=np.float64).reshape(-1, 3) for p in positions.values()]
        every = np.concatenate(cells) if cells else np.zeros((0, 3))
        if every.shape[0] == 0:
            raise NeuronOrderError("the grid order needs at least one cell position")
        return cls(
            np.linspace(every[:, X].min(), every[:, X].max() + GRID_EDGE_PAD, GRID_COLUMNS + 1),
            np.linspace(every[:, Z].min(), every[:, Z].max() + GRID_EDGE_PAD, GRID_ROWS + 1),
        )

    def describe(self) -> dict[str, object]:
        return {
            "columns": int(self.columns.size - 1),
            "rows": int(self.rows.size - 1),
            "column_axis": "x",
            "row_axis": "z",
            "traversal": "column-major",
            "x_range": [float(self.columns[0]), float(self.columns[-1])],
            "z_range": [float(self.rows[0]), float(self.rows[-1])],
        }


def voxel_index(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the half-open bin ``[edges[i], edges[i+1])`` holding each value."""
    index = np.searchsorted(edges, values, side="right") - 1
    if index.size and (index.min() < 0 or index.max() >= edges.size - 1):
        raise NeuronOrderError("a cell lies outside the grid edges")
    return index.astype(np.int64)


def grid_order(
    positions: np.ndarray, edges: GridEdges, sort_key: tuple[int, int, int]
) -> np.ndarray:
    """One population's grid order: voxels column-major, then ``sort_key`` inside each."""
    p = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    column = voxel_index(p[:, X], edges.columns)
    row = voxel_index(p[:, Z], edges.rows)
    first, second, third = sort_key
    # lexsort sorts by its last key first; it is stable, so exact ties keep scaffold order.
    return np.lexsort((p[:, third], p[:, second], p[:, first], row, column)).astype(np.int64)


def random_order(size: int, seed: int) -> np.ndarray:
    """The order whose mapping is ``RandomState(seed).permutation(size)`` (the original's)."""
    mapping = np.random.RandomState(seed).permutation(size)
    return np.argsort(mapping, kind="stable").astype(np.int64)


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

    mapping = inverse  # the original study's name: mapping[old id] = new id

    def to_scaffold(self, population: str, ids: np.ndarray) -> np.ndarray:
        """Scaffold indices of neurons numbered in this order."""
        ids = np.asarray(ids, dtype=np.int64)
        order = self.orders[population]
        if ids.size and (ids.min() < 0 or ids.max() >= order.size):
            raise NeuronOrderError(
                f"{population}: neuron id {int(ids.max() if ids.max() >= order.size else ids.min())} "
                f"is outside the population of {order.size}"
            )
        return order[ids]

    def digest(self) -> str:
        """sha256 over every population's permutation (equal digests: equal placement order)."""
        h = hashlib.sha256()
        for name in sorted(self.orders):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.orders[name], dtype="<i8").tobytes())
        return h.hexdigest()

    def provenance(self) -> dict[str, object]:
        return {"mode": self.mode, "seed": self.seed, "sha256": self.digest()}


def neuron_order(
    positions: Mapping[str, np.ndarray], mode: str, seed: int | None = None
) -> NeuronOrder:
    """The ``mode`` order of every population in ``positions`` (name -> (n, 3) in um).

    ``positions`` must hold every cell of the scaffold: the grid's edges span all of them.
    ``seed`` is needed by, and only recorded for, the random order.
    """
    sizes = {name: int(np.asarray(p).reshape(-1, 3).shape[0]) for name, p in positions.items()}
    if mode == "default":
        orders = {name: np.arange(n, dtype=np.int64) for name, n in sizes.items()}
    elif mode == "grid":
        edges = GridEdges.over(positions)
        orders = {
            name: grid_order(p, edges, GRID_VOXEL_SORT.get(name, VOXEL_SORT_ZXY))
            for name, p in positions.items()
        }
    elif mode == "random":
        if seed is None:
            raise NeuronOrderError("the random neuron order needs a seed (--id-seed)")
        orders = {name: random_order(n, seed) for name, n in sizes.items()}
    else:
        raise NeuronOrderError(
            f"unknown neuron order {mode!r}: choose one of {', '.join(NEURON_ORDERS)}"
        )
    return NeuronOrder(mode, seed if mode == "random" else None, orders)
