"""Figure 7: the paper's sweeps, the pooled per-core statistics, and the figure end to end."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from cerebrepro.figures import figure7
from cerebrepro.figures.runs import FigureRun
from cerebrepro.reproduce import figure as reproducing
from cerebrepro.reproduce import sweep as sweeps
from cerebrepro.reproduce.plans import FigureOptions
from cerebrepro.reproduce.sweep import FULL, REDUCED, Sweep, sweep_specs
from cerebrepro.results.types import RunResult


def axis_points(specs, axis: str) -> set[tuple[float, float]]:
    return {(s.point.f_peak, s.point.radius) for s in specs if s.point.axis == axis}


def test_full_sweep_is_the_papers_360_runs():
    specs = sweep_specs(FigureOptions(full=True))
    assert len(specs) == 360 and len({repr(s.spec) for s in specs}) == 360  # 360 distinct runs
    assert axis_points(specs, "f_peak") == {
        (f, 140.0) for f in (30, 50, 70, 90, 110, 130, 150, 170, 190)
    }
    assert axis_points(specs, "radius") == {
        (150.0, r) for r in (20, 40, 60, 80, 100, 120, 140, 160, 180)
    }
    assert len(FULL.points()) == 18
    assert {s.burst for s in specs} == {"poisson", "periodic"}
    for burst in ("poisson", "periodic"):
        for point in FULL.points():
            mine = [s for s in specs if s.burst == burst and s.point == point]
            assert len(mine) == 10
    # (150 Hz, 140 um) lies on both axes; each axis has its own runs there, as in the original
    shared = [
        s
        for s in specs
        if (s.point.f_peak, s.point.radius) == (150.0, 140.0) and s.burst == "poisson"
    ]
    assert sorted(s.seed for s in shared) == list(range(3, 23))
    assert {s.seed for s in specs if s.point.axis == "f_peak"} == set(range(3, 13))
    assert {s.seed for s in specs if s.point.axis == "radius"} == set(range(13, 23))
    assert {(s.spec.size, s.spec.duration, s.spec.simulator) for s in specs} == {
        (400.0, 1000.0, "nest")
    }
    assert all(s.spec.protocol.kind == s.burst for s in specs)
    assert all(
        (s.spec.protocol.f_peak, s.spec.protocol.radius) == (s.point.f_peak, s.point.radius)
        for s in specs
    )
    assert all(s.spec.stimulus_seed == s.seed for s in specs)


def test_reduced_sweep_spans_both_axes_with_both_bursts():
    specs = sweep_specs(FigureOptions(simulator="brian2"))
    assert len(specs) == 12
    assert axis_points(specs, "f_peak") == {(30.0, 140.0), (110.0, 140.0), (190.0, 140.0)}
    assert axis_points(specs, "radius") == {(150.0, 20.0), (150.0, 100.0), (150.0, 180.0)}
    assert {(s.spec.size, s.spec.duration, s.spec.simulator) for s in specs} == {
        (400.0, 400.0, "brian2")
    }
    assert {s.burst for s in specs} == {"poisson", "periodic"}


def test_burst_size_duration_and_threads_options():
    specs = sweep_specs(FigureOptions(size=100.0, duration=500.0, threads=2, burst="periodic"))
    assert len(specs) == 6 and {s.spec.protocol.kind for s in specs} == {"periodic"}
    assert {(s.spec.size, s.spec.duration, s.spec.threads) for s in specs} == {(100.0, 500.0, 2)}
    spinnaker = sweep_specs(FigureOptions(simulator="spinnaker"))
    assert {s.spec.options["neuron_order"] for s in spinnaker} == {"grid"}


def test_reduced_caption_names_the_full_sweep():
    text = REDUCED.describe(("poisson", "periodic"), 400, 400)
    assert text.startswith(
        "Reduced sweep: poisson and periodic bursts; f_peak 30, 110, 190 Hz at radius 140 um"
    )
    assert "12 runs in all" in text and "--full" in text and "360 runs in all" in text
    assert (
        "(stimulus seed 3)" in text
        and "(stimulus seed 4)" in text
        and "(stimulus seeds 13-22)" in text
    )


def test_pooled_statistics_are_exact():
    stats = figure7.pooled_statistics([np.array([1, 2, 3]), np.array([4, 5])])
    assert stats == pytest.approx(
        {
            "median": 3.0,
            "p5": 1.2,
            "p95": 4.8,
            "mean": 3.0,
            "std": math.sqrt(2.0),
            "n_cores": 5,
            "n_runs": 2,
        }
    )
    stats = figure7.pooled_statistics([np.array([2, 8, 2]), np.array([], dtype=np.int64)])
    assert stats == pytest.approx(
        {
            "median": 2.0,
            "p5": 2.0,
            "p95": 7.4,
            "mean": 4.0,
            "std": math.sqrt(8.0),
            "n_cores": 3,
            "n_runs": 2,
        }
    )
    empty = figure7.pooled_statistics([])
    assert empty["n_cores"] == 0 and math.isnan(empty["median"]) and math.isnan(empty["std"])


def hand_run(
    burst: str, axis: str, f_peak: float, radius: float, seed: int, peaks: dict
) -> figure7.SweepRun:
    result = RunResult(
        {}, 0.1, 400.0, provenance={"simulator": "brian2", "spike_digest": f"d{seed}"}
    )
    run = FigureRun(result, Path(f"/runs/brian2-{seed}.h5"), "reused")
    return figure7.SweepRun(
        burst, axis, f_peak, radius, seed, run, {k: np.array(v) for k, v in peaks.items()}
    )


def test_points_pool_cores_of_their_runs_and_keep_the_axes_apart():
    runs = [
        hand_run("poisson", "f_peak", 150.0, 140.0, 3, {"granule": [1, 2, 3], "golgi": [10]}),
        hand_run("poisson", "f_peak", 150.0, 140.0, 4, {"granule": [4, 5], "golgi": [30]}),
        hand_run("poisson", "radius", 150.0, 140.0, 13, {"granule": [7], "golgi": [1]}),
    ]
    points = figure7.point_statistics(runs)
    assert [(p["axis"], p["seeds"]) for p in points] == [("f_peak", [3, 4]), ("radius", [13])]
    first = points[0]["populations"]
    assert list(first) == ["golgi", "granule"]  # display order
    assert first["granule"]["median"] == 3.0 and first["granule"]["n_cores"] == 5
    assert first["golgi"] == pytest.approx(
        {
            "median": 20.0,
            "p5": 11.0,
            "p95": 29.0,
            "mean": 20.0,
            "std": 10.0,
            "n_cores": 2,
            "n_runs": 2,
        }
    )
    assert points[1]["populations"]["granule"]["median"] == 7.0
    assert points[0]["runs"][1] == {
        "seed": 4,
        "result": "/runs/brian2-4.h5",
        "run_key": "brian2-4",
        "spike_digest": "d4",
    }


TINY = Sweep(
    name="reduced", f_peaks=(30.0, 190.0), radii=(60.0,), runs=1, size=100.0, duration=400.0
)


@pytest.mark.nest
@pytest.mark.slow
def test_figure7_reproduced_end_to_end_on_a_tiny_scaffold(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(sweeps, "REDUCED", TINY)
    reproduced = reproducing.reproduce_figure(7, FigureOptions(burst="poisson"), tmp_path)
    assert [r.status for r in reproduced.runs] == ["ran"] * 3
    stats = yaml.safe_load(reproduced.files.statistics.read_text())
    assert stats["order"]["mode"] == "grid" and stats["delay_model"] == {
        "name": "spynnaker-2020",
        "delay_slots": 16,
    }
    assert stats["sweep"]["name"] == "reduced" and stats["sweep"]["run_count"] == 3
    assert [(p["axis"], p["f_peak"], p["radius"], p["seeds"]) for p in stats["points"]] == [
        ("f_peak", 30.0, 140.0, [3]),
        ("f_peak", 190.0, 140.0, [3]),
        ("radius", 150.0, 60.0, [4]),
    ]
    granule = [p["populations"]["granule"] for p in stats["points"]]
    scaffold = reproducing.scaffold_of(sweep_specs(FigureOptions(burst="poisson"))[0].spec)
    assert {(g["n_cores"], g["n_runs"]) for g in granule} == {
        (math.ceil(scaffold.size("granule") / 64), 1)
    }
    assert granule[1]["median"] >= granule[0]["median"] > 0  # a stronger burst loads the cores more
    for g in granule:
        assert g["p5"] <= g["median"] <= g["p95"]
    caption = reproduced.files.caption.read_text().replace("\n", " ")
    assert "The neuron order is grid" in caption and "delay model spynnaker-2020" in caption
    assert (
        "an estimate from the run's spikes, not the hardware counter" in caption
        and "runs on NEST" in caption
    )
    assert "Reduced sweep: poisson bursts" in caption
    for run in reproduced.runs:
        assert str(run.path) in caption
    assert len(reproduced.output.figure.axes) == 4  # (median, mean) x (f_peak, radius)
