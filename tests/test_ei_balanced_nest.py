"""The E-I balanced network on NEST: its wiring, and a short run against the stored reference."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.analysis.ei_balanced import ei_statistics
from cerebrepro.model.ei_balanced import SIZES
from cerebrepro.verify.ei_balanced import check_statistics, load_reference, run_seed

pytestmark = pytest.mark.nest


def test_nest_holds_every_drawn_synapse_with_its_sign():
    """Through the backend contract: every drawn row is one NEST synapse, inhibitory ones negative (pA)."""
    import nest

    from cerebrepro.backends.contract import SilentProgress, SimulationSettings
    from cerebrepro.backends.nest import BACKEND, NestOptions
    from cerebrepro.model.ei_balanced import PROJECTIONS, describe_ei_balanced, draw_network

    session = BACKEND.prepare(
        describe_ei_balanced(7, 0.1),
        SimulationSettings(100.0, 0.1, 1, 7),
        NestOptions(),
        SilentProgress(),
    )
    drawn = draw_network(7, 0.1)
    pairs: dict[tuple[str, str], list] = {}
    for projection in PROJECTIONS:
        pairs.setdefault((projection.pre, projection.post), []).append(projection)
    populations = session.network.populations
    for (pre, post), projections in pairs.items():
        made = nest.GetConnections(
            populations[pre].node_collection, populations[post].node_collection
        )
        assert len(made) == sum(len(drawn[p.name]) for p in projections)
        weights = np.unique(np.asarray(made.get("weight")))
        np.testing.assert_allclose(
            sorted(weights), sorted({p.weight * 1000.0 for p in projections})
        )
    assert session.synapses == {name: len(rows) for name, rows in drawn.items()}
    session.sim.end()


@pytest.mark.slow
def test_short_run_matches_the_stored_reference(tmp_path):
    reference = load_reference()
    result = run_seed(reference["reference_seed"], 1000.0, 1, reference["timestep"], tmp_path)
    assert result.sizes == dict(SIZES)
    assert result.provenance["experiment"] == "ei-balanced"
    failed = [c for c in check_statistics(ei_statistics(result), reference, 1000.0) if not c.passed]
    assert not failed, failed
