"""Spike and membrane agreement measures on hand-made trains."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.analysis.agreement import (
    first_spike_steps,
    isolated_rate,
    spike_agreement,
    voltage_agreement,
)
from cerebrepro.results.types import AnalogSignals, PopulationSpikes


def spikes(size: int, pairs: list[tuple[float, int]]) -> PopulationSpikes:
    times = np.array([t for t, _ in pairs], dtype=float)
    cells = np.array([c for _, c in pairs], dtype=np.int64)
    return PopulationSpikes(size, times, cells)


def test_identical_spikes_agree_fully():
    a = spikes(3, [(1.0, 0), (1.0, 0), (2.5, 2)])
    result = spike_agreement(a, a, 0.1, 100.0)
    assert result["matched"] == 1.0 and result["within_step"] == 1.0
    assert result["first_difference"] is None and result["rate_difference_pct"] == 0.0
    assert result["rate_nest"] == pytest.approx(3 / 3 / 0.1)


def test_one_step_shift_counts_as_near_but_not_matched():
    a = spikes(2, [(1.0, 0), (2.0, 1), (5.0, 1)])
    b = spikes(2, [(1.0, 0), (2.1, 1), (5.0, 1), (7.0, 0)])
    result = spike_agreement(a, b, 0.1, 1000.0)
    assert result["matched"] == pytest.approx(2 / 3)
    assert result["within_step"] == 1.0
    assert result["first_difference"] == pytest.approx(2.0)
    assert result["n_brian2"] == 4


def test_a_duplicate_spike_is_matched_once():
    a = spikes(1, [(1.0, 0), (1.0, 0)])
    b = spikes(1, [(1.0, 0)])
    result = spike_agreement(a, b, 0.1, 1000.0)
    assert result["matched"] == 0.5 and result["first_difference"] == pytest.approx(1.0)


def test_no_reference_spikes_leaves_fractions_undefined():
    result = spike_agreement(spikes(2, []), spikes(2, [(1.0, 1)]), 0.1, 1000.0)
    assert result["matched"] is None and result["rate_difference_pct"] is None


def test_voltage_difference_before_the_first_spike():
    v_a = np.zeros((10, 2), dtype=np.float32)
    v_b = v_a.copy()
    v_b[2, 0] = 0.5  # before cell 0's first spike (step 5)
    v_b[6, 0] = 30.0  # after it
    a = AnalogSignals(np.array([0, 1]), 0.1, {"v": v_a})
    b = AnalogSignals(np.array([0, 1]), 0.1, {"v": v_b})
    first = first_spike_steps(spikes(2, [(0.5, 0)]), np.array([0, 1]), 0.1, 10)
    assert first.tolist() == [5, 10]
    result = voltage_agreement(a, b, first)
    assert result["v_max_before_first_spike"] == pytest.approx(0.5)
    assert result["v_rms"] > 0.5


def test_isolated_rate_from_intervals():
    assert isolated_rate(spikes(1, [(10.0, 0), (110.0, 0), (210.0, 0)]), 0) == pytest.approx(10.0)
    assert isolated_rate(spikes(1, [(10.0, 0)]), 0) == 0.0
