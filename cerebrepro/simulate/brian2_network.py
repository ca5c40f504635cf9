"""A network of the model's cell types as Brian2 objects, generated for the C++ standalone device.

One group per population (the source population is a spike generator), one ``Synapses``
object per projection wired from connection rows (a repeated pair is two synapses), a
spike monitor per population and a state monitor per recorded subset. Every number of
the model is a run-time value (``Brian2Network.values``), so the generated code depends
only on the structure: population sizes, connection rows, recorded cells, method,
timestep and duration.

``scaffold_wiring`` describes the cerebellum network of a scaffold; other studies (e.g.
single cells, :mod:`cerebrepro.simulate.brian2_accuracy`) describe their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cerebrepro.model.cerebellum import CELLS, POPULATIONS, PROJECTION_LIST, Projection
from cerebrepro.model.network import recorded_subset
from cerebrepro.scaffold.types import Connections, Scaffold
from cerebrepro.simulate.brian2_model import (
    SIGNALS,
    cell_group,
    cell_values,
    initial_values,
    synapse_group,
    synapse_values,
)
from cerebrepro.simulate.brian2_stimulus import load_stimulus_code, spike_generator

Wiring = Sequence[tuple[Projection, Connections]]


@dataclass
class Brian2Network:
    """Generated Brian2 objects of one network, its run-time values and its structure."""

    sizes: dict[str, int]
    spike_monitors: dict[str, Any]
    state_monitors: dict[str, tuple[Any, np.ndarray]]  # population -> (monitor, recorded cells)
    synapses: dict[str, int]  # projection -> synapses wired
    values: dict[str, float] = field(default_factory=dict)  # "object.variable" -> SI value
    structure: dict[str, object] = field(default_factory=dict)  # what the generated code depends on
    source: str | None = None  # the population fed by the stimulus file


def rows_digest(pre: np.ndarray, post: np.ndarray) -> str:
    """sha256 of one projection's (pre, post) rows."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(pre, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(post, dtype="<i8").tobytes())
    return h.hexdigest()


def scaffold_wiring(scaffold: Scaffold) -> list[tuple[Projection, Connections]]:
    """The model's projections with their rows in ``scaffold`` (absent or empty ones left out)."""
    wiring = []
    for projection in PROJECTION_LIST:
        rows = scaffold.connections.get(projection.name)
        if rows is not None and len(rows):
            wiring.append((projection, rows))
    return wiring


def scaffold_recording(scaffold: Scaffold, mode: str) -> dict[str, np.ndarray]:
    """The cells whose v and conductances are recorded in each population (``recorded_subset``)."""
    return {name: recorded_subset(CELLS[name], scaffold.size(name), mode) for name in scaffold.sizes}


def generate_network(
    sizes: Mapping[str, int],
    wiring: Wiring,
    recorded: Mapping[str, np.ndarray],
    duration: float,
    dt: float,
    method: str,
) -> Brian2Network:
    """Create the network on the active standalone device and generate its run (ms units in).

    ``sizes`` maps population names (cell types of the model) to cell counts, in the
    model's population order; ``wiring`` lists projections with their rows; ``recorded``
    gives the cells whose signals are sampled every step. The device must be a fresh
    ``cpp_standalone`` device with its clock set to ``dt``; nothing is compiled or run here.
    """
    from brian2 import Network, SpikeMonitor, StateMonitor, device, ms

    sizes = {name: int(sizes[name]) for name in POPULATIONS if name in sizes}
    groups: dict[str, Any] = {}
    values: dict[str, float] = {}
    source = None
    for name, size in sizes.items():
        cell = CELLS[name]
        if size == 0:
            continue
        if cell.is_source:
            groups[name], source = spike_generator(name, size), name
        else:
            groups[name] = cell_group(name, size, method)
            values.update(cell_values(name, cell))
            values.update(initial_values(name, cell))

    synapse_objects, synapses, projections = [], {}, {}
    for projection, rows in wiring:
        if projection.pre not in groups or projection.post not in groups or len(rows) == 0:
            synapses[projection.name] = 0
            continue
        made = synapse_group(projection.name, groups[projection.pre], groups[projection.post], projection.receptor)
        made.connect(i=np.asarray(rows.pre, dtype=np.int32), j=np.asarray(rows.post, dtype=np.int32))
        synapse_objects.append(made)
        synapses[projection.name] = len(rows)
        values.update(synapse_values(projection.name, projection))
        projections[projection.name] = [projection.pre, projection.post, projection.receptor, rows_digest(rows.pre, rows.post)]

    spike_monitors = {name: SpikeMonitor(group, name=f"{name}_spikes") for name, group in groups.items()}
    state_monitors = {}
    for name, group in groups.items():
        cells = np.asarray(recorded.get(name, ()), dtype=np.int64)
        if cells.size and not CELLS[name].is_source:
            variables = [variable for variable, _ in SIGNALS.values()]
            monitor = StateMonitor(group, variables, record=cells, when="end", name=f"{name}_signals")
            state_monitors[name] = (monitor, cells)

    device.apply_run_args()  # the run-time values are set here, before the network runs
    if source is not None:
        device.insert_code("before_network_run", load_stimulus_code(device, groups[source], dt * 1e-3))
    network = Network(
        *groups.values(),
        *synapse_objects,
        *spike_monitors.values(),
        *(monitor for monitor, _ in state_monitors.values()),
    )
    network.run(duration * ms, namespace={})
    structure = {
        "sizes": sizes,
        "projections": projections,
        "recorded": {name: rows_digest(cells, cells) for name, (_, cells) in state_monitors.items()},
        "method": method,
        "timestep_ms": dt,
        "steps": int(round(duration / dt)),
    }
    return Brian2Network(sizes, spike_monitors, state_monitors, synapses, values, structure, source)
