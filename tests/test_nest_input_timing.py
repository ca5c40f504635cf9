"""Input spikes reach NEST on the step they were given: no float rounding pushes one a step late."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.backends.contract import SilentProgress, SimulationSettings
from cerebrepro.model.cerebellum import MIN_SPIKE_TIME, TIMESTEP
from cerebrepro.model.description import CellGroup, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains

pytestmark = pytest.mark.nest


def test_every_grid_time_is_delivered_exactly():
    from cerebrepro.backends.nest import BACKEND, NestOptions

    steps = np.arange(2, 3002)  # 0.2 .. 300.1 ms, every step
    trains = SpikeTrains.from_lists([s * TIMESTEP for s in np.array_split(steps, 10)]).on_grid(
        TIMESTEP, MIN_SPIKE_TIME
    )
    network = NetworkDescription(
        "inputs", (CellGroup("glomerulus", 10, "SpikeSourceArray", spike_times=trains),), ()
    )
    session = BACKEND.prepare(
        network, SimulationSettings(310.0, TIMESTEP), NestOptions(), SilentProgress()
    )
    BACKEND.simulate(session, SilentProgress())
    spikes = BACKEND.collect(session).spikes["glomerulus"]
    recorded = np.sort(np.round(spikes.times / TIMESTEP).astype(int))
    np.testing.assert_array_equal(recorded, steps)
