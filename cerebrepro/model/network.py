"""The cerebellum network instantiated through PyNN, for any scaffold and any PyNN backend.

The populations are always PyNN populations (so PyNN's view of the network, recording and
parameter translation work on every backend). How connection lists are wired is a
backend's choice: PyNN's ``FromListConnector`` everywhere, or a backend's fast array path
(see :mod:`cerebrepro.simulate.nest`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import CELL_TYPES, PROJECTION_LIST, CellType, Projection
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.model.stimulus import check_stimulus_fits
from cerebrepro.scaffold.types import Connections, Scaffold

# connect(sim, pre_population, post_population, rows, projection) -> number of synapses made
ConnectFunction = Callable[[ModuleType, Any, Any, Connections, Projection], int]


@dataclass
class Network:
    """The PyNN populations of one instantiated network and what was wired."""

    sim: ModuleType
    populations: dict[str, Any]
    synapses: dict[str, int] = field(default_factory=dict)
    projections: dict[str, Any] = field(default_factory=dict)  # PyNN Projection objects, if any

    @property
    def n_synapses(self) -> int:
        return sum(self.synapses.values())


def create_population(
    sim: ModuleType, cell: CellType, size: int, trains: SpikeTrains | None = None, population_class: type | None = None
) -> Any:
    """One PyNN population of ``cell`` with the model's parameters; membranes start at v_rest.

    ``population_class`` defaults to ``sim.Population`` (a backend may pass a faster subclass).
    """
    if cell.is_source:
        if trains is None:
            raise SimulatorError(f"population {cell.name} needs spike trains")
        from pyNN.parameters import Sequence

        times = [Sequence(t) for t in trains.to_lists()]
        return sim.Population(size, sim.SpikeSourceArray(spike_times=times), label=cell.name)
    population_class = population_class or sim.Population
    celltype = getattr(sim, cell.model)(**cell.parameters)
    return population_class(size, celltype, initial_values={"v": cell.parameters["v_rest"]}, label=cell.name)


def connect_from_list(sim: ModuleType, pre: Any, post: Any, rows: Connections, projection: Projection) -> Any:
    """Wire ``rows`` through PyNN's FromListConnector (portable, ~70k synapses/s on NEST)."""
    conn_list = np.column_stack(
        [rows.pre, rows.post, np.full(len(rows), projection.weight), np.full(len(rows), projection.delay)]
    )
    return sim.Projection(
        pre,
        post,
        sim.FromListConnector(conn_list, column_names=["weight", "delay"]),
        synapse_type=sim.StaticSynapse(),
        receptor_type=projection.receptor,
        label=projection.name,
    )


def build_network(
    sim: ModuleType,
    scaffold: Scaffold,
    stimulus: SpikeTrains,
    connect: ConnectFunction | None = None,
    population_class: type | None = None,
    on_projection: Callable[[str], None] | None = None,
) -> Network:
    """Create the 7 populations and the 16 projections of the model from ``scaffold``.

    ``sim`` must already be set up. ``connect`` wires one projection and returns its synapse
    count; without it, every projection goes through PyNN's FromListConnector. Source
    populations are always plain ``sim.Population``; cells use ``population_class`` if given.
    """
    check_stimulus_fits(stimulus, scaffold.size("glomerulus"), "given")
    # Spike sources are created after the cells: on NEST, devices (spike generators) created
    # between neuron populations make every later multi-threaded array Connect ~40x slower.
    creation_order = sorted(CELL_TYPES, key=lambda cell: cell.is_source)
    created = {
        cell.name: create_population(
            sim,
            cell,
            scaffold.size(cell.name),
            stimulus if cell.is_source else None,
            None if cell.is_source else population_class,
        )
        for cell in creation_order
    }
    populations = {cell.name: created[cell.name] for cell in CELL_TYPES}
    network = Network(sim, populations)
    for projection in PROJECTION_LIST:
        rows = scaffold.connections.get(projection.name)
        if rows is None or len(rows) == 0:
            network.synapses[projection.name] = 0
            continue
        pre, post = populations[projection.pre], populations[projection.post]
        if connect is None:
            made = connect_from_list(sim, pre, post, rows, projection)
            network.projections[projection.name] = made
            network.synapses[projection.name] = int(made.size())
        else:
            network.synapses[projection.name] = connect(sim, pre, post, rows, projection)
        if on_projection is not None:
            on_projection(projection.name)
    return network


def recorded_subset(cell: CellType, size: int, mode: str) -> np.ndarray:
    """Local indices whose v and conductances are recorded: ``none``, ``subset`` (model.md) or ``all``."""
    if cell.is_source or mode == "none":
        return np.zeros(0, dtype=np.int64)
    if mode == "all":
        return np.arange(size, dtype=np.int64)
    if mode == "subset":
        return np.arange(0, size, cell.record_every, dtype=np.int64) if cell.record_every else np.zeros(0, np.int64)
    raise SimulatorError(f"unknown --record-v mode {mode!r}: use none, subset or all")
