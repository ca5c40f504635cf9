"""Comparing two runs: refusal of incompatible runs and distances between compatible ones."""

import numpy as np
import pytest

from cerebrepro.analysis.compare import (
    cohens_d,
    compare_runs,
    comparison_mismatches,
    rate_distances,
)
from cerebrepro.errors import ResultError
from cerebrepro.results.types import PopulationSpikes, RunResult

PROVENANCE = {"scaffold_digest": "abc", "stimulus_sha256": "s1", "cell_indices": "scaffold"}


def run(times, cells, size=4, timestep=0.1, duration=1000.0, **provenance):
    spikes = {
        "golgi": PopulationSpikes(size, np.asarray(times, float), np.asarray(cells, np.int64))
    }
    return RunResult(spikes, timestep, duration, provenance={**PROVENANCE, **provenance})


def regular_run(shift=0.0, period=10.0):
    times = np.arange(5.0, 995.0, period)
    cells = np.arange(times.size) % 4
    return run(times + shift, cells)


def test_refusal_lists_every_differing_field_with_both_values():
    a = run([], [], timestep=0.1)
    b = run([], [], size=5, timestep=0.025, scaffold_digest="def")
    del b.provenance["stimulus_sha256"]
    with pytest.raises(ResultError) as caught:
        compare_runs(a, b)
    message = str(caught.value)
    assert "timestep: A=0.1 B=0.025" in message
    assert "scaffold_digest: A=abc B=def" in message
    assert "stimulus_sha256: A=s1 B=<missing>" in message
    assert "population sizes: A={'golgi': 4} B={'golgi': 5}" in message
    assert "duration" not in message and "cell_indices" not in message


def test_fields_missing_from_both_runs_are_accepted():
    a, b = run([], []), run([], [])
    for r in (a, b):
        del r.provenance["cell_indices"]
    assert comparison_mismatches(a, b) == []


def test_identical_runs_have_zero_distances_and_full_agreement():
    a = regular_run()
    stats = compare_runs(a, regular_run())
    for window in stats["populations"]["golgi"]["windows"].values():
        assert window["rate_difference"] == 0.0
        assert window["ks"] == 0.0 and window["wasserstein"] == 0.0 and window["cohens_d"] == 0.0
        assert window["lead_lag"]["matched_fraction"] == 1.0 and window["lead_lag"]["median"] == 0.0
        assert window["correlation"]["population"] == pytest.approx(1.0)
        assert window["isi"]["cv_a"] == window["isi"]["cv_b"]


def test_shifted_run_has_the_shift_as_lag():
    stats = compare_runs(regular_run(), regular_run(shift=0.3))
    lead_lag = stats["populations"]["golgi"]["windows"]["post"]["lead_lag"]
    assert lead_lag["matched_fraction"] == 1.0
    assert lead_lag["median"] == pytest.approx(0.3)
    assert lead_lag["std"] == pytest.approx(0.0, abs=1e-9)


def test_rate_distances_of_known_samples():
    a, b = np.array([0.0, 0.0, 1.0, 1.0]), np.array([1.0, 1.0, 2.0, 2.0])
    distances = rate_distances(a, b)
    assert distances["ks"] == pytest.approx(0.5)
    assert distances["wasserstein"] == pytest.approx(1.0)
    # pooled std: sqrt((4 * 0.25 + 4 * 0.25) / 6)
    assert distances["cohens_d"] == pytest.approx(1.0 / np.sqrt(2.0 / 6.0))


def test_cohens_d_of_constant_samples():
    assert cohens_d(np.ones(3), np.ones(3)) == 0.0
    assert np.isnan(cohens_d(np.ones(3), np.full(3, 2.0)))
