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
        packet_load (likewise): {cells_per_core, n_cores,
                  spynnaker-2020|spynnaker-7.4: {default|grid: {peak, core, time,
                  total, n_cores, mean, std, median, p5, p95}, peak_reduction_percent}},
        presynaptic_neuron_load (likewise): {cells_per_core, n_cores, default|grid: {the
                  same keys}, peak_reduction_percent}}}
    packet_load (with a scaffold): {method, paper_delay_model, delay_models: {model:
                  description}, spynnaker-2020|spynnaker-7.4: {default|grid: {peak,
                  population, core, time}, peak_reduction_percent}, grid_order: {columns,
                  rows, column_axis, row_axis, ...}}

Conventions (details in each module's docstring): rates in Hz, times in ms; windows are
half-open and shifted by the population's input delay (``windows``); ``percent`` is of the
population size; a peak's ``time`` is the start of its step, for incoming spikes and
packets the step they arrive in (``incoming``, ``packet_load``), for pre-synaptic neurons
the step they spike (``presynaptic_load``); ties go to the earliest step, then the lowest
cell or core index; ``cell`` and ``core`` are population-local indices (cores counted
along the order); spike cell indices are the scaffold's population-local indices whatever
order the run used on SpiNNaker. The per-core statistics (mean ... p95) are over each
core's most packets (or neurons) in one step, ``total`` sums the counts over all cores and
steps; ``peak_reduction_percent`` is 100 (default - grid) / default: positive when the grid
order lowers the peak.

``packet_load`` estimates from the run's spikes what sPyNNaker's hardware counter
MAX_SPIKES_IN_A_TICK measures (``packet_load`` module: routing by source core, delay
extension stages of each delay model); it is not that counter. ``presynaptic_neuron_load``
counts only the distinct spiking pre-synaptic neurons with a target on a core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS
from cerebrepro.analysis.connectivity import Afferent, afferents_by_population
from cerebrepro.analysis.incoming import IncomingLoad, incoming_spikes
from cerebrepro.analysis.packet_load import (
    DEFAULT_DELAY_MODEL,
    DELAY_MODELS,
    DELAY_SLOTS,
    PacketLoad,
    cells_per_core,
    packet_loads,
)
from cerebrepro.analysis.peaks import peak_per_step, psth_peak
from cerebrepro.analysis.presynaptic_load import PresynapticNeuronLoad, presynaptic_neuron_load
from cerebrepro.analysis.rates import population_rate, population_window_rates
from cerebrepro.analysis.response import population_response, response_summary
from cerebrepro.analysis.serialize import to_plain
from cerebrepro.analysis.steps import SpikeSteps, step_count, step_time
from cerebrepro.analysis.summary import describe
from cerebrepro.analysis.windows import window_shift
from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import POPULATIONS, REFERENCE_PROTOCOL, Protocol
from cerebrepro.model.neuron_order import GridEdges, NeuronOrder, neuron_order
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.scaffold.types import Scaffold

ANALYSIS_SCHEMA = "cerebrepro.analysis/1"
PSTH_PEAK_BIN = 3.0  # ms
ORDER_MODES = ("default", "grid")
CORE_PERCENTILES = (5, 95)
PACKET_LOAD_METHOD = (
    "estimate from the run's spikes, not the hardware counter: per core and 0.1 ms step, "
    "the multicast packets sPyNNaker would deliver (MAX_SPIKES_IN_A_TICK is what the "
    "paper read from the hardware); routing by source core, one packet per spike, every "
    "population cut into cores of consecutive neurons of the order (64 per core, purkinje "
    "1); no synapse processing time, no dropped packets"
)
DELAY_MODEL_TEXT: Mapping[str, str] = {
    model: (
        f"{slots} delay slots per core: a delay of d <= {slots} steps is held on the receiving "
        "core, so its packet arrives in the step it is sent; a longer one goes through "
        f"delay-extension stage k = ceil(d / {slots}) - 1, whose packet arrives {slots} k "
        "steps after the spike"
    )
    for model, slots in DELAY_SLOTS.items()
}


def analyse_run(
    result: RunResult,
    scaffold: Scaffold | None,
    protocol: Protocol = REFERENCE_PROTOCOL,
    *,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> dict:
    """Statistics of ``result`` (see the module docstring for the layout).

    Without a scaffold the statistics that need connectivity (incoming spikes, packet load)
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
        stats["packet_load"] = add_connectivity_statistics(
            populations, result, scaffold, chunk_steps
        )
    return to_plain(stats)


def spiking_statistics(
    name: str, spikes: PopulationSpikes, timestep: float, duration: float, protocol: Protocol
) -> dict:
    """Window rates, response classes and peak activity of one population."""
    window_rates = population_window_rates(name, spikes, timestep, duration, protocol)
    windows, counts, rates = window_rates.windows, window_rates.counts, window_rates.rates
    n_steps = step_count(duration, timestep)
    steps = SpikeSteps.from_population(spikes, timestep, n_steps).steps
    response = population_response(name, window_rates, spikes.counts_per_cell())
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
    """Add incoming spikes and core loads to each post population; return the network packet load."""
    check_scaffold_fits(result, scaffold)
    n_steps = step_count(result.duration, result.timestep)
    afferents = afferents_by_population(scaffold, result.sizes, result.timestep)
    spikes = {
        name: SpikeSteps.from_population(s, result.timestep, n_steps)
        for name, s in result.spikes.items()
    }
    orders = {mode: neuron_order(scaffold.positions, mode) for mode in ORDER_MODES}
    packets = packet_loads_by_model(afferents, spikes, orders, DELAY_MODELS, chunk_steps)
    distinct = {name: s.distinct() for name, s in spikes.items()}  # one count per cell and step
    for name in ordered_populations(afferents):
        size = result.spikes[name].size
        populations[name]["incoming"] = {
            variant: incoming_summary(
                incoming_spikes(afferents[name], spikes, size, n_steps, delayed, chunk_steps),
                result.timestep,
            )
            for variant, delayed in (("delayed", True), ("undelayed", False))
        }
        populations[name]["packet_load"] = packet_load_summary(
            {model: packets[model][name] for model in DELAY_MODELS}, name, size, result.timestep
        )
        neurons = population_presynaptic_loads(
            afferents[name], distinct, orders, n_steps, chunk_steps
        )
        populations[name]["presynaptic_neuron_load"] = core_load_summary(
            neurons, name, size, result.timestep
        )
    return network_packet_load(packets, result.timestep, GridEdges.over(scaffold.positions))


def packet_loads_by_model(
    afferents: Mapping[str, list[Afferent]],
    spikes: Mapping[str, SpikeSteps],
    orders: Mapping[str, NeuronOrder],
    delay_models: Iterable[str],
    chunk_steps: int,
) -> dict[str, dict[str, dict[str, PacketLoad]]]:
    """``[delay model][population][order name]``: the packet load of every receiving population."""
    delay_models = tuple(delay_models)
    by_order = {
        mode: packet_loads(afferents, spikes, order, delay_models, chunk_steps)
        for mode, order in orders.items()
    }
    return {
        model: {
            name: {mode: by_order[mode][model][name] for mode in orders}
            for name in ordered_populations(afferents)
        }
        for model in delay_models
    }


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


def population_presynaptic_loads(
    afferents: list[Afferent],
    spikes: Mapping[str, SpikeSteps],
    orders: Mapping[str, NeuronOrder],
    n_steps: int,
    chunk_steps: int,
) -> dict[str, PresynapticNeuronLoad]:
    """Distinct pre-synaptic neurons per core of one post population in each of ``orders``."""
    post = afferents[0].post
    per_core = cells_per_core(post)
    return {
        name: presynaptic_neuron_load(
            afferents, spikes, order.orders[post], per_core, n_steps, chunk_steps
        )
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


def order_statistics(load: PacketLoad | PresynapticNeuronLoad, timestep: float) -> dict:
    """The peak of one population in one order, and the distribution of its per-core maxima."""
    spread = describe(load.per_core_peak, CORE_PERCENTILES)
    return {
        "peak": load.peak,
        "core": load.core,
        "time": step_time(load.step, timestep),
        "total": load.total,
        "n_cores": int(load.per_core_peak.size),
        **{key: spread[key] for key in ("mean", "std", "median", "p5", "p95")},
    }


def core_load_summary(
    loads: Mapping[str, PacketLoad | PresynapticNeuronLoad], name: str, size: int, timestep: float
) -> dict:
    """Per-order statistics of one population, and the peak reduction of grid against default."""
    per_core = cells_per_core(name)
    summary: dict = {"cells_per_core": per_core, "n_cores": -(-size // per_core)}
    summary.update({order: order_statistics(load, timestep) for order, load in loads.items()})
    summary["peak_reduction_percent"] = peak_reduction(loads["default"].peak, loads["grid"].peak)
    return summary


def packet_load_summary(
    loads: Mapping[str, Mapping[str, PacketLoad]], name: str, size: int, timestep: float
) -> dict:
    """Per delay model, the per-order packet statistics of one population (``core_load_summary``)."""
    per_core = cells_per_core(name)
    summary: dict = {"cells_per_core": per_core, "n_cores": -(-size // per_core)}
    for model, by_order in loads.items():
        model_summary = core_load_summary(by_order, name, size, timestep)
        summary[model] = {k: v for k, v in model_summary.items() if k not in summary}
    return summary


def network_core_load(
    loads: Mapping[str, Mapping[str, PacketLoad | PresynapticNeuronLoad]],
    timestep: float,
    edges: GridEdges | None = None,
) -> dict:
    """The most loaded core of the whole network per order, and the grid's peak reduction.

    ``loads[population][order]``; with ``edges`` the grid order's voxels are added.
    """
    network: dict = {}
    for order in ORDER_MODES:
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
    if edges is not None:
        network["grid_order"] = edges.describe()
    return network


def network_packet_load(
    packets: Mapping[str, Mapping[str, Mapping[str, PacketLoad]]], timestep: float, edges: GridEdges
) -> dict:
    """The network-wide packet load per delay model (``packets[model][population][order]``)."""
    network: dict = {
        "method": PACKET_LOAD_METHOD,
        "paper_delay_model": DEFAULT_DELAY_MODEL,
        "delay_models": {model: DELAY_MODEL_TEXT[model] for model in packets},
    }
    network.update({model: network_core_load(loads, timestep) for model, loads in packets.items()})
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
