"""Packet loads of every receiving population in both neuron orders and every delay model (figure 8)."""

from __future__ import annotations

from collections.abc import Sequence

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS
from cerebrepro.analysis.connectivity import afferents_by_population
from cerebrepro.analysis.packet_load import DELAY_MODELS, PacketLoad
from cerebrepro.analysis.run import ORDER_MODES, check_scaffold_fits, packet_loads_by_model
from cerebrepro.analysis.steps import SpikeSteps, step_count
from cerebrepro.figures.style import display_order
from cerebrepro.model.neuron_order import neuron_order
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold


def packet_loads_of_run(
    result: RunResult,
    scaffold: Scaffold,
    delay_models: Sequence[str] = DELAY_MODELS,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> dict[str, dict[str, dict[str, PacketLoad]]]:
    """``[delay model][population][order]``: the estimated packet load in the default and grid order."""
    check_scaffold_fits(result, scaffold)
    n_steps = step_count(result.duration, result.timestep)
    afferents = afferents_by_population(scaffold, result.sizes, result.timestep)
    spikes = {
        name: SpikeSteps.from_population(s, result.timestep, n_steps)
        for name, s in result.spikes.items()
    }
    orders = {mode: neuron_order(scaffold.positions, mode) for mode in ORDER_MODES}
    loads = packet_loads_by_model(afferents, spikes, orders, delay_models, chunk_steps)
    return {
        model: {name: loads[model][name] for name in display_order(afferents)} for model in loads
    }
