"""Estimated SpiNNaker packets per core and step on hand-made networks with hand-worked counts.

Populations use the model's names, so cores hold 64 cells (purkinje 1) and the model's
delays apply: aa_goc 2 ms (20 steps), pf_goc 5 ms (50), gj_goc 1 ms (10), aa_pc 2 ms (20).
With the 2020 model (16 slots) these arrive 16, 48, 0 and 16 steps after the spike;
with the 7.4 model (128 slots) in the step of the spike. All spikes here fall on step 10
(t = 1.0 ms at 0.1 ms steps) unless said otherwise.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from cerebrepro.analysis.connectivity import Afferent, afferents_by_population
from cerebrepro.analysis.packet_load import (
    DEFAULT_DELAY_MODEL,
    DELAY_MODELS,
    DelayModelError,
    delay_stage,
    estimate_packet_load,
    packet_loads,
)
from cerebrepro.analysis.presynaptic_load import presynaptic_neuron_load
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.steps import SpikeSteps
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.errors import ResultError
from cerebrepro.model.neuron_order import NeuronOrder, neuron_order
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.scaffold.types import Connections, Scaffold

TIMESTEP = 0.1
DURATION = 20.0  # ms: steps 0..200


def network(sizes: dict[str, int], rows: dict[str, tuple[list[int], list[int]]], spikes: dict):
    """A scaffold with ``rows[projection] = (pre cells, post cells)`` and a run with
    ``spikes[population] = (times, cells)``."""
    scaffold = Scaffold(
        positions={name: np.zeros((n, 3)) for name, n in sizes.items()},
        connections={
            name: Connections(np.array(pre, dtype=np.int64), np.array(post, dtype=np.int64))
            for name, (pre, post) in rows.items()
        },
    )
    run = RunResult(
        {
            name: PopulationSpikes(
                n,
                np.array(spikes.get(name, ([], []))[0], dtype=np.float64),
                np.array(spikes.get(name, ([], []))[1], dtype=np.int64),
            )
            for name, n in sizes.items()
        },
        TIMESTEP,
        DURATION,
    )
    return scaffold, run


def identity(sizes: dict[str, int], **orders: np.ndarray) -> NeuronOrder:
    return NeuronOrder(
        "test", None, {name: orders.get(name, np.arange(n)) for name, n in sizes.items()}
    )


def summary(load) -> tuple:
    return load.per_core_peak.tolist(), load.peak, load.core, load.step, load.total


def test_delay_stages_of_sixteen_slots():
    assert [delay_stage(d, 16) for d in (0, 10, 16, 17, 20, 32, 33, 40, 48, 50)] == [
        0,
        0,
        0,
        1,
        1,
        1,
        2,
        2,
        2,
        3,
    ]
    assert delay_stage(50, 128) == 0


# -- routing by source core ----------------------------------------------------------

ROUTING_SIZES = {"granule": 128, "golgi": 128}


def routing_network():
    # granule 0 (source core 0) reaches golgi 0 (core 0); no granule of core 1 has a synapse.
    # Step 10: granules 1, 2 and 64 spike, granule 3 twice (1.0 and 1.04 ms both round to step 10).
    return network(
        ROUTING_SIZES,
        {"aa_goc": ([0], [0])},
        {"granule": ([1.0, 1.0, 1.0, 1.04, 1.0], [1, 2, 3, 3, 64])},
    )


def test_every_spike_of_a_source_core_reaches_its_cores():
    scaffold, run = routing_network()
    loads = estimate_packet_load(run, scaffold, identity(ROUTING_SIZES), "spynnaker-7.4")
    assert list(loads) == ["golgi"]
    # golgi core 0 gets the 4 spikes of granule core 0 (none of those cells targets it);
    # granule 64's core has no synapse onto golgi, so its spike goes nowhere
    assert summary(loads["golgi"]) == ([4, 0], 4, 0, 10, 4)


def test_the_presynaptic_neuron_count_sees_none_of_those_packets():
    scaffold, run = routing_network()
    loads = estimate_packet_load(run, scaffold, identity(ROUTING_SIZES), "spynnaker-7.4")
    afferents = afferents_by_population(scaffold, run.sizes, TIMESTEP)["golgi"]
    spikes = {name: SpikeSteps.from_population(s, TIMESTEP, 201) for name, s in run.spikes.items()}
    neurons = presynaptic_neuron_load(afferents, spikes, np.arange(128), 64, 201)
    assert neurons.peak == 0 and loads["golgi"].peak == 4


def test_the_2020_model_delivers_a_2_ms_delay_16_steps_later():
    scaffold, run = routing_network()
    loads = estimate_packet_load(run, scaffold, identity(ROUTING_SIZES))
    assert DEFAULT_DELAY_MODEL == "spynnaker-2020"
    assert summary(loads["golgi"]) == ([4, 0], 4, 0, 26, 4)


# -- the order of the pre-synaptic population ----------------------------------------

PURKINJE_SIZES = {"granule": 128, "purkinje": 2}


def test_the_pre_order_moves_the_load_of_one_cell_cores():
    # aa_pc: granule 0 -> purkinje 0, granule 127 -> purkinje 1. Step 10: granules 1, 2, 3.
    scaffold, run = network(
        PURKINJE_SIZES,
        {"aa_pc": ([0, 127], [0, 1])},
        {"granule": ([1.0, 1.0, 1.0], [1, 2, 3])},
    )
    default = estimate_packet_load(run, scaffold, identity(PURKINJE_SIZES), "spynnaker-7.4")
    # default order: granules 0-63 on core 0 -> purkinje 0 gets all 3 spikes
    assert summary(default["purkinje"]) == ([3, 0], 3, 0, 10, 3)
    # even cells on core 0, odd on core 1: granule 0 shares core 0 with granule 2 only,
    # granule 127 shares core 1 with granules 1 and 3
    even_odd = np.r_[np.arange(0, 128, 2), np.arange(1, 128, 2)]
    order = identity(PURKINJE_SIZES, granule=even_odd)
    reordered = estimate_packet_load(run, scaffold, order, "spynnaker-7.4")
    assert summary(reordered["purkinje"]) == ([1, 2], 2, 1, 10, 3)


def test_the_post_order_decides_which_core_receives():
    scaffold, run = routing_network()
    swapped = np.r_[np.arange(64, 128), np.arange(64)]  # golgi 0 now sits on core 1
    order = identity(ROUTING_SIZES, golgi=swapped)
    loads = estimate_packet_load(run, scaffold, order, "spynnaker-7.4")
    assert summary(loads["golgi"]) == ([0, 4], 4, 1, 10, 4)


# -- delay models ----------------------------------------------------------------------

STAGE_SIZES = {"granule": 128, "golgi": 128}


def stage_network():
    # aa_goc (20 steps): granule 0 -> golgi 0 (core 0); pf_goc (50 steps): granule 1 ->
    # golgi 64 (core 1) and granule 2 -> golgi 1 (core 0); gj_goc (10 steps): golgi 64
    # (core 1) -> golgi 0 (core 0). Step 10: granules 5 and 6 (source core 0), golgi 70.
    return network(
        STAGE_SIZES,
        {"aa_goc": ([0], [0]), "pf_goc": ([1, 2], [64, 1]), "gj_goc": ([64], [0])},
        {"granule": ([1.0, 1.0], [5, 6]), "golgi": ([1.0], [70])},
    )


def test_the_2020_model_sends_one_packet_per_stage():
    scaffold, run = stage_network()
    loads = estimate_packet_load(run, scaffold, identity(STAGE_SIZES), "spynnaker-2020")
    # core 0: 1 direct gj packet at step 10, 2 aa packets (stage 1) at 26, 2 pf packets
    # (stage 3) at 58; core 1: 2 pf packets at 58; no direct granule packet anywhere
    assert summary(loads["golgi"]) == ([2, 2], 2, 0, 26, 7)


def test_the_74_model_shares_one_packet_between_projections():
    scaffold, run = stage_network()
    loads = estimate_packet_load(run, scaffold, identity(STAGE_SIZES), "spynnaker-7.4")
    # core 0: granule core 0 sends one packet per spike for aa and pf together (2) plus
    # the gj packet (1), all at step 10; core 1: the 2 granule packets (pf)
    assert summary(loads["golgi"]) == ([3, 2], 3, 0, 10, 5)


def afferent(delay_steps: int, projection: str) -> Afferent:
    # granule 0 -> golgi 0: core 0 to core 0
    synapses = sp.csr_array(([1], ([0], [0])), shape=(128, 128), dtype=np.int32)
    return Afferent(projection, "granule", "golgi", delay_steps, synapses)


def stage_loads(delays: list[int], model: str, spike_step: int = 10):
    afferents = {"golgi": [afferent(d, f"p{d}") for d in delays]}
    spikes = {
        "granule": SpikeSteps(np.array([7]), np.array([spike_step]), 128, 201),
        "golgi": SpikeSteps(np.zeros(0, np.int64), np.zeros(0, np.int64), 128, 201),
    }
    return packet_loads(afferents, spikes, identity(STAGE_SIZES), (model,))[model]["golgi"]


def test_same_stage_projections_share_a_packet_and_stages_do_not():
    # 17 and 32 steps are both stage 1 (one packet at +16), 33 is stage 2 (+32), 16 direct
    load = stage_loads([17, 32, 33, 16], "spynnaker-2020")
    assert summary(load) == ([1, 0], 1, 0, 10, 3)
    assert summary(stage_loads([17, 32], "spynnaker-2020")) == ([1, 0], 1, 0, 26, 1)
    assert summary(stage_loads([17, 32, 33, 16], "spynnaker-7.4")) == ([1, 0], 1, 0, 10, 1)


def test_packets_arriving_after_the_run_are_not_counted():
    # a spike at step 190 through a 50-step delay would arrive at step 238 > 200
    assert summary(stage_loads([50], "spynnaker-2020", spike_step=190)) == ([0, 0], 0, -1, -1, 0)
    assert summary(stage_loads([50], "spynnaker-7.4", spike_step=190)) == ([1, 0], 1, 0, 190, 1)


# -- refusals and consistency ------------------------------------------------------------


def test_an_unknown_delay_model_is_refused():
    scaffold, run = routing_network()
    with pytest.raises(DelayModelError, match="unknown delay model 'spynnaker-1'"):
        estimate_packet_load(run, scaffold, identity(ROUTING_SIZES), "spynnaker-1")


def test_an_order_of_another_size_is_refused():
    scaffold, run = routing_network()
    order = NeuronOrder("grid", None, {"granule": np.arange(64), "golgi": np.arange(128)})
    with pytest.raises(ResultError, match="grid neuron order has 64 granule cells, the run 128"):
        estimate_packet_load(run, scaffold, order)


def test_packets_bound_the_presynaptic_neurons_on_a_synthetic_run():
    rng = np.random.default_rng(5)
    scaffold = synthetic_scaffold(rng, scale=0.01)
    run = synthetic_run(rng, scaffold)
    stats = analyse_run(run, scaffold)
    grid = neuron_order(scaffold.positions, "grid")
    loads = estimate_packet_load(run, scaffold, grid, "spynnaker-7.4")
    for name, population in stats["populations"].items():
        if "packet_load" not in population:
            continue
        packets = population["packet_load"]
        assert packets["spynnaker-7.4"]["grid"]["peak"] == loads[name].peak
        for model in DELAY_MODELS:
            for order in ("default", "grid"):
                assert packets[model][order]["n_cores"] == packets["n_cores"]
        # with every delay on the receiving core, each targeting neuron's spike is a packet
        for order in ("default", "grid"):
            neurons = population["presynaptic_neuron_load"][order]["peak"]
            assert packets["spynnaker-7.4"][order]["peak"] >= neurons
    assert stats["packet_load"]["paper_delay_model"] == "spynnaker-2020"
    assert "not the hardware counter" in stats["packet_load"]["method"]
