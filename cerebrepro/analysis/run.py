"""All statistics of one run: ``analyse_run`` builds the statistics dict the CLI prints and stores.

The dict holds plain Python data only (ints, floats, strings, None for undefined values):

    schema, label, timestep, duration, n_steps, connectivity (bool: scaffold statistics present)
    populations: {name: {
        size, n_spikes, window_shift,
        windows: {baseline|stimulus|post: {start, stop, n_spikes, rate, cell_rates: {mean, std,
                  median, max, p5, p25, p75, p95}}},
        response: {excited|inhibited: {count, percent, baseline_rate: {mean, std},
                   stimulus_rate: {mean, std}}},
        peak: {spikes, per_cell, time, psth_3ms: {rate, time}},
        incoming (with a scaffold, populations with afferents): {delayed|undelayed: {peak,
                  cell, time, total, per_cell_max: {...}, share_at_peak: {projection: fraction},
                  share_of_total: {projection: fraction}}},
        core_load (likewise): {cells_per_core, n_cores, default|grid: {peak, core, time,
                  total_packets, per_core_peak: {mean, std, median, max, p50, p95, p99}},
                  peak_reduction_percent}}}
    core_load (with a scaffold): {default|grid: {peak, population, core, time},
                                  peak_reduction_percent, grid_order: {columns, rows,
                                  column_axis, row_axis}}

Conventions (details in each module's docstring): rates in Hz, times in ms; windows are
half-open and shifted by the population's input delay (``windows``); ``percent`` is of the
population size; a peak's ``time`` is the start of its step, for incoming spikes the step
they arrive in (``incoming``), for core load the step packets are sent (``core_load``);
ties go to the earliest step, then the lowest cell or core index; ``cell`` and ``core``
are population-local indices (cores counted along the order); spike cell indices are the
scaffold's population-local indices whatever order the run used on SpiNNaker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS
from cerebrepro.analysis.connectivity import Afferent, afferents_by_population
from cerebrepro.analysis.core_load import CoreLoad, core_load
from cerebrepro.analysis.incoming import IncomingLoad, incoming_spikes
from cerebrepro.analysis.peaks import peak_per_step, psth_peak
from cerebrepro.analysis.rates import counts_to_rates, population_rate, window_counts
from cerebrepro.analysis.response import MIN_STIMULUS_SPIKES, classify_response, response_summary
from cerebrepro.analysis.serialize import to_plain
from cerebrepro.analysis.steps import SpikeSteps, step_count, step_time
from cerebrepro.analysis.summary import LOAD_PERCENTILES, describe
from cerebrepro.analysis.windows import EDGE_TOLERANCE, population_windows, window_shift
from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import (
    NEURONS_PER_CORE,
    POPULATIONS,
    REFERENCE_PROTOCOL,
    Protocol,
)
from cerebrepro.model.neuron_order import GridEdges, NeuronOrder, neuron_order
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.scaffold.types import Scaffold

ANALYSIS_SCHEMA = "cerebrepro.analysis/1"
DEFAULT_CELLS_PER_CORE = 64
PSTH_PEAK_BIN = 3.0  # ms


def analyse_run(
    result: RunResult,
    scaffold: Scaffold | None,
    protocol: Protocol = REFERENCE_PROTOCOL,
    *,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> dict:
    """Statistics of ``result`` (see the module docstring for the layout).

    Without a scaffold the statistics that need connectivity (incoming spikes, core load)
    are left out. Raises ResultError when the scaffold's populations do not match the run.
    """
    names = ordered_populations(result.spikes)
    populations = {
        name: spiking_statistics(
            name, result.spikes[name], result.timestep, result.duration, protocol
        )
        for name in names
    }
    stats: dict = {
        "schema": ANALYSIS_SCHEMA,
        "label": run_label(result, ""),
        "timestep": float(result.timestep),
        "duration": float(result.duration),
        "n_steps": step_count(result.duration, result.timestep),
        "connectivity": scaffold is not None,
        "populations": populations,
    }
    if scaffold is not None:
        stats["core_load"] = add_connectivity_statistics(populations, result, scaffold, chunk_steps)
    return to_plain(stats)


def spiking_statistics(
    name: str, spikes: PopulationSpikes, timestep: float, duration: float, protocol: Protocol
) -> dict:
    """Window rates, response classes and peak activity of one population."""
    tolerance = EDGE_TOLERANCE * timestep
    windows = population_windows(name, duration, protocol)
    counts = {
        w.name: window_counts(spikes.times, spikes.cells, spikes.size, w, tolerance)
        for w in windows
    }
    rates = {w.name: counts_to_rates(counts[w.name], w) for w in windows}
    n_steps = step_count(duration, timestep)
    steps = SpikeSteps.from_population(spikes, timestep, n_steps).steps
    response = classify_response(
        rates["baseline"],
        rates["stimulus"],
        spikes.counts_per_cell(),
        counts["stimulus"],
        MIN_STIMULUS_SPIKES.get(name, 0),
    )
    return {
        "size": spikes.size,
        "n_spikes": spikes.n_spikes,
        "window_shift": window_shift(name),
        "windows": {
            w.name: {
                "start": w.start,
                "stop": w.stop,
                "n_spikes": int(counts[w.name].sum()),
                "rate": population_rate(int(counts[w.name].sum()), spikes.size, w),
                "cell_rates": describe(rates[w.name]),
            }
            for w in windows
        },
        "response": response_summary(response, rates["baseline"], rates["stimulus"]),
        "peak": {
            **peak_per_step(steps, spikes.size, n_steps, timestep),
            "psth_3ms": psth_peak(spikes.times, spikes.size, PSTH_PEAK_BIN, duration),
        },
    }


def add_connectivity_statistics(
    populations: dict[str, dict], result: RunResult, scaffold: Scaffold, chunk_steps: int
) -> dict:
    """Add incoming spikes and core load to each post population; return the network core load."""
    check_scaffold_fits(result, scaffold)
    n_steps = step_count(result.duration, result.timestep)
    afferents = afferents_by_population(scaffold, result.sizes, result.timestep)
    spikes = {
        name: SpikeSteps.from_population(s, result.timestep, n_steps)
        for name, s in result.spikes.items()
    }
    distinct = {name: s.distinct() for name, s in spikes.items()}  # one packet per cell and step
    orders = {mode: neuron_order(scaffold.positions, mode) for mode in ("default", "grid")}
    loads: dict[str, dict[str, CoreLoad]] = {}
    for name in ordered_populations(afferents):
        size = result.spikes[name].size
        populations[name]["incoming"] = {
            variant: incoming_summary(
                incoming_spikes(afferents[name], spikes, size, n_steps, delayed, chunk_steps),
                result.timestep,
            )
            for variant, delayed in (("delayed", True), ("undelayed", False))
        }
        loads[name] = population_core_loads(afferents[name], distinct, orders, n_steps, chunk_steps)
        populations[name]["core_load"] = core_load_summary(loads[name], name, size, result.timestep)
    return network_core_load(loads, result.timestep, GridEdges.over(scaffold.positions))


def check_scaffold_fits(result: RunResult, scaffold: Scaffold) -> None:
    """Raise ResultError unless every population of the run has the scaffold's size."""
    mismatched = {
        name: (s.size, scaffold.size(name))
        for name, s in result.spikes.items()
        if name in scaffold.positions and scaffold.size(name) != s.size
    }
    missing = [name for name in result.spikes if name not in scaffold.positions]
    if mismatched or missing:
        details = [f"{name}: run {a} cells, scaffold {b}" for name, (a, b) in mismatched.items()]
        details += [f"{name}: not in the scaffold" for name in missing]
        raise ResultError("the scaffold does not match the run: " + "; ".join(details))


def population_core_loads(
    afferents: list[Afferent],
    spikes: Mapping[str, SpikeSteps],
    orders: Mapping[str, NeuronOrder],
    n_steps: int,
    chunk_steps: int,
) -> dict[str, CoreLoad]:
    """Core load of one post population in each of ``orders`` (by name)."""
    post = afferents[0].post
    cells_per_core = NEURONS_PER_CORE.get(post, DEFAULT_CELLS_PER_CORE)
    return {
        name: core_load(afferents, spikes, order.orders[post], cells_per_core, n_steps, chunk_steps)
        for name, order in orders.items()
    }


def incoming_summary(load: IncomingLoad, timestep: float) -> dict:
    """The incoming-spike statistics of one population and variant as plain data."""
    return {
        "peak": load.peak,
        "cell": load.cell,
        "time": step_time(load.step, timestep),
        "total": load.total,
        "per_cell_max": describe(load.per_cell_max),
        "share_at_peak": load.share_at_peak,
        "share_of_total": load.share_of_total,
    }


def core_load_summary(loads: Mapping[str, CoreLoad], name: str, size: int, timestep: float) -> dict:
    """Per-order core load of one population, and the peak reduction of grid against default."""
    cells_per_core = NEURONS_PER_CORE.get(name, DEFAULT_CELLS_PER_CORE)
    summary: dict = {"cells_per_core": cells_per_core, "n_cores": -(-size // cells_per_core)}
    for order, load in loads.items():
        summary[order] = {
            "peak": load.peak,
            "core": load.core,
            "time": step_time(load.step, timestep),
            "total_packets": load.total,
            "per_core_peak": describe(load.per_core_peak, LOAD_PERCENTILES),
        }
    summary["peak_reduction_percent"] = peak_reduction(loads["default"].peak, loads["grid"].peak)
    return summary


def network_core_load(
    loads: Mapping[str, Mapping[str, CoreLoad]], timestep: float, edges: GridEdges
) -> dict:
    """The most loaded core of the whole network per order, and the grid's peak reduction."""
    network: dict = {}
    for order in ("default", "grid"):
        name = max(loads, key=lambda p: loads[p][order].peak, default=None)
        load = loads[name][order] if name is not None else None
        network[order] = {
            "peak": load.peak if load else 0,
            "population": name,
            "core": load.core if load else -1,
            "time": step_time(load.step if load else -1, timestep),
        }
    network["peak_reduction_percent"] = peak_reduction(
        network["default"]["peak"], network["grid"]["peak"]
    )
    network["grid_order"] = edges.describe()
    return network


def peak_reduction(default_peak: int, grid_peak: int) -> float:
    """100 (default - grid) / default; NaN when the default peak is 0."""
    return 100.0 * (default_peak - grid_peak) / default_peak if default_peak else float("nan")


def ordered_populations(names: Iterable[str]) -> list[str]:
    """``names`` in the model's population order, unknown names last in their given order."""
    names = list(names)
    return [p for p in POPULATIONS if p in names] + [p for p in names if p not in POPULATIONS]


def run_label(result: RunResult, default: str) -> str:
    """A short name of the run: provenance 'label', else 'simulator', else ``default``."""
    return str(result.provenance.get("label") or result.provenance.get("simulator") or default)
