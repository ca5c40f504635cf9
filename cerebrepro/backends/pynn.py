"""A network description built through PyNN: the part the PyNN-based backends share.

The populations are always PyNN populations, so PyNN's view of the cells, its recording
and its parameter translation work on every PyNN backend. How connection lists are wired
is the backend's choice: PyNN's ``FromListConnector`` (portable, ~70k synapses/s on NEST)
or a faster array path of its own (see :mod:`cerebrepro.backends.nest`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription

# connect(sim, pre_population, post_population, rows, post_group) -> synapses made
ConnectFunction = Callable[[ModuleType, Any, Any, ConnectionList, CellGroup], int]


@dataclass
class PyNNNetwork:
    """The PyNN populations of one built network, the synapses wired and PyNN projections made."""

    sim: ModuleType
    populations: dict[str, Any]
    synapses: dict[str, int] = field(default_factory=dict)
    projections: dict[str, Any] = field(default_factory=dict)


def pynn_weights(rows: ConnectionList, post: CellGroup) -> np.ndarray:
    """Weights as PyNN takes them: negative onto the inhibitory receptor of current-based cells.

    (PyNN passes a current-based weight's sign on to the simulator; conductances stay positive.)
    """
    weights = rows.weights()
    if rows.receptor == "inhibitory" and post.model == "IF_curr_exp":
        return -weights
    return weights


def create_population(
    sim: ModuleType,
    group: CellGroup,
    population_class: type | None = None,
    times_as_sequences: bool = True,
    poisson_seed: int | None = None,
) -> Any:
    """One PyNN population of ``group``; membranes start at ``v_rest`` unless ``initial_v`` says otherwise.

    ``population_class`` (cells only) defaults to ``sim.Population``. Spike times go to
    PyNN as ``Sequence`` objects (what PyNN's NEST backend wants) or, with
    ``times_as_sequences=False``, as plain arrays (sPyNNaker). ``poisson_seed`` seeds a
    simulator's own Poisson sources where PyNN lets it (sPyNNaker).
    """
    parameters = dict(group.parameters)
    if group.model == "SpikeSourceArray":
        if group.spike_times is None:
            raise ValueError(f"population {group.name} needs spike times")
        times = group.spike_times.to_lists()
        if times_as_sequences:
            from pyNN.parameters import Sequence

            parameters["spike_times"] = [Sequence(t) for t in times]
        else:
            parameters["spike_times"] = times
    celltype = getattr(sim, group.model)(**parameters)
    if group.is_source:
        extra = {}
        if group.model == "SpikeSourcePoisson" and poisson_seed is not None:
            extra["additional_parameters"] = {"seed": poisson_seed}
        return sim.Population(group.size, celltype, label=group.name, **extra)
    made = (population_class or sim.Population)(
        group.size, celltype, initial_values={"v": parameters["v_rest"]}, label=group.name
    )
    if group.initial_v is not None:
        made.initialize(v=np.asarray(group.initial_v, dtype=np.float64))
    return made


def connect_from_list(
    sim: ModuleType, pre: Any, post: Any, rows: ConnectionList, post_group: CellGroup
) -> Any:
    """Wire ``rows`` through PyNN's FromListConnector; returns the PyNN projection."""
    table = np.column_stack(
        [rows.pre_index, rows.post_index, pynn_weights(rows, post_group), rows.delays()]
    )
    return sim.Projection(
        pre,
        post,
        sim.FromListConnector(table, column_names=["weight", "delay"]),
        synapse_type=sim.StaticSynapse(),
        receptor_type=rows.receptor,
        label=rows.name,
    )


def creation_order(network: NetworkDescription) -> list[CellGroup]:
    """Cells first, then spike sources (each in the description's order).

    On NEST, devices (spike generators) created between neuron populations make every
    later multi-threaded array Connect ~40x slower.
    """
    return sorted(network.groups, key=lambda group: group.is_source)


def build_network(
    sim: ModuleType,
    network: NetworkDescription,
    connect: ConnectFunction | None = None,
    population_class: type | None = None,
    times_as_sequences: bool = True,
    poisson_seed: int | None = None,
    on_projection: Callable[[str], None] | None = None,
) -> PyNNNetwork:
    """Create every group and wire every connection list in a set-up PyNN simulator.

    ``connect`` wires one list and returns its synapse count; without it every list goes
    through PyNN's FromListConnector. Nothing is recorded here.
    """
    created = {
        group.name: create_population(
            sim, group, population_class, times_as_sequences, poisson_seed
        )
        for group in creation_order(network)
    }
    built = PyNNNetwork(sim, {group.name: created[group.name] for group in network.groups})
    for rows in network.connections:
        post_group = network.group(rows.post)
        pre, post = built.populations[rows.pre], built.populations[rows.post]
        if len(rows) == 0:
            built.synapses[rows.name] = 0
        elif connect is None:
            made = connect_from_list(sim, pre, post, rows, post_group)
            built.projections[rows.name] = made
            built.synapses[rows.name] = len(rows)
        else:
            built.synapses[rows.name] = connect(sim, pre, post, rows, post_group)
        if on_projection is not None:
            on_projection(rows.name)
    return built
