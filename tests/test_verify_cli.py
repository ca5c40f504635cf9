"""`cerebrepro verify` end to end on a synthetic network and a reference built from it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from typer.testing import CliRunner

import cerebrepro.pipeline.cache
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.cli import verify as verify_cli  # noqa: F401  (registers the command)
from cerebrepro.cli.app import app
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.io import write_result
from cerebrepro.verify import measure
from cerebrepro.verify.check import IncomparableRun
from cerebrepro.verify.ensemble import Member, build_reference
from cerebrepro.verify.reference import write_reference

SPEC = RunSpec(size=100.0, threads=1, record_v="none")


def with_provenance(run, scaffold, stimulus: str):
    run.provenance.update(
        simulator="nest",
        threads=1,
        spec={"kernel_seed": 1},
        versions={"nest-simulator": "3.10.0", "PyNN": "0.13.0"},
        scaffold_digest=scaffold.connectivity_digest(),
        scaffold={"sizes": scaffold.sizes},
        stimulus_sha256=stimulus,
        stimulus={"n_spikes": run.spikes["glomerulus"].n_spikes},
    )
    return run


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A scaffold, a reference file from three synthetic runs and the first run's file."""
    rng = np.random.default_rng(11)
    scaffold = synthetic_scaffold(rng, scale=0.01)
    runs = [with_provenance(synthetic_run(rng, scaffold), scaffold, "stimulus-a") for _ in range(3)]
    members = [
        Member(
            SPEC,
            run.provenance,
            measure.measure_metrics(run, scaffold, SPEC.protocol),
            run.spike_digest(),
        )
        for run in runs
    ]
    directory = tmp_path_factory.mktemp("verify")
    reference = write_reference(
        build_reference("toy", members, "regenerate"), directory / "toy.yaml"
    )
    result = write_result(runs[0], directory / "run.h5")
    return scaffold, reference, result


@pytest.fixture
def cli(synthetic, monkeypatch):
    scaffold, _, _ = synthetic
    monkeypatch.setattr(measure, "resolve_scaffold", lambda spec: scaffold)
    return CliRunner()


def test_the_reference_run_passes_with_a_junit_report(cli, synthetic, tmp_path):
    _, reference, result = synthetic
    report = tmp_path / "report.xml"
    out = cli.invoke(
        app, ["verify", str(result), "--reference", str(reference), "--junit", str(report)]
    )
    assert out.exit_code == 0, out.output
    assert "verification passed" in out.output and "exact spike digest: pass" in out.output
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite.get("failures") == "0" and int(suite.get("tests")) > 50


def test_a_reference_value_out_of_tolerance_fails_readably(cli, synthetic, tmp_path):
    _, reference, result = synthetic
    text = reference.read_text()
    head, _, tail = text.partition("  granule.rate.stimulus:\n    reference: ")
    value, _, rest = tail.partition("\n")
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        f"{head}  granule.rate.stimulus:\n    reference: {float(value) + 100}\n{rest}"
    )
    out = cli.invoke(app, ["verify", str(result), "--reference", str(edited)], terminal_width=80)
    assert out.exit_code == 1, out.output
    assert "rate.stimulus" in out.output and "fail" in out.output
    assert "FAIL granule.rate.stimulus" in out.output and "would pass it" in out.output
    assert "verification failed: 1 of" in out.output
    assert max(len(line) for line in out.output.splitlines()) <= 80


def test_a_run_of_another_scaffold_is_refused(cli, synthetic, tmp_path):
    scaffold, reference, _ = synthetic
    rng = np.random.default_rng(5)
    other = synthetic_scaffold(rng, scale=0.01)
    foreign = write_result(
        with_provenance(synthetic_run(rng, other), other, "stimulus-a"), tmp_path / "foreign.h5"
    )
    out = cli.invoke(app, ["verify", str(foreign), "--reference", str(reference)])
    assert isinstance(out.exception, IncomparableRun)
    assert "a different scaffold" in str(out.exception) and "refused, not compared" in str(
        out.exception
    )


def test_without_a_result_the_reference_spec_is_run_or_reused(cli, synthetic, monkeypatch):
    _, reference, result = synthetic
    asked = []

    def fake_cached_run(spec, events=None):
        asked.append(spec)
        return result, True

    monkeypatch.setattr(cerebrepro.pipeline.cache, "cached_run", fake_cached_run)
    out = cli.invoke(app, ["verify", "--reference", str(reference)])
    assert out.exit_code == 0, out.output
    assert asked == [SPEC] and "reused the reference run" in out.output


def test_verify_help_lists_check_and_regenerate(cli):
    out = cli.invoke(app, ["verify", "--help"])
    assert out.exit_code == 0 and "regenerate" in out.output and "check" in out.output
