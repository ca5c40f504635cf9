"""The network the pipeline benchmark times: N conductance-based cells driven by Poisson input.

Every cell gets its own Poisson source (one-to-one) and inhibits others through a
fixed-probability projection with ``p = IN_DEGREE / N``, so each cell has about
``IN_DEGREE`` recurrent inputs at every N: the work per cell stays the same and the cost
model ``a*N + b*N*T`` holds (with a fixed ``p`` the synapse count, and with it the cost,
would grow as N^2). The connectivity is drawn by NEST (``pairwise_bernoulli``). The cells
fire at about 8 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

CELL_PARAMETERS = {"tau_refrac": 2.0}  # otherwise PyNN's IF_cond_exp defaults
INPUT_RATE = 200.0  # Hz, one Poisson source per cell
INPUT_WEIGHT = 0.012  # uS
IN_DEGREE = 50  # mean recurrent inputs per cell
RECURRENT_WEIGHT = 0.002  # uS, inhibitory
DELAY = 1.0  # ms
RECORD_V_EVERY = 10  # v of every 10th cell


@dataclass
class PipelineNetwork:
    """The populations of one benchmark network (recording already set up)."""

    cells: Any
    sources: Any


def connection_probability(n_cells: int) -> float:
    """``IN_DEGREE / n_cells``, capped at 1."""
    return min(1.0, IN_DEGREE / n_cells)


def build_pipeline_network(sim: ModuleType, n_cells: int, seed: int) -> PipelineNetwork:
    """Create the cells, their sources and the recurrent projection; record spikes and v."""
    from pyNN.nest import NativeRNG

    cells = sim.Population(n_cells, sim.IF_cond_exp(**CELL_PARAMETERS), label="cells")
    sources = sim.Population(n_cells, sim.SpikeSourcePoisson(rate=INPUT_RATE), label="input")
    sim.Projection(
        sources,
        cells,
        sim.OneToOneConnector(),
        sim.StaticSynapse(weight=INPUT_WEIGHT, delay=DELAY),
        receptor_type="excitatory",
    )
    sim.Projection(
        cells,
        cells,
        sim.FixedProbabilityConnector(connection_probability(n_cells), rng=NativeRNG(seed)),
        sim.StaticSynapse(weight=RECURRENT_WEIGHT, delay=DELAY),
        receptor_type="inhibitory",
    )
    cells.record("spikes")
    cells[::RECORD_V_EVERY].record("v")
    return PipelineNetwork(cells, sources)
