"""The NEST backend: PyNN populations, array wiring under them, direct NEST recorders.

Wiring: PyNN's FromListConnector makes ~70k synapses/s; NEST's array connect
(``nest.Connect(pre_ids, post_ids, "one_to_one", syn_spec=arrays)``) makes millions per
second. The populations stay PyNN populations, so PyNN's view of the cells is intact; the
connection lists are passed to NEST in the units and signs PyNN would use (uS -> nS, an
inhibitory conductance as a negative weight for ``iaf_cond_exp``).

Recording: one ``spike_recorder`` for every population and one ``multimeter`` per recorded
subset, read back as arrays (no per-cell neo objects, no per-cell recorders).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.model.cerebellum import CELLS, Projection
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.scaffold.types import Connections
from cerebrepro.simulate import mpi

os.environ.setdefault("PYNEST_QUIET", "1")

NAME = "nest"
NEST_SIGNALS = {"v": ("V_m", 1.0), "gsyn_exc": ("g_ex", 1e-3), "gsyn_inh": ("g_in", 1e-3)}  # nS -> uS


def setup(timestep: float, threads: int, seed: int) -> ModuleType:
    """Reset NEST and set it up through PyNN (spikes on the grid, fixed seed and threads)."""
    refuse_launcher_without_mpi()
    import pyNN.nest as sim

    # NEST 3.10 deprecation notices about PyNN 0.13's calls; nothing a user can act on.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"nest\.lib\.hl_api_helper")
    sim.setup(
        timestep=timestep,
        min_delay=timestep,
        max_delay=20.0,
        spike_precision="on_grid",
        threads=threads,
        rng_seed=seed,
        verbosity="error",
    )
    return sim


# NEST's spike_generator moves a time that is not exactly on the grid to the next step, and
# PyNN subtracts min_delay (for the parrot neurons) in floating point: 68.4 - 0.1 is
# 68.30000000000001, which NEST delivers one step late. Handing NEST times a fraction of a
# microsecond below the grid makes every spike land on its own step.
INPUT_TIME_GUARD = 1e-4  # ms, a tenth of NEST's time tic


def nest_input(trains: SpikeTrains) -> SpikeTrains:
    """Spike trains on the timestep grid, shifted so that NEST delivers each on its own step."""
    return SpikeTrains(trains.times - INPUT_TIME_GUARD, trains.offsets)


def refuse_launcher_without_mpi() -> None:
    """Under mpirun, stop before importing a NEST that cannot use MPI (NEST would abort)."""
    import importlib.metadata

    try:
        importlib.metadata.version("nest-simulator")  # only the PyPI wheel registers itself
    except importlib.metadata.PackageNotFoundError:
        return
    mpi.check_simulator_processes(1)


def node_ids(population: Any) -> np.ndarray:
    """NEST node ids of a PyNN population, indexable by local cell index.

    Read from PyNN's id array: ``NodeCollection.tolist()`` walks every node (~1 s per 88k).
    """
    return np.asarray(population.all_cells, dtype=np.int64)


def connect_lists(
    pre: Any, post: Any, pre_index: np.ndarray, post_index: np.ndarray, weight: np.ndarray, delay: np.ndarray
) -> int:
    """One array ``nest.Connect``: row i is a static synapse pre_index[i] -> post_index[i].

    Weights and delays are in NEST's units, one per row (a repeated row is its own synapse).
    """
    import nest

    nest.Connect(
        node_ids(pre)[pre_index],
        node_ids(post)[post_index],
        conn_spec="one_to_one",
        syn_spec={"synapse_model": "static_synapse", "weight": weight, "delay": delay},
    )
    return int(len(pre_index))


def connect_arrays(sim: ModuleType, pre: Any, post: Any, rows: Connections, projection: Projection) -> int:
    """Wire ``rows`` with one array ``nest.Connect`` call (every row its own synapse)."""
    sign = -1.0 if projection.receptor == "inhibitory" else 1.0
    n = len(rows)
    weight = np.full(n, sign * projection.weight * 1000.0)  # uS -> nS; the sign selects g_in
    return connect_lists(pre, post, rows.pre, rows.post, weight, np.full(n, projection.delay))


@dataclass
class Recorders:
    """NEST devices recording one network, and the events already moved out of NEST.

    ``drain()`` moves the recorded events into compact numpy buffers and clears NEST's
    own storage, so a long run holds one chunk of events inside NEST at a time.
    """

    spikes: Any
    id_ranges: dict[str, tuple[int, int]]  # population -> (first node id, size)
    multimeters: dict[str, tuple[Any, np.ndarray]] = field(default_factory=dict)
    interval: float = 0.1
    spike_parts: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (senders, times)
    analog_parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def drain(self) -> None:
        """Move every event recorded so far from NEST into this object's buffers."""
        events = self.spikes.get("events")
        if len(events["times"]):
            self.spike_parts.append(
                (np.asarray(events["senders"], dtype=np.int64), np.asarray(events["times"], dtype=np.float64))
            )
        self.spikes.n_events = 0
        for name, (meter, cells) in self.multimeters.items():
            events = meter.get("events")
            if not len(events["times"]):
                continue
            first = self.id_ranges[name][0]
            steps = np.round(np.asarray(events["times"]) / self.interval).astype(np.int32)
            columns = np.searchsorted(cells, np.asarray(events["senders"]) - first).astype(np.int32)
            values = np.column_stack(
                [np.asarray(events[nest_name], dtype=np.float32) * scale for nest_name, scale in NEST_SIGNALS.values()]
            )
            self.analog_parts.setdefault(name, []).append((steps, columns, values))
            meter.n_events = 0


def record(populations: dict[str, Any], subsets: dict[str, np.ndarray], interval: float) -> Recorders:
    """All spikes of every population; v and conductances of each population's subset."""
    import nest

    spike_recorder = nest.Create("spike_recorder")
    id_ranges = {}
    for name, population in populations.items():
        ids = node_ids(population)
        if ids.size and not np.array_equal(ids, np.arange(ids[0], ids[0] + ids.size)):
            raise RuntimeError(f"NEST node ids of {name} are not contiguous")
        id_ranges[name] = (int(ids[0]) if ids.size else 0, int(ids.size))
        # NEST stores each neuron-to-device connection in its own block (~24 KB for
        # static_synapse_hom_w, ~31 KB for static_synapse): 2.1 GB for 88k granule cells.
        # Connecting the NodeCollection with static_synapse_hom_w takes 0.02 s for 88k
        # cells (arrays: 3.5 s; static_synapse: 4 s).
        nest.Connect(population.node_collection, spike_recorder, syn_spec={"synapse_model": "static_synapse_hom_w"})
    recorders = Recorders(spike_recorder, id_ranges, interval=interval)
    for name, cells in subsets.items():
        if cells.size == 0:
            continue
        meter = nest.Create(
            "multimeter", params={"interval": interval, "record_from": [s for s, _ in NEST_SIGNALS.values()]}
        )
        nest.Connect(meter, nest.NodeCollection(node_ids(populations[name])[cells].tolist()))
        recorders.multimeters[name] = (meter, cells)
    return recorders


def run(
    sim: ModuleType,
    duration: float,
    chunk: float,
    on_chunk: Callable[[float], None] | None = None,
    recorders: Recorders | None = None,
) -> None:
    """Advance the simulation to ``duration`` ms in chunks, draining recorders after each."""
    t = 0.0
    while t < duration - 1e-9:
        step = min(chunk, duration - t)
        sim.run(step)
        t += step
        if recorders is not None:
            recorders.drain()
        if on_chunk is not None:
            on_chunk(t)


def collect_spikes(recorders: Recorders, duration: float) -> dict[str, PopulationSpikes]:
    """Spikes per population as (time, local cell) arrays, sorted by time then cell.

    Under MPI every rank records its own neurons; rank 0 receives all of them.
    """
    recorders.drain()
    parts = recorders.spike_parts or [(np.zeros(0, np.int64), np.zeros(0))]
    senders, times = mpi.gather_concatenated(
        np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    )
    keep = times < duration - 1e-9
    senders, times = senders[keep], times[keep]
    out = {}
    for name, (first, size) in recorders.id_ranges.items():
        mine = (senders >= first) & (senders < first + size)
        t, c = times[mine], senders[mine] - first
        order = np.lexsort((c, t))
        out[name] = PopulationSpikes(size, t[order], c[order])
    return out


def collect_analog(recorders: Recorders, duration: float) -> dict[str, AnalogSignals]:
    """Sampled v (mV) and conductances (uS) as (samples x cells) float32 arrays.

    Sample k is taken at (k + 1) * interval, up to ``duration`` inclusive.
    """
    recorders.drain()
    n_samples = int(round(duration / recorders.interval))
    out = {}
    for name, (_, cells) in recorders.multimeters.items():
        parts = recorders.analog_parts.get(name) or [
            (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros((0, len(NEST_SIGNALS)), np.float32))
        ]
        steps, columns, values = mpi.gather_concatenated(
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )
        rows = steps.astype(np.int64) - 1
        keep = (rows >= 0) & (rows < n_samples)
        signals = {}
        for k, signal in enumerate(NEST_SIGNALS):
            grid = np.full((n_samples, cells.size), np.nan, dtype=np.float32)
            grid[rows[keep], columns[keep]] = values[keep, k]
            signals[signal] = grid
        out[name] = AnalogSignals(cells, recorders.interval, signals)
    return out


def kernel_facts() -> dict[str, object]:
    """Threads, processes and build capabilities (MPI, OpenMP, GSL) of the NEST kernel."""
    import nest

    status = nest.GetKernelStatus()
    build = status.get("build_info", {})
    return {
        "version": build.get("version"),
        "local_num_threads": status.get("local_num_threads"),
        "num_processes": status.get("num_processes"),
        "mpi_rank": status.get("mpi_rank"),
        "have_mpi": build.get("have_mpi"),
        "have_threads": build.get("have_threads"),
        "threads_model": build.get("threads_model"),
        "have_gsl": build.get("have_gsl"),
    }


@dataclass
class Session:
    """A network built in NEST and its recorders."""

    sim: ModuleType
    network: Any
    recorders: Recorders
    threads: int

    @property
    def synapses(self) -> dict[str, int]:
        return self.network.synapses


def prepare(spec: Any, scaffold: Any, trains: Any, events: Any = None) -> Session:
    """Set NEST up and build the network with array wiring and bulk populations."""
    from cerebrepro.model.network import build_network, recorded_subset
    from cerebrepro.simulate.nest_population import population_class

    sim = setup(spec.timestep, spec.threads, spec.kernel_seed)
    import nest

    mpi.check_simulator_processes(nest.NumProcesses())
    network = build_network(
        sim,
        scaffold,
        nest_input(trains),
        connect=connect_arrays,
        population_class=population_class(),
        on_projection=(lambda name: events.phase(f"wired {name}")) if events else None,
    )
    subsets = {name: recorded_subset(CELLS[name], scaffold.size(name), spec.record_v) for name in network.populations}
    recorders = record(network.populations, subsets, spec.timestep)
    return Session(sim, network, recorders, spec.threads)


def simulate(session: Session, duration: float, on_time: Callable[[float], None] | None = None) -> None:
    """Run the built network for ``duration`` ms in chunks of 10 ms."""
    run(session.sim, duration, chunk=10.0, on_chunk=on_time, recorders=session.recorders)


def collect(session: Session, duration: float) -> tuple[dict, dict, dict]:
    """Spikes, analog signals and kernel facts; then end the PyNN session."""
    spikes = collect_spikes(session.recorders, duration)
    analog = collect_analog(session.recorders, duration)
    facts = {"name": NAME, "neuron_order": "default", **kernel_facts()}
    session.sim.end()
    return spikes, analog, facts
