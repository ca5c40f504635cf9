"""Distinct pre-synaptic neurons with a target on a core, per core and step.

Each population is cut into cores of ``NEURONS_PER_CORE`` consecutive cells of a neuron
order. In every step a core is counted one per distinct spiking pre-synaptic *cell* that
has at least one synapse onto a cell of the core, over all its afferent projections
(their adjacencies are OR-ed; a cell spiking twice in one step counts once), in the step
the spike is sent. This is the part of the traffic a core actually needs, not what
SpiNNaker delivers: sPyNNaker routes by source core, so a core also receives the spikes
of cells without a target on it, and long delays shift packets in time. The packet
count SpiNNaker's hardware counter measures is estimated by :mod:`packet_load`; this count
is a lower bound of it when every delay is held on the receiving core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS, ArrivalTerm, arrival_peak
from cerebrepro.analysis.connectivity import Afferent
from cerebrepro.analysis.packet_load import cores_of_cells
from cerebrepro.analysis.steps import SpikeSteps


@dataclass(frozen=True)
class PresynapticNeuronLoad:
    """Distinct spiking pre-synaptic cells with a target on each core, per step."""

    per_core_peak: np.ndarray  # int64, (n_cores,)
    peak: int
    core: int  # -1 when nothing arrives
    step: int  # -1 when nothing arrives
    total: int


def neuron_adjacency(
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


def presynaptic_neuron_load(
    afferents: Sequence[Afferent],
    spikes: Mapping[str, SpikeSteps],
    order: np.ndarray,
    cells_per_core: int,
    n_steps: int,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> PresynapticNeuronLoad:
    """Distinct pre-synaptic neurons per core and step for one post population cut along ``order``."""
    n_cores = -(-len(order) // cells_per_core)
    core_of_cell = cores_of_cells(order, cells_per_core)
    adjacency = neuron_adjacency([a for a in afferents if a.pre in spikes], core_of_cell, n_cores)
    terms = [ArrivalTerm(matrix, spikes[pre].distinct()) for pre, matrix in adjacency.items()]
    result = arrival_peak(terms, n_cores, n_steps, chunk_steps)
    return PresynapticNeuronLoad(
        result.per_row_max, result.peak, result.row, result.step, result.total
    )
