"""analyse_run and the analyse/compare commands on a small fixed synthetic run."""

import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.cli import analyse as analyse_cli
from cerebrepro.cli.app import app
from cerebrepro.errors import ResultError
from cerebrepro.scaffold import read as scaffold_read

SCALE = 0.01  # 882 granules, ~44k synapses


@pytest.fixture(scope="module")
def network():
    rng = np.random.default_rng(2021)
    scaffold = synthetic_scaffold(rng, scale=SCALE)
    return scaffold, synthetic_run(rng, scaffold), synthetic_run(rng, scaffold)


def rounded(value, digits=10):
    """Floats to ``digits`` significant digits, so that the stored file is stable."""
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    return value


def test_statistics_of_a_fixed_run(network, data_regression):
    scaffold, run, _ = network
    data_regression.check(rounded(analyse_run(run, scaffold)))


def test_without_a_scaffold_connectivity_statistics_are_skipped(network):
    _, run, _ = network
    stats = analyse_run(run, None)
    assert stats["connectivity"] is False and "packet_load" not in stats
    assert all("incoming" not in p for p in stats["populations"].values())
    assert stats["populations"]["granule"]["windows"]["stimulus"]["start"] == 304.0


def test_statistics_are_plain_data(network):
    scaffold, run, other = network
    for stats in (analyse_run(run, scaffold), compare_runs(run, other)):
        assert yaml.safe_load(yaml.safe_dump(stats)) == stats
        json.dumps(stats, allow_nan=False)


def test_scaffold_of_another_size_is_refused(network):
    scaffold, run, _ = network
    other = synthetic_scaffold(np.random.default_rng(0), scale=2 * SCALE)
    with pytest.raises(ResultError, match="granule: run 882 cells, scaffold 1763"):
        analyse_run(run, other)


@pytest.fixture
def cli(network, monkeypatch):
    scaffold, run, other = network
    runs = {"a.h5": run, "b.h5": other}
    monkeypatch.setattr(analyse_cli, "_read_result", lambda path: runs[path.name])
    monkeypatch.setattr(scaffold_read, "read_scaffold", lambda path: scaffold)
    return CliRunner()


def test_analyse_command_writes_yaml_and_json(cli, tmp_path):
    (tmp_path / "a.h5").touch()
    (tmp_path / "scaffold.hdf5").touch()
    out = tmp_path / "stats.yaml"
    args = ["analyse", str(tmp_path / "a.h5"), "--scaffold", str(tmp_path / "scaffold.hdf5")]
    result = cli.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "granule" in result.output and "reduction" in result.output
    assert "not the hardware counter" in result.output
    granule = yaml.safe_load(out.read_text())["populations"]["granule"]
    assert granule["packet_load"]["n_cores"] == 14
    printed = cli.invoke(app, [*args, "--json"])
    assert json.loads(printed.stdout)["connectivity"] is True


@pytest.mark.slow
def test_compare_command_writes_table_file_and_figure(cli, tmp_path):
    for name in ("a.h5", "b.h5"):
        (tmp_path / name).touch()
    out, figure = tmp_path / "compare.json", tmp_path / "compare.png"
    result = cli.invoke(
        app,
        [
            "compare",
            str(tmp_path / "a.h5"),
            str(tmp_path / "b.h5"),
            "-o",
            str(out),
            "--figure",
            str(figure),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["populations"]["dcn"]["windows"]["post"]["ks"] is not None
    assert figure.read_bytes()[:4] == b"\x89PNG"


def test_compare_command_refuses_different_stimuli(cli, network, tmp_path):
    _, run, other = network
    for name in ("a.h5", "b.h5"):
        (tmp_path / name).touch()
    other.provenance["stimulus_sha256"] = "elsewhere"
    try:
        result = cli.invoke(app, ["compare", str(tmp_path / "a.h5"), str(tmp_path / "b.h5")])
    finally:
        del other.provenance["stimulus_sha256"]
    assert isinstance(result.exception, ResultError)
    assert "stimulus_sha256: A=<missing> B=elsewhere" in str(result.exception)
