"""The E-I balanced network on NEST: its wiring, and a short run against the stored reference."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.experiments.ei_balanced import PROJECTIONS, SIZES, build_network, draw_network
from cerebrepro.experiments.ei_nest import connect_arrays
from cerebrepro.experiments.ei_reference import check_statistics, load_reference
from cerebrepro.experiments.ei_run import run_ei_balanced
from cerebrepro.experiments.ei_statistics import ei_statistics
from cerebrepro.results.io import read_result

pytestmark = pytest.mark.nest


def test_nest_holds_every_drawn_synapse_with_its_sign():
    import nest

    from cerebrepro.simulate.nest import setup

    sim = setup(0.1, 1, 7)
    network = build_network(sim, seed=7, timestep=0.1, connect=connect_arrays)
    drawn = draw_network(7, 0.1)
    pairs: dict[tuple[str, str], list] = {}
    for projection in PROJECTIONS:
        pairs.setdefault((projection.pre, projection.post), []).append(projection)
    for (pre, post), projections in pairs.items():
        made = nest.GetConnections(network.populations[pre].node_collection, network.populations[post].node_collection)
        assert len(made) == sum(len(drawn[p.name]) for p in projections)
        weights = np.unique(np.asarray(made.get("weight")))
        np.testing.assert_allclose(sorted(weights), sorted({p.weight * 1000.0 for p in projections}))
    assert network.synapses == {name: len(rows) for name, rows in drawn.items()}
    sim.end()


def test_short_run_matches_the_stored_reference(tmp_path):
    reference = load_reference()
    path = run_ei_balanced("nest", reference["reference_seed"], 1000.0, 1, tmp_path, timestep=reference["timestep"])
    result = read_result(path)
    assert result.sizes == dict(SIZES)
    assert result.provenance["experiment"] == "ei-balanced"
    failed = [c for c in check_statistics(ei_statistics(result), reference, 1000.0) if not c.passed]
    assert not failed, failed
