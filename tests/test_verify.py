"""Regression figures, tolerances from ensembles, pass/fail, refusals, digests and JUnit reports."""

from __future__ import annotations

import dataclasses
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.verify.check import (
    FAIL,
    PASS,
    SKIPPED,
    DigestCheck,
    FigureCheck,
    IncomparableRun,
    Verification,
    check_digest,
    check_figures,
    require_comparable,
)
from cerebrepro.verify.ensemble import Member, build_reference
from cerebrepro.verify.experiments import EXPERIMENTS, FULL, QUICK, ensemble_specs, reference_path
from cerebrepro.verify.junit import DIGEST_CASE, junit_tree, write_junit
from cerebrepro.verify.metrics import Metric, regression_metrics
from cerebrepro.verify.reference import (
    ReferenceFileError,
    read_reference,
    reference_from_plain,
    reference_to_plain,
    write_reference,
)
from cerebrepro.verify.tolerances import ToleranceRule, derive_tolerance, round_up

SCALE = 0.01


@pytest.fixture(scope="module")
def network():
    rng = np.random.default_rng(7)
    scaffold = synthetic_scaffold(rng, scale=SCALE)
    return scaffold, [synthetic_run(rng, scaffold) for _ in range(3)]


@pytest.fixture(scope="module")
def stats(network):
    scaffold, runs = network
    return analyse_run(runs[0], scaffold)


def provenance(
    digest: str, stimulus: str = "stimulus-a", threads: int = 1, nest: str = "3.10.0"
) -> dict:
    return {
        "simulator": "nest",
        "threads": threads,
        "spec": {"kernel_seed": 1},
        "versions": {
            "nest-simulator": nest,
            "PyNN": "0.13.0",
            "cerebrepro": "0.1.0",
            "numpy": "2.3.5",
        },
        "scaffold_digest": digest,
        "scaffold": {"sizes": {}},
        "stimulus_sha256": stimulus,
        "stimulus": {"n_spikes": 10},
    }


def member(
    figures: dict[str, float], stimulus_seed: int = 3, scaffold_seed: int | None = None
) -> Member:
    spec = RunSpec(
        size=100.0, duration=1000.0, stimulus_seed=stimulus_seed, scaffold_seed=scaffold_seed
    )
    return Member(
        spec,
        provenance("scaffold-a"),
        {name: Metric(name, value, "Hz", 0.5) for name, value in figures.items()},
        f"digest-{stimulus_seed}-{scaffold_seed}",
    )


# -- figures -------------------------------------------------------------------------


def test_figures_cover_every_population_window_and_load(stats):
    figures = regression_metrics(stats)
    for name in stats["populations"]:
        for window in ("baseline", "stimulus", "post"):
            assert (
                figures[f"{name}.rate.{window}"].value
                == stats["populations"][name]["windows"][window]["rate"]
            )
        assert f"{name}.peak.spikes" in figures
    granule = stats["populations"]["granule"]
    assert figures["granule.excited.percent"].value == granule["response"]["excited"]["percent"]
    assert figures["granule.incoming.delayed.peak"].value == granule["incoming"]["delayed"]["peak"]
    packets = granule["packet_load"]["spynnaker-2020"]
    assert figures["granule.packet_load.grid.peak"].value == packets["grid"]["peak"]
    assert figures["granule.packet_load.default.peak"].value == packets["default"]["peak"]
    network = stats["packet_load"]["spynnaker-2020"]
    assert figures["packet_load.peak_reduction_percent"].value == network["peak_reduction_percent"]
    assert not any("presynaptic" in name or "7.4" in name for name in figures)
    assert "glomerulus.incoming.delayed.peak" not in figures  # a spike source has no afferents


def test_figure_resolution_is_one_count(stats):
    figures = regression_metrics(stats)
    size = stats["populations"]["granule"]["size"]
    window = stats["populations"]["granule"]["windows"]["stimulus"]
    seconds = (window["stop"] - window["start"]) / 1000.0
    assert figures["granule.rate.stimulus"].resolution == pytest.approx(1.0 / seconds / size)
    assert figures["granule.excited.percent"].resolution == pytest.approx(100.0 / size)
    assert figures["granule.peak.spikes"].resolution == 1.0
    default_peak = stats["packet_load"]["spynnaker-2020"]["default"]["peak"]
    assert figures["packet_load.peak_reduction_percent"].resolution == pytest.approx(
        100.0 / default_peak
    )


def test_an_empty_window_gives_no_rate_figure(network):
    _, runs = network
    run = runs[0]
    short = RunResult(run.spikes, run.timestep, 300.0, provenance=run.provenance)
    figures = regression_metrics(analyse_run(short, None))
    assert "granule.rate.baseline" in figures and "granule.rate.stimulus" not in figures


def test_undefined_figures_are_left_out(stats):
    network = stats["packet_load"]["spynnaker-2020"]
    undefined = {**network, "peak_reduction_percent": float("nan")}
    edited = {**stats, "packet_load": {**stats["packet_load"], "spynnaker-2020": undefined}}
    assert "packet_load.peak_reduction_percent" not in regression_metrics(edited)
    without_connectivity = {k: v for k, v in stats.items() if k != "packet_load"}
    assert not any(
        name.startswith("packet_load.") for name in regression_metrics(without_connectivity)
    )


# -- tolerances ----------------------------------------------------------------------


def test_tolerance_is_the_largest_deviation_with_a_margin():
    spread = derive_tolerance(10.0, [10.0, 11.0, 8.0, 9.5], resolution=0.1)
    assert spread.max_deviation == 2.0
    assert spread.tolerance == 3.0  # 1.5 x 2
    assert (spread.n, spread.min, spread.max) == (4, 8.0, 11.0)
    assert spread.std == pytest.approx(np.std([10.0, 11.0, 8.0, 9.5], ddof=1))
    assert not spread.floored


def test_a_figure_that_never_moves_gets_the_floor():
    spread = derive_tolerance(0.0, [0.0, 0.0, 0.0], resolution=0.25)
    assert spread.tolerance == 0.25 and spread.floored and spread.max_deviation == 0.0
    assert (
        derive_tolerance(
            5.0, [5.0, 5.1], resolution=1.0, rule=ToleranceRule(floor_counts=2)
        ).tolerance
        == 2.0
    )


def test_margin_is_a_parameter():
    assert derive_tolerance(
        1.0, [1.0, 1.2], resolution=0.001, rule=ToleranceRule(margin=2.0)
    ).tolerance == pytest.approx(0.4)


def test_tolerances_round_up_to_three_significant_digits():
    assert round_up(1.23401) == 1.24
    assert round_up(1.23) == 1.23
    assert round_up(0.000123456) == 0.000124
    assert round_up(0.0) == 0.0


def test_reference_from_an_ensemble_with_known_spreads():
    members = [
        member({"a": 10.0, "b": 1.0, "c": 4.0}),
        member({"a": 12.0, "b": 1.0, "c": 4.0}, stimulus_seed=4),
        member({"a": 7.0, "b": 1.0}, scaffold_seed=5),
    ]
    reference = build_reference("toy", members, "cerebrepro verify regenerate --toy")
    assert reference.figures["a"].tolerance == 4.5  # 1.5 x |7 - 10|
    assert reference.figures["a"].spread.max_deviation == 3.0
    assert reference.figures["b"].tolerance == 0.5 and reference.figures["b"].spread.floored
    assert "c" not in reference.figures and "scaffold seed 5" in reference.left_out["c"]
    assert [m["stimulus_seed"] for m in reference.ensemble] == [3, 4, 3]
    assert reference.exact["spike_digest"] == "digest-3-None"
    assert reference.exact["threads"] == 1 and reference.exact["nest-simulator"] == "3.10.0"
    assert reference.command == "cerebrepro verify regenerate --toy"


def test_ensemble_specs_vary_one_seed_at_a_time():
    spec = EXPERIMENTS[FULL].spec
    specs = ensemble_specs(spec, stimulus_seeds=5, scaffold_seeds=3)
    assert specs[0] == spec
    assert [s.stimulus_seed for s in specs[:5]] == [3, 4, 5, 6, 7]
    assert all(s.scaffold_seed is None for s in specs[:5])
    assert [(s.stimulus_seed, s.scaffold_seed) for s in specs[5:]] == [(3, 20190038), (3, 20190039)]
    published = dataclasses.replace(spec, scaffold="published")
    assert len(ensemble_specs(published, 5, 3)) == 5  # only a rebuilt scaffold has a seed


# -- reference file ------------------------------------------------------------------


def test_reference_round_trips_through_yaml(tmp_path):
    members = [
        member({"a": 10.123456789012, "b": 1.0}),
        member({"a": 12.0, "b": 1.0}, stimulus_seed=4),
    ]
    reference = build_reference("toy", members, "cmd")
    path = write_reference(reference, tmp_path / "toy.yaml", "first line\nsecond line")
    text = path.read_text()
    assert text.startswith("# first line\n# second line\n")
    again = read_reference(path)
    assert again.spec == reference.spec
    assert again.figures["a"].reference == pytest.approx(10.123456789012, rel=1e-9)
    assert again.figures["a"].tolerance == reference.figures["a"].tolerance
    assert reference_to_plain(
        read_reference(write_reference(again, tmp_path / "b.yaml"))
    ) == reference_to_plain(again)
    assert not list(tmp_path.glob("*.part"))


def test_malformed_or_missing_reference_is_refused(tmp_path):
    with pytest.raises(ReferenceFileError, match="verify regenerate"):
        read_reference(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("format: something-else\n")
    with pytest.raises(ReferenceFileError, match="bad.yaml"):
        read_reference(tmp_path / "bad.yaml")
    with pytest.raises(ReferenceFileError, match="malformed"):
        reference_from_plain({"format": "cerebrepro.reference/1", "figures": {}})


@pytest.mark.parametrize("name", [FULL, QUICK])
def test_stored_references_are_consistent(name):
    path = reference_path(name)
    if not path.exists():
        pytest.skip(f"{path} not generated")
    reference = read_reference(path)
    assert reference.experiment == name
    assert (
        dataclasses.replace(reference.spec, threads=EXPERIMENTS[name].spec.threads)
        == EXPERIMENTS[name].spec
    )
    assert (
        len(reference.ensemble) >= 7
        and reference.exact["spike_digest"] == reference.ensemble[0]["spike_digest"]
    )
    assert (
        "granule.rate.stimulus" in reference.figures
        and "packet_load.peak_reduction_percent" in reference.figures
    )
    for figure in reference.figures.values():
        assert figure.tolerance >= figure.spread.floor - 1e-12
        # spreads are stored to 6 significant digits: allow that rounding
        assert figure.tolerance >= 1.5 * figure.spread.max_deviation * (1 - 1e-5)


# -- checks --------------------------------------------------------------------------


def test_pass_fail_and_the_tolerance_that_would_pass():
    inside = FigureCheck("x", reference=10.0, measured=11.0, tolerance=1.0, unit="Hz")
    outside = FigureCheck("x", reference=10.0, measured=12.5, tolerance=1.0, unit="Hz")
    undefined = FigureCheck("x", reference=10.0, measured=None, tolerance=1.0, unit="Hz")
    assert inside.passed and inside.deviation == 1.0
    assert not outside.passed and outside.deviation == 2.5
    assert dataclasses.replace(outside, tolerance=outside.deviation).passed
    assert not undefined.passed and math.isinf(undefined.deviation)


def test_check_figures_fails_a_figure_missing_from_the_run():
    reference = build_reference("toy", [member({"a": 1.0, "b": 2.0})], "cmd")
    checks = {c.name: c for c in check_figures(reference, {"a": 1.2, "extra": 5.0})}
    assert set(checks) == {"a", "b"}
    assert checks["a"].passed and not checks["b"].passed


def toy_result(digest: str = "scaffold-a", **changes) -> RunResult:
    spikes = {"granule": PopulationSpikes(2, np.array([1.0, 2.5]), np.array([0, 1]))}
    result = RunResult(spikes, 0.1, 1000.0, provenance=provenance(digest))
    result.provenance.update(changes)
    return result


def test_a_run_on_another_scaffold_is_refused_not_compared():
    reference = build_reference("toy", [member({"a": 1.0})], "cmd")
    require_comparable(reference, toy_result())
    with pytest.raises(IncomparableRun, match="refused, not compared.*a different scaffold"):
        require_comparable(reference, toy_result("scaffold-b"))
    with pytest.raises(IncomparableRun, match="stimulus digest"):
        require_comparable(reference, toy_result(stimulus_sha256="stimulus-b"))
    shorter = toy_result()
    shorter.duration = 500.0
    with pytest.raises(IncomparableRun, match="duration 500 ms"):
        require_comparable(reference, shorter)


def test_same_seed_digest_check():
    result = toy_result()
    reference = build_reference("toy", [member({"a": 1.0})], "cmd")
    reference.exact["spike_digest"] = result.spike_digest()
    assert check_digest(reference, result.provenance, result.spike_digest()).status == PASS
    assert check_digest(reference, result.provenance, "other").status == FAIL
    skipped = check_digest(reference, provenance("scaffold-a", threads=2), "other")
    assert skipped.status == SKIPPED and "threads 2 here, 1 in the reference" in skipped.reason
    other_nest = check_digest(reference, provenance("scaffold-a", nest="3.9.0"), "other")
    assert other_nest.status == SKIPPED and "nest-simulator 3.9.0" in other_nest.reason
    newer_code = {**provenance("scaffold-a"), "simulation_revision": 99}
    skipped = check_digest(reference, newer_code, "other")
    assert skipped.status == SKIPPED and "simulation_revision 99 here" in skipped.reason


def test_a_digest_failure_fails_the_verification():
    figures = [FigureCheck("a", 1.0, 1.0, 0.1, "Hz")]
    assert Verification("toy", figures, DigestCheck(SKIPPED, "why")).passed
    assert not Verification("toy", figures, DigestCheck(FAIL, "differs")).passed


# -- JUnit ---------------------------------------------------------------------------


def test_junit_report_has_one_case_per_figure_and_the_digest(tmp_path):
    verification = Verification(
        "toy",
        [
            FigureCheck("a.rate", 10.0, 10.5, 1.0, "Hz"),
            FigureCheck("b.peak", 4.0, 9.0, 2.0, "spikes"),
        ],
        DigestCheck(SKIPPED, "threads 1 here, 2 in the reference"),
    )
    path = write_junit(verification, tmp_path / "report.xml")
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite.get("name") == "cerebrepro.verify.toy"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == ["a.rate", "b.peak", DIGEST_CASE]
    assert cases["a.rate"].find("failure") is None
    message = cases["b.peak"].find("failure").get("message")
    assert (
        "measured 9 spikes, reference 4" in message and "a tolerance of 5 would pass it" in message
    )
    assert cases[DIGEST_CASE].find("skipped").get("message").startswith("threads 1")
    failing_digest = dataclasses.replace(
        verification, digest=DigestCheck(FAIL, "differs", "x", "y")
    )
    assert junit_tree(failing_digest).getroot().find("testsuite").get("failures") == "2"
