"""The SpiNNaker backend's parts that need no machine: limits, options, reading results back."""

from __future__ import annotations

import dataclasses
import importlib.util
import json

import numpy as np
import pytest
import yaml

from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import PROJECTION_LIST
from cerebrepro.simulate import spinnaker
from cerebrepro.simulate.ordering import restore_analog, restore_spikes
from cerebrepro.simulate.spinnaker_mapping import (
    PlacedCore,
    summarise_core_provenance,
    summarise_placements,
    write_mapping_report,
)

needs_spynnaker = pytest.mark.skipif(importlib.util.find_spec("spynnaker") is None, reason="sPyNNaker not installed")


@needs_spynnaker
def test_delay_limits_are_spynnakers_own():
    from spynnaker.pyNN.models.utility_models.delays import DelayExtensionVertex
    from spynnaker.pyNN.utilities.constants import MAX_RING_BUFFER_BITS

    assert spinnaker.RING_BUFFER_BITS == MAX_RING_BUFFER_BITS
    assert spinnaker.DELAY_EXTENSION_SLOTS == DelayExtensionVertex.MAX_SLOTS
    # 64 neurons per core: 6 atom bits + 1 synapse-type bit leave 7 bits: 128 steps (12.8 ms at 0.1 ms)
    assert spinnaker.max_delay_steps(64, extensions=False) == 128
    assert spinnaker.max_delay_steps(64, extensions=True) == 9 * 128
    assert spinnaker.max_delay_steps(1, extensions=False) == 4096


def test_the_models_delays_fit_and_bad_delays_are_refused():
    sizes = {"golgi": 219, "granule": 88158, "purkinje": 69, "basket": 603, "stellate": 603, "dcn": 12}
    spinnaker.check_delays(0.1, sizes)
    long = dataclasses.replace(PROJECTION_LIST[0], delay=200.0)
    with pytest.raises(SimulatorError, match=r"exceeds .* 128 steps \(12.8 ms\) on the core, 1152 steps"):
        spinnaker.check_delays(0.1, sizes, (long,))
    with pytest.raises(SimulatorError, match="not a multiple"):
        spinnaker.check_delays(0.1, sizes, (dataclasses.replace(long, delay=2.05),))
    with pytest.raises(SimulatorError, match="below one time step"):
        spinnaker.check_delays(1.0, sizes, (dataclasses.replace(long, delay=0.0),))


def test_options_are_checked_and_default_to_the_paper():
    options = spinnaker.SpinnakerOptions.from_mapping({"board": "10.0.0.1", "version": 5})
    assert (options.neuron_order, options.synapse_cores) == ("grid", 0)
    assert options.machine == {"board": "10.0.0.1", "version": 5}
    with pytest.raises(SimulatorError, match="unknown SpiNNaker option"):
        spinnaker.SpinnakerOptions.from_mapping({"neurons_per_core": 32})


def test_missing_spynnaker_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "spynnaker" else real(name, *a))
    with pytest.raises(SimulatorError, match=r"pip install 'cerebrepro\[spinnaker\]'"):
        spinnaker.import_simulator()


class RecordedPopulation:
    """What ``spinnaker_get_data`` returns after a run, in the simulator's cell indices."""

    def __init__(self, spikes: np.ndarray, signals: dict[str, np.ndarray]):
        self.spikes, self.signals = spikes, signals

    def spinnaker_get_data(self, variable: str) -> np.ndarray:
        return self.spikes if variable == "spikes" else self.signals[variable]


def test_board_spikes_and_signals_come_back_in_scaffold_indices():
    order = np.array([2, 0, 3, 1])  # simulator cell k is scaffold cell order[k]
    board_spikes = np.array([[0, 1.0], [3, 1.0], [1, 5.0], [2, 1000.0]])  # the last one is past the run
    triples = {
        s: np.array([[0, 0.0, 1.0], [0, 0.1, 2.0], [3, 0.0, 3.0], [3, 0.1, 4.0]]) for s in ("v", "gsyn_exc", "gsyn_inh")
    }
    population = RecordedPopulation(board_spikes, triples)
    spikes = restore_spikes(spinnaker.read_spikes(population, 4, 1000.0), order)
    assert spikes.cells.tolist() == [1, 2, 0] and spikes.times.tolist() == [1.0, 1.0, 5.0]
    analog = restore_analog(spinnaker.read_analog(population, np.array([0, 3]), 0.1, 2), order)
    assert analog.cells.tolist() == [1, 2]  # simulator cells 3 and 0
    assert analog.signals["v"].tolist() == [[3.0, 1.0], [4.0, 2.0]]


def placements() -> list[PlacedCore]:
    cores = [PlacedCore(0, 0, p, "PopulationMachineVertex", "granule", (64 * p, 64 * p + 63)) for p in range(3)]
    cores += [PlacedCore(1, 0, p, "PopulationMachineVertex", "purkinje", (p, p)) for p in range(2)]
    cores += [PlacedCore(x, 0, 0, "ExtraMonitorSupportMachineVertex", None) for x in range(3)]
    return cores


def test_placements_give_cores_and_chips_per_population():
    report = summarise_placements(placements(), {"granule": 150, "purkinje": 2}, {"virtual": True})
    assert report.populations["granule"]["cores"] == report.populations["granule"]["expected_slices"] == 3
    assert report.populations["purkinje"]["cores"] == 2 and report.populations["purkinje"]["neurons_per_core"] == 1
    assert (report.chips_used, report.application_cores, report.cores_used) == (2, 5, 8)
    assert report.other_cores == {"ExtraMonitorSupportMachineVertex": 3}
    assert "no spikes" in report.to_dict()["note"]


def test_core_provenance_is_summarised_per_population():
    rows = [
        (0, 0, 0, "Max_filled_size_input_buffer", 4),
        (0, 0, 1, "Max_filled_size_input_buffer", 9),
        (0, 0, 1, "Number_of_late_spikes", 2),
        (1, 0, 0, "Max_filled_size_input_buffer", 1),
        (2, 0, 0, "Max_filled_size_input_buffer", 99),  # a system core: not a population
    ]
    cores = {(c.x, c.y, c.p): c.population for c in placements() if c.population}
    summary = summarise_core_provenance(rows, cores)
    assert summary["granule"]["Max_filled_size_input_buffer"] == {"max": 9.0, "core": [0, 0, 1], "total": 13.0, "cores": 2}
    assert summary["granule"]["Number_of_late_spikes"]["total"] == 2.0
    assert summary["purkinje"]["Max_filled_size_input_buffer"]["max"] == 1.0


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_mapping_report_files_say_what_they_are(tmp_path, suffix):
    report = summarise_placements(placements(), {"granule": 150, "purkinje": 2}, {"virtual": True})
    path = write_mapping_report(report, tmp_path / f"mapping{suffix}")
    data = json.loads(path.read_text()) if suffix == ".json" else yaml.safe_load(path.read_text())
    assert data["kind"] == "cerebrepro.spinnaker-mapping-report/1"
    assert data["populations"]["granule"]["cores"] == 3


@needs_spynnaker
def test_spynnaker_failures_become_clear_errors():
    from pacman.exceptions import PacmanPlaceException
    from spinnman.exceptions import SpinnmanIOException
    from spynnaker.pyNN.exceptions import SpynnakerException

    from cerebrepro.simulate.spinnaker_config import MachineSettings

    board = MachineSettings("board", "192.168.240.1", 5, 1000.0)
    with pytest.raises(SimulatorError, match=r"no SpiNNaker machine reachable at 192\.168\.240\.1 .*cerebrepro spinnaker map"):
        with spinnaker.translated_errors(board):
            raise SpinnmanIOException("timed out")
    with pytest.raises(SimulatorError, match=r"does not fit the machine .*--boards N"):
        with spinnaker.translated_errors(board):
            raise PacmanPlaceException("no space")
    with pytest.raises(SimulatorError, match="sPyNNaker refused the run"):
        with spinnaker.translated_errors(board):
            raise SpynnakerException("bad")


class CappedPopulation:
    """A population whose model holds at most 32 neurons per core."""

    def set_max_atoms_per_core(self, n: int) -> None:
        if n > 32:
            raise ValueError(f"Set the max_atoms_per_core to {n} blocked as the current limit for the model is 32")


def test_a_population_over_its_models_core_limit_is_refused():
    with pytest.raises(SimulatorError, match="granule: 64 neurons per core is more than sPyNNaker allows.*limit .* is 32"):
        spinnaker.limit_cores({"granule": CappedPopulation()})
    spinnaker.limit_cores({"purkinje": CappedPopulation()})  # 1 per core


def test_command_line_values_become_backend_options():
    from cerebrepro.cli.spinnaker import spinnaker_options

    options = spinnaker_options(board="192.168.240.1", machine_version=5, time_scale_factor=500)
    assert options == {
        "neuron_order": "grid", "board": "192.168.240.1", "version": 5, "time_scale_factor": 500, "synapse_cores": 0,
    }
    parsed = spinnaker.SpinnakerOptions.from_mapping(options)
    assert parsed.machine == {"board": "192.168.240.1", "version": 5, "time_scale_factor": 500}
    assert spinnaker_options(virtual=True)["virtual"] is True
