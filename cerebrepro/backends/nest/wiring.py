"""Connection lists and input spike times handed to NEST directly, under PyNN's populations.

PyNN's FromListConnector makes ~70k synapses/s; NEST's array connect
(``nest.Connect(pre_ids, post_ids, "one_to_one", syn_spec=arrays)``) makes millions per
second. The lists go to NEST in the units and signs PyNN would use: uS -> nS
(``iaf_cond_exp``) and nA -> pA (``iaf_psc_exp``), and a synapse onto the inhibitory
receptor carries a negative weight in both (NEST selects the receptor by the sign).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.backends.nest.kernel import import_nest
from cerebrepro.model.description import CellGroup, ConnectionList
from cerebrepro.model.spike_trains import SpikeTrains

TO_NEST_WEIGHT = {"IF_cond_exp": 1000.0, "IF_curr_exp": 1000.0}  # uS -> nS, nA -> pA

# NEST's spike_generator moves a time that is not exactly on the grid to the next step, and
# PyNN subtracts min_delay (for the parrot neurons) in floating point: 68.4 - 0.1 is
# 68.30000000000001, which NEST delivers one step late. Handing NEST times a fraction of a
# microsecond below the grid makes every spike land on its own step.
INPUT_TIME_GUARD = 1e-4  # ms, a tenth of NEST's time tic


def nest_input(trains: SpikeTrains) -> SpikeTrains:
    """Spike trains on the timestep grid, shifted so that NEST delivers each on its own step."""
    return SpikeTrains(trains.times - INPUT_TIME_GUARD, trains.offsets)


def node_ids(population: Any) -> np.ndarray:
    """NEST node ids of a PyNN population, indexable by local cell index.

    Read from PyNN's id array: ``NodeCollection.tolist()`` walks every node (~1 s per 88k).
    """
    return np.asarray(population.all_cells, dtype=np.int64)


def connect_lists(
    pre: Any,
    post: Any,
    pre_index: np.ndarray,
    post_index: np.ndarray,
    weight: np.ndarray,
    delay: np.ndarray,
) -> int:
    """One array ``nest.Connect``: row i is a static synapse pre_index[i] -> post_index[i].

    Weights and delays are in NEST's units, one per row (a repeated row is its own synapse).
    """
    import_nest().Connect(
        node_ids(pre)[pre_index],
        node_ids(post)[post_index],
        conn_spec="one_to_one",
        syn_spec={"synapse_model": "static_synapse", "weight": weight, "delay": delay},
    )
    return int(len(pre_index))


def nest_weights(rows: ConnectionList, post: CellGroup) -> np.ndarray:
    """One weight per row in NEST's units, negative onto the inhibitory receptor."""
    weights = rows.weights() * TO_NEST_WEIGHT[post.model]
    return -weights if rows.receptor == "inhibitory" else weights


def connect(
    sim: ModuleType, pre: Any, post: Any, rows: ConnectionList, post_group: CellGroup
) -> int:
    """Wire ``rows`` with one array ``nest.Connect`` (the ``connect`` of :func:`~cerebrepro.backends.pynn.build_network`)."""
    return connect_lists(
        pre,
        post,
        rows.pre_index,
        rows.post_index,
        nest_weights(rows, post_group),
        np.array(rows.delays()),
    )
