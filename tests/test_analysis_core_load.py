"""Distinct pre-synaptic neurons with a target on a core, per step, on a two-core toy partition.

Golgi cells 0-3 in cores of 2 (core 0: cells 0, 1; core 1: cells 2, 3). Granule 0 reaches
golgi 0 (aa_goc) and golgi 1 (pf_goc): both on core 0, so counted once per spike; granule 1
reaches golgi 2 and golgi 0 (both cores); granule 2 reaches golgi 3 (core 1); glomerulus 0
reaches golgi 1 (core 0). Step 10: granules 0, 1 and glomerulus 0 spike; step 20: granule
0 twice and granule 2.
"""

import numpy as np

from cerebrepro.analysis.connectivity import afferents_by_population
from cerebrepro.analysis.packet_load import cores_of_cells
from cerebrepro.analysis.presynaptic_load import presynaptic_neuron_load
from cerebrepro.analysis.steps import SpikeSteps
from cerebrepro.results.types import PopulationSpikes
from cerebrepro.scaffold.types import Connections, Scaffold

SIZES = {"glomerulus": 1, "granule": 3, "golgi": 4}
N_STEPS = 30


def toy():
    connections = {
        "aa_goc": Connections(np.array([0, 1]), np.array([0, 2])),
        "pf_goc": Connections(np.array([0, 1, 2]), np.array([1, 0, 3])),
        "glom_goc": Connections(np.array([0]), np.array([1])),
    }
    scaffold = Scaffold(
        positions={n: np.zeros((k, 3)) for n, k in SIZES.items()}, connections=connections
    )
    raw = {
        "granule": PopulationSpikes(
            3, np.array([1.0, 1.0, 2.0, 2.0, 2.0]), np.array([0, 1, 0, 0, 2])
        ),
        "glomerulus": PopulationSpikes(1, np.array([1.0]), np.array([0])),
    }
    spikes = {name: SpikeSteps.from_population(s, 0.1, N_STEPS) for name, s in raw.items()}
    return afferents_by_population(scaffold, SIZES, 0.1)["golgi"], spikes


def test_cores_of_cells_follow_the_order():
    assert cores_of_cells(np.arange(5), 2).tolist() == [0, 0, 1, 1, 2]
    assert cores_of_cells(np.array([3, 2, 1, 0]), 2).tolist() == [1, 1, 0, 0]


def test_count_distinct_spiking_pre_cells_with_a_target_per_core():
    afferents, spikes = toy()
    load = presynaptic_neuron_load(
        afferents, spikes, np.arange(4), cells_per_core=2, n_steps=N_STEPS, chunk_steps=15
    )
    assert (load.peak, load.core, load.step) == (3, 0, 10)
    assert load.per_core_peak.tolist() == [3, 1]
    assert load.total == 6


def test_reversed_order_swaps_the_cores():
    afferents, spikes = toy()
    load = presynaptic_neuron_load(
        afferents, spikes, np.array([3, 2, 1, 0]), cells_per_core=2, n_steps=N_STEPS
    )
    assert load.per_core_peak.tolist() == [1, 3]
    assert (load.peak, load.core) == (3, 1)


def test_one_core_per_cell_counts_every_target():
    afferents, spikes = toy()
    load = presynaptic_neuron_load(
        afferents, spikes, np.arange(4), cells_per_core=1, n_steps=N_STEPS
    )
    # step 10: golgi 0 <- granules 0, 1; golgi 1 <- granule 0, glomerulus 0; golgi 2 <- granule 1
    assert load.per_core_peak.tolist() == [2, 2, 1, 1]
