"""Spike timing statistics: lead/lag of matching spikes, ISI variability, count correlation."""

import numpy as np
import pytest

from cerebrepro.analysis.correlation import count_correlation
from cerebrepro.analysis.isi import cv2_per_cell, cv_per_cell
from cerebrepro.analysis.lead_lag import lag_summary, matching_lags
from cerebrepro.analysis.windows import Window


def test_known_shift_gives_the_median_lag():
    a_times = np.array([10.0, 20.0, 30.0, 12.0, 25.0])
    a_cells = np.array([0, 0, 0, 1, 1])
    lags = matching_lags(a_times, a_cells, a_times + 0.3, a_cells)
    np.testing.assert_allclose(lags, 0.3)
    summary = lag_summary(lags)
    assert summary["matched_fraction"] == 1.0 and summary["median"] == pytest.approx(0.3)


def test_match_is_the_nearest_spike_of_the_same_cell_within_the_limit():
    a_times, a_cells = np.array([10.0, 10.0, 50.0, 70.0]), np.array([0, 1, 0, 2])
    b_times = np.array([9.0, 10.5, 10.2, 56.0, 68.0, 72.0])
    b_cells = np.array([0, 0, 1, 0, 2, 2])
    lags = matching_lags(a_times, a_cells, b_times, b_cells, max_lag=5.0)
    # cell 0: 10.5 is nearer than 9.0; cell 1: 10.2; 56 is beyond 5 ms; cell 2: tie, earlier wins
    np.testing.assert_allclose(lags, [0.5, 0.2, np.nan, -2.0])
    assert lag_summary(lags)["matched_fraction"] == 0.75


def test_no_spikes_in_b_matches_nothing():
    lags = matching_lags(np.array([1.0]), np.array([0]), np.zeros(0), np.zeros(0, dtype=np.int64))
    assert np.isnan(lags).all()


def test_regular_train_has_zero_cv_and_cv2():
    times = np.concatenate([np.arange(0.0, 100.0, 3.3), np.arange(1.0, 50.0, 7.0)])
    cells = np.concatenate([np.zeros(31, dtype=np.int64), np.ones(7, dtype=np.int64)])
    np.testing.assert_allclose(cv_per_cell(times, cells, 2), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(cv2_per_cell(times, cells, 2), [0.0, 0.0], atol=1e-12)


def test_cv_and_cv2_of_known_intervals_in_any_spike_order():
    # cell 1: intervals 1 and 3 (mean 2, std 1; cv2 = 2 * 2 / 4); cell 0: two spikes only
    times = np.array([4.0, 0.0, 5.0, 1.0, 8.0])
    cells = np.array([1, 0, 1, 0, 1])
    cv, cv2 = cv_per_cell(times, cells, 3), cv2_per_cell(times, cells, 3)
    assert np.isnan(cv[0]) and np.isnan(cv[2]) and cv[1] == pytest.approx(0.5)
    assert np.isnan(cv2[0]) and cv2[1] == pytest.approx(1.0)


def test_count_correlation_of_identical_and_of_unrelated_cells():
    window = Window("baseline", 0.0, 20.0)  # four 5 ms bins
    a = (np.array([1.0, 6.0, 7.0, 16.0, 2.0]), np.array([0, 0, 0, 0, 1]))
    same = count_correlation(a, a, 2, window)
    assert same["population"] == pytest.approx(1.0)
    assert same["cell_mean"] == pytest.approx(1.0) and same["n_cells"] == 2
    # cell 0 counts: A (1, 2, 0, 1), B (1, 0, 2, 1); cell 1 is silent in B
    b = (np.array([1.0, 11.0, 12.0, 16.0]), np.array([0, 0, 0, 0]))
    other = count_correlation(a, b, 2, window)
    expected = np.corrcoef([1, 2, 0, 1], [1, 0, 2, 1])[0, 1]
    assert other["n_cells"] == 1 and other["cell_mean"] == pytest.approx(expected)
