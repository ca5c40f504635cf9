"""Brian2's input file and step conventions, without compiling anything."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.backends.brian2.conventions import generator_steps, nest_spike_times
from cerebrepro.backends.brian2.stimulus import stimulus_arrays, write_stimulus
from cerebrepro.errors import SimulatorError
from cerebrepro.model.spike_trains import SpikeTrains


def test_generator_steps_are_one_step_before_nest_and_refuse_too_early_spikes():
    # 0.3 ms is 3 steps although 0.3 / 0.1 is 2.9999999999999996
    assert generator_steps(np.array([0.2, 0.3, 5.0, 74.9]), 0.1).tolist() == [1, 2, 49, 748]
    with pytest.raises(ValueError, match="at or below one step"):
        generator_steps(np.array([0.1]), 0.1)


def test_brian2_spike_steps_are_labelled_one_step_later():
    assert nest_spike_times(np.array([0, 9, 9999]), 0.1).tolist() == [0.1, 1.0, 1000.0]


def test_stimulus_keeps_duplicate_spikes_sorted_by_step(tmp_path):
    trains = SpikeTrains.from_lists([np.array([5.0, 5.0, 7.0]), np.array([1.0])])
    steps, sources = stimulus_arrays(trains, 0.1)
    assert steps.tolist() == [9, 49, 49, 69]
    assert sources.tolist() == [1, 0, 0, 0]
    path = write_stimulus(tmp_path, "glomerulus", trains, 0.1)
    assert path.name == "cerebrepro_stimulus_glomerulus.bin"
    raw = path.read_bytes()
    assert np.frombuffer(raw[:8], "<i8")[0] == 4
    assert np.frombuffer(raw[8:], "<i4").tolist() == [9, 49, 49, 69, 1, 0, 0, 0]


def test_more_spikes_in_one_step_than_sources_is_refused():
    trains = SpikeTrains.from_lists([np.array([5.0, 5.0, 5.0]), np.array([])])
    with pytest.raises(SimulatorError, match="3 input spikes fall into one time step"):
        stimulus_arrays(trains, 0.1)
