"""Each figure drawn from small synthetic runs: files written, captions naming the runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.figures import figure4, figure5, figure6, figure7, figure8
from cerebrepro.figures.output import write_figure
from cerebrepro.figures.runs import FigureRun, run_labels
from cerebrepro.figures.style import DISPLAY_ORDER
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.model.neuron_order import neuron_order
from cerebrepro.results.io import write_result
from cerebrepro.results.types import AnalogSignals, PopulationSpikes, RunResult

SCALE = 0.01  # 882 granules
DURATION = 500.0


def provenance(simulator: str, seed: int = 3, f_peak: float = 150.0, radius: float = 140.0) -> dict:
    """The provenance fields a caption reads, as a real run records them."""
    protocol = dataclasses.asdict(
        dataclasses.replace(REFERENCE_PROTOCOL, f_peak=f_peak, radius=radius)
    )
    return {
        "simulator": simulator,
        "backend": {"version": "9.9"},
        "scaffold": {"kind": "rebuilt", "attrs": {"base_size": 100.0, "seed": 7}},
        "scaffold_digest": "abcdef0123456789",
        "stimulus_sha256": "stimulus",
        "cell_indices": "scaffold",
        "stimulus": {"source": "generated", "seed": seed, "protocol": protocol},
        "threads": 1,
    }


def granule_membrane(result: RunResult) -> AnalogSignals:
    """Every 64th granule: v rising to each spike and resetting, conductances decaying."""
    cells = np.arange(0, result.spikes["granule"].size, 64)
    times = np.arange(1, int(DURATION / 0.1) + 1) * 0.1
    v = np.full((times.size, cells.size), -74.0, dtype=np.float32)
    spikes = result.spikes["granule"]
    for k, cell in enumerate(cells):
        for t in spikes.times[spikes.cells == cell]:
            v[np.abs(times - t) < 1.0, k] = -45.0
    exc = (
        np.abs(np.sin(times / 7.0))[:, None].astype(np.float32)
        * 0.01
        * np.ones(cells.size, np.float32)
    )
    return AnalogSignals(cells, 0.1, {"v": v, "gsyn_exc": exc, "gsyn_inh": 0.5 * exc})


@pytest.fixture(scope="module")
def network():
    rng = np.random.default_rng(7)
    scaffold = synthetic_scaffold(rng, scale=SCALE)
    return scaffold, rng


def make_run(network, simulator: str, path: Path, seed: int = 3, **stimulus) -> FigureRun:
    scaffold, rng = network
    result = synthetic_run(rng, scaffold, duration=DURATION)
    result.analog["granule"] = granule_membrane(result)
    result.provenance = provenance(simulator, seed, **stimulus)
    write_result(result, path)
    return FigureRun(result, path, "reused")


@pytest.fixture(scope="module")
def runs(network, tmp_path_factory):
    directory = tmp_path_factory.mktemp("synthetic-runs")
    return [make_run(network, s, directory / f"{s}.h5") for s in ("nest", "spinnaker")]


def check_files(output, directory: Path, runs) -> None:
    files = write_figure(output, directory)
    assert files.png.stat().st_size > 20_000 and files.pdf.stat().st_size > 10_000
    assert files.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert files.pdf.read_bytes()[:5] == b"%PDF-"
    caption = files.caption.read_text()
    assert caption.startswith(f"Figure {output.number}.")
    for run in runs:
        assert str(run.path) in caption.replace("\n", " ")
    stats = yaml.safe_load(files.statistics.read_text())
    assert stats["figure"] == output.number and stats["caption"] == caption


@pytest.mark.slow  # draws and writes a whole figure (3-5 s)
def test_figure4_raster_and_psth_of_every_population(runs, tmp_path, monkeypatch):
    monkeypatch.setitem(figure4.RASTER_SAMPLE, "granule", 100)
    output = figure4.activity_figure(runs[:1])
    check_files(output, tmp_path, runs[:1])
    assert len(output.figure.axes) == 2 * len(DISPLAY_ORDER)
    assert [ax.get_ylabel().split("\n")[0] for ax in output.figure.axes[::2]] == list(DISPLAY_ORDER)
    assert "random subsample of 100 of 882 cells" in output.caption.replace("\n", " ")
    rates = output.statistics["populations"]["NEST"]
    assert list(rates) == [
        "golgi",
        "glomerulus",
        "granule",
        "purkinje",
        "basket",
        "stellate",
        "dcn",
    ]
    assert rates["granule"]["windows_ms"]["stimulus"] == [304.0, 354.0]


def test_figure4_puts_each_simulator_in_its_column(runs):
    output = figure4.activity_figure(runs, notes=["A note."])
    assert len(output.figure.axes) == 2 * 2 * len(DISPLAY_ORDER)
    assert [ax.get_title() for ax in output.figure.axes if ax.get_title()] == ["NEST", "SpiNNaker"]
    text = output.caption.replace("\n", " ")
    assert "Columns: NEST, SpiNNaker." in text and "A note." in text
    assert "seed 3" in text and "digest abcdef01" in text and "1 thread" in text


def test_granule_raster_is_a_seeded_subsample():
    first, again = figure4.raster_sample(88_158, 2000), figure4.raster_sample(88_158, 2000)
    assert first.size == 2000 and np.array_equal(first, again) and np.all(np.diff(first) > 0)
    assert np.array_equal(figure4.raster_sample(50, 2000), np.arange(50))


@pytest.mark.slow  # draws and writes a whole figure (3-5 s)
def test_figure5_rate_distributions_of_two_simulators(runs, tmp_path):
    output = figure5.rate_distribution_figure(runs)
    check_files(output, tmp_path, runs)
    stats = output.statistics
    assert set(stats["rates"]) == {"NEST", "SpiNNaker"}
    assert set(stats["comparisons"]["SpiNNaker vs NEST"]["granule"]) == {
        "baseline",
        "stimulus",
        "post",
    }
    assert "Kolmogorov-Smirnov" in output.caption


def test_figure5_states_why_two_runs_were_not_compared(runs):
    other = dataclasses.replace(runs[1], result=dataclasses.replace(runs[1].result))
    other.result.provenance = {**runs[1].result.provenance, "scaffold_digest": "another"}
    output = figure5.rate_distribution_figure([runs[0], other])
    assert "not compared cell by cell" in output.caption and output.statistics["comparisons"] == {}


@pytest.mark.slow  # draws and writes a whole figure (3-5 s)
def test_figure6_lead_lag_and_membrane(runs, tmp_path):
    a, b = runs[0], shifted(runs[0], 0.3, "brian2")
    output = figure6.spike_timing_figure(a, b)
    check_files(output, tmp_path, [a, b])
    lags = output.statistics["lead_lag"]["populations"]["granule"]
    assert lags["matched_fraction"] == 1.0 and lags["median"] == pytest.approx(0.3)
    cell = output.statistics["cell"]["cell"]
    assert cell % 64 == 0 and f"granule cell {cell}" in output.caption.replace("\n", " ")


def test_figure6_without_a_second_simulator_shows_only_the_membrane(runs):
    output = figure6.spike_timing_figure(runs[0])
    assert len(output.figure.axes) == 3 and output.statistics["lead_lag"] is None
    assert "Only panel b is shown" in output.caption


def shifted(run: FigureRun, lag: float, simulator: str) -> FigureRun:
    """The same run with every spike ``lag`` ms later, as if from ``simulator``."""
    spikes = {
        n: PopulationSpikes(s.size, s.times + lag, s.cells) for n, s in run.result.spikes.items()
    }
    result = RunResult(
        spikes,
        run.result.timestep,
        run.result.duration,
        run.result.analog,
        {**run.result.provenance, "simulator": simulator},
    )
    return FigureRun(result, Path(f"/runs/{simulator}.h5"), "reused")


@pytest.mark.slow
def test_figure7_pooled_core_peaks_against_burst_rate_and_radius(network, tmp_path):
    scaffold, _ = network
    order = neuron_order(scaffold.positions, "grid")
    points = [
        ("poisson", "f_peak", 50.0, 140.0),
        ("poisson", "f_peak", 150.0, 140.0),
        ("poisson", "radius", 150.0, 60.0),
        ("periodic", "f_peak", 50.0, 140.0),
        ("periodic", "radius", 150.0, 60.0),
    ]
    runs = [
        figure7.sweep_run(
            burst,
            axis,
            f,
            r,
            seed,
            make_run(
                network, "brian2", tmp_path / f"{burst}-{f}-{r}-{seed}.h5", seed, f_peak=f, radius=r
            ),
            scaffold,
            order,
        )
        for burst, axis, f, r in points
        for seed in (3, 4)
    ]
    assert all(run.run.result.spikes == {} for run in runs)  # spikes dropped once reduced to peaks
    output = figure7.load_sweep_figure(
        runs, order, {"f_peak": 150.0, "radius": 140.0}, "Test sweep.", {"name": "test"}
    )
    check_files(output, tmp_path, [r.run for r in runs])
    assert len(output.figure.axes) == 8  # (median, mean) x (poisson, periodic) x (f_peak, radius)
    stats = output.statistics
    assert [
        (p["burst"], p["axis"], p["f_peak"], p["radius"], p["seeds"]) for p in stats["points"]
    ] == [(*point, [3, 4]) for point in points]
    granule = stats["points"][0]["populations"]["granule"]
    pooled = np.concatenate([r.peaks["granule"] for r in runs[:2]])
    assert granule["n_cores"] == pooled.size == 2 * runs[0].peaks["granule"].size
    assert granule["median"] == np.median(pooled) and granule["p95"] == np.percentile(pooled, 95)
    assert "glomerulus" not in stats["points"][0]["populations"]  # it receives nothing
    assert stats["order"]["mode"] == "grid" and stats["delay_model"]["name"] == "spynnaker-2020"
    caption = output.caption.replace("\n", " ")
    assert "Test sweep." in caption and "(10) Brian2" in caption and "runs on Brian2" in caption
    assert (
        "(a-d) Median with 5-95 % percentile bars; (e-h) mean with standard-deviation bars"
        in caption
    )


@pytest.mark.slow  # draws and writes a whole figure (3-5 s)
def test_figure8_core_load_by_order(network, runs, tmp_path):
    scaffold, _ = network
    output = figure8.ordering_figure(runs[0], scaffold)
    check_files(output, tmp_path, runs[:1])
    granule = output.statistics["populations"]["granule"]
    assert granule["n_cores"] == 14 and granule["default"]["peak"] > 0
    network_load = output.statistics["network"]
    assert network_load["default"]["peak"] >= granule["default"]["peak"]
    assert "41 %" in output.caption


def test_run_labels_are_unique(runs):
    assert run_labels([runs[0], runs[0], runs[1]]) == ["NEST", "NEST (2)", "SpiNNaker"]
