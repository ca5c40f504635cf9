"""Every installed backend keeps the contract on a network small enough to check by hand.

This is the test a new backend copies (or simply passes: it runs every backend of
:func:`cerebrepro.backends.registry.backends`, plugins included). The network:

- ``inputs``: 2 spike sources; source 0 fires at 10 and 30 ms, source 1 at 20 ms.
- ``cells``: 3 conductance-based cells at rest, below threshold, with no bias current.
  Cell 0 is driven by source 0 through a strong, fast excitatory synapse (1 uS, 1 ms
  synaptic time constant): one input spike takes it past threshold within a millisecond,
  and its 5 ms refractory period outlasts the drive, so it fires exactly once per input.
  Cell 1 gets only inhibition (source 1), cell 2 gets nothing: neither ever fires.
- every delay is 1 ms; the v of cells 0 and 2 is sampled at every time step.
- every cell and source has a position (a backend may place cells by position).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from cerebrepro.backends.contract import (
    Availability,
    Backend,
    BackendOptions,
    Collected,
    SilentProgress,
    SimulationSettings,
)
from cerebrepro.backends.registry import backends
from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains

# Markers: NEST runs the tiny network in about a second; a backend not named here is taken as
# slow (Brian2 compiles its code, SpiNNaker maps the network).
MARKS: dict[str, tuple[pytest.MarkDecorator, ...]] = {"nest": (pytest.mark.nest,)}
# Options under which a backend runs on any machine: SpiNNaker maps the network on a virtual
# board (no spikes, only the mapping), whatever board the environment names.
RUN_HERE: dict[str, dict[str, object]] = {"spinnaker": {"virtual": True}}

SETTINGS = SimulationSettings(duration=50.0, timestep=0.1, threads=1, seed=1)
INPUT_TIMES = [[10.0, 30.0], [20.0]]  # ms, per source
DELAY = 1.0  # ms
REST = -65.0  # mV
CELL_PARAMETERS = {
    "cm": 1.0, "tau_m": 20.0, "v_rest": REST, "v_reset": REST, "v_thresh": -50.0, "tau_refrac": 5.0,
    "tau_syn_E": 1.0, "tau_syn_I": 5.0, "e_rev_E": 0.0, "e_rev_I": -80.0, "i_offset": 0.0,
}  # fmt: skip
RECORDED = np.array([0, 2])


def positions(n: int, y: float) -> np.ndarray:
    """``n`` points 10 um apart along x, at height ``y`` (um)."""
    return np.column_stack([10.0 * np.arange(n), np.full(n, y), np.zeros(n)])


def tiny_network() -> NetworkDescription:
    """The network of the module docstring."""
    cells = CellGroup(
        "cells",
        3,
        "IF_cond_exp",
        CELL_PARAMETERS,
        positions=positions(3, y=0.0),
        record_analog=RECORDED,
    )
    trains = SpikeTrains.from_lists([np.array(t) for t in INPUT_TIMES])
    inputs = CellGroup(
        "inputs", 2, "SpikeSourceArray", spike_times=trains, positions=positions(2, y=10.0)
    )
    drive = ConnectionList(
        "drive", "inputs", "cells", np.array([0]), np.array([0]), 1.0, DELAY, "excitatory"
    )
    calm = ConnectionList(
        "calm", "inputs", "cells", np.array([1]), np.array([1]), 1.0, DELAY, "inhibitory"
    )
    return NetworkDescription("tiny", (cells, inputs), (drive, calm))


def backend_params() -> list[Any]:
    """One parameter per registered backend; one not installed here is skipped with its install hint."""
    params = []
    for name, backend in backends().items():
        available = backend.check()
        skip = pytest.mark.skipif(
            not available.installed, reason=f"{name} is not installed: {available.install_hint}"
        )
        params.append(
            pytest.param(name, id=name, marks=(skip, *MARKS.get(name, (pytest.mark.slow,))))
        )
    return params


@pytest.fixture(scope="module", params=backend_params())
def backend(request: pytest.FixtureRequest) -> Backend[Any, Any]:
    return backends()[request.param]


@pytest.fixture(scope="module")
def options(backend: Backend[Any, Any]) -> BackendOptions:
    return backend.options_type.from_mapping(RUN_HERE.get(backend.name, {}), backend.name)


def run(backend: Backend[Any, Any], options: BackendOptions) -> Collected:
    """check, supports, prepare, simulate, collect: one run as the pipeline makes it."""
    backend.check().require(backend.name)
    network = tiny_network()
    backend.supports(network, SETTINGS, options)
    session = backend.prepare(network, SETTINGS, options, SilentProgress())
    backend.simulate(session, SilentProgress())
    return backend.collect(session)


@pytest.fixture(scope="module")
def runs(
    backend: Backend[Any, Any], options: BackendOptions, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Collected, Collected]:
    """The same run twice (each builds the network anew), in a scratch directory for any run files."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp(backend.name))
        return run(backend, options), run(backend, options)


@pytest.fixture(scope="module")
def collected(runs: tuple[Collected, Collected]) -> Collected:
    if runs[0].spikes is None:
        pytest.skip("the backend mapped the network without simulating it (no spikes here)")
    return runs[0]


def test_backend_fulfils_the_contract(backend):
    assert isinstance(backend, Backend)
    assert backends()[backend.name] is backend
    assert isinstance(backend.check(), Availability)
    assert issubclass(backend.options_type, BackendOptions)
    json.dumps(backend.facts())  # plain data, for `info` and provenance


def test_options_round_trip_and_unknown_ones_are_refused(backend, options):
    defaults = backend.options_type()
    assert defaults.to_mapping() == {}
    assert backend.options_type.from_mapping(options.to_mapping(), backend.name) == options
    with pytest.raises(SimulatorError, match="no_such_option"):
        backend.options_type.from_mapping({"no_such_option": 1}, backend.name)


def test_the_tiny_network_is_supported(backend, options):
    backend.supports(tiny_network(), SETTINGS, options)


def test_synapse_counts_are_the_list_lengths(runs):
    assert runs[0].synapses == {"drive": 1, "calm": 1}


def test_spikes_come_back_per_group_sorted_by_time_then_cell(collected):
    assert set(collected.spikes) == {"cells", "inputs"}
    for name, size in (("cells", 3), ("inputs", 2)):
        spikes = collected.spikes[name]
        assert spikes.size == size
        assert np.all((spikes.cells >= 0) & (spikes.cells < size))
        order = np.lexsort((spikes.cells, spikes.times))
        np.testing.assert_array_equal(order, np.arange(spikes.times.size))
        assert np.all(spikes.times < SETTINGS.duration)


def test_inputs_fire_exactly_when_given(collected):
    inputs = collected.spikes["inputs"]
    steps = np.round(inputs.times / SETTINGS.timestep).astype(int)
    np.testing.assert_array_equal(steps, [100, 200, 300])
    np.testing.assert_array_equal(inputs.cells, [0, 1, 0])


def test_driven_cell_fires_once_within_1_ms_of_each_input_and_no_other_cell_fires(collected):
    cells = collected.spikes["cells"]
    np.testing.assert_array_equal(cells.cells, [0, 0])
    arrivals = np.array(INPUT_TIMES[0]) + DELAY  # 11 and 31 ms
    assert np.all((cells.times > arrivals) & (cells.times <= arrivals + 1.0)), cells.times


def test_analog_signals_cover_every_step_of_the_recorded_cells(collected):
    assert set(collected.analog) == {"cells"}
    signals = collected.analog["cells"]
    np.testing.assert_array_equal(signals.cells, RECORDED)
    assert signals.sampling_interval == SETTINGS.timestep
    assert "v" in signals.signals
    for name, values in signals.signals.items():
        assert values.shape == (SETTINGS.n_steps, RECORDED.size), name
        assert not np.any(np.isnan(values)), name
    v = signals.signals["v"]
    # cell 2 has no input and never leaves rest; cell 0 rests until its input arrives at 11 ms
    np.testing.assert_allclose(v[:, 1], REST, atol=0.01)
    np.testing.assert_allclose(v[:109, 0], REST, atol=0.01)  # samples at 0.1 .. 10.9 ms


def test_the_same_run_gives_the_same_spikes(runs):
    first, again = runs
    if first.spikes is None:
        assert again.spikes is None and again.synapses == first.synapses
        return
    for name, spikes in first.spikes.items():
        np.testing.assert_array_equal(again.spikes[name].times, spikes.times)
        np.testing.assert_array_equal(again.spikes[name].cells, spikes.cells)
