"""Worst-case incoming spikes on a toy network, with and without synaptic delays.

Toy: glomeruli g0, g1, golgi o0, granules c0, c1. glom_grc rows g0->c0 (twice), g1->c0,
g1->c1 (delay 4 ms = 40 steps); goc_grc o0->c0 (2 ms = 20 steps). Spikes: g0 and g1 at
1.0 ms (step 10), o0 at 3.0 ms (step 30).
"""

import numpy as np
import pytest

from cerebrepro.analysis.connectivity import afferents_by_population
from cerebrepro.analysis.incoming import incoming_spikes
from cerebrepro.analysis.steps import SpikeSteps, step_count
from cerebrepro.results.types import PopulationSpikes
from cerebrepro.scaffold.types import Connections, Scaffold

SIZES = {"glomerulus": 2, "golgi": 1, "granule": 2}


def toy(duration=10.0):
    connections = {
        "glom_grc": Connections(np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])),
        "goc_grc": Connections(np.array([0]), np.array([0])),
        "goc_glom": Connections(np.array([0]), np.array([1])),  # not simulated
    }
    scaffold = Scaffold(
        positions={n: np.zeros((k, 3)) for n, k in SIZES.items()}, connections=connections
    )
    n_steps = step_count(duration, 0.1)
    raw = {
        "glomerulus": PopulationSpikes(2, np.array([1.0, 1.0]), np.array([0, 1])),
        "golgi": PopulationSpikes(1, np.array([3.0]), np.array([0])),
        "granule": PopulationSpikes(2, np.zeros(0), np.zeros(0, dtype=np.int64)),
    }
    spikes = {name: SpikeSteps.from_population(s, 0.1, n_steps) for name, s in raw.items()}
    afferents = afferents_by_population(scaffold, SIZES, 0.1)
    return afferents, spikes, n_steps


def test_only_simulated_projections_onto_neurons_are_used():
    afferents, _, _ = toy()
    assert sorted(afferents) == ["granule"]
    assert sorted(a.projection for a in afferents["granule"]) == ["glom_grc", "goc_grc"]


@pytest.mark.parametrize(
    ("delayed", "peak", "step", "per_cell_max", "share_glom_grc"),
    [
        # undelayed: c0 gets g0 twice (repeated row) and g1 at step 10
        (False, 3, 10, [3, 1], 1.0),
        # delayed: glomerulus spikes arrive at step 10 + 40, the golgi spike at 30 + 20
        (True, 4, 50, [4, 1], 0.75),
    ],
)
def test_worst_incoming_cell_and_step(delayed, peak, step, per_cell_max, share_glom_grc):
    afferents, spikes, n_steps = toy()
    load = incoming_spikes(afferents["granule"], spikes, 2, n_steps, delayed, chunk_steps=7)
    assert (load.peak, load.cell, load.step) == (peak, 0, step)
    assert load.per_cell_max.tolist() == per_cell_max
    assert load.share_at_peak == pytest.approx(
        {"glom_grc": share_glom_grc, "goc_grc": 1.0 - share_glom_grc}
    )


def test_share_of_total_counts_every_arriving_spike():
    afferents, spikes, n_steps = toy()
    load = incoming_spikes(afferents["granule"], spikes, 2, n_steps, delayed=True)
    assert load.total == 5
    assert load.share_of_total == pytest.approx({"glom_grc": 0.8, "goc_grc": 0.2})


def test_spikes_arriving_after_the_run_are_not_counted():
    afferents, spikes, n_steps = toy(duration=4.5)
    load = incoming_spikes(afferents["granule"], spikes, 2, n_steps, delayed=True)
    assert load.peak == 0 and load.cell == -1 and load.total == 0
    assert load.share_of_total == {"glom_grc": 0.0, "goc_grc": 0.0}
