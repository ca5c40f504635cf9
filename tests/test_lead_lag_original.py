"""The original study's lead/lag: 10th-or-last spike of the cells with equal spike counts."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.analysis.lead_lag import (
    nth_lag_summary,
    nth_spike_lags,
    original_lead_lag,
)
from cerebrepro.cli import analyse  # noqa: F401  (registers the compare command)
from cerebrepro.cli.app import app
from cerebrepro.cli.render.analysis import comparison_tables
from cerebrepro.results.io import write_result
from cerebrepro.results.types import PopulationSpikes, RunResult

PROVENANCE = {"scaffold_digest": "abc", "stimulus_sha256": "s1", "cell_indices": "scaffold"}
SIZE = 6


def hand_made_pair() -> tuple[PopulationSpikes, PopulationSpikes]:
    """Six cells; the lags the original definition gives are worked out in each comment."""
    a, b = [], []
    # cell 0: 12 spikes in both; B is 0.1 ms late except the 10th (+0.7) and 11th-12th (+3)
    a_times = 10.0 * np.arange(1, 13)
    b_times = a_times + np.array([0.1] * 9 + [0.7, 3.0, 3.0])
    a.append((a_times, 0))
    b.append((b_times, 0))
    # cell 1: 3 spikes in both; the last is 0.2 ms early in B, the others 1 ms late
    a.append((np.array([5.0, 15.0, 25.0]), 1))
    b.append((np.array([6.0, 16.0, 24.8]), 1))
    # cell 2: 2 spikes in A, 3 in B: unequal counts, left out
    a.append((np.array([50.0, 60.0]), 2))
    b.append((np.array([50.0, 60.0, 70.0]), 2))
    # cell 3: silent in both: left out
    # cell 4: exactly 10 spikes in both: the 10th is the last, 0.1 ms late
    a.append((100.0 + np.arange(10.0), 4))
    b.append((100.1 + np.arange(10.0), 4))
    # cell 5: one spike in A, none in B: left out
    a.append((np.array([7.0]), 5))
    return spikes(a), spikes(b)


def spikes(trains: list[tuple[np.ndarray, int]]) -> PopulationSpikes:
    """The trains merged and put in time order, as a result holds them."""
    times = np.concatenate([t for t, _ in trains])
    cells = np.concatenate([np.full(t.size, c, dtype=np.int64) for t, c in trains])
    order = np.lexsort((cells, times))
    return PopulationSpikes(SIZE, times[order], cells[order])


def test_tenth_or_last_spike_of_equal_count_cells():
    a, b = hand_made_pair()
    cells, lags = nth_spike_lags(a.times, a.cells, b.times, b.cells, SIZE)
    np.testing.assert_array_equal(cells, [0, 1, 4])
    np.testing.assert_allclose(lags, [0.7, -0.2, 0.1], atol=1e-12)


def test_spike_order_within_the_arrays_does_not_matter():
    a, b = hand_made_pair()
    shuffle = np.random.default_rng(1).permutation(a.times.size)
    cells, lags = nth_spike_lags(a.times[shuffle], a.cells[shuffle], b.times, b.cells, SIZE)
    np.testing.assert_array_equal(cells, [0, 1, 4])
    np.testing.assert_allclose(lags, [0.7, -0.2, 0.1], atol=1e-12)


def test_other_ranks_and_a_bad_rank():
    a, b = hand_made_pair()
    _, first = nth_spike_lags(a.times, a.cells, b.times, b.cells, SIZE, nth=1)
    np.testing.assert_allclose(first, [0.1, 1.0, 0.1], atol=1e-12)
    _, twelfth = nth_spike_lags(a.times, a.cells, b.times, b.cells, SIZE, nth=12)
    np.testing.assert_allclose(twelfth, [3.0, -0.2, 0.1], atol=1e-12)
    with pytest.raises(ValueError, match="nth must be at least 1"):
        nth_spike_lags(a.times, a.cells, b.times, b.cells, SIZE, nth=0)


def test_summary_of_the_hand_made_lags():
    a, b = hand_made_pair()
    summary = original_lead_lag(a, b, timestep=0.1)
    assert summary["n_cells"] == 3 and summary["cell_fraction"] == pytest.approx(0.5)
    assert summary["mean"] == pytest.approx(0.2) and summary["median"] == pytest.approx(0.1)
    # sorted lags -0.2, 0.1, 0.7: p5 = -0.2 + 0.1 * 0.3, p95 = 0.1 + 0.9 * 0.6
    assert summary["p5"] == pytest.approx(-0.17) and summary["p95"] == pytest.approx(0.64)
    assert summary["std"] == pytest.approx(np.std([0.7, -0.2, 0.1]))
    # only cell 4 (0.1 ms, one step within float error) is within one step
    assert summary["within_one_step"] == pytest.approx(1 / 3)


def test_no_equal_count_cell_gives_an_empty_summary():
    summary = nth_lag_summary(np.zeros(0), 4, 0.1)
    assert summary["n_cells"] == 0 and np.isnan(summary["mean"])
    assert np.isnan(summary["within_one_step"])


def test_matches_a_per_cell_reference_on_random_trains():
    rng = np.random.default_rng(5)
    size = 300
    counts = rng.integers(0, 25, size)
    cells = np.repeat(np.arange(size), counts)
    a_times = rng.uniform(0, 1000, cells.size)
    b_counts = np.where(rng.random(size) < 0.7, counts, counts + 1)
    b_cells = np.repeat(np.arange(size), b_counts)
    b_times = rng.uniform(0, 1000, b_cells.size)
    got_cells, got = nth_spike_lags(a_times, cells, b_times, b_cells, size)
    expected_cells, expected = [], []
    for cell in range(size):
        ta, tb = np.sort(a_times[cells == cell]), np.sort(b_times[b_cells == cell])
        if ta.size and ta.size == tb.size:
            k = min(ta.size, 10) - 1
            expected_cells.append(cell)
            expected.append(tb[k] - ta[k])
    np.testing.assert_array_equal(got_cells, expected_cells)
    np.testing.assert_allclose(got, expected)


def result_of(population: PopulationSpikes) -> RunResult:
    return RunResult({"golgi": population}, 0.1, 1000.0, provenance=dict(PROVENANCE))


def test_compare_shows_both_definitions():
    a, b = hand_made_pair()
    stats = compare_runs(result_of(a), result_of(b))
    assert stats["definitions"]["lead_lag"].startswith("ours:")
    assert stats["definitions"]["original_lead_lag"].startswith(
        "original: 10th-or-last spike of equal-count cells"
    )
    original = stats["populations"]["golgi"]["original_lead_lag"]
    assert original["n_cells"] == 3 and original["median"] == pytest.approx(0.1)
    assert "lead_lag" in stats["populations"]["golgi"]["windows"]["baseline"]
    narrow = compare_runs(result_of(a), result_of(b), max_lag=2.0)["definitions"]["lead_lag"]
    assert "within +-2 ms" in narrow
    titles = [table.title for table in comparison_tables(stats)]
    assert any(t.startswith("Spike timing (lag, ours:") for t in titles)
    assert any(t.startswith("Lead/lag, original: 10th-or-last spike") for t in titles)


def test_compare_command_prints_both_definitions_as_json(tmp_path):
    a, b = hand_made_pair()
    write_result(result_of(a), tmp_path / "a.h5")
    write_result(result_of(b), tmp_path / "b.h5")
    outcome = CliRunner().invoke(
        app, ["compare", str(tmp_path / "a.h5"), str(tmp_path / "b.h5"), "--json"]
    )
    assert outcome.exit_code == 0, outcome.output
    stats = json.loads(outcome.stdout)
    assert set(stats["definitions"]) == {"lead_lag", "original_lead_lag", "original_view"}
    assert stats["populations"]["golgi"]["original_lead_lag"]["p95"] == pytest.approx(0.64)
    table = CliRunner().invoke(app, ["compare", str(tmp_path / "a.h5"), str(tmp_path / "b.h5")])
    assert table.exit_code == 0 and "10th-or-last" in table.output
