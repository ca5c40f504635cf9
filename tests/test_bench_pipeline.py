"""The pipeline benchmark's machinery on a tiny sweep: it runs, fits and writes CSV, JSON and a figure."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cerebrepro.bench.formats import FORMATS
from cerebrepro.bench.pipeline import read_measurements
from cerebrepro.cli.main import typer_app

pytestmark = pytest.mark.nest


def test_tiny_sweep_writes_measurements_fits_and_figure(tmp_path):
    args = ["bench", "pipeline", "--sizes", "50,100", "--durations", "50,100", "--repeats", "1", "-o", str(tmp_path)]
    outcome = CliRunner().invoke(typer_app, args)
    assert outcome.exit_code == 0, outcome.output

    rows = read_measurements(tmp_path / "pipeline.csv")
    phases = {(r.phase, r.format) for r in rows}
    assert phases == {("build", ""), ("simulate", ""), ("collect", "")} | {("write", f) for f in FORMATS}
    assert {(r.n_cells, r.duration_ms) for r in rows} == {(50, 50.0), (50, 100.0), (100, 50.0), (100, 100.0)}
    assert all(r.wall_s >= 0 and r.cpu_s >= 0 for r in rows)
    assert all(r.file_bytes > 0 for r in rows if r.phase == "write")

    saved = json.loads((tmp_path / "pipeline.json").read_text())
    assert saved["provenance"]["machine"]["cpu_count"] >= 1
    fits = saved["fits"]["cpu"]["with_intercept"]
    assert set(fits) == {"build", "simulate", "collect"} | {f"write {f}" for f in FORMATS}
    assert set(fits["simulate"]["coefficients"]) == {"N", "N*T"}
    assert (tmp_path / "pipeline.png").stat().st_size > 0

    refit = CliRunner().invoke(
        typer_app, ["bench", "pipeline", "--refit", str(tmp_path / "pipeline.csv"), "-o", str(tmp_path / "again")]
    )
    assert refit.exit_code == 0, refit.output
    assert (tmp_path / "again" / "pipeline.json").is_file()
