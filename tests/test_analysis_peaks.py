"""Peak spikes per step and PSTHs."""

import numpy as np
import pytest

from cerebrepro.analysis.peaks import peak_per_step, psth, psth_peak
from cerebrepro.analysis.steps import to_steps


def test_known_peak_per_step():
    times = np.array([0.3, 0.5, 0.5, 0.5, 0.7, 0.5])
    peak = peak_per_step(to_steps(times, 0.1), size=10, n_steps=11, timestep=0.1)
    assert peak == {"spikes": 4, "per_cell": 0.4, "time": 0.5}


def test_first_step_wins_a_tie_and_silence_peaks_at_zero():
    assert peak_per_step(np.array([3, 3, 8, 8]), 2, 10, 0.1)["time"] == 0.3
    assert peak_per_step(np.array([], dtype=np.int64), 2, 10, 0.1) == {
        "spikes": 0,
        "per_cell": 0.0,
        "time": 0.0,
    }


def test_psth_bins_and_rates():
    times = np.array([0.0, 2.9, 3.0, 9.5, 10.0])
    edges, rates = psth(times, size=2, bin_width=3.0, duration=10.0)
    np.testing.assert_allclose(edges, [0.0, 3.0, 6.0, 9.0, 10.0])
    # counts 2, 1, 0, 2 over 3, 3, 3 and 1 ms for 2 cells
    np.testing.assert_allclose(rates, [2 / 0.003 / 2, 1 / 0.003 / 2, 0.0, 2 / 0.001 / 2])


def test_psth_fine_bins_follow_the_grid():
    times = np.arange(1, 11) * 0.1
    _, rates = psth(times, size=1, bin_width=0.1, duration=1.0)
    # ten bins; the spike at t = duration falls into the last one
    np.testing.assert_allclose(rates, [0.0] + [10000.0] * 8 + [20000.0])


def test_psth_peak():
    peak = psth_peak(np.array([4.0, 4.5, 5.0, 1.0]), size=1, bin_width=3.0, duration=9.0)
    assert peak == {"rate": pytest.approx(1000.0), "time": 3.0}
