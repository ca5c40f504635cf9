"""SpiNNaker communication load per core, estimated from any run.

Each population is cut into cores of ``NEURONS_PER_CORE`` consecutive cells of a neuron
order (a permutation of population-local indices: ``order[k]`` is the cell placed k-th).
In every step a core receives one multicast packet per distinct spiking pre-synaptic cell
that has at least one target on it, over all its afferent projections: projections from
the same pre population share the packet (their adjacencies are OR-ed), and a cell
spiking twice in one step sends one packet. Packets are counted in the step they are sent
(synaptic delays are applied on the receiving core).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS, ArrivalTerm, arrival_peak
from cerebrepro.analysis.connectivity import Afferent
from cerebrepro.analysis.steps import SpikeSteps


@dataclass(frozen=True)
class CoreLoad:
    """Packets received per core and step by the cores of one population."""

    per_core_peak: np.ndarray  # int64, (n_cores,)
    peak: int
    core: int  # -1 when no packet arrives
    step: int  # -1 when no packet arrives
    total: int


def cores_of_cells(order: np.ndarray, cells_per_core: int) -> np.ndarray:
    """The core index of every cell when the cells of ``order`` fill cores in turn."""
    order = np.asarray(order, dtype=np.int64)
    core = np.empty(order.size, dtype=np.int64)
    core[order] = np.arange(order.size, dtype=np.int64) // cells_per_core
    return core


def core_adjacency(
    afferents: Sequence[Afferent], core_of_cell: np.ndarray, n_cores: int
) -> dict[str, sp.csr_array]:
    """Per pre population: (n_cores x n_pre) 0/1 matrix, 1 where the pre cell targets the core."""
    rows: dict[str, list[np.ndarray]] = {}
    columns: dict[str, list[np.ndarray]] = {}
    n_pre: dict[str, int] = {}
    for a in afferents:
        synapses = a.synapses.tocoo()
        rows.setdefault(a.pre, []).append(core_of_cell[synapses.row])
        columns.setdefault(a.pre, []).append(np.asarray(synapses.col, dtype=np.int64))
        n_pre[a.pre] = a.synapses.shape[1]
    adjacency = {}
    for pre in rows:
        core_rows, pre_columns = np.concatenate(rows[pre]), np.concatenate(columns[pre])
        data = np.ones(core_rows.size, dtype=np.int32)
        matrix = sp.coo_array((data, (core_rows, pre_columns)), shape=(n_cores, n_pre[pre])).tocsr()
        matrix.data[:] = 1
        adjacency[pre] = matrix
    return adjacency


def core_load(
    afferents: Sequence[Afferent],
    spikes: Mapping[str, SpikeSteps],
    order: np.ndarray,
    cells_per_core: int,
    n_steps: int,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> CoreLoad:
    """Packets per core and step for one post population cut into cores along ``order``."""
    n_cores = -(-len(order) // cells_per_core)
    core_of_cell = cores_of_cells(order, cells_per_core)
    adjacency = core_adjacency([a for a in afferents if a.pre in spikes], core_of_cell, n_cores)
    terms = [ArrivalTerm(matrix, spikes[pre].distinct()) for pre, matrix in adjacency.items()]
    result = arrival_peak(terms, n_cores, n_steps, chunk_steps)
    return CoreLoad(result.per_row_max, result.peak, result.row, result.step, result.total)
