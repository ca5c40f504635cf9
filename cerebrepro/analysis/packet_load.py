"""SpiNNaker communication load: multicast packets per core and step, estimated from spikes.

What the paper measured is sPyNNaker's provenance counter MAX_SPIKES_IN_A_TICK of every
core: the most spike packets that arrived at that core in one 0.1 ms tick. This module
estimates the same count from the recorded spikes of any run (NEST, Brian2 or SpiNNaker)
and the scaffold's connectivity; it is an estimate, not the hardware counter.

Modelled:

- Partition: every population, spike sources (glomeruli) included, is cut into cores of
  ``NEURONS_PER_CORE`` consecutive neurons of a :class:`NeuronOrder` (64 per core, purkinje
  1; a population the model does not list, 64).
- Routing by source core: sPyNNaker's multicast keys name the source core, so a receiving
  core gets every spike of every source core that has at least one synapse (of any
  projection) onto any of its cells, whether or not the spiking cell has a target there.
- One packet per spike: a cell that spikes twice in one step sends two packets (the spike
  data decide). Projections from the same source core onto the same receiving core share
  the packet, unless the delay model sends them through different delay-extension stages.
- Delays, with S delay slots per core (``DELAY_SLOTS``): a synapse with delay d <= S
  steps is held in the receiving core's ring buffer, so its packet arrives in the step it
  was sent (the direct packet, sent only to cores with at least one such synapse from that
  source core). A synapse with d > S is served by stage k = ceil(d / S) - 1 of the source
  core's delay-extension core, which re-sends every spike of the source core k S steps
  later to every receiving core with at least one synapse of that stage: one packet per
  stage and source spike. ``spynnaker-2020`` (the paper's hardware runs) has S = 16
  (1.6 ms): the model's 2, 4 and 5 ms delays arrive 16, 32 and 48 steps after the spike.
  ``spynnaker-7.4`` has S = 128, so every model delay (at most 5 ms) arrives in the send step.
- Time: spikes are put on the grid as in :mod:`cerebrepro.analysis.steps`
  (``round(t / dt)``); a packet counts in the step it arrives; packets that would arrive
  after the last step of the run are not counted.

Not modelled: per-core synapse processing time, dropped or re-injected packets, router
or fabric latency (every packet arrives within its tick), the load of the delay-extension
cores themselves (only neuron cores are receiving cores), partitions constrained by other
resources than neurons per core, and the custom sPyNNaker of the paper (it changes the
spikes, not the routing). Delay-extension cores are assumed to have the same partition as
their source population (one per source core).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp

from cerebrepro.analysis.arrivals import DEFAULT_CHUNK_STEPS, ArrivalTerm, arrival_peak
from cerebrepro.analysis.connectivity import Afferent, afferents_by_population
from cerebrepro.analysis.steps import SpikeSteps, step_count
from cerebrepro.errors import CerebreproError, ResultError
from cerebrepro.model.cerebellum import NEURONS_PER_CORE, POPULATIONS
from cerebrepro.model.neuron_order import NeuronOrder
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold

DELAY_MODELS = ("spynnaker-2020", "spynnaker-7.4")
DEFAULT_DELAY_MODEL = "spynnaker-2020"  # the paper's hardware runs
DELAY_SLOTS: Mapping[str, int] = MappingProxyType({"spynnaker-2020": 16, "spynnaker-7.4": 128})
DEFAULT_CELLS_PER_CORE = 64


class DelayModelError(CerebreproError):
    """A delay model this estimator does not know."""


@dataclass(frozen=True)
class PacketLoad:
    """Packets received per core and step by the cores of one population (one order, one delay model)."""

    per_core_peak: np.ndarray  # int64, (n_cores,): each core's most packets in one step
    peak: int
    core: int  # -1 when nothing arrives
    step: int  # the arrival step; -1 when nothing arrives
    total: int


@dataclass(frozen=True)
class Route:
    """One packet stream into a population: every spike of ``pre``'s source cores, ``shift`` steps later."""

    pre: str
    shift: int
    matrix: sp.csr_array  # 0/1, (receiving cores x source cores)


def cells_per_core(population: str) -> int:
    """Neurons per core of a population on SpiNNaker."""
    return NEURONS_PER_CORE.get(population, DEFAULT_CELLS_PER_CORE)


def cores_of_cells(order: np.ndarray, per_core: int) -> np.ndarray:
    """The core index of every cell when the cells of ``order`` fill cores in turn."""
    order = np.asarray(order, dtype=np.int64)
    core = np.empty(order.size, dtype=np.int64)
    core[order] = np.arange(order.size, dtype=np.int64) // per_core
    return core


def delay_slots(delay_model: str) -> int:
    """The delay slots per core of a delay model; raises DelayModelError for an unknown one."""
    if delay_model not in DELAY_SLOTS:
        raise DelayModelError(
            f"unknown delay model {delay_model!r}; choose one of {', '.join(DELAY_MODELS)}"
        )
    return DELAY_SLOTS[delay_model]


def delay_stage(delay_steps: int, slots: int) -> int:
    """0 when the receiving core holds the delay (d <= slots), else the stage ceil(d / slots) - 1."""
    return 0 if delay_steps <= slots else -(-delay_steps // slots) - 1


def core_adjacency(
    synapses: sp.csr_array, post_cores: np.ndarray, n_post: int, pre_cores: np.ndarray, n_pre: int
) -> sp.csr_array:
    """0/1 (receiving cores x source cores): 1 where at least one synapse joins the two cores."""
    coo = synapses.tocoo()
    data = np.ones(coo.nnz, dtype=np.int32)
    rows, columns = post_cores[coo.row], pre_cores[coo.col]
    matrix = sp.coo_array((data, (rows, columns)), shape=(n_post, n_pre)).tocsr()
    matrix.data[:] = 1
    return matrix


def routes(
    afferents: Sequence[Afferent], adjacency: Sequence[sp.csr_array], slots: int
) -> list[Route]:
    """The packet streams of one receiving population: per (pre population, stage), the union
    of the core adjacencies of its projections (``adjacency[i]`` belongs to ``afferents[i]``)."""
    merged: dict[tuple[str, int], sp.csr_array] = {}
    for afferent, matrix in zip(afferents, adjacency, strict=True):
        key = (afferent.pre, delay_stage(afferent.delay_steps, slots))
        merged[key] = matrix if key not in merged else merged[key] + matrix
    result = []
    for (pre, stage), matrix in merged.items():
        matrix = sp.csr_array(matrix)
        matrix.data[:] = 1
        result.append(Route(pre, stage * slots, matrix))
    return result


def source_core_spikes(spikes: SpikeSteps, pre_cores: np.ndarray, n_cores: int) -> SpikeSteps:
    """The spikes of a population as spikes of its source cores: one entry per spike."""
    return SpikeSteps(pre_cores[spikes.cells], spikes.steps, n_cores, spikes.n_steps)


def packet_loads(
    afferents: Mapping[str, Sequence[Afferent]],
    spikes: Mapping[str, SpikeSteps],
    order: NeuronOrder,
    delay_models: Sequence[str] = DELAY_MODELS,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> dict[str, dict[str, PacketLoad]]:
    """Per delay model, per receiving population: its ``PacketLoad`` with the cores cut along ``order``.

    ``afferents`` by post population (``afferents_by_population``), ``spikes`` by
    population with every spike kept. The core adjacency of each projection is built once
    and shared by the delay models. Raises ResultError when an order does not fit a population.
    """
    slots = {model: delay_slots(model) for model in delay_models}
    pres = {a.pre for group in afferents.values() for a in group}
    cores = {name: _cores(name, order, spikes) for name in pres | set(afferents)}
    n_cores = {name: -(-spikes[name].size // cells_per_core(name)) for name in cores}
    source = {name: source_core_spikes(spikes[name], cores[name], n_cores[name]) for name in pres}
    n_steps = next(iter(spikes.values())).n_steps if spikes else 0
    loads: dict[str, dict[str, PacketLoad]] = {model: {} for model in delay_models}
    for post in _in_model_order(afferents):
        group = afferents[post]
        adjacency = [
            core_adjacency(a.synapses, cores[post], n_cores[post], cores[a.pre], n_cores[a.pre])
            for a in group
        ]
        for model in delay_models:
            terms = [
                ArrivalTerm(r.matrix, source[r.pre], r.shift)
                for r in routes(group, adjacency, slots[model])
            ]
            peak = arrival_peak(terms, n_cores[post], n_steps, chunk_steps)
            loads[model][post] = PacketLoad(
                peak.per_row_max, peak.peak, peak.row, peak.step, peak.total
            )
    return loads


def estimate_packet_load(
    result: RunResult,
    scaffold: Scaffold,
    order: NeuronOrder,
    delay_model: str = DEFAULT_DELAY_MODEL,
    chunk_steps: int = DEFAULT_CHUNK_STEPS,
) -> dict[str, PacketLoad]:
    """Per population that receives at least one projection: its packets per core and step."""
    delay_slots(delay_model)
    n_steps = step_count(result.duration, result.timestep)
    afferents = afferents_by_population(scaffold, result.sizes, result.timestep)
    spikes = {
        name: SpikeSteps.from_population(s, result.timestep, n_steps)
        for name, s in result.spikes.items()
    }
    return packet_loads(afferents, spikes, order, (delay_model,), chunk_steps)[delay_model]


def _cores(name: str, order: NeuronOrder, spikes: Mapping[str, SpikeSteps]) -> np.ndarray:
    if name not in order.orders:
        raise ResultError(f"the {order.mode} neuron order has no population {name}")
    cells = order.orders[name]
    if cells.size != spikes[name].size:
        raise ResultError(
            f"the {order.mode} neuron order has {cells.size} {name} cells, the run "
            f"{spikes[name].size}: is this the scaffold the run was made with?"
        )
    return cores_of_cells(cells, cells_per_core(name))


def _in_model_order(names: Mapping[str, object]) -> list[str]:
    return [p for p in POPULATIONS if p in names] + [p for p in names if p not in POPULATIONS]
