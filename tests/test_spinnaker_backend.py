"""The SpiNNaker backend's parts that need no machine: contract, options, limits, reading results back."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

from cerebrepro.backends.contract import Backend, SimulationSettings
from cerebrepro.backends.registry import get_backend
from cerebrepro.backends.spinnaker import BACKEND, SpinnakerOptions
from cerebrepro.backends.spinnaker import backend as spinnaker
from cerebrepro.backends.spinnaker.delays import (
    DEFAULT_NEURONS_PER_CORE,
    DELAY_EXTENSION_SLOTS,
    RING_BUFFER_BITS,
    check_delays,
    max_delay_steps,
    n_bits,
)
from cerebrepro.backends.spinnaker.mapping import (
    PlacedCore,
    summarise_core_provenance,
    summarise_placements,
    write_mapping_report,
)
from cerebrepro.backends.spinnaker.ordering import restore_analog, restore_spikes
from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import CELL_TYPES, NEURONS_PER_CORE, PROJECTION_LIST
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription

SPYNNAKER_EXTRA = "sPyNNaker is not installed: pip install 'cerebrepro[spinnaker]'"
needs_spynnaker = pytest.mark.skipif(
    importlib.util.find_spec("spynnaker") is None, reason=SPYNNAKER_EXTRA
)
# Importing sPyNNaker takes 5-15 s: the tests that do are slow.
ONE = np.zeros(1, dtype=np.int64)


def one_row(
    name: str, pre: str, post: str, delay: float, receptor: str = "excitatory"
) -> ConnectionList:
    return ConnectionList(name, pre, post, ONE, ONE, 0.1, delay, receptor)  # type: ignore[arg-type]


def cells(name: str, size: int, per_core: int | None = None) -> CellGroup:
    return CellGroup(name, size, "IF_curr_exp", neurons_per_core=per_core)


def cerebellum_like(sizes: dict[str, int]) -> NetworkDescription:
    """The model's groups (sizes given) with one row per projection at the model's delay."""
    groups = tuple(
        CellGroup(c.name, sizes[c.name], c.model, neurons_per_core=NEURONS_PER_CORE[c.name])
        for c in CELL_TYPES
    )
    lists = tuple(one_row(p.name, p.pre, p.post, p.delay, p.receptor) for p in PROJECTION_LIST)
    return NetworkDescription("cerebellum", groups, lists)


FULL_SIZES = {
    "golgi": 219, "glomerulus": 7073, "granule": 88158, "purkinje": 69, "basket": 603, "stellate": 603, "dcn": 12,
}  # fmt: skip


def test_the_backend_fulfils_the_contract_and_is_registered():
    assert isinstance(BACKEND, Backend) and get_backend("spinnaker") is BACKEND
    assert BACKEND.options_type is SpinnakerOptions


def test_importing_the_backend_imports_no_simulator():
    code = (
        "import sys, cerebrepro.backends.spinnaker; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spynnaker', 'pyNN', 'nest')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
@needs_spynnaker
def test_delay_limits_are_spynnakers_own():
    from spynnaker.pyNN.models.neuron.abstract_pynn_neuron_model import DEFAULT_MAX_ATOMS_PER_CORE
    from spynnaker.pyNN.models.utility_models.delays import DelayExtensionVertex
    from spynnaker.pyNN.utilities.constants import MAX_RING_BUFFER_BITS
    from spynnaker.pyNN.utilities.utility_calls import get_n_bits

    assert RING_BUFFER_BITS == MAX_RING_BUFFER_BITS
    assert DELAY_EXTENSION_SLOTS == DelayExtensionVertex.MAX_SLOTS
    assert DEFAULT_NEURONS_PER_CORE == DEFAULT_MAX_ATOMS_PER_CORE
    assert [n_bits(n) for n in (0, 1, 2, 64, 65, 125, 256, 500)] == [
        get_n_bits(n) for n in (0, 1, 2, 64, 65, 125, 256, 500)
    ]
    # 64 neurons per core: 6 atom bits + 1 synapse-type bit leave 7 bits: 128 steps (12.8 ms at 0.1 ms)
    assert max_delay_steps(64, extensions=False) == 128
    assert max_delay_steps(64, extensions=True) == 9 * 128
    assert max_delay_steps(1, extensions=False) == 4096


def test_the_models_delays_fit_and_bad_delays_are_refused():
    check_delays(cerebellum_like(FULL_SIZES), 0.1)
    network = cerebellum_like(FULL_SIZES)
    first = network.connections[0]  # onto golgi: 64 per core

    def with_first(rows: ConnectionList) -> NetworkDescription:
        return dataclasses.replace(network, connections=(rows, *network.connections[1:]))

    with pytest.raises(
        SimulatorError,
        match=r"exceeds .* 128 steps \(12.8 ms\) on the core, 1152 steps \(115.2 ms\)",
    ):
        check_delays(with_first(dataclasses.replace(first, delay=200.0)), 0.1)
    three = dataclasses.replace(
        first, pre_index=np.zeros(3, np.int64), post_index=np.zeros(3, np.int64)
    )
    with pytest.raises(
        SimulatorError, match=rf"{first.name}: delay 2.05 ms is not a multiple of the 0.1 ms"
    ):
        check_delays(with_first(dataclasses.replace(three, delay=np.array([2.0, 2.05, 2.1]))), 0.1)
    with pytest.raises(SimulatorError, match="below one time step"):
        check_delays(with_first(dataclasses.replace(first, delay=0.0)), 1.0)


def ei_like(timestep: float) -> NetworkDescription:
    """The E-I network's shape: 500 and 125 current cells, sPyNNaker's 256 per core, 10 ms delays."""
    groups = (cells("excitatory", 500), cells("inhibitory", 125))
    lists = (
        one_row("exc_exc", "excitatory", "excitatory", 10.0),
        one_row("exc_inh", "excitatory", "inhibitory", 10.0),
        one_row("inh_exc", "inhibitory", "excitatory", 10.0 * timestep, "inhibitory"),
    )
    return NetworkDescription("ei", groups, lists)


def test_a_source_needing_two_delay_stage_lengths_is_refused_with_the_time_step_to_use():
    """At 0.1 ms: 100 steps onto 256-per-core excitatory cells (32 slots: stage 32) and onto
    125-per-core inhibitory ones (64 slots: stage 64); every delay fits from 10 / 32 ms."""
    with pytest.raises(
        SimulatorError,
        match=r"excitatory: at a 0.1 ms time step its delays onto excitatory and inhibitory need delay-extension "
        r"stages of 32 and 64 steps.*a time step of at least 0.3125 ms puts every delay on its core",
    ):
        check_delays(ei_like(0.1), 0.1)
    check_delays(ei_like(1.0), 1.0)  # 10 steps fit on both cores
    same_stage = dataclasses.replace(
        ei_like(0.1), groups=(cells("excitatory", 500), cells("inhibitory", 300))
    )
    check_delays(same_stage, 0.1)  # both targets take stages of 32 steps


def test_options_are_checked_and_default_to_the_paper():
    options = SpinnakerOptions.from_mapping(
        {"board": "10.0.0.1", "machine_version": 5}, "spinnaker"
    )
    assert (options.neuron_order, options.synapse_cores, options.virtual) == ("grid", 0, False)
    assert options.machine() == {"board": "10.0.0.1", "version": 5}
    assert options.to_mapping() == {"board": "10.0.0.1", "machine_version": 5}
    virtual = SpinnakerOptions.from_mapping({"virtual": True, "time_scale_factor": 1}, "spinnaker")
    assert virtual.machine() == {"virtual": True, "time_scale_factor": 1.0}
    with pytest.raises(SimulatorError, match="unknown spinnaker option"):
        SpinnakerOptions.from_mapping({"neurons_per_core": 32}, "spinnaker")
    with pytest.raises(SimulatorError, match="neuron_order='hilbert'"):
        SpinnakerOptions.from_mapping({"neuron_order": "hilbert"}, "spinnaker")


def test_missing_spynnaker_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "spynnaker" else real(name, *a),
    )
    with pytest.raises(SimulatorError, match=r"pip install 'cerebrepro\[spinnaker\]'"):
        spinnaker.import_simulator()
    available = BACKEND.check()
    assert not available.installed and available.version is None
    assert "pip install 'cerebrepro[spinnaker]'" in available.install_hint


def test_a_configured_virtual_board_is_refused_unless_asked_for(isolated_home, monkeypatch):
    monkeypatch.setenv("CEREBREPRO_SPINNAKER_VIRTUAL", "true")
    network = ei_like(1.0)
    settings = SimulationSettings(100.0, 1.0)
    with pytest.raises(
        SimulatorError,
        match=r"virtual board \(environment CEREBREPRO_SPINNAKER_VIRTUAL\), which produces no spikes: .*--virtual",
    ):
        BACKEND.supports(network, settings, SpinnakerOptions(neuron_order="default"))
    BACKEND.supports(network, settings, SpinnakerOptions(neuron_order="default", virtual=True))
    with pytest.raises(SimulatorError, match="ei: the grid neuron order places cells by position"):
        BACKEND.supports(network, settings, SpinnakerOptions(virtual=True))


def test_what_cannot_be_placed_is_refused_by_name_before_the_machine_is_asked():
    settings = SimulationSettings(100.0, 1.0)
    network = ei_like(1.0)
    alpha = dataclasses.replace(network.groups[1], model="IF_cond_alpha")
    with pytest.raises(
        SimulatorError, match=r"cannot simulate the cell model\(s\) IF_cond_alpha of ei$"
    ):
        BACKEND.supports(
            dataclasses.replace(network, groups=(network.groups[0], alpha)),
            settings,
            SpinnakerOptions(),
        )
    with pytest.raises(
        SimulatorError, match="unknown neuron order 'hilbert': choose one of default, grid, random"
    ):
        BACKEND.supports(network, settings, SpinnakerOptions(neuron_order="hilbert"))  # type: ignore[arg-type]


def test_nothing_configured_is_refused_and_reported(isolated_home):
    with pytest.raises(SimulatorError, match="no SpiNNaker machine configured"):
        BACKEND.supports(
            ei_like(1.0), SimulationSettings(100.0, 1.0), SpinnakerOptions(neuron_order="default")
        )
    facts = BACKEND.facts()
    assert "no SpiNNaker machine configured" in str(facts["error"])
    assert facts["environment"] == [
        "CEREBREPRO_SPINNAKER_BOARD", "CEREBREPRO_SPINNAKER_SPALLOC", "CEREBREPRO_SPINNAKER_VIRTUAL",
        "CEREBREPRO_SPINNAKER_VERSION", "CEREBREPRO_SPINNAKER_TIME_SCALE_FACTOR",
    ]  # fmt: skip
    json.dumps(facts)  # plain data


class RecordedPopulation:
    """What ``spinnaker_get_data`` returns after a run, in the simulator's cell indices."""

    def __init__(self, spikes: np.ndarray, signals: dict[str, np.ndarray]):
        self.spikes, self.signals = spikes, signals

    def spinnaker_get_data(self, variable: str) -> np.ndarray:
        return self.spikes if variable == "spikes" else self.signals[variable]


def test_board_spikes_and_signals_come_back_in_description_indices():
    order = np.array([2, 0, 3, 1])  # simulator cell k is description cell order[k]
    # (cell, time) rows; the last one is past the run
    board_spikes = np.array([[0, 1.0], [3, 1.0], [1, 5.0], [2, 1000.0]])
    triples = {
        s: np.array([[0, 0.0, 1.0], [0, 0.1, 2.0], [3, 0.0, 3.0], [3, 0.1, 4.0]])
        for s in ("v", "gsyn_exc", "gsyn_inh")
    }
    population = RecordedPopulation(board_spikes, triples)
    spikes = restore_spikes(spinnaker.read_spikes(population, 4, 1000.0), order)
    assert spikes.cells.tolist() == [1, 2, 0] and spikes.times.tolist() == [1.0, 1.0, 5.0]
    analog = restore_analog(spinnaker.read_analog(population, np.array([0, 3]), 0.1, 2), order)
    assert analog.cells.tolist() == [1, 2]  # simulator cells 3 and 0
    assert analog.signals["v"].tolist() == [[3.0, 1.0], [4.0, 2.0]]


def placements() -> list[PlacedCore]:
    cores = [
        PlacedCore(0, 0, p, "PopulationMachineVertex", "granule", (64 * p, 64 * p + 63))
        for p in range(3)
    ]
    cores += [PlacedCore(1, 0, p, "PopulationMachineVertex", "purkinje", (p, p)) for p in range(2)]
    cores += [PlacedCore(x, 0, 0, "ExtraMonitorSupportMachineVertex", None) for x in range(3)]
    cores += [PlacedCore(2, 0, 1, "DelayExtensionMachineVertex", "granule_delayed", (0, 149))]
    return cores


def test_placements_give_cores_and_chips_per_population():
    report = summarise_placements(
        placements(), {"granule": 150, "purkinje": 2}, {"virtual": True}, {"granule": 64}
    )
    assert (
        report.populations["granule"]["cores"]
        == report.populations["granule"]["expected_slices"]
        == 3
    )
    assert report.populations["purkinje"]["cores"] == 2
    # no cap given for purkinje: the largest slice placed
    assert report.populations["purkinje"]["neurons_per_core"] == 1
    assert (report.chips_used, report.application_cores, report.cores_used) == (2, 5, 9)
    assert report.other_cores == {
        "ExtraMonitorSupportMachineVertex": 3,
        "DelayExtensionMachineVertex": 1,
    }
    assert "no spikes" in str(report.to_dict()["note"])


def test_core_provenance_is_summarised_per_population():
    rows = [
        (0, 0, 0, "Max_filled_size_input_buffer", 4),
        (0, 0, 1, "Max_filled_size_input_buffer", 9),
        (0, 0, 1, "Number_of_late_spikes", 2),
        (1, 0, 0, "Max_filled_size_input_buffer", 1),
        (2, 0, 0, "Max_filled_size_input_buffer", 99),  # a system core: not a population
        (2, 0, 1, "Max_filled_size_input_buffer", 50),  # a delay extension: not a population
    ]
    cores = {(c.x, c.y, c.p): c.population for c in placements() if c.population}
    summary = summarise_core_provenance(rows, cores, ["purkinje", "granule"])
    assert list(summary) == ["purkinje", "granule"]
    assert summary["granule"]["Max_filled_size_input_buffer"] == {
        "max": 9.0,
        "core": [0, 0, 1],
        "total": 13.0,
        "cores": 2,
    }
    assert summary["granule"]["Number_of_late_spikes"]["total"] == 2.0
    assert summary["purkinje"]["Max_filled_size_input_buffer"]["max"] == 1.0


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_mapping_report_files_say_what_they_are(tmp_path, suffix):
    report = summarise_placements(placements(), {"granule": 150, "purkinje": 2}, {"virtual": True})
    for i, given in enumerate((report, report.to_dict())):
        path = write_mapping_report(given, tmp_path / f"mapping{i}{suffix}")
        data = (
            json.loads(path.read_text()) if suffix == ".json" else yaml.safe_load(path.read_text())
        )
        assert data["kind"] == "cerebrepro.spinnaker-mapping-report/1"
        assert data["populations"]["granule"]["cores"] == 3


@pytest.mark.slow
@needs_spynnaker
def test_spynnaker_failures_become_clear_errors():
    from pacman.exceptions import PacmanPlaceException
    from spinnman.exceptions import SpinnmanIOException
    from spynnaker.pyNN.exceptions import SpynnakerException

    from cerebrepro.backends.spinnaker.config import MachineSettings

    board = MachineSettings("board", "192.168.240.1", 5, 1000.0)
    with pytest.raises(
        SimulatorError, match=r"no SpiNNaker machine reachable at 192\.168\.240\.1 .*--virtual"
    ):
        with spinnaker.translated_errors(board):
            raise SpinnmanIOException("timed out")
    with pytest.raises(SimulatorError, match=r"does not fit the machine .*--spalloc-boards N"):
        with spinnaker.translated_errors(board):
            raise PacmanPlaceException("no space")
    with pytest.raises(SimulatorError, match="sPyNNaker refused the run"):
        with spinnaker.translated_errors(board):
            raise SpynnakerException("bad")


class CappedPopulation:
    """A population whose model holds at most 32 neurons per core."""

    def __init__(self) -> None:
        self.cap: int | None = None

    def set_max_atoms_per_core(self, n: int) -> None:
        if n > 32:
            raise ValueError(
                f"Set the max_atoms_per_core to {n} blocked as the current limit for the model is 32"
            )
        self.cap = n


def test_each_groups_cap_is_set_and_one_over_the_models_limit_is_refused():
    network = NetworkDescription(
        "n", (cells("granule", 100, 64), cells("purkinje", 4, 1), cells("free", 3)), ()
    )
    with pytest.raises(
        SimulatorError,
        match="granule: 64 neurons per core is more than sPyNNaker allows.*limit .* is 32",
    ):
        spinnaker.limit_cores({name: CappedPopulation() for name in network.sizes}, network)
    fits = dataclasses.replace(network, groups=network.groups[1:])
    populations = {name: CappedPopulation() for name in fits.sizes}
    spinnaker.limit_cores(populations, fits)
    assert populations["purkinje"].cap == 1
    assert populations["free"].cap is None  # no cap: sPyNNaker's default
