"""The original study's view: excited cells of each run, stimulus window, dcn left out."""

import dataclasses

import numpy as np
import pytest
import yaml

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.analysis.original_view import excited_stimulus_rates
from cerebrepro.figures import figure5
from cerebrepro.figures.output import write_figure
from cerebrepro.figures.runs import FigureRun
from cerebrepro.results.types import PopulationSpikes, RunResult

PROVENANCE = {"scaffold_digest": "abc", "stimulus_sha256": "s1", "cell_indices": "scaffold"}
BASELINE = [10.0, 20.0, 30.0, 40.0]  # 4 spikes in [0, 304): 13.2 Hz

# Granule and golgi windows: baseline [0, 304), stimulus [304, 354); dcn: stimulus [310, 360).
# Rates in the 50 ms stimulus window: 1 spike = 20 Hz.
RUN_A = {
    "granule": {
        0: [310.0, 320.0],  # 40 Hz, excited
        1: [310.0],  # one stimulus spike: not excited (granule needs 2)
        2: [302.0, 305.0, 353.9, 354.0],  # 3.3 Hz before, 40 Hz during: excited
        3: [301.0, 302.0, 303.0],  # before its shifted window: not excited
        4: [*BASELINE, 310.0, 320.0, 330.0],  # 13.2 Hz before, 60 Hz: excited
    },
    "golgi": {
        0: [320.0],  # 20 Hz, excited
        1: [354.0],  # at the window's end, outside it: not excited
        2: [*BASELINE, *BASELINE, 5.0, 15.0, 320.0],  # 32.9 Hz before, 20 Hz: not excited
    },
    "dcn": {0: [315.0, 320.0], 1: []},  # excited, but dcn is left out
}
RUN_B = {
    "granule": {
        0: [310.0, 320.0, 330.0, 340.0],  # 80 Hz, excited
        1: [310.0, 330.0],  # 40 Hz, excited
        2: [310.0],  # not excited
        3: [],
        4: [*BASELINE, 310.0, 320.0],  # 40 Hz > 2 x 13.2 Hz: excited
    },
    "golgi": {0: [320.0], 1: [304.0], 2: []},  # the window's start is inside: both excited
    "dcn": {0: [315.0], 1: []},
}


def result_of(trains: dict[str, dict[int, list[float]]], **provenance) -> RunResult:
    spikes = {}
    for name, cells in trains.items():
        times = np.concatenate([np.asarray(t, float) for t in cells.values()])
        ids = np.concatenate([np.full(len(t), c, dtype=np.int64) for c, t in cells.items()])
        order = np.lexsort((ids, times))
        spikes[name] = PopulationSpikes(len(cells), times[order], ids[order])
    return RunResult(spikes, 0.1, 1000.0, provenance={**PROVENANCE, **provenance})


def test_excited_cells_and_their_stimulus_rates():
    a = result_of(RUN_A)
    granule = excited_stimulus_rates("granule", a.spikes["granule"], a.timestep, a.duration)
    assert (granule.window.start, granule.window.stop) == (304.0, 354.0)
    np.testing.assert_array_equal(granule.cells, [0, 2, 4])
    np.testing.assert_allclose(granule.rates, [40.0, 40.0, 60.0])
    golgi = excited_stimulus_rates("golgi", a.spikes["golgi"], a.timestep, a.duration)
    np.testing.assert_array_equal(golgi.cells, [0])
    summary = golgi.summary()
    assert summary["excited"] == 1 and summary["percent"] == pytest.approx(100 / 3)


def test_original_view_of_a_hand_made_pair():
    view = compare_runs(result_of(RUN_A), result_of(RUN_B))["original_view"]
    assert set(view) == {"golgi", "granule"}
    granule = view["granule"]
    assert granule["window"] == [304.0, 354.0]
    assert granule["a"]["excited"] == 3 and granule["b"]["excited"] == 3
    assert granule["excited_both"] == 2  # cells 0 and 4
    # A: 40, 40, 60 Hz; B: 80, 40, 40 Hz
    assert granule["mean_difference"] == pytest.approx(20 / 3)
    assert granule["median_difference"] == 0.0
    assert granule["ks"] == pytest.approx(1 / 3)
    assert granule["wasserstein"] == pytest.approx(20 / 3)
    golgi = view["golgi"]
    assert (golgi["a"]["excited"], golgi["b"]["excited"], golgi["excited_both"]) == (1, 2, 1)
    assert golgi["mean_difference"] == 0.0 and golgi["ks"] == 0.0


def figure_runs() -> list[FigureRun]:
    return [
        FigureRun(result_of(RUN_A, simulator="nest")),
        FigureRun(result_of(RUN_B, simulator="spinnaker")),
    ]


@pytest.mark.slow
def test_figure5_draws_and_states_the_original_view(tmp_path):
    output = figure5.rate_distribution_figure(figure_runs())
    files = write_figure(output, tmp_path)
    assert files.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stats = yaml.safe_load(files.statistics.read_text())
    assert set(stats["views"]) == {"all_cells", "original"}
    assert set(stats["rates"]["NEST"]) == {"golgi", "granule", "dcn"}  # panel a: all cells
    original = stats["original"]
    assert original["excited_set"].startswith("each run's own excited cells")
    assert set(original["rates"]["NEST"]) == {"golgi", "granule"}
    granule = original["rates"]["SpiNNaker"]["granule"]
    assert granule["excited"] == 3 and granule["window_ms"] == [304.0, 354.0]
    assert granule["cell_rates"]["mean"] == pytest.approx(160 / 3)
    assert granule["cell_rates"]["median"] == 40.0
    compared = original["comparisons"]["SpiNNaker vs NEST"]["granule"]
    assert compared["excited_both"] == 2 and compared["wasserstein"] == pytest.approx(20 / 3)
    caption = " ".join(output.caption.split())
    assert "Two views. a, all cells" in caption and "b, the original study's view" in caption
    assert "Excited cells per run (NEST/SpiNNaker): golgi 1/2; granule 3/3." in caption
    panel_b = output.figure.axes[-1]
    ticks = [t.get_text() for t in panel_b.get_xticklabels()]
    assert ticks == ["golgi\n[304, 354)\nn = 1 / 2", "granule\n[304, 354)\nn = 3 / 3"]


def test_figure5_original_view_without_a_comparable_pair(tmp_path):
    first, second = figure_runs()
    second = dataclasses.replace(second, result=result_of(RUN_B, simulator="spinnaker"))
    second.result.provenance["scaffold_digest"] = "another"
    output = figure5.rate_distribution_figure([first, second])
    original = output.statistics["original"]
    assert original["comparisons"] == {}
    assert original["rates"]["SpiNNaker"]["golgi"]["excited"] == 2
