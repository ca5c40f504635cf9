"""How closely two runs of the same network agree, spike by spike and in v (pure functions).

Used to hold Brian2 against NEST (the accuracy study, the tests, the benchmark); the
spikes follow :class:`~cerebrepro.results.types.PopulationSpikes`, times on a ``dt`` grid.
"""

from __future__ import annotations

import numpy as np

from cerebrepro.results.types import AnalogSignals, PopulationSpikes


def _keys(spikes: PopulationSpikes, dt: float) -> np.ndarray:
    return np.round(spikes.times / dt).astype(np.int64) * (spikes.size + 1) + spikes.cells


def spike_agreement(
    reference: PopulationSpikes, other: PopulationSpikes, dt: float, duration: float
) -> dict:
    """Rates and how many of ``reference``'s spikes ``other`` reproduces (same cell).

    ``matched``: fraction in the same step (each spike matched once); ``within_step``:
    fraction with a spike of the same cell at most one step away; ``first_difference``:
    the earliest spike (ms) that only one of the two has.
    """
    seconds = duration / 1000.0
    out: dict[str, object] = {
        "rate_nest": reference.n_spikes / max(reference.size, 1) / seconds,
        "rate_brian2": other.n_spikes / max(other.size, 1) / seconds,
        "n_nest": reference.n_spikes,
        "n_brian2": other.n_spikes,
    }
    out["rate_difference_pct"] = (
        100.0 * (out["rate_brian2"] - out["rate_nest"]) / out["rate_nest"]
        if reference.n_spikes
        else None
    )
    if reference.n_spikes == 0:
        out.update(matched=None, within_step=None, first_difference=None)
        return out
    a, b = _keys(reference, dt), _keys(other, dt)
    values_a, counts_a = np.unique(a, return_counts=True)
    values_b, counts_b = np.unique(b, return_counts=True)
    common, ia, ib = np.intersect1d(values_a, values_b, return_indices=True)
    shared = np.minimum(counts_a[ia], counts_b[ib])
    out["matched"] = float(shared.sum() / reference.n_spikes)
    near = np.zeros(a.size, dtype=bool)
    stride = reference.size + 1
    for shift in (-stride, 0, stride):
        near |= np.isin(a + shift, values_b)
    out["within_step"] = float(near.mean())
    only_a = np.setdiff1d(values_a, common)
    only_b = np.setdiff1d(values_b, common)
    extra_a = values_a[ia][counts_a[ia] != shared]
    extra_b = values_b[ib][counts_b[ib] != shared]
    differing = np.concatenate([only_a, only_b, extra_a, extra_b])
    out["first_difference"] = float((differing.min() // stride) * dt) if differing.size else None
    return out


def voltage_agreement(
    reference: AnalogSignals, other: AnalogSignals, first_spike_step: np.ndarray
) -> dict:
    """Membrane differences (mV): RMS over the run, and the largest before each cell's first spike.

    ``first_spike_step``: per recorded cell, the step of its first spike in either run;
    row ``k`` of the signals is the state at step ``k + 1``, so rows below ``step - 1`` count.
    """
    v_ref, v_other = (
        reference.signals["v"].astype(np.float64),
        other.signals["v"].astype(np.float64),
    )
    difference = np.abs(v_other - v_ref)
    before = [
        difference[: max(int(s) - 1, 0), c].max(initial=0.0) for c, s in enumerate(first_spike_step)
    ]
    return {
        "v_rms": float(np.sqrt(np.mean(difference**2))),
        "v_max_before_first_spike": float(max(before)),
    }


def first_spike_steps(
    spikes: PopulationSpikes, cells: np.ndarray, dt: float, n_steps: int
) -> np.ndarray:
    """Each recorded cell's first spike, in steps (``n_steps`` if it never fires)."""
    first = np.full(cells.size, n_steps, dtype=np.int64)
    steps = np.round(spikes.times / dt).astype(np.int64)
    for column, cell in enumerate(cells):
        mine = steps[spikes.cells == cell]
        if mine.size:
            first[column] = mine.min()
    return first


def isolated_rate(spikes: PopulationSpikes, cell: int) -> float:
    """Rate (Hz) of one cell from its inter-spike intervals (the start-up transient left out)."""
    times = np.sort(spikes.times[spikes.cells == cell])
    if times.size < 2:
        return 0.0
    return 1000.0 / float(np.mean(np.diff(times)))
