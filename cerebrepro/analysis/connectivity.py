"""The afferent projections of each post-synaptic population, as sparse (post x pre) matrices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import CELLS, PROJECTIONS
from cerebrepro.scaffold.types import Connections, Scaffold


@dataclass(frozen=True)
class Afferent:
    """One simulated projection onto a population.

    ``synapses[post, pre]`` counts the rows (synapses) from pre to post: a repeated
    (pre, post) row counts twice.
    """

    projection: str
    pre: str
    post: str
    delay_steps: int
    synapses: sp.csr_array  # int32, shape (n_post, n_pre)


def synapse_matrix(connections: Connections, n_pre: int, n_post: int) -> sp.csr_array:
    """Sparse (n_post x n_pre) int32 synapse counts of one connection list."""
    data = np.ones(len(connections), dtype=np.int32)
    return sp.coo_array((data, (connections.post, connections.pre)), shape=(n_post, n_pre)).tocsr()


def afferents_by_population(
    scaffold: Scaffold, sizes: Mapping[str, int], timestep: float
) -> dict[str, list[Afferent]]:
    """Every simulated projection of ``scaffold`` between populations in ``sizes``, by post.

    Projections the model does not simulate (unknown names, or onto spike sources such as
    goc_glom) are left out. Raises ResultError when a connection index lies outside
    the population sizes of the run.
    """
    afferents: dict[str, list[Afferent]] = {}
    for name in sorted(scaffold.connections):
        projection = PROJECTIONS.get(name)
        if projection is None or projection.pre not in sizes or projection.post not in sizes:
            continue
        if CELLS[projection.post].is_source:
            continue
        connections = scaffold.connections[name]
        n_pre, n_post = sizes[projection.pre], sizes[projection.post]
        _check_indices(name, connections, n_pre, n_post)
        afferents.setdefault(projection.post, []).append(
            Afferent(
                projection=name,
                pre=projection.pre,
                post=projection.post,
                delay_steps=int(np.rint(projection.delay / timestep)),
                synapses=synapse_matrix(connections, n_pre, n_post),
            )
        )
    return afferents


def _check_indices(name: str, connections: Connections, n_pre: int, n_post: int) -> None:
    if len(connections) == 0:
        return
    bad = []
    if connections.pre.min() < 0 or connections.pre.max() >= n_pre:
        bad.append(
            f"pre index range [{connections.pre.min()}, {connections.pre.max()}] vs {n_pre} cells"
        )
    if connections.post.min() < 0 or connections.post.max() >= n_post:
        bad.append(
            f"post index range [{connections.post.min()}, {connections.post.max()}] vs {n_post} cells"
        )
    if bad:
        raise ResultError(
            f"projection {name} does not fit the run's populations: {'; '.join(bad)}; "
            "is this the scaffold the run was made with?"
        )
