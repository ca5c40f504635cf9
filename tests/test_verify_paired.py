"""Paired checks against the reference run's own cells, and the mutation study's bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cerebrepro.errors import CerebreproError, ResultError
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.verify import power
from cerebrepro.verify.check import DigestCheck, Verification
from cerebrepro.verify.paired import (
    PairedCheck,
    check_paired,
    derive_thresholds,
    paired_z,
    read_counts,
    window_counts,
    write_counts,
)


def test_window_counts_are_per_cell_in_each_shifted_window():
    # granule windows are shifted by 4 ms: baseline [0, 304), stimulus [304, 354), post [354, 500)
    granule = PopulationSpikes(
        3, np.array([10.0, 303.9, 304.0, 353.9, 354.0, 499.0]), np.array([0, 0, 1, 1, 2, 0])
    )
    glomerulus = PopulationSpikes(2, np.array([1.0]), np.array([0]))
    result = RunResult({"granule": granule, "glomerulus": glomerulus}, 0.1, 500.0)
    counts = window_counts(result, REFERENCE_PROTOCOL)
    assert list(counts) == ["granule"]  # sources are inputs, identical by construction
    assert counts["granule"].tolist() == [[2, 0, 1], [0, 2, 0], [0, 0, 1]]


def test_z_is_the_mean_difference_over_its_paired_standard_error():
    reference = {"golgi": np.array([[1, 5, 0], [2, 5, 0], [3, 5, 0], [4, 5, 0]])}
    run = {"golgi": np.array([[2, 6, 0], [2, 6, 0], [5, 6, 0], [4, 6, 0]])}
    z = paired_z(run, reference)
    # baseline d = 1, 0, 2, 0: mean 0.75, std 0.9574, se 0.4787 -> z = 1.5667
    assert z["golgi.baseline"] == pytest.approx(0.75 / (math.sqrt(11 / 12) / 2))
    assert z["golgi.stimulus"] == math.inf  # every cell one spike more
    assert z["golgi.post"] == 0.0
    assert paired_z({"dcn": np.array([[9, 9, 9]])}, {"dcn": np.array([[1, 1, 1]])}) == {}


def test_unpaired_runs_are_refused():
    with pytest.raises(ResultError, match="3 cells here, 2 in the reference"):
        paired_z({"golgi": np.zeros((3, 3))}, {"golgi": np.zeros((2, 3))})
    with pytest.raises(ResultError, match="no golgi spikes"):
        paired_z({}, {"golgi": np.zeros((2, 3))})


def test_each_threshold_comes_from_the_noise_runs_with_a_floor():
    thresholds, derivation = derive_thresholds(
        [
            ("nest, 2 threads", {"a.stimulus": 0.0, "b.post": 0.0}),
            ("brian2", {"a.stimulus": -3.2, "b.post": 1.0}),
        ]
    )
    assert thresholds == {"a.stimulus": 4.8, "b.post": 4.0}  # 1.5 x 3.2; the floor
    assert derivation["noise"][1]["at"] == "a.stimulus"
    assert derivation["noise"][1]["max_abs_z"] == 3.2 and derivation["thresholds"] == thresholds
    checks = check_paired(
        {"g": np.array([[1, 0, 0], [3, 0, 0]])}, {"g": np.zeros((2, 3))}, {"g.baseline": 1.5}
    )
    assert [(c.name, c.passed) for c in checks] == [
        ("paired.g.baseline", False),  # d = 1, 3: z = 2 / 1 = 2 > 1.5
        ("paired.g.stimulus", True),  # no threshold measured: the floor, 4
        ("paired.g.post", True),
    ]
    assert checks[0].z == pytest.approx(2.0) and checks[1].threshold == 4.0


def test_stored_counts_verify_by_sha256(tmp_path):
    counts = {"granule": np.array([[1, 2, 3]], dtype=np.int32)}
    digest = write_counts(counts, tmp_path / "r.counts.npz")
    assert read_counts(tmp_path / "r.counts.npz", digest)["granule"].tolist() == [[1, 2, 3]]
    with pytest.raises(ResultError, match="r.counts.npz: sha256 .*changed or damaged"):
        read_counts(tmp_path / "r.counts.npz", "0" * 64)
    with pytest.raises(ResultError, match="no stored counts"):
        read_counts(tmp_path / "missing.npz", digest)


def test_a_paired_failure_fails_the_verification():
    digest = DigestCheck("skipped", "other simulator")
    failing = Verification("toy", [], digest, [PairedCheck("paired.g.stimulus", 9.0, 4.0)])
    assert not failing.passed and [c.name for c in failing.paired_failures] == ["paired.g.stimulus"]
    assert Verification("toy", [], digest, [PairedCheck("paired.g.post", -3.9, 4.0)]).passed


def test_the_reference_keeps_its_paired_block(tmp_path):
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.verify.reference import Reference, read_reference, write_reference

    digest = write_counts({"golgi": np.ones((2, 3), np.int32)}, tmp_path / "toy.counts.npz")
    stored = Reference(
        "toy",
        RunSpec(),
        {},
        {},
        {},
        {},
        paired={"counts": "toy.counts.npz", "sha256": digest, "threshold": 4.0},
    )
    back = read_reference(write_reference(stored, tmp_path / "toy.yaml"))
    assert back.paired == stored.paired and back.location == tmp_path / "toy.yaml"
    assert back.paired_counts()["golgi"].tolist() == [[1, 1, 1], [1, 1, 1]]
    assert Reference("old", RunSpec(), {}, {}, {}, {}).paired_counts() is None


# ---------------------------------------------------------------- the mutation study


def test_the_mutants_are_the_control_and_82_single_changes():
    chosen = power.mutants(0.1)
    assert chosen[0].label == "unperturbed" and chosen[0].parameters == ()
    labels = {m.label: m for m in chosen}
    assert len(chosen) == 1 + 16 * 3 + 6 * 3 * 2 - 2  # granule's i_offset is 0: nothing to scale
    assert labels["goc_grc.weight +10%"].parameters == (("goc_grc.weight", pytest.approx(0.0055)),)
    assert labels["bc_pc.delay +1 step"].value == 4.1
    assert labels["golgi.v_thresh -10%"].value == pytest.approx(-49.5)
    assert "granule.i_offset +10%" not in labels
    only = power.only_mutants(chosen, ["goc_grc.weight"])
    assert [m.label for m in only] == ["unperturbed", "goc_grc.weight +10%", "goc_grc.weight -10%"]
    with pytest.raises(CerebreproError, match="--only granule.i_offset: no mutant changes it"):
        power.only_mutants(chosen, ["granule.i_offset"])


def _outcome(label, name, ensemble, paired, z):
    return power.Outcome(
        power.Mutant(label, name, 1.0), ensemble, paired, z, "paired.g.stimulus", 4.0, "d", 1.0
    )


def test_the_report_counts_what_each_check_caught(tmp_path):
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.verify.reference import Reference

    outcomes = [
        _outcome("unperturbed", None, [], [], 1.0),
        _outcome("goc_grc.weight +10%", "goc_grc.weight", [], ["paired.g.stimulus"], 22.0),
        _outcome("glom_grc.weight -10%", "glom_grc.weight", ["granule.rate.stimulus"], [], 3.0),
        _outcome("pf_pc.weight -10%", "pf_pc.weight", [], [], 2.0),
    ]
    reference = Reference("toy", RunSpec(), {}, {}, {}, {}, paired={"floor": 4.0})
    report = power.power_report(reference, outcomes, "brian2", 12.0, "cerebrepro verify power")
    assert report["summary"] == {
        "mutants": 3,
        "caught_by_ensemble": 1,
        "caught_by_paired": 1,
        "caught_by_either": 2,
        "missed": 1,
    }
    table = power.markdown_table(report)
    assert (
        "1 of 3 caught by the ensemble checks alone, 2 by ensemble plus paired checks; 1 missed"
        in table
    )
    assert "| goc_grc.weight +10% | - | caught | 22.0 (g.stimulus, 4) | 0 |" in table
    paths = power.write_power(report, tmp_path, "power-toy")
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_a_paired_only_study_says_the_ensemble_was_not_measured():
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.verify.reference import Reference

    outcomes = [_outcome("pf_pc.weight -10%", "pf_pc.weight", [], ["paired.g.post"], 9.0)]
    reference = Reference("toy", RunSpec(duration=500.0), {}, {}, {}, {}, paired={"floor": 4.0})
    derivation = {"floor": 4.0, "thresholds": {"g.post": 4.0}}
    report = power.power_report(reference, outcomes, "brian2", 1.0, "c", 2000.0, derivation)
    assert report["spec"]["duration"] == 2000.0 and not report["ensemble_checks"]
    table = power.markdown_table(report)
    assert "on brian2, 2000 ms, paired checks only" in table
    assert "| pf_pc.weight -10% | n/a | caught | 9.0 (g.stimulus, 4) | 0 |" in table
    assert "1 of 1 caught by the paired checks; 0 missed." in table  # no ensemble count
    assert "ensemble checks alone" not in table
