"""Core loads of every receiving population in both neuron orders, for figures 7 and 8."""

from __future__ import annotations

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS
from cerebrepro.analysis.connectivity import afferents_by_population
from cerebrepro.analysis.core_load import CoreLoad
from cerebrepro.analysis.run import check_scaffold_fits, population_core_loads
from cerebrepro.analysis.steps import SpikeSteps, step_count
from cerebrepro.figures.style import display_order
from cerebrepro.model.neuron_order import neuron_order
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold


def ordered_core_loads(
    result: RunResult, scaffold: Scaffold, chunk_steps: int = DEFAULT_CHUNK_STEPS
) -> dict[str, dict[str, CoreLoad]]:
    """Per population with afferents, its ``CoreLoad`` in the default and in the grid order."""
    check_scaffold_fits(result, scaffold)
    n_steps = step_count(result.duration, result.timestep)
    afferents = afferents_by_population(scaffold, result.sizes, result.timestep)
    spikes = {
        name: SpikeSteps.from_population(s, result.timestep, n_steps).distinct()
        for name, s in result.spikes.items()
    }
    orders = {mode: neuron_order(scaffold.positions, mode) for mode in ("default", "grid")}
    return {
        name: population_core_loads(afferents[name], spikes, orders, n_steps, chunk_steps)
        for name in display_order(afferents)
    }
