"""Each cell type, isolated on real NEST, fires at the analytic rate of model.md."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.model.cerebellum import CELL_TYPES, CELLS, analytic_rate

pytestmark = pytest.mark.nest

CELL_NAMES = [c.name for c in CELL_TYPES if not c.is_source]


@pytest.fixture(scope="module")
def isolated_spikes():
    """Spike times of one isolated cell of every type over 5 s (one NEST kernel for all)."""
    from cerebrepro.model.network import create_population
    from cerebrepro.simulate import nest as backend
    from cerebrepro.simulate.nest_population import population_class

    sim = backend.setup(timestep=0.1, threads=1, seed=1)
    populations = {name: create_population(sim, CELLS[name], 1, None, population_class()) for name in CELL_NAMES}
    recorders = backend.record(populations, {}, 0.1)
    backend.run(sim, 5000.0, chunk=5000.0)
    spikes = backend.collect_spikes(recorders, 5000.0)
    sim.end()
    return {name: spikes[name].times for name in CELL_NAMES}


def test_analytic_rates_match_model_md():
    expected = {"golgi": 10, "basket": 18, "stellate": 18, "purkinje": 36, "dcn": 26, "granule": 0}
    for name, rate in expected.items():
        assert analytic_rate(CELLS[name]) == pytest.approx(rate, abs=2.5), name


@pytest.mark.parametrize("name", [n for n in CELL_NAMES if n != "granule"])
def test_isolated_cell_fires_at_analytic_rate(isolated_spikes, name):
    times = isolated_spikes[name]
    assert times.size > 10
    # The first interval starts from v_rest, not v_reset: measure the steady state.
    rate = 1000.0 / np.mean(np.diff(times[1:]))
    assert rate == pytest.approx(analytic_rate(CELLS[name]), rel=0.02)


def test_isolated_granule_is_silent(isolated_spikes):
    assert isolated_spikes["granule"].size == 0
