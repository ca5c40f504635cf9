"""A network description as Brian2 objects, generated for the C++ standalone device.

One group per cell group (a ``SpikeSourceArray`` is a spike generator fed from a file at
run time), one ``Synapses`` object per connection list wired from its rows (a repeated
row is two synapses), a spike monitor per group and a state monitor per recorded subset.
Every number of the model is a run-time value (``Brian2Network.values`` and ``arrays``),
so the generated code depends only on the structure: group sizes and kinds, connection
rows and receptors, recorded cells, method, timestep and duration.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cerebrepro.backends.brian2.model import (
    SIGNALS,
    cell_group,
    cell_values,
    initial_potentials,
    initial_values,
    synapse_group,
    synapse_values,
)
from cerebrepro.backends.brian2.stimulus import load_stimulus_code, spike_generator
from cerebrepro.model.description import NetworkDescription


@dataclass
class Brian2Network:
    """Generated Brian2 objects of one network, its run-time values and its structure."""

    sizes: dict[str, int]
    spike_monitors: dict[str, Any]
    state_monitors: dict[str, tuple[Any, np.ndarray]]  # group -> (monitor, recorded cells)
    synapses: dict[str, int]  # connection list -> synapses wired
    values: dict[str, float] = field(default_factory=dict)  # "object.variable" -> SI value
    arrays: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # "object.variable" -> one SI value per cell
    structure: dict[str, object] = field(default_factory=dict)  # what the generated code depends on
    sources: tuple[str, ...] = ()  # the generator groups, each fed by its stimulus file


def rows_digest(pre: np.ndarray, post: np.ndarray) -> str:
    """sha256 of one connection list's (pre, post) rows."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(pre, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(post, dtype="<i8").tobytes())
    return h.hexdigest()


def generate_network(
    network: NetworkDescription, duration: float, dt: float, method: str
) -> Brian2Network:
    """Create ``network`` on the active standalone device and generate its run (ms units in).

    The description must have passed the backend's ``supports`` (IF_cond_exp cells,
    SpikeSourceArray sources, one weight and one delay per list). The device must be a
    fresh ``cpp_standalone`` device with its clock set to ``dt``; nothing is compiled or
    run here.
    """
    from brian2 import Network, SpikeMonitor, StateMonitor, device, ms

    sizes = network.sizes
    groups: dict[str, Any] = {}
    values: dict[str, float] = {}
    arrays: dict[str, np.ndarray] = {}
    for group in network.groups:
        if group.size == 0:
            continue
        if group.is_source:
            groups[group.name] = spike_generator(group.name, group.size)
            continue
        made = cell_group(group.name, group.size, method)
        groups[group.name] = made
        values.update(cell_values(group.name, group.parameters))
        if group.initial_v is None:
            values.update(initial_values(group.name, group.parameters))
        else:
            arrays[f"{group.name}.v"] = initial_potentials(group.initial_v).astype(
                made.variables["v"].dtype
            )
    sources = tuple(
        group.name for group in network.groups if group.is_source and group.name in groups
    )

    synapse_objects, synapses, lists = [], {}, {}
    for rows in network.connections:
        if rows.pre not in groups or rows.post not in groups or len(rows) == 0:
            synapses[rows.name] = 0
            continue
        made = synapse_group(rows.name, groups[rows.pre], groups[rows.post], rows.receptor)
        made.connect(
            i=np.asarray(rows.pre_index, dtype=np.int32),
            j=np.asarray(rows.post_index, dtype=np.int32),
        )
        synapse_objects.append(made)
        synapses[rows.name] = len(rows)
        values.update(synapse_values(rows.name, float(rows.weights()[0]), float(rows.delays()[0])))
        lists[rows.name] = [
            rows.pre,
            rows.post,
            rows.receptor,
            rows_digest(rows.pre_index, rows.post_index),
        ]

    spike_monitors = {
        name: SpikeMonitor(made, name=f"{name}_spikes") for name, made in groups.items()
    }
    state_monitors = {}
    for group in network.groups:
        cells = np.asarray(group.record_analog, dtype=np.int64)
        if cells.size and group.name in groups and not group.is_source:
            variables = [variable for variable, _ in SIGNALS.values()]
            monitor = StateMonitor(
                groups[group.name],
                variables,
                record=cells,
                when="end",
                name=f"{group.name}_signals",
            )
            state_monitors[group.name] = (monitor, cells)

    device.apply_run_args()  # the run-time values are set here, before the network runs
    for source in sources:
        device.insert_code(
            "before_network_run", load_stimulus_code(device, groups[source], dt * 1e-3)
        )
    made_network = Network(
        *groups.values(),
        *synapse_objects,
        *spike_monitors.values(),
        *(monitor for monitor, _ in state_monitors.values()),
    )
    made_network.run(duration * ms, namespace={})
    structure = {
        "sizes": {name: sizes[name] for name in groups},
        "sources": list(sources),
        "connections": lists,
        "recorded": {
            name: rows_digest(cells, cells) for name, (_, cells) in state_monitors.items()
        },
        "method": method,
        "timestep_ms": dt,
        "steps": int(round(duration / dt)),
    }
    return Brian2Network(
        sizes, spike_monitors, state_monitors, synapses, values, arrays, structure, sources
    )
