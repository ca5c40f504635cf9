"""`cerebrepro scaffold build` and `cerebrepro scaffold inspect`."""

import json

import pytest
from typer.testing import CliRunner

from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
from cerebrepro.cli.app import app
from cerebrepro.scaffold.read import read_scaffold

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "small.hdf5"
    result = runner.invoke(
        app, ["scaffold", "build", "--size", "100", "--seed", "9", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize(
    "args",
    [["scaffold", "--help"], ["scaffold", "build", "--help"], ["scaffold", "inspect", "--help"]],
)
def test_help(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_build_writes_the_file(built):
    scaffold = read_scaffold(built)
    assert scaffold.attrs["seed"] == 9 and scaffold.attrs["base_size"] == 100.0


def test_inspect_json(built):
    result = runner.invoke(app, ["scaffold", "inspect", str(built), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    scaffold = read_scaffold(built)
    assert summary["sha256"] == scaffold.sha256
    assert summary["connectivity_digest"] == scaffold.connectivity_digest()
    assert summary["populations"] == scaffold.sizes
    pf = summary["projections"]["pf_goc"]
    assert pf["rows"] == len(scaffold.connections["pf_goc"])
    assert pf["in_degree"]["max"] <= 1600
    assert summary["projections"]["goc_glom"]["simulated"] is False
    assert (
        summary["n_connections"] == summary["n_rows"] - summary["projections"]["goc_glom"]["rows"]
    )


def test_inspect_table(built):
    result = runner.invoke(app, ["scaffold", "inspect", str(built)])
    assert result.exit_code == 0, result.output
    assert "glom_grc" in result.output and read_scaffold(built).sha256 in result.output


def test_build_to_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path))
    first = runner.invoke(app, ["scaffold", "build", "--size", "100", "--seed", "9"])
    assert first.exit_code == 0, first.output
    path = tmp_path / "scaffolds"
    assert len(list(path.glob("rebuilt_100um_seed9_v*.hdf5"))) == 1
    again = runner.invoke(app, ["scaffold", "build", "--size", "100", "--seed", "9"])
    assert again.exit_code == 0 and "already built" in again.output
