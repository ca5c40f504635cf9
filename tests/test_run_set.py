"""`run --set NAME=VALUE`: changed model parameters, checked up front, honoured by every backend."""

from __future__ import annotations

import dataclasses
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import CELLS, PROJECTIONS
from cerebrepro.model.parameters import (
    ParameterError,
    apply_parameters,
    describe_parameters,
    parameter_names,
    parse_settings,
)
from cerebrepro.pipeline import cache
from cerebrepro.pipeline.naming import default_output
from cerebrepro.pipeline.spec import RunEvents, RunSpec
from cerebrepro.pipeline.validate import check_run
from cerebrepro.verify.reference import spec_from_plain, spec_to_plain

TIMESTEP = 0.1
CHANGED = (("goc_grc.delay", 2.5), ("goc_grc.weight", 0.0055), ("purkinje.i_offset", 0.7))


def refusal(*texts: str, timestep: float = TIMESTEP) -> str:
    with pytest.raises(ParameterError) as caught:
        parse_settings(texts, timestep)
    return str(caught.value)


# ---------------------------------------------------------------- names and values


def test_settings_are_parsed_checked_and_sorted():
    parsed = parse_settings(
        ["purkinje.i_offset=0.7", "goc_grc.weight=0.0055", "goc_grc.delay = 2.5"], TIMESTEP
    )
    assert parsed == CHANGED
    assert len(parameter_names()) == 16 * 2 + 6 * 11  # weight and delay; 11 PyNN parameters
    assert describe_parameters(parsed)["goc_grc.weight"] == {
        "value": 0.0055,
        "model": 0.005,
        "unit": "uS",
    }


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["goc_grc=1"], "name what to change: goc_grc.weight (uS) or goc_grc.delay (ms)"),
        (["gocgrc.weight=1"], "no projection or cell type 'gocgrc'"),
        (["goc_grc.tau_m=1"], "a projection has weight and delay, not 'tau_m'"),
        (["golgi.weight=1"], "the golgi cells have tau_refrac"),
        (["glomerulus.tau_m=1"], "spike sources without parameters"),
        (["goc_grc.weight"], "write NAME=VALUE"),
        (["goc_grc.weight=abc"], "'abc' is not a number"),
        (["goc_grc.weight=nan"], "must be a finite number"),
        (["goc_grc.weight=inf"], "must be a finite number"),
        (["goc_grc.weight=-0.001"], "a weight is a magnitude (>= 0); the receptor (inhibitory)"),
        (["goc_grc.delay=2.05"], "a whole number of time steps (0.1 ms), at least one"),
        (["goc_grc.delay=0"], "at least one"),
        (["golgi.tau_m=0"], "tau_m must be > 0"),
        (["golgi.cm=-1"], "cm must be > 0"),
        (["golgi.v_thresh=-80"], "v_reset (-75 mV) must stay below v_thresh (-80 mV)"),
        (["golgi.tau_m=2", "golgi.tau_m=3"], "golgi.tau_m is given twice (2 and 3)"),
    ],
)
def test_unknown_names_and_bad_values_are_refused_naming_them(texts, expected):
    assert expected in refusal(*texts)


def test_a_delay_on_a_coarser_grid_follows_the_run_timestep():
    assert parse_settings(["goc_grc.delay=3"], 1.0) == (("goc_grc.delay", 3.0),)
    assert "(1 ms)" in refusal("goc_grc.delay=2.5", timestep=1.0)


def test_applied_parameters_change_only_what_they_name():
    cells, projections = apply_parameters(CHANGED)
    changed = {p.name: p for p in projections}
    assert changed["goc_grc"].weight == 0.0055 and changed["goc_grc"].delay == 2.5
    assert changed["goc_grc"].receptor == "inhibitory"
    assert all(p == PROJECTIONS[p.name] for p in projections if p.name != "goc_grc")
    purkinje = {c.name: c for c in cells}["purkinje"]
    assert purkinje.parameters == {**CELLS["purkinje"].parameters, "i_offset": 0.7}
    assert all(c == CELLS[c.name] for c in cells if c.name != "purkinje")
    assert CELLS["purkinje"].parameters["i_offset"] == 0.6  # the model itself is untouched


# ---------------------------------------------------------------- the run spec


def test_parameters_enter_the_cache_key_and_file_name_and_old_keys_stay(tmp_path):
    plain, changed = RunSpec(size=100.0), RunSpec(size=100.0, parameters=CHANGED)
    before = cache.run_key(plain)
    assert cache.run_key(changed) != before
    assert cache.run_key(dataclasses.replace(changed, parameters=CHANGED[:1])) != cache.run_key(
        changed
    )
    assert "parameters" not in spec_to_plain(plain)  # stored references keep their layout
    assert spec_from_plain(spec_to_plain(changed)) == changed
    assert cache.run_key(spec_from_plain(spec_to_plain(plain))) == before
    assert default_output(plain, tmp_path).name == "nest_rebuilt100_generated3_1000ms_t1.h5"
    assert default_output(changed, tmp_path).name == (
        "nest_rebuilt100_generated3_set-goc_grc.delay=2.5,goc_grc.weight=0.0055,"
        "purkinje.i_offset=0.7_1000ms_t1.h5"
    )
    many = tuple(
        (f"{c}.tau_refrac", 5.0) for c in ("basket", "dcn", "golgi", "granule", "purkinje")
    )
    assert len(default_output(RunSpec(parameters=many), tmp_path).name.split("_set-")[1]) == len(
        "0123456789ab_1000ms_t1.h5"
    )


def test_the_cached_run_of_other_parameters_is_not_reused():
    recorded = {"spec": {**spec_to_plain(RunSpec()), "parameters": [["goc_grc.weight", 0.0055]]}}
    assert "parameters" in cache._spec_mismatch(recorded, RunSpec())
    assert cache._spec_mismatch(recorded, RunSpec(parameters=(("goc_grc.weight", 0.0055),))) is None


def test_check_run_refuses_bad_parameters_before_any_work():
    with pytest.raises(CerebreproError, match="a weight is a magnitude"):
        check_run(RunSpec(parameters=(("goc_grc.weight", -1.0),)))
    with pytest.raises(CerebreproError, match="sorted by name"):
        check_run(RunSpec(parameters=CHANGED[::-1]))
    with pytest.raises(CerebreproError, match="not the ei-balanced network"):
        check_run(RunSpec(experiment="ei-balanced", parameters=CHANGED))


def test_the_command_line_refuses_an_unknown_name_before_building(tmp_path):
    from typer.testing import CliRunner

    from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
    from cerebrepro.cli.app import app

    outcome = CliRunner().invoke(
        app, ["run", "--size", "100", "--set", "goc_grc.wieght=1", "-o", str(tmp_path)]
    )
    assert outcome.exit_code != 0
    assert "a projection has weight and delay, not 'wieght'" in str(outcome.exception)
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- every backend honours them

TINY_SIZE = 50.0  # um: about 1,400 cells, so that each backend builds in seconds


@pytest.fixture(scope="module")
def tiny_scaffold_file(tmp_path_factory) -> Path:
    from cerebrepro.scaffold.build import build_scaffold
    from cerebrepro.scaffold.write import write_scaffold

    path = tmp_path_factory.mktemp("tiny") / "tiny_scaffold.hdf5"
    write_scaffold(build_scaffold(TINY_SIZE, 11), path)
    return path


def tiny_spec(scaffold: Path, simulator: str, parameters=(), **options) -> RunSpec:
    return RunSpec(
        simulator=simulator,
        scaffold=str(scaffold),
        duration=100.0,
        threads=1,
        record_v="none",
        parameters=parameters,
        options=options,
    )


def test_the_description_carries_the_changes(tiny_scaffold_file, data_dir):
    from cerebrepro.pipeline.experiments import describe

    described = describe(tiny_spec(tiny_scaffold_file, "nest", CHANGED), RunEvents())
    rows = {c.name: c for c in described.network.connections}
    assert rows["goc_grc"].weight == 0.0055 and rows["goc_grc"].delay == 2.5
    assert rows["glom_grc"].weight == PROJECTIONS["glom_grc"].weight
    assert described.network.group("purkinje").parameters["i_offset"] == 0.7
    assert described.provenance["parameters"]["purkinje.i_offset"]["model"] == 0.6


def _spikes_with_and_without(scaffold: Path, simulator: str) -> tuple[dict, dict, dict]:
    from cerebrepro.pipeline.run import simulate_spec

    silenced = (("purkinje.i_offset", 0.0),)  # the purkinje cells then only fire from input
    _, own, _ = simulate_spec(tiny_spec(scaffold, simulator))
    described, changed, _ = simulate_spec(tiny_spec(scaffold, simulator, silenced))
    assert described.provenance["parameters"]["purkinje.i_offset"]["value"] == 0.0
    return own.spikes, changed.spikes, described.provenance


@pytest.mark.slow
@pytest.mark.nest
@pytest.mark.skipif(find_spec("nest") is None, reason="NEST is not installed: make install")
def test_nest_runs_the_changed_model(tiny_scaffold_file, data_dir):
    own, changed, _ = _spikes_with_and_without(tiny_scaffold_file, "nest")
    assert (
        own["purkinje"].n_spikes >= 10
        and changed["purkinje"].n_spikes <= own["purkinje"].n_spikes / 3
    )
    assert np.array_equal(own["granule"].times, changed["granule"].times)  # upstream untouched


@pytest.mark.slow
@pytest.mark.brian2
def test_brian2_runs_the_changed_model(tiny_scaffold_file, data_dir):
    own, changed, _ = _spikes_with_and_without(tiny_scaffold_file, "brian2")
    assert (
        own["purkinje"].n_spikes >= 10
        and changed["purkinje"].n_spikes <= own["purkinje"].n_spikes / 3
    )
    assert np.array_equal(own["granule"].times, changed["granule"].times)


@pytest.mark.slow
@pytest.mark.spinnaker
def test_spinnaker_is_handed_the_changed_weights_and_delays(
    tiny_scaffold_file, data_dir, isolated_home, tmp_path
):
    """On a virtual board: the rows sPyNNaker's FromListConnector is given carry the new values."""
    from cerebrepro.backends.contract import SilentProgress, SimulationSettings
    from cerebrepro.backends.spinnaker import BACKEND, SpinnakerOptions
    from cerebrepro.pipeline.experiments import describe

    spec = tiny_spec(tiny_scaffold_file, "spinnaker", CHANGED)
    network = describe(spec, RunEvents()).network
    options = SpinnakerOptions(virtual=True, run_dir=str(tmp_path / "run"))
    session = BACKEND.prepare(
        network, SimulationSettings(100.0, TIMESTEP), options, SilentProgress()
    )
    try:
        given = {
            name: np.asarray(p._synapse_information.connector.conn_list)
            for name, p in session.built.projections.items()
        }
        assert np.allclose(np.abs(given["goc_grc"][:, 2]), 0.0055)  # the sign: PyNN's convention
        assert np.allclose(given["goc_grc"][:, 3], 2.5)
        assert np.allclose(given["glom_grc"][:, 2], PROJECTIONS["glom_grc"].weight)
        assert np.allclose(given["glom_grc"][:, 3], PROJECTIONS["glom_grc"].delay)
        handed = session.built.populations["purkinje"].get("i_offset")
        assert np.allclose(handed, 0.7)
    finally:
        BACKEND.simulate(session, SilentProgress())
        BACKEND.collect(session)


def test_a_plugin_backends_version_enters_the_cache_key(monkeypatch):
    from types import SimpleNamespace

    from cerebrepro.backends import registry
    from cerebrepro.backends.contract import Availability
    from cerebrepro.pipeline import cache

    version = {"value": "1.2"}
    toy = SimpleNamespace(name="toy", check=lambda: Availability(True, version["value"], ""))
    monkeypatch.setattr(registry, "backends", lambda: {**registry.BUILT_IN, "toy": toy})
    spec = RunSpec(simulator="toy")
    key = cache.run_key(spec)
    version["value"] = "1.3"  # another release of the plugin's simulator: another run
    assert cache.run_key(spec) != key
    version["value"] = "1.2"
    assert cache.run_key(spec) == key
