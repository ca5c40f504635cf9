"""Write a scaffold in the published old-style HDF5 layout."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from cerebrepro.data.cache import atomic_path
from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.scaffold import layout
from cerebrepro.scaffold.types import Scaffold


def _positions_table(scaffold: Scaffold) -> np.ndarray:
    blocks = []
    for name in POPULATIONS:
        xyz = scaffold.positions[name]
        first = scaffold.first_gid(name)
        gid = np.arange(first, first + len(xyz), dtype=np.float64)
        blocks.append(
            np.column_stack([gid, np.full(len(xyz), scaffold.type_id(name), np.float64), xyz])
        )
    return np.concatenate(blocks)


def _connection_table(scaffold: Scaffold, name: str) -> np.ndarray:
    pre_pop, post_pop = layout.ENDPOINTS[name]
    rows = scaffold.connections[name]
    distance = np.linalg.norm(
        scaffold.positions[pre_pop][rows.pre] - scaffold.positions[post_pop][rows.post], axis=1
    )
    return np.column_stack(
        [rows.pre + scaffold.first_gid(pre_pop), rows.post + scaffold.first_gid(post_pop), distance]
    ).astype(np.float64)


def write_scaffold(scaffold: Scaffold, path: Path | str) -> Path:
    """Write ``scaffold`` to ``path`` (float64 ``/positions`` and ``/connections/<name>``,
    ``scaffold.attrs`` as root attributes); the file appears only once complete.

    Example:
        >>> write_scaffold(build_scaffold(100.0, seed=1), "small.hdf5")
        PosixPath('small.hdf5')
    """
    path = Path(path)
    with atomic_path(path, suffix=".hdf5") as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset(layout.POSITIONS, data=_positions_table(scaffold))
        group = f.create_group(layout.CONNECTIONS)
        for name in sorted(scaffold.connections):
            group.create_dataset(name, data=_connection_table(scaffold, name))
        for key, value in scaffold.attrs.items():
            if value is not None:
                f.attrs[key] = value
    return path
