"""The network the pipeline benchmark times: N conductance-based cells driven by Poisson input.

Every cell gets its own Poisson source (one-to-one) and inhibits others through
fixed-probability connections with ``p = IN_DEGREE / N``, so each cell has about
``IN_DEGREE`` recurrent inputs at every N: the work per cell stays the same and the cost
model ``a*N + b*N*T`` holds (with a fixed ``p`` the synapse count, and with it the cost,
would grow as N^2). The recurrent rows are drawn with numpy from the seed, so the network
is data (a :class:`~cerebrepro.model.description.NetworkDescription`) that any backend
builds the same way. The v of every 10th cell is recorded. The cells fire at about 8 Hz.
"""

from __future__ import annotations

import numpy as np

from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription

# A 2 ms refractory period; every other parameter at PyNN's IF_cond_exp default, which every
# backend fills in. v_rest is named because membranes start at it.
CELL_PARAMETERS = {"v_rest": -65.0, "tau_refrac": 2.0}
INPUT_RATE = 200.0  # Hz, one Poisson source per cell
INPUT_WEIGHT = 0.012  # uS
IN_DEGREE = 50  # mean recurrent inputs per cell
RECURRENT_WEIGHT = 0.002  # uS, inhibitory
DELAY = 1.0  # ms
RECORD_V_EVERY = 10  # v of every 10th cell


def connection_probability(n_cells: int) -> float:
    """``IN_DEGREE / n_cells``, capped at 1."""
    return min(1.0, IN_DEGREE / n_cells)


def fixed_probability_rows(
    n_pre: int, n_post: int, p: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each ordered pair (self pairs included) a synapse with probability ``p``; rows sorted by (pre, post).

    Drawn as the number of synapses (binomial over all pairs), then that many distinct
    pairs: the same distribution as one Bernoulli trial per pair, without an
    ``n_pre x n_post`` array.
    """
    pairs = n_pre * n_post
    count = int(rng.binomial(pairs, p))
    chosen = np.sort(rng.choice(pairs, size=count, replace=False))
    return chosen // n_post, chosen % n_post


def describe_pipeline_network(n_cells: int, seed: int) -> NetworkDescription:
    """The benchmark network of ``n_cells`` cells; ``seed`` draws its recurrent connections."""
    rng = np.random.default_rng(seed)
    every_cell = np.arange(n_cells, dtype=np.int64)
    pre, post = fixed_probability_rows(n_cells, n_cells, connection_probability(n_cells), rng)
    cells = CellGroup(
        "cells",
        n_cells,
        "IF_cond_exp",
        CELL_PARAMETERS,
        record_analog=every_cell[::RECORD_V_EVERY],
    )
    sources = CellGroup("input", n_cells, "SpikeSourcePoisson", {"rate": INPUT_RATE})
    return NetworkDescription(
        "pipeline-benchmark",
        (cells, sources),
        (
            ConnectionList(
                "input", "input", "cells", every_cell, every_cell, INPUT_WEIGHT, DELAY, "excitatory"
            ),
            ConnectionList(
                "recurrent", "cells", "cells", pre, post, RECURRENT_WEIGHT, DELAY, "inhibitory"
            ),
        ),
    )
