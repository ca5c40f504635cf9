"""Input spikes reach NEST on the step they were given: no float rounding pushes one a step late."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.model.cerebellum import CELLS, MIN_SPIKE_TIME, TIMESTEP
from cerebrepro.model.spike_trains import SpikeTrains

pytestmark = pytest.mark.nest


def test_every_grid_time_is_delivered_exactly():
    from cerebrepro.model.network import create_population
    from cerebrepro.simulate import nest as backend

    steps = np.arange(2, 3002)  # 0.2 .. 300.1 ms, every step
    trains = SpikeTrains.from_lists([s * TIMESTEP for s in np.array_split(steps, 10)]).on_grid(
        TIMESTEP, MIN_SPIKE_TIME
    )
    sim = backend.setup(timestep=TIMESTEP, threads=1, seed=1)
    population = create_population(sim, CELLS["glomerulus"], 10, backend.nest_input(trains))
    recorders = backend.record({"glomerulus": population}, {}, TIMESTEP)
    backend.run(sim, 310.0, chunk=310.0, recorders=recorders)
    spikes = backend.collect_spikes(recorders, 310.0)["glomerulus"]
    sim.end()
    recorded = np.sort(np.round(spikes.times / TIMESTEP).astype(int))
    np.testing.assert_array_equal(recorded, steps)
