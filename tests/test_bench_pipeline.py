"""The pipeline benchmark: its network as a description, and a tiny sweep that runs, fits and
writes CSV, JSON and a figure."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cerebrepro.backends.contract import SimulationSettings
from cerebrepro.backends.registry import get_backend
from cerebrepro.cli.main import typer_app
from cerebrepro.studies.pipeline_bench import read_measurements
from cerebrepro.studies.pipeline_bench_formats import FORMATS
from cerebrepro.studies.pipeline_bench_network import (
    CELL_PARAMETERS,
    describe_pipeline_network,
    fixed_probability_rows,
)


def test_a_network_smaller_than_the_in_degree_is_all_to_all():
    """p = min(1, 50 / N) = 1 for N = 3: every ordered pair, self pairs included, once."""
    network = describe_pipeline_network(3, seed=1)
    cells, sources = network.groups
    assert (cells.model, sources.model) == ("IF_cond_exp", "SpikeSourcePoisson")
    assert dict(sources.parameters) == {"rate": 200.0}
    assert cells.parameters["tau_refrac"] == 2.0 and cells.parameters["v_rest"] == -65.0
    driven, recurrent = network.connections
    np.testing.assert_array_equal(driven.pre_index, [0, 1, 2])
    np.testing.assert_array_equal(driven.post_index, [0, 1, 2])
    np.testing.assert_array_equal(recurrent.pre_index, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(recurrent.post_index, [0, 1, 2, 0, 1, 2, 0, 1, 2])
    assert (driven.receptor, recurrent.receptor) == ("excitatory", "inhibitory")
    assert (driven.weight, recurrent.weight, recurrent.delay) == (0.012, 0.002, 1.0)


def test_every_tenth_cell_records_v():
    np.testing.assert_array_equal(
        describe_pipeline_network(25, seed=1).group("cells").record_analog, [0, 10, 20]
    )


def test_recurrent_rows_have_the_in_degree_and_follow_the_seed():
    n = 2000  # p = 0.025: 100,000 expected synapses, sd 312
    pre, post = fixed_probability_rows(n, n, 50 / n, np.random.default_rng(4))
    assert abs(pre.size - 100_000) < 5 * 312
    keys = pre * n + post
    assert np.all(np.diff(keys) > 0)  # sorted by (pre, post), no pair twice
    assert pre.max() < n and post.max() < n
    digest = describe_pipeline_network(n, seed=4).connectivity_digest()
    assert digest == describe_pipeline_network(n, seed=4).connectivity_digest()
    assert digest != describe_pipeline_network(n, seed=5).connectivity_digest()


def test_parameters_are_pynns_defaults_but_the_refractory_period():
    pynn_cells = pytest.importorskip("pyNN.standardmodels.cells", reason="needs PyNN: make install")
    defaults = pynn_cells.IF_cond_exp.default_parameters
    assert CELL_PARAMETERS == {"v_rest": defaults["v_rest"], "tau_refrac": 2.0}


@pytest.mark.nest
def test_nest_supports_the_network():
    backend = get_backend("nest")
    if not backend.check().installed:
        pytest.skip("NEST is not installed: make install (nest-simulator==3.10.0)")
    backend.supports(
        describe_pipeline_network(100, 1), SimulationSettings(50.0), backend.options_type()
    )


@pytest.mark.nest
@pytest.mark.slow
def test_tiny_sweep_writes_measurements_fits_and_figure(tmp_path):
    args = [
        "bench",
        "pipeline",
        "--sizes",
        "50,100",
        "--durations",
        "50,100",
        "--repeats",
        "1",
        "-o",
        str(tmp_path),
    ]
    outcome = CliRunner().invoke(typer_app, args)
    assert outcome.exit_code == 0, outcome.output

    rows = read_measurements(tmp_path / "pipeline.csv")
    phases = {(r.phase, r.format) for r in rows}
    assert phases == {("build", ""), ("simulate", ""), ("collect", "")} | {
        ("write", f) for f in FORMATS
    }
    assert {(r.n_cells, r.duration_ms) for r in rows} == {
        (50, 50.0),
        (50, 100.0),
        (100, 50.0),
        (100, 100.0),
    }
    assert all(r.wall_s >= 0 and r.cpu_s >= 0 for r in rows)
    assert all(r.file_bytes > 0 for r in rows if r.phase == "write")

    saved = json.loads((tmp_path / "pipeline.json").read_text())
    assert saved["provenance"]["machine"]["cpu_count"] >= 1
    fits = saved["fits"]["cpu"]["with_intercept"]
    assert set(fits) == {"build", "simulate", "collect"} | {f"write {f}" for f in FORMATS}
    assert set(fits["simulate"]["coefficients"]) == {"N", "N*T"}
    assert (tmp_path / "pipeline.png").stat().st_size > 0

    refit = CliRunner().invoke(
        typer_app,
        [
            "bench",
            "pipeline",
            "--refit",
            str(tmp_path / "pipeline.csv"),
            "-o",
            str(tmp_path / "again"),
        ],
    )
    assert refit.exit_code == 0, refit.output
    assert (tmp_path / "again" / "pipeline.json").is_file()
