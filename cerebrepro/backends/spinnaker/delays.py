"""Which delays sPyNNaker 7.4.1 can hold, checked on a network description before any build.

A neuron core keeps incoming spikes in a ring buffer of ``2 ** 14`` slots
(``MAX_RING_BUFFER_BITS``), shared out between the bits of a core's atoms, its synapse
types and its delay: 64 neurons per core leave ``2 ** (14 - 6 - 1)`` = 128 delay steps.
A population receiving longer delays gets one delay extension per source population,
which adds 8 stages (``DelayExtensionVertex.MAX_SLOTS``) of the target's on-core delay
(capped at the next power of two above the longest delay the target receives). A
source's delay extension has one stage length, so all its delayed projections must
reach targets with the same one: the E-I network at a 0.1 ms step needs stages of 32
steps onto its excitatory cells (256 per core) and 64 onto its inhibitory ones (125),
which sPyNNaker refuses ("The delay per stage is already set to 32, and therefore 64
is not yet feasible"). At 1.0 ms every delay of that network fits on its core.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import CellGroup, NetworkDescription

# sPyNNaker 7.4.1: spynnaker.pyNN.utilities.constants.MAX_RING_BUFFER_BITS,
# DelayExtensionVertex.MAX_SLOTS, and the default neurons per core of its neuron models
# (abstract_pynn_neuron_model.DEFAULT_MAX_ATOMS_PER_CORE = POP_TABLE_MAX_ROW_LENGTH).
RING_BUFFER_BITS = 14
SYNAPSE_TYPE_BITS = 1  # excitatory and inhibitory
DELAY_EXTENSION_SLOTS = 8
DEFAULT_NEURONS_PER_CORE = 256
GRID_TOLERANCE = 1e-6  # steps: how far off the time grid a delay may be (rounding of ms values)


def n_bits(n_values: int) -> int:
    """Bits sPyNNaker gives ``n_values`` values (its ``get_n_bits``: one value takes one bit)."""
    return 0 if n_values == 0 else 1 if n_values == 1 else int(math.ceil(math.log2(n_values)))


def neurons_per_core(group: CellGroup) -> int:
    """How many of ``group``'s cells one core holds: its cap (or sPyNNaker's default), at most its size."""
    cap = group.neurons_per_core or DEFAULT_NEURONS_PER_CORE
    return min(cap, max(1, group.size))


def max_delay_steps(neurons_per_core: int, extensions: bool) -> int:
    """The longest delay (time steps) a core of ``neurons_per_core`` neurons holds, or with a delay extension."""
    slots = 1 << (RING_BUFFER_BITS - n_bits(neurons_per_core) - SYNAPSE_TYPE_BITS)
    return slots * (1 + DELAY_EXTENSION_SLOTS) if extensions else slots


def delay_steps(network: NetworkDescription, timestep: float) -> dict[str, np.ndarray]:
    """Every list's delays in whole time steps; refused off the grid or below one step."""
    out = {}
    for rows in network.connections:
        if len(rows) == 0:
            continue
        steps = rows.delays() / timestep
        whole = np.round(steps)
        off = np.flatnonzero(np.abs(steps - whole) > GRID_TOLERANCE)
        if off.size:
            raise SimulatorError(
                f"{rows.name}: delay {rows.delays()[off[0]]:g} ms is not a multiple of the {timestep:g} ms time step"
            )
        if whole.min() < 1:
            raise SimulatorError(
                f"{rows.name}: delay {rows.delays().min():g} ms is below one time step ({timestep:g} ms)"
            )
        out[rows.name] = whole.astype(np.int64)
    return out


def check_delays(network: NetworkDescription, timestep: float) -> None:
    """Refuse delays sPyNNaker cannot hold: off the grid, below a step, too long, or needing mixed stages."""
    steps = delay_steps(network, timestep)
    longest_into: dict[str, int] = defaultdict(int)  # target -> longest delay it receives (steps)
    longest_pair: dict[tuple[str, str], int] = defaultdict(int)
    for rows in network.connections:
        if rows.name not in steps:
            continue
        longest = int(steps[rows.name].max())
        per_core = neurons_per_core(network.group(rows.post))
        limit = max_delay_steps(per_core, extensions=True)
        if longest > limit:
            on_core = max_delay_steps(per_core, extensions=False)
            raise SimulatorError(
                f"{rows.name}: delay {longest * timestep:g} ms ({longest} steps) exceeds what sPyNNaker 7.4.1 "
                f"holds onto {rows.post} ({per_core} neurons per core): {on_core} steps "
                f"({on_core * timestep:g} ms) on the core, {limit} steps ({limit * timestep:g} ms) with a "
                "delay extension"
            )
        longest_into[rows.post] = max(longest_into[rows.post], longest)
        longest_pair[rows.pre, rows.post] = max(longest_pair[rows.pre, rows.post], longest)
    # source -> target -> the delay-extension stage (steps) its delayed rows need
    stages: dict[str, dict[str, int]] = defaultdict(dict)
    for (pre, post), longest in longest_pair.items():
        stage = min(
            1 << n_bits(longest_into[post]),
            max_delay_steps(neurons_per_core(network.group(post)), False),
        )
        if longest > stage:
            stages[pre][post] = stage
    for pre, by_target in stages.items():
        if len(set(by_target.values())) > 1:
            ordered = sorted(by_target.items(), key=lambda item: item[1])
            (first, a), (second, b) = ordered[0], ordered[-1]
            raise SimulatorError(
                f"{pre}: at a {timestep:g} ms time step its delays onto {first} and {second} need delay-extension "
                f"stages of {a} and {b} steps, and sPyNNaker 7.4.1 gives a source one stage length; "
                f"{on_core_advice(network, timestep)}"
            )


def on_core_advice(network: NetworkDescription, timestep: float) -> str:
    """The shortest time step at which every delay fits on its target's core (no delay extension)."""
    shortest = timestep
    for rows in network.connections:
        if len(rows):
            slots = max_delay_steps(neurons_per_core(network.group(rows.post)), extensions=False)
            shortest = max(shortest, float(rows.delays().max()) / slots)
    return f"a time step of at least {shortest:g} ms puts every delay on its core"
