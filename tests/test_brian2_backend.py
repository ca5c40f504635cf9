"""The Brian2 backend: what it refuses, its options, a tiny network, and NEST on a small scaffold.

The refusals and options need no brian2. The simulations compile C++ standalone projects;
the projects are kept in pytest's cache directory, so only the first session compiles
(about a minute of CPU per structure); later sessions reuse them until the generating
code or Brian2 changes. One compiled scaffold project serves every scaffold test:
weights, parameters and input are run-time values, so silencing projections or removing
the input reuses it.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from importlib.util import find_spec

import numpy as np
import pytest

from cerebrepro.analysis.agreement import spike_agreement
from cerebrepro.backends.brian2 import BACKEND, Brian2Options
from cerebrepro.backends.brian2.model import cell_values
from cerebrepro.backends.brian2.project import PROJECTS_ENV
from cerebrepro.backends.contract import Backend, SilentProgress, SimulationSettings
from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import (
    CELLS,
    MIN_SPIKE_TIME,
    POPULATIONS,
    PROJECTION_LIST,
    REFERENCE_PROTOCOL,
    analytic_rate,
)
from cerebrepro.model.cerebellum_network import describe_cerebellum
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.model.stimulus import generate_stimulus
from cerebrepro.results.types import PopulationSpikes

INSTALL = "pip install 'cerebrepro[brian2]'"
needs_brian2 = pytest.mark.skipif(
    find_spec("brian2") is None, reason=f"brian2 is not installed: {INSTALL}"
)
needs_nest = pytest.mark.skipif(
    find_spec("nest") is None, reason="NEST is not installed: make install"
)

DURATION = 500.0  # baseline, the 50 ms burst and 150 ms after it
DT = 0.1
SILENT = SilentProgress()


def tiny(
    weight: float | np.ndarray = 0.01, model: str = "IF_cond_exp", **group: object
) -> NetworkDescription:
    """Two cells fed by two sources (source k -> cell k, excitatory)."""
    cells = CellGroup("cells", 2, model, {"tau_m": 10.0}, **group)  # type: ignore[arg-type]
    trains = SpikeTrains.from_lists([np.array([5.0]), np.array([])])
    source = CellGroup("input", 2, "SpikeSourceArray", spike_times=trains)
    rows = ConnectionList(
        "feed", "input", "cells", np.array([0, 1]), np.array([0, 1]), weight, 1.0, "excitatory"
    )
    return NetworkDescription("tiny", (cells, source), (rows,))


def refusal(network: NetworkDescription, method: str = "rk4") -> str:
    with pytest.raises(SimulatorError) as caught:
        BACKEND.supports(network, SimulationSettings(100.0), Brian2Options(method=method))  # type: ignore[arg-type]
    return str(caught.value)


# ---------------------------------------------------------------- without brian2


def test_the_backend_fulfils_the_contract_and_imports_no_brian2():
    assert (
        isinstance(BACKEND, Backend)
        and BACKEND.name == "brian2"
        and BACKEND.options_type is Brian2Options
    )
    probe = "import sys, cerebrepro.backends.brian2; print('brian2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_brian2_names_the_extra(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    available = BACKEND.check()
    assert (available.installed, available.version) == (False, None)
    with pytest.raises(
        SimulatorError,
        match=r"brian2 simulator is not installed: pip install 'cerebrepro\[brian2\]'",
    ):
        available.require("brian2")


def test_options_round_trip_and_refuse_unknown_ones():
    assert Brian2Options().method == "rk4" and Brian2Options().to_mapping() == {}
    chosen = Brian2Options.from_mapping({"method": "exponential_euler"}, "brian2")
    assert chosen.to_mapping() == {"method": "exponential_euler"}
    with pytest.raises(SimulatorError, match="method='rk9'"):
        Brian2Options.from_mapping({"method": "rk9"}, "brian2")
    with pytest.raises(SimulatorError, match="unknown brian2 option.*metod"):
        Brian2Options.from_mapping({"metod": "rk4"}, "brian2")
    assert "unknown integration method 'rk9'" in refusal(tiny(), method="rk9")


def test_parameters_left_out_take_pynn_defaults_in_si_units():
    values = cell_values("cells", {"tau_m": 10.0})
    assert values["cells.tau_m"] == pytest.approx(0.01)  # 10 ms
    assert values["cells.c_m"] == pytest.approx(1e-9)  # PyNN's cm = 1 nF
    assert values["cells.e_rev_I"] == pytest.approx(-0.07)  # -70 mV
    assert values["cells.tau_refrac"] == pytest.approx(1e-4)  # 0.1 ms
    assert len(values) == 11


def test_supports_accepts_a_tiny_network_and_one_weight_given_per_row():
    BACKEND.supports(tiny(), SimulationSettings(100.0), Brian2Options())
    BACKEND.supports(
        tiny(weight=np.array([0.01, 0.01])), SimulationSettings(100.0), Brian2Options()
    )


def test_supports_refuses_what_brian2_cannot_simulate_naming_it():
    assert "group cells: its cell model is IF_curr_exp" in refusal(tiny(model="IF_curr_exp"))
    assert "connection list feed: its rows have different weights" in refusal(
        tiny(weight=np.array([0.01, 0.02]))
    )
    unknown = dataclasses.replace(
        tiny(), groups=(CellGroup("cells", 2, "IF_cond_exp", {"tau_n": 1.0}), tiny().groups[1])
    )
    assert "IF_cond_exp has no parameter tau_n" in refusal(unknown)
    assert "group cells: its cell model is SpikeSourcePoisson" in refusal(
        tiny(model="SpikeSourcePoisson")
    )
    assert "1 initial potentials for 2 cells" in refusal(tiny(initial_v=np.array([-65.0])))
    early = SpikeTrains.from_lists([np.array([0.1]), np.array([])])
    source = dataclasses.replace(tiny().groups[1], spike_times=early)
    assert "cannot feed group input: an input spike at 0.1 ms" in refusal(
        dataclasses.replace(tiny(), groups=(tiny().groups[0], source))
    )
    rows = dataclasses.replace(tiny().connections[0], post_index=np.array([0, 2]))
    assert "feed: post index 2 outside group cells of 2 cells" in refusal(
        dataclasses.replace(tiny(), connections=(rows,))
    )
    named = dataclasses.replace(
        tiny(), connections=(dataclasses.replace(rows, name="feed-forward"),)
    )
    assert "not 'feed-forward'" in refusal(named)


def test_missing_compiler_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("CXX", "/nonexistent/g++")
    assert BACKEND.facts()["compiler"] is None
    with pytest.raises(SimulatorError, match=r"C\+\+ compiler.*apt install g\+\+.*build-essential"):
        BACKEND.prepare(tiny(), SimulationSettings(100.0), Brian2Options(), SILENT)


# ---------------------------------------------------------------- compiled networks


@pytest.fixture(scope="module")
def brian2_projects(request, tmp_path_factory):
    """Compiled projects kept across sessions in pytest's cache (a temporary dir without it)."""
    pytest.importorskip("brian2", reason=f"brian2 is not installed: {INSTALL}")
    cache = getattr(request.config, "cache", None)
    root = (
        cache.mkdir("cerebrepro-brian2") if cache is not None else tmp_path_factory.mktemp("brian2")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PROJECTS_ENV, str(root))
        yield root


def run(
    network: NetworkDescription, duration: float = DURATION, backend=BACKEND, **options: object
):
    settings = SimulationSettings(duration, DT)
    chosen = backend.options_type.from_mapping(options, backend.name)
    backend.supports(network, settings, chosen)
    session = backend.prepare(network, settings, chosen, SILENT)
    backend.simulate(session, SILENT)
    return backend.collect(session)


@needs_brian2
@pytest.mark.slow
def test_initial_potentials_are_run_time_values(brian2_projects):
    """A cell started above threshold spikes in the first step (labelled 0.1 ms), then rests.

    The input is silenced (weight 0): only the initial potentials decide. Swapping them
    in the session swaps which cell fires, without compiling again.
    """
    network = tiny(weight=0.0, initial_v=np.array([-40.0, -65.0]))
    settings = SimulationSettings(50.0, DT)
    session = BACKEND.prepare(network, settings, Brian2Options(), SILENT)
    environment = dict(os.environ)
    BACKEND.simulate(session, SILENT)
    assert dict(os.environ) == environment  # Brian2's LD_BIND_NOW=1 does not outlive the run
    first = BACKEND.collect(session)
    assert first.spikes["cells"].times.tolist() == [0.1] and first.spikes[
        "cells"
    ].cells.tolist() == [0]
    assert first.spikes["input"].times.tolist() == [5.0]
    assert first.synapses == {"feed": 2}
    session.arrays["cells.v"] = session.arrays["cells.v"][::-1].copy()
    BACKEND.simulate(session, SILENT)
    assert BACKEND.collect(session).spikes["cells"].cells.tolist() == [1]
    again = BACKEND.prepare(network, settings, Brian2Options(), SILENT)
    assert again.build.compiled is False and again.build.directory == session.build.directory


@pytest.fixture(scope="module")
def small_network(small_scaffold) -> NetworkDescription:
    """The small scaffold's cerebellum with the reference protocol's stimulus (seed 5)."""
    protocol = dataclasses.replace(REFERENCE_PROTOCOL, duration=DURATION)
    trains = generate_stimulus(small_scaffold.positions["glomerulus"], protocol, 5, DT)
    trains = trains.on_grid(DT, MIN_SPIKE_TIME).before(DURATION)
    return describe_cerebellum(
        small_scaffold.positions, small_scaffold.connections, trains, "subset"
    )


@pytest.fixture(scope="module")
def session(brian2_projects, small_network):
    """The compiled small network, for runs with edited run-time values."""
    return BACKEND.prepare(small_network, SimulationSettings(DURATION, DT), Brian2Options(), SILENT)


def run_session(
    session, values: dict[str, float], trains: SpikeTrains
) -> dict[str, PopulationSpikes]:
    original = (dict(session.values), dict(session.trains))
    session.values.update(values)
    session.trains["glomerulus"] = trains
    try:
        BACKEND.simulate(session, SILENT)
        spikes = BACKEND.collect(session).spikes
    finally:
        session.values.clear()
        session.values.update(original[0])
        session.trains.update(original[1])
    return spikes


def nest_backend():
    from cerebrepro.backends.registry import get_backend

    return get_backend("nest")


def same_spikes(a: PopulationSpikes, b: PopulationSpikes) -> bool:
    """The same (step, cell) pairs, in the same order."""
    return np.array_equal(np.round(a.times / DT), np.round(b.times / DT)) and np.array_equal(
        a.cells, b.cells
    )


@needs_brian2
@needs_nest
@pytest.mark.nest
@pytest.mark.slow
def test_feed_forward_network_reproduces_nest_spikes(session, small_network):
    """Only glomerulus projections: the same spikes as NEST, to the step.

    NEST integrates with GSL's RKF45 at an absolute tolerance of 1e-3 mV, so a granule
    spike whose threshold crossing falls within that of a step boundary can land one
    step apart; in this run that happens only during the 151 Hz burst, to a few in 10^4.
    """
    feed_forward = dataclasses.replace(
        small_network,
        connections=tuple(rows for rows in small_network.connections if rows.pre == "glomerulus"),
    )
    nest_spikes = run(feed_forward, backend=nest_backend()).spikes
    silenced = {
        f"{rows.name}.w": 0.0
        for rows in small_network.connections
        if rows.pre != "glomerulus" and len(rows)
    }
    brian2_spikes = run_session(session, silenced, session.trains["glomerulus"])
    for name in POPULATIONS:
        a, b = nest_spikes[name], brian2_spikes[name]
        agreement = spike_agreement(a, b, DT, DURATION)
        if name == "granule":
            assert agreement["matched"] > 0.999 and agreement["within_step"] == 1.0
            assert agreement["first_difference"] is None or agreement["first_difference"] >= 300.0
        else:
            assert same_spikes(a, b), name
    assert brian2_spikes["granule"].n_spikes > 1000


@pytest.fixture(scope="module")
def runs(brian2_projects, small_network):
    """The full small network on NEST and on Brian2 through the contract."""
    return run(small_network, backend=nest_backend()), run(small_network)


@needs_brian2
@needs_nest
@pytest.mark.nest
@pytest.mark.slow
def test_full_network_rates_agree_with_nest(runs, small_network):
    nest, brian2 = runs
    for name in POPULATIONS:
        a, b = nest.spikes[name], brian2.spikes[name]
        assert a.n_spikes > 0, name
        assert abs(b.n_spikes - a.n_spikes) <= 0.05 * a.n_spikes, (name, a.n_spikes, b.n_spikes)
    assert same_spikes(nest.spikes["glomerulus"], brian2.spikes["glomerulus"])
    assert (
        brian2.synapses
        == nest.synapses
        == {rows.name: len(rows) for rows in small_network.connections}
    )
    golgi = brian2.analog["golgi"]
    assert golgi.signals["v"].shape == (int(DURATION / DT), golgi.cells.size)
    nest_v = nest.analog["golgi"].signals["v"]
    assert np.max(np.abs(golgi.signals["v"][:500] - nest_v[:500])) < 0.01  # mV, first 50 ms
    facts = brian2.facts
    assert facts["name"] == "brian2" and facts["method"] == "rk4" and facts["project_dir"]
    assert brian2.timings["compile_s"] >= 0 and brian2.timings["network_run_s"] > 0


@needs_brian2
@pytest.mark.slow
def test_isolated_cells_fire_at_the_analytic_rate(session, small_scaffold):
    silent = {f"{p.name}.w": 0.0 for p in PROJECTION_LIST if session.synapses.get(p.name)}
    no_input = SpikeTrains(
        np.zeros(0), np.zeros(small_scaffold.size("glomerulus") + 1, dtype=np.int64)
    )
    spikes = run_session(session, silent, no_input)
    for name in POPULATIONS:
        cell = CELLS[name]
        if cell.is_source:
            assert spikes[name].n_spikes == 0
            continue
        expected = analytic_rate(cell)
        first_cell = spikes[name].times[spikes[name].cells == 0]
        if expected == 0.0:
            assert spikes[name].n_spikes == 0, name
            continue
        measured = 1000.0 / np.mean(np.diff(first_cell))
        assert measured == pytest.approx(expected, rel=0.01), name
        counts = spikes[name].counts_per_cell()
        assert np.all(counts == counts[0]), name  # identical cells fire identically


@needs_brian2
@pytest.mark.slow
def test_same_structure_reuses_the_compiled_project(session, small_network):
    other = SpikeTrains.from_lists(
        session.trains["glomerulus"].to_lists()[::-1]
    )  # other input, same structure
    groups = tuple(
        dataclasses.replace(group, spike_times=other) if group.is_source else group
        for group in small_network.groups
    )
    again = BACKEND.prepare(
        dataclasses.replace(small_network, groups=groups),
        SimulationSettings(DURATION, DT),
        Brian2Options(),
        SILENT,
    )
    assert again.build.compiled is False
    assert again.build.directory == session.build.directory
