"""Each cell type, isolated on real NEST, fires at the analytic rate of model.md."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.backends.contract import SilentProgress, SimulationSettings
from cerebrepro.model.cerebellum import CELL_TYPES, CELLS, analytic_rate
from cerebrepro.model.description import CellGroup, NetworkDescription

pytestmark = pytest.mark.nest

CELL_NAMES = [c.name for c in CELL_TYPES if not c.is_source]


@pytest.fixture(scope="module")
def isolated_spikes():
    """Spike times of one isolated cell of every type over 5 s (one NEST run for all)."""
    from cerebrepro.backends.nest import BACKEND, NestOptions

    groups = tuple(
        CellGroup(name, 1, CELLS[name].model, dict(CELLS[name].parameters)) for name in CELL_NAMES
    )
    network = NetworkDescription("isolated cells", groups, ())
    session = BACKEND.prepare(network, SimulationSettings(5000.0), NestOptions(), SilentProgress())
    BACKEND.simulate(session, SilentProgress())
    spikes = BACKEND.collect(session).spikes
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
