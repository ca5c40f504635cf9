"""`cerebrepro reproduce`: runs found in the cache are reused, companions joined, sweeps planned."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from typer.testing import CliRunner

from cerebrepro.cli import commands  # noqa: F401  (registers every command)
from cerebrepro.cli.app import app
from cerebrepro.pipeline.cache import cached_run_path
from cerebrepro.reproduce import figure as reproducing
from cerebrepro.reproduce.plans import FigureOptions, companion_specs, reference_spec
from cerebrepro.results.io import read_result, write_result

SMALL = FigureOptions(size=100.0, duration=500.0)


@pytest.fixture(scope="session")
def first_reproduction(tmp_path_factory):
    """Figure 4 of a tiny network reproduced once in a fresh data directory (the run is made)."""
    data = tmp_path_factory.mktemp("reproduce-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CEREBREPRO_DATA_DIR", str(data))
        reproduced = reproducing.reproduce_figure(4, SMALL, data / "figures")
    return data, reproduced


@pytest.fixture
def cache(first_reproduction, monkeypatch):
    """The data directory of the first reproduction, where running anything again fails."""
    data, _ = first_reproduction
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(data))

    def refuse(*args, **kwargs):
        raise AssertionError("a cached run was run again")

    monkeypatch.setattr("cerebrepro.pipeline.cache.run_experiment", refuse)
    return data


@pytest.mark.nest
@pytest.mark.slow
def test_first_reproduction_runs_and_writes_every_file(first_reproduction):
    _, reproduced = first_reproduction
    assert [r.status for r in reproduced.runs] == ["ran"]
    for path in reproduced.files.all():
        assert path.stat().st_size > 500
    caption = reproduced.files.caption.read_text().replace("\n", " ")
    assert str(reproduced.runs[0].path) in caption
    assert "NEST 3.10.0 (ran): rebuilt scaffold 100 um" in caption
    assert "generated stimulus seed 3" in caption and "500 ms" in caption and "1 thread" in caption
    assert "No SpiNNaker or Brian2 run of the same spec" in caption
    runs = yaml.safe_load(reproduced.files.statistics.read_text())["runs"]
    assert runs == [
        {
            "simulator": "nest",
            "status": "ran",
            "path": str(reproduced.runs[0].path),
            "spike_digest": reproduced.runs[0].provenance["spike_digest"],
        }
    ]


@pytest.mark.nest
@pytest.mark.slow
def test_second_reproduction_reuses_the_run_and_adds_a_cached_companion(cache, tmp_path):
    spec = reference_spec(SMALL)
    companion = cached_run_path(companion_specs(spec)["brian2"][0])
    result = read_result(cached_run_path(spec))
    result.provenance = {**result.provenance, "simulator": "brian2", "backend": {"name": "brian2"}}
    write_result(result, companion)
    try:
        reproduced = reproducing.reproduce_figure(4, SMALL, tmp_path)
    finally:
        companion.unlink()
    assert [(r.simulator, r.status) for r in reproduced.runs] == [
        ("nest", "reused"),
        ("brian2", "reused"),
    ]
    caption = reproduced.output.caption.replace("\n", " ")
    assert "Columns: NEST, Brian2." in caption and str(companion) in caption
    assert "No SpiNNaker run of the same spec" in caption


@pytest.mark.nest
@pytest.mark.slow
def test_command_reports_reuse_caption_and_files(cache, tmp_path):
    out = CliRunner().invoke(
        app,
        ["reproduce", "--figure", "8", "--size", "100", "--duration", "500", "-o", str(tmp_path)],
        env={"COLUMNS": "1000"},  # no line wrapping inside long temporary paths
    )
    assert out.exit_code == 0, out.output
    assert "run 1/1 reused: nest, rebuilt 100 um" in out.output
    assert "Figure 8. Estimated communication load per core" in out.output
    for suffix in ("png", "pdf", "yaml", "txt"):
        assert f"wrote {tmp_path / f'figure8.{suffix}'}" in out.output
    assert "(0 ran, 1 reused)" in out.output


def test_unknown_figure_and_burst_are_refused(tmp_path):
    out = CliRunner().invoke(app, ["reproduce", "--figure", "3", "-o", str(tmp_path)])
    assert out.exit_code != 0 and "no figure 3" in str(out.exception)
    out = CliRunner().invoke(
        app, ["reproduce", "--figure", "7", "--burst", "regular", "-o", str(tmp_path)]
    )
    assert out.exit_code != 0 and "unknown burst" in str(out.exception)


def test_reference_run_is_the_offline_default():
    spec = reference_spec(FigureOptions())
    assert (spec.simulator, spec.scaffold, spec.size, spec.scaffold_seed) == (
        "nest",
        "rebuilt",
        400.0,
        None,
    )
    assert (spec.stimulus, spec.stimulus_seed, spec.duration, spec.threads) == (
        "generated",
        3,
        1000.0,
        1,
    )
    others = companion_specs(dataclasses.replace(spec, threads=2))
    assert list(others) == ["spinnaker", "brian2"]
    assert [s.threads for s in others["spinnaker"]] == [2, 1]


def test_figures_cover_four_to_eight():
    assert sorted(reproducing.FIGURES) == [4, 5, 6, 7, 8]
