"""Worst-case incoming spikes: per post-synaptic cell and step, the pre-synaptic spikes arriving.

For a post population P, the spikes arriving at cell i in step t are
``sum over projections p onto P of sum_j synapses_p[i, j] * spikes_pre(p)[j, t - delay_p]``
(delay 0 for the "undelayed" variant, i.e. counted in the step they were emitted). A
spike that would arrive after the end of the run is not counted.

Two shares per projection:
- ``share_at_peak``: the fraction of the spikes arriving at the worst (cell, step) that
  came through that projection;
- ``share_of_total``: the fraction of all spikes arriving at P during the run that came
  through that projection.
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
class IncomingLoad:
    """Incoming spikes of one post population."""

    per_cell_max: np.ndarray  # int64: each cell's worst step
    peak: int
    cell: int  # -1 when nothing arrives
    step: int  # arrival step of the peak; -1 when nothing arrives
    total: int
    share_at_peak: dict[str, float]
    share_of_total: dict[str, float]


def incoming_spikes(
    afferents: Sequence[Afferent],
    spikes: Mapping[str, SpikeSteps],
    n_post: int,
    n_steps: int,
    delayed: bool = True,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> IncomingLoad:
    """Incoming spikes per cell and step of one post population (see the module docstring)."""
    afferents = [a for a in afferents if a.pre in spikes]
    terms = [
        ArrivalTerm(matrix, spikes[pre], shift)
        for (pre, shift), matrix in _grouped_synapses(afferents, delayed).items()
    ]
    result = arrival_peak(terms, n_post, n_steps, chunk_steps)
    shifts = {a.projection: (a.delay_steps if delayed else 0) for a in afferents}
    at_peak = {
        a.projection: _arrivals_at(a, spikes[a.pre], result.row, result.step - shifts[a.projection])
        for a in afferents
    }
    overall = {
        a.projection: _arrivals_total(a, spikes[a.pre], n_steps - shifts[a.projection])
        for a in afferents
    }
    return IncomingLoad(
        per_cell_max=result.per_row_max,
        peak=result.peak,
        cell=result.row,
        step=result.step,
        total=result.total,
        share_at_peak=_fractions(at_peak),
        share_of_total=_fractions(overall),
    )


def _grouped_synapses(
    afferents: Sequence[Afferent], delayed: bool
) -> dict[tuple[str, int], sp.csr_array]:
    """Synapse matrices summed over projections with the same pre population and shift."""
    groups: dict[tuple[str, int], sp.csr_array] = {}
    for a in afferents:
        key = (a.pre, a.delay_steps if delayed else 0)
        groups[key] = a.synapses if key not in groups else sp.csr_array(groups[key] + a.synapses)
    return groups


def _arrivals_at(afferent: Afferent, spikes: SpikeSteps, cell: int, emitted: int) -> int:
    """Spikes emitted in step ``emitted`` reaching ``cell`` through ``afferent``."""
    if cell < 0 or emitted < 0:
        return 0
    counts = spikes.counts_per_cell(emitted, emitted + 1)
    synapses = afferent.synapses
    row = slice(synapses.indptr[cell], synapses.indptr[cell + 1])
    return int(np.dot(synapses.data[row], counts[synapses.indices[row]]))


def _arrivals_total(afferent: Afferent, spikes: SpikeSteps, emitted_before: int) -> int:
    """All spikes through ``afferent`` emitted before step ``emitted_before`` (so arriving in the run)."""
    if emitted_before <= 0:
        return 0
    out_degree = np.asarray(afferent.synapses.sum(axis=0), dtype=np.int64)
    return int(np.dot(out_degree, spikes.counts_per_cell(0, emitted_before)))


def _fractions(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {name: (count / total if total else 0.0) for name, count in sorted(counts.items())}
