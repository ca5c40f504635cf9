"""Sweep files: names checked before any work, grids and points, specs equal to the CLI's."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.model.parameters import parse_settings
from cerebrepro.pipeline.cache import run_key
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.sweep.spec import SweepSpecError, read_sweep, spec_from_json, spec_to_json
from cerebrepro.sweep.table import read_table, write_table
from cerebrepro.sweep.task import PointOutcome


def sweep_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return path


def test_the_issue_form_is_a_grid_of_four_specs_equal_to_the_cli_ones(tmp_path: Path) -> None:
    path = sweep_file(
        tmp_path,
        "base: {simulator: brian2, size: 100, duration: 400}\n"
        "grid: {f_peak: [50, 150], radius: [70, 140]}\n",
    )
    points = read_sweep(path)
    assert [p.values for p in points] == [
        {"f_peak": 50, "radius": 70},
        {"f_peak": 50, "radius": 140},
        {"f_peak": 150, "radius": 70},
        {"f_peak": 150, "radius": 140},
    ]
    # what `cerebrepro run --simulator brian2 --size 100 --duration 400 --f-peak 150 --radius 70` builds
    cli = RunSpec(
        simulator="brian2",
        size=100.0,
        duration=400.0,
        protocol=dataclasses.replace(REFERENCE_PROTOCOL, f_peak=150.0, radius=70.0),
    )
    assert points[2].spec == cli
    assert run_key(points[2].spec) == run_key(cli)  # the same run-cache entry


def test_points_set_protocol_burst_seed_and_backend_options(tmp_path: Path) -> None:
    path = sweep_file(
        tmp_path,
        "base: {size: 100}\n"
        "points:\n"
        "  - {burst: periodic, stimulus_seed: 7}\n"
        "  - {simulator: spinnaker, neuron_order: grid, start: 50, stop: 100}\n",
    )
    first, second = read_sweep(path)
    assert (first.spec.protocol.kind, first.spec.stimulus_seed) == ("periodic", 7)
    assert second.spec.options == {"neuron_order": "grid"}
    assert (second.spec.protocol.start, second.spec.protocol.stop) == (50.0, 100.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("base: {size: 100}\ngrid: {f_peek: [1, 2]}\n", "grid: unknown key 'f_peek'"),
        ("base: {sise: 100}\ngrid: {f_peak: [1]}\n", "base: unknown key 'sise'"),
        ("points: [{f_peak: 1}, {wieght: 2}]\n", "points[1]: unknown key 'wieght'"),
        ("base: {}\naxes: {f_peak: [1]}\n", "unknown key 'axes'"),
        ("grid: {f_peak: [1]}\npoints: [{f_peak: 1}]\n", "either grid or points"),
        ("grid: {f_peak: []}\n", "'f_peak' must be a non-empty list"),
        ("grid: {duration: [400, 0]}\n", "point 1 (duration=0): --duration 0"),
        (
            "points: [{simulator: nest, neuron_order: grid}]\n",
            "unknown nest option(s) neuron_order",
        ),
    ],
)
def test_bad_sweep_files_are_refused_naming_the_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = sweep_file(tmp_path, text)
    with pytest.raises(SweepSpecError) as caught:
        read_sweep(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_spec_survives_its_json_for_the_point_process(tmp_path: Path) -> None:
    spec = RunSpec(
        simulator="brian2",
        size=100.0,
        stimulus_seed=9,
        protocol=dataclasses.replace(REFERENCE_PROTOCOL, kind="periodic", radius=20.0),
        options={"threads_per_core": 2},
    )
    back = spec_from_json(spec_to_json(spec))
    assert back == spec
    assert run_key(back) == run_key(spec)


def test_the_table_has_a_row_per_population_and_one_for_a_failed_point(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "grid: {f_peak: [50, 150]}\n")
    points = read_sweep(path)
    rows = [
        {"population": "golgi", "n_cells": 4, "n_spikes": 2, "rate_stimulus_hz": 10.0},
        {"population": "dcn", "n_cells": 1, "n_spikes": 0, "rate_stimulus_hz": 0.0},
    ]
    outcomes = [
        PointOutcome(0, "ran", "/runs/a.h5", "ab12", 3.5, rows=rows),
        PointOutcome(1, "failed", error="PointError: point 1 exited with 1"),
    ]
    table = read_table(write_table(tmp_path / "out" / "sweep.csv", points, outcomes))
    assert [(r["point"], r["f_peak"], r["status"], r["population"]) for r in table] == [
        ("0", "50", "ran", "golgi"),
        ("0", "50", "ran", "dcn"),
        ("1", "150", "failed", ""),
    ]
    assert table[1]["n_spikes"] == "0" and table[0]["rate_stimulus_hz"] == "10.0"
    assert table[2]["error"] == "PointError: point 1 exited with 1"
    assert list(tmp_path.joinpath("out").iterdir()) == [tmp_path / "out" / "sweep.csv"]


def test_model_parameters_are_axes_by_their_run_set_names(tmp_path: Path) -> None:
    path = sweep_file(
        tmp_path,
        "base: {simulator: brian2, size: 100, duration: 400, golgi.tau_m: 21}\n"
        "grid: {goc_grc.weight: [0.005, 0.0055], bc_pc.delay: [4, 5]}\n",
    )
    points = read_sweep(path)
    assert [p.values for p in points][1] == {"goc_grc.weight": 0.005, "bc_pc.delay": 5}
    cli = RunSpec(
        simulator="brian2",
        size=100.0,
        duration=400.0,
        parameters=parse_settings(["goc_grc.weight=0.005", "bc_pc.delay=5", "golgi.tau_m=21"], 0.1),
    )
    assert points[1].spec == cli
    assert run_key(points[1].spec) == run_key(cli)  # the same run-cache entry as run --set
    assert spec_from_json(spec_to_json(points[1].spec)) == points[1].spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid: {goc_grc.wieght: [1]}\n", "unknown key 'goc_grc.wieght'"),
        ("grid: {goc_grc.weight: [0.005, -1]}\n", "point 1 (goc_grc.weight=-1): --set"),
        ("grid: {goc_grc.weight: [abc]}\n", "the value must be a number"),
        ("grid: {bc_pc.delay: [4.05]}\n", "a whole number of time steps"),
        ("base: {experiment: ei-balanced}\ngrid: {golgi.tau_m: [20]}\n", "cerebellum's model"),
    ],
)
def test_bad_model_parameter_axes_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SweepSpecError, match=re.escape(message)):
        read_sweep(sweep_file(tmp_path, text))


def test_a_weight_scale_sets_the_model_weights_times_the_factor(tmp_path: Path) -> None:
    from cerebrepro.model.cerebellum import PROJECTION_LIST, PROJECTIONS

    one, every = read_sweep(
        sweep_file(tmp_path, "points: [{goc_grc.weight_scale: 1.1}, {weight_scale: 0.5}]\n")
    )
    assert one.spec.parameters == (("goc_grc.weight", PROJECTIONS["goc_grc"].weight * 1.1),)
    assert dict(every.spec.parameters) == {
        f"{p.name}.weight": p.weight * 0.5 for p in PROJECTION_LIST
    }
    with pytest.raises(SweepSpecError, match="a weight is a magnitude"):
        read_sweep(sweep_file(tmp_path, "grid: {weight_scale: [-1]}\n"))
    with pytest.raises(SweepSpecError, match="given twice"):
        read_sweep(sweep_file(tmp_path, "points: [{pf_pc.weight_scale: 2, pf_pc.weight: 1}]\n"))
