"""Excited and inhibited cells, and rate summaries."""

import numpy as np
import pytest

from cerebrepro.analysis.response import classify_response, response_summary
from cerebrepro.analysis.summary import describe


def test_classification_follows_the_twofold_rule():
    baseline = np.array([1.0, 1.0, 0.0, 10.0, 4.0, 0.0])
    stimulus = np.array([3.0, 2.0, 40.0, 2.0, 2.0, 0.0])
    total = np.array([5, 5, 2, 30, 20, 0])
    in_stimulus = np.array([3, 2, 2, 1, 1, 0])
    response = classify_response(baseline, stimulus, total, in_stimulus)
    assert response.excited.tolist() == [True, False, True, False, False, False]
    assert response.inhibited.tolist() == [False, False, False, True, False, False]


def test_granules_need_two_spikes_in_the_stimulus_window():
    baseline, stimulus = np.array([0.0, 0.0]), np.array([20.0, 40.0])
    response = classify_response(
        baseline, stimulus, np.array([1, 2]), np.array([1, 2]), min_stimulus_spikes=2
    )
    assert response.excited.tolist() == [False, True]


def test_silent_cell_is_neither_excited_nor_inhibited():
    response = classify_response(np.zeros(1), np.zeros(1), np.zeros(1, int), np.zeros(1, int))
    assert not response.excited[0] and not response.inhibited[0]


def test_summary_counts_percentages_and_group_rates():
    baseline = np.array([1.0, 1.0, 10.0, 5.0])
    stimulus = np.array([5.0, 7.0, 0.0, 5.0])
    response = classify_response(baseline, stimulus, np.ones(4, int), np.ones(4, int))
    summary = response_summary(response, baseline, stimulus)
    assert summary["excited"]["count"] == 2
    assert summary["excited"]["percent"] == pytest.approx(50.0)
    assert summary["excited"]["stimulus_rate"] == {"mean": 6.0, "std": 1.0}
    assert summary["inhibited"]["count"] == 1
    assert summary["inhibited"]["baseline_rate"] == {"mean": 10.0, "std": 0.0}


def test_describe_gives_mean_std_median_and_percentiles():
    summary = describe(np.arange(101, dtype=float))
    assert summary["mean"] == 50.0 and summary["median"] == 50.0 and summary["max"] == 100.0
    assert (summary["p5"], summary["p25"], summary["p75"], summary["p95"]) == (
        5.0,
        25.0,
        75.0,
        95.0,
    )
    assert np.isnan(describe(np.array([]))["mean"])
