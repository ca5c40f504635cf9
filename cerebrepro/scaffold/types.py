"""The in-memory scaffold: positions per population and connection lists per projection."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cerebrepro.model.cerebellum import CELLS, POPULATIONS


@dataclass(frozen=True)
class Connections:
    """One projection's rows as population-local indices (each row is one synapse)."""

    pre: np.ndarray  # int64, index into the pre population
    post: np.ndarray  # int64, index into the post population

    def __post_init__(self) -> None:
        if self.pre.shape != self.post.shape or self.pre.ndim != 1:
            raise ValueError("pre and post must be 1-D arrays of the same length")

    def __len__(self) -> int:
        return int(self.pre.size)


@dataclass
class Scaffold:
    """Cell positions (um; columns x, y, z with y the height) and connections of one network.

    Populations appear in type-id order; gids are contiguous blocks in that order, so a
    cell's gid is ``first_gid(pop) + local index``.
    """

    positions: dict[str, np.ndarray]  # name -> float64 (n, 3)
    connections: dict[str, Connections]  # projection name -> rows
    attrs: dict[str, object] = field(default_factory=dict)
    source: Path | None = None  # the HDF5 file it was read from, if any
    sha256: str | None = None  # digest of that file

    def size(self, population: str) -> int:
        return int(self.positions[population].shape[0])

    @property
    def sizes(self) -> dict[str, int]:
        return {name: self.size(name) for name in POPULATIONS if name in self.positions}

    @property
    def n_cells(self) -> int:
        return sum(self.sizes.values())

    @property
    def n_connections(self) -> int:
        return sum(len(c) for c in self.connections.values())

    def first_gid(self, population: str) -> int:
        gid = 0
        for name in POPULATIONS:
            if name == population:
                return gid
            gid += self.size(name)
        raise KeyError(population)

    def type_id(self, population: str) -> int:
        return CELLS[population].type_id

    def connectivity_digest(self) -> str:
        """sha256 over population sizes and every projection's (pre, post) rows, in name order.

        Independent of the file it came from: the same network read from two files has the
        same digest.
        """
        h = hashlib.sha256()
        for name in POPULATIONS:
            h.update(f"{name}:{self.sizes.get(name, 0)};".encode())
        for name in sorted(self.connections):
            c = self.connections[name]
            h.update(name.encode())
            h.update(np.ascontiguousarray(c.pre, dtype="<i8").tobytes())
            h.update(np.ascontiguousarray(c.post, dtype="<i8").tobytes())
        return h.hexdigest()
