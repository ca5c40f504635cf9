"""Per-step sums of spikes arriving through fixed sparse matrices, reduced chunk by chunk.

The worst-case incoming spikes (synapse counts x spike counts), the SpiNNaker packet load
(core-to-core adjacency x spikes per source core, ``packet_load``) and the pre-synaptic
neurons per core (cell-to-core adjacency x spiking cells) are each a sum over terms
``matrix @ spikes`` with ``matrix`` (rows x pre units) and ``spikes`` (pre units x steps). The full
(rows x steps) result can be large (88k granules x 10k steps), so it is built a chunk of
steps at a time and reduced to each row's maximum and the overall peak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cerebrepro.analysis.steps import SpikeSteps, step_chunks

DEFAULT_CHUNK_STEPS = 1000


@dataclass(frozen=True)
class ArrivalTerm:
    """``matrix @ spikes`` with the spikes shifted by ``shift`` steps (an arrival delay)."""

    matrix: sp.csr_array  # (n_rows, spikes.size)
    spikes: SpikeSteps
    shift: int = 0


@dataclass(frozen=True)
class ArrivalPeak:
    """Each row's largest per-step sum, and the overall peak (earliest step, then lowest row)."""

    per_row_max: np.ndarray  # int64, (n_rows,)
    peak: int
    row: int  # -1 when nothing arrives
    step: int  # -1 when nothing arrives
    total: int  # sum over all rows and steps


def arrival_peak(
    terms: Sequence[ArrivalTerm],
    n_rows: int,
    n_steps: int,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> ArrivalPeak:
    """Reduce ``sum(term.matrix @ term.spikes)`` over steps [0, n_steps) chunk by chunk."""
    per_row_max = np.zeros(n_rows, dtype=np.int64)
    peak, row, step, total = 0, -1, -1, 0
    for first, stop in step_chunks(n_steps, chunk_steps):
        summed = _chunk_sum(terms, n_rows, first, stop)
        if summed is None or summed.nnz == 0:
            continue
        total += int(summed.data.sum())
        per_row_max = np.maximum(per_row_max, row_max(summed))
        chunk_peak = int(summed.data.max())
        if chunk_peak > peak:
            chunk_row, chunk_column = _first_position(summed, chunk_peak)
            peak, row, step = chunk_peak, chunk_row, first + chunk_column
    return ArrivalPeak(per_row_max, peak, row, step, total)


def _chunk_sum(
    terms: Sequence[ArrivalTerm], n_rows: int, first: int, stop: int
) -> sp.csr_array | None:
    summed: sp.csr_array | None = None
    for term in terms:
        spikes = term.spikes.matrix(first, stop, shift=term.shift)
        if spikes.nnz == 0:
            continue
        part = term.matrix @ spikes
        summed = part if summed is None else summed + part
    return None if summed is None else sp.csr_array(summed)


def row_max(matrix: sp.csr_array) -> np.ndarray:
    """Each row's largest stored value (0 for an empty row) of a matrix without duplicates.

    Works on unsorted column indices, so the product need not be sorted first.
    """
    result = np.zeros(matrix.shape[0], dtype=np.int64)
    filled = np.flatnonzero(np.diff(matrix.indptr))
    if filled.size:
        result[filled] = np.maximum.reduceat(matrix.data, matrix.indptr[filled])
    return result


def _first_position(matrix: sp.csr_array, value: int) -> tuple[int, int]:
    """(row, column) of ``value`` with the lowest column, then the lowest row."""
    positions = np.flatnonzero(matrix.data == value)
    rows = np.searchsorted(matrix.indptr, positions, side="right") - 1
    columns = matrix.indices[positions]
    first = np.lexsort((rows, columns))[0]
    return int(rows[first]), int(columns[first])
