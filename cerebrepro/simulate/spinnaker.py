"""The SpiNNaker backend: the model's network through sPyNNaker 7.4.1 (``pyNN.spiNNaker``).

The network is the one every backend builds (:func:`cerebrepro.model.network.build_network`,
PyNN's ``FromListConnector``), on a scaffold whose cells are renumbered into the chosen
neuron order (:mod:`cerebrepro.simulate.ordering`; ``grid`` by default, as in the paper),
so that cell ``k`` of a sPyNNaker population is scaffold cell ``order[k]``. Recorded indices
are mapped back, so results are in scaffold-local indices like NEST's.

Settings of the paper: dt 0.1 ms, time scale factor 1000, 64 neurons per core (purkinje 1),
spike sources 64 per core, and neurons and synapses on the same core
(``synapse_cores=0``; sPyNNaker 7 would otherwise add a synapse core per neuron core).

Options (``RunSpec.options``): ``neuron_order`` (default|grid|random), ``order_seed``,
``synapse_cores``, ``run_dir``, ``boards`` and the machine settings of
:mod:`cerebrepro.simulate.spinnaker_config` (``board``, ``spalloc``, ``virtual``,
``version``, ``time_scale_factor``). A virtual board maps the network only: it has no
spikes, so :func:`prepare` refuses it; use :func:`map_network`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import (
    CELLS,
    NEURONS_PER_CORE,
    PROJECTION_LIST,
    RECORDED_SIGNALS,
    Projection,
)
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.scaffold.types import Connections, Scaffold
from cerebrepro.simulate.ordering import (
    NeuronOrder,
    choose_order,
    permute_scaffold,
    permute_trains,
    restore_analog,
    restore_spikes,
    simulator_indices,
)
from cerebrepro.simulate.spinnaker_config import (
    ENVIRONMENT,
    MachineSettings,
    RunDirectory,
    prepare_run_directory,
    resolve_settings,
    spinnaker_environment,
    spynnaker_version,
)
from cerebrepro.simulate.spinnaker_mapping import (
    VIRTUAL_NOTE,
    MappingReport,
    read_core_provenance,
    read_machine,
    read_placements,
    read_router_provenance,
    summarise_core_provenance,
    summarise_placements,
)

NAME = "spinnaker"
INSTALL_HINT = "pip install 'cerebrepro[spinnaker]' (sPyNNaker 1!7.4.1, which provides pyNN.spiNNaker)"
DEFAULT_NEURON_ORDER = "grid"
OPTION_KEYS = frozenset({"neuron_order", "order_seed", "synapse_cores", "run_dir", "boards", *ENVIRONMENT})

# Delay limits of sPyNNaker 7.4.1 (spynnaker.pyNN.utilities.constants.MAX_RING_BUFFER_BITS,
# DelayExtensionVertex.MAX_SLOTS): a core holds 2 ** (14 - atom bits - synapse type bits)
# delay slots; one delay extension adds 8 times that.
RING_BUFFER_BITS = 14
SYNAPSE_TYPE_BITS = 1  # excitatory and inhibitory
DELAY_EXTENSION_SLOTS = 8


@dataclass(frozen=True)
class SpinnakerOptions:
    """The backend's settings, from ``RunSpec.options``."""

    neuron_order: str = DEFAULT_NEURON_ORDER
    order_seed: int | None = None
    synapse_cores: int = 0  # 0: neurons and synapses share a core (as in the paper)
    run_dir: Path | None = None
    boards: int | None = None  # boards to ask spalloc for (None: sPyNNaker estimates)
    machine: dict[str, object] = field(default_factory=dict)  # keys of spinnaker_config.ENVIRONMENT

    @classmethod
    def from_mapping(cls, options: Mapping[str, object]) -> SpinnakerOptions:
        unknown = sorted(set(options) - OPTION_KEYS)
        if unknown:
            raise SimulatorError(
                f"unknown SpiNNaker option(s) {', '.join(unknown)}: known are {', '.join(sorted(OPTION_KEYS))}"
            )
        get = options.get
        return cls(
            neuron_order=str(get("neuron_order") or DEFAULT_NEURON_ORDER),
            order_seed=None if get("order_seed") is None else int(get("order_seed")),  # type: ignore[arg-type]
            synapse_cores=int(get("synapse_cores") or 0),  # type: ignore[arg-type]
            run_dir=None if get("run_dir") is None else Path(str(get("run_dir"))),
            boards=None if get("boards") is None else int(get("boards")),  # type: ignore[arg-type]
            machine={k: v for k, v in options.items() if k in ENVIRONMENT},
        )


def import_simulator() -> ModuleType:
    """``pyNN.spiNNaker``, or a clear error saying how to install it."""
    if importlib.util.find_spec("spynnaker") is None:
        raise SimulatorError(f"sPyNNaker is not installed: {INSTALL_HINT}")
    try:
        import pyNN.spiNNaker as sim
    except ImportError:
        import spynnaker.pyNN as sim
    return sim


def max_delay_steps(neurons_per_core: int, extensions: bool) -> int:
    """The longest delay (in time steps) a core of ``neurons_per_core`` neurons can hold."""
    atom_bits = 1 if neurons_per_core <= 1 else math.ceil(math.log2(neurons_per_core))
    slots = 2 ** (RING_BUFFER_BITS - atom_bits - SYNAPSE_TYPE_BITS)
    return slots * (1 + DELAY_EXTENSION_SLOTS) if extensions else slots


def check_delays(timestep: float, sizes: Mapping[str, int], projections: tuple[Projection, ...] = PROJECTION_LIST) -> None:
    """Refuse delays sPyNNaker cannot hold: off the time grid, below one step, or beyond the limit."""
    for projection in projections:
        steps = projection.delay / timestep
        if abs(steps - round(steps)) > 1e-6:
            raise SimulatorError(
                f"{projection.name}: delay {projection.delay} ms is not a multiple of the {timestep} ms time step"
            )
        if round(steps) < 1:
            raise SimulatorError(f"{projection.name}: delay {projection.delay} ms is below one time step ({timestep} ms)")
        per_core = min(NEURONS_PER_CORE[projection.post], max(1, sizes.get(projection.post, 1)))
        limit = max_delay_steps(per_core, extensions=True)
        if round(steps) > limit:
            raise SimulatorError(
                f"{projection.name}: delay {projection.delay} ms ({round(steps)} steps) exceeds what sPyNNaker 7.4.1 "
                f"holds onto {projection.post} ({per_core} neurons per core): "
                f"{max_delay_steps(per_core, False)} steps ({max_delay_steps(per_core, False) * timestep:g} ms) "
                f"on the core, {limit} steps ({limit * timestep:g} ms) with a delay extension"
            )


@contextlib.contextmanager
def translated_errors(settings: MachineSettings) -> Iterator[None]:
    """sPyNNaker's failures as one-line SimulatorErrors that say what to try."""
    from pacman.exceptions import PacmanException
    from spinn_front_end_common.utilities.exceptions import SpinnFrontEndException
    from spinn_machine.exceptions import SpinnMachineException
    from spinn_utilities.exceptions import SpiNNUtilsException
    from spinnman.exceptions import SpinnmanException
    from spynnaker.pyNN.exceptions import SpynnakerException

    where = settings.public()["address"] or "the virtual board"
    try:
        yield
    except SimulatorError:
        raise
    except (SpinnmanException, ConnectionError, TimeoutError) as exc:
        raise SimulatorError(
            f"no SpiNNaker machine reachable at {where} ({type(exc).__name__}: {exc}); check that it is "
            "powered and reachable, the --board / --spalloc setting and --machine-version, or map the "
            "network without hardware: cerebrepro spinnaker map"
        ) from exc
    except PacmanException as exc:
        raise SimulatorError(
            f"the network does not fit the machine ({type(exc).__name__}: {exc}); ask for a bigger "
            "machine (--spalloc with --boards N) or check the neurons-per-core settings"
        ) from exc
    except (SpynnakerException, SpinnFrontEndException, SpinnMachineException, SpiNNUtilsException) as exc:
        raise SimulatorError(f"sPyNNaker refused the run: {type(exc).__name__}: {exc}") from exc


def setup(sim: ModuleType, settings: MachineSettings, timestep: float, options: SpinnakerOptions) -> None:
    """``sim.setup`` with the paper's per-core limits (neurons, spike sources, synapse cores)."""
    factor = settings.time_scale_factor
    sim.setup(
        timestep=timestep,
        min_delay=timestep,
        time_scale_factor=int(factor) if float(factor).is_integer() else factor,
        n_boards_required=options.boards,
    )
    sim.set_number_of_neurons_per_core(sim.SpikeSourceArray, NEURONS_PER_CORE["glomerulus"])
    sim.set_number_of_neurons_per_core(sim.IF_cond_exp, NEURONS_PER_CORE["granule"])
    sim.set_number_of_synapse_cores(sim.IF_cond_exp, options.synapse_cores)


def limit_cores(populations: Mapping[str, Any]) -> None:
    """Each population's neurons per core (purkinje 1), refused if the model cannot hold that many."""
    for name, population in populations.items():
        try:
            population.set_max_atoms_per_core(NEURONS_PER_CORE[name])
        except Exception as exc:  # sPyNNaker's SpynnakerException names the model's limit
            raise SimulatorError(
                f"population {name}: {NEURONS_PER_CORE[name]} neurons per core is more than sPyNNaker allows: {exc}"
            ) from exc


class PlainSpikeTimes:
    """``pyNN.spiNNaker`` whose ``SpikeSourceArray`` takes PyNN ``Sequence`` spike times.

    The shared builder passes one ``pyNN.parameters.Sequence`` per source (what PyNN's
    NEST backend needs); sPyNNaker 7.4.1 wants plain arrays. Everything else is ``sim``.
    """

    def __init__(self, sim: ModuleType) -> None:
        self._sim = sim

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)

    def SpikeSourceArray(self, spike_times: Any = None, **parameters: Any) -> Any:  # PyNN's name
        times = [np.asarray(getattr(t, "value", t), dtype=np.float64) for t in (spike_times or [])]
        return self._sim.SpikeSourceArray(spike_times=times, **parameters)


@dataclass
class Wiring:
    """The sPyNNaker projections made, by name (sPyNNaker cannot count synapses before a run)."""

    projections: dict[str, Any] = field(default_factory=dict)

    def connect(self, sim: ModuleType, pre: Any, post: Any, rows: Connections, projection: Projection) -> int:
        from cerebrepro.model.network import connect_from_list

        self.projections[projection.name] = connect_from_list(sim, pre, post, rows, projection)
        return len(rows)


@dataclass
class Session:
    """A network built in sPyNNaker, its neuron order, machine settings and run directory."""

    sim: ModuleType
    network: Any
    order: NeuronOrder
    settings: MachineSettings
    options: SpinnakerOptions
    run: RunDirectory
    sizes: dict[str, int]
    recorded: dict[str, np.ndarray]  # population -> simulator indices with v and conductances
    timestep: float
    ended: bool = False

    @property
    def synapses(self) -> dict[str, int]:
        return self.network.synapses


def default_run_dir() -> Path:
    """``spinnaker-runs/<UTC time>-<pid>`` under the working directory."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path.cwd() / "spinnaker-runs" / f"{stamp}-{os.getpid()}"


def build(
    spec: Any,
    scaffold: Scaffold,
    trains: Any,
    options: SpinnakerOptions,
    settings: MachineSettings,
    events: Any = None,
) -> Session:
    """Set sPyNNaker up in a run directory and build the ordered network (nothing runs yet)."""
    from cerebrepro.model.network import build_network, recorded_subset

    check_delays(spec.timestep, scaffold.sizes)
    sim = import_simulator()
    seed = options.order_seed if options.order_seed is not None else spec.kernel_seed
    order = choose_order(scaffold, options.neuron_order, seed)
    ordered = permute_scaffold(scaffold, order)
    ordered_trains = permute_trains(trains, order.orders["glomerulus"])
    run = prepare_run_directory(settings, options.run_dir or default_run_dir())
    with translated_errors(settings):
        with spinnaker_environment(run):
            setup(sim, settings, spec.timestep, options)
        wiring = Wiring()
        network = build_network(
            PlainSpikeTimes(sim),  # type: ignore[arg-type]
            ordered,
            ordered_trains,
            connect=wiring.connect,
            on_projection=(lambda name: events.phase(f"wired {name}")) if events else None,
        )
        network.projections = wiring.projections
        limit_cores(network.populations)
        subsets = {
            name: recorded_subset(CELLS[name], scaffold.size(name), spec.record_v) for name in network.populations
        }
        recorded = {n: c for n, c in simulator_indices(order, subsets).items() if c.size}
        for name, population in network.populations.items():
            population.record("spikes")
            if name in recorded:
                population[recorded[name]].record(list(RECORDED_SIGNALS))
    return Session(sim, network, order, settings, options, run, scaffold.sizes, recorded, spec.timestep)


def prepare(spec: Any, scaffold: Scaffold, trains: Any, events: Any = None) -> Session:
    """Build the network for a run on SpiNNaker hardware (a virtual board is refused)."""
    options = SpinnakerOptions.from_mapping(spec.options)
    settings = resolve_settings(options.machine)
    if settings.is_virtual:
        raise SimulatorError(
            f"{VIRTUAL_NOTE}: use `cerebrepro spinnaker map` for a mapping report, or name a board "
            "(--board HOST --machine-version N) or a spalloc server (--spalloc URL)"
        )
    return build(spec, scaffold, trains, options, settings, events)


def simulate(session: Session, duration: float, on_time: Callable[[float], None] | None = None) -> None:
    """Map, load and run the whole duration on the board in one go (no chunks: each would reload)."""
    with translated_errors(session.settings):
        session.sim.run(duration)
    if on_time is not None:
        on_time(duration)


def read_spikes(population: Any, size: int, duration: float) -> PopulationSpikes:
    """A population's spikes in the simulator's indices, before ``duration``."""
    data = np.asarray(population.spinnaker_get_data("spikes"), dtype=np.float64).reshape(-1, 2)
    keep = data[:, 1] < duration - 1e-9
    return PopulationSpikes(size, data[keep, 1], data[keep, 0].astype(np.int64))


def read_analog(population: Any, cells: np.ndarray, interval: float, n_samples: int) -> AnalogSignals:
    """v (mV) and conductances (uS) of the recorded simulator cells as (samples x cells) arrays."""
    signals = {}
    for signal in RECORDED_SIGNALS:
        triples = np.asarray(population.spinnaker_get_data(signal), dtype=np.float64).reshape(-1, 3)
        row = np.round(triples[:, 1] / interval).astype(np.int64)
        column = np.searchsorted(cells, triples[:, 0].astype(np.int64))
        keep = (row < n_samples) & (column < cells.size)
        grid = np.full((n_samples, cells.size), np.nan, dtype=np.float32)
        grid[row[keep], column[keep]] = triples[keep, 2]
        signals[signal] = grid
    return AnalogSignals(cells, interval, signals)


def backend_facts(
    session: Session, mapping: MappingReport | None, provenance: dict, routers: dict
) -> dict[str, object]:
    """What the provenance of a SpiNNaker result records besides the common fields."""
    return {
        "name": NAME,
        "neuron_order": session.order.mode,
        "order": session.order.provenance(),
        "time_scale_factor": session.settings.time_scale_factor,
        "machine_settings": session.settings.public(),
        "neurons_per_core": dict(NEURONS_PER_CORE),
        "synapse_cores": session.options.synapse_cores,
        "spynnaker": spynnaker_version(),
        "run_dir": str(session.run.path),
        "mapping": mapping.to_dict() if mapping else None,
        "core_provenance": provenance,
        "router_provenance": routers,
    }


def gather(session: Session, duration: float) -> tuple[dict, dict, dict]:
    """Read spikes and signals (in scaffold indices), mapping and provenance after a run."""
    with translated_errors(session.settings):
        populations = session.network.populations
        spikes = {
            name: restore_spikes(read_spikes(pop, session.sizes[name], duration), session.order.orders[name])
            for name, pop in populations.items()
        }
        n_samples = int(round(duration / session.timestep))
        analog = {
            name: restore_analog(
                read_analog(populations[name], cells, session.timestep, n_samples), session.order.orders[name]
            )
            for name, cells in session.recorded.items()
        }
        mapping = mapping_report(session)
        population_of_core = {(c.x, c.y, c.p): c.population for c in read_placements() if c.population}
        provenance = summarise_core_provenance(read_core_provenance(), population_of_core)
        routers = read_router_provenance()
    return spikes, analog, backend_facts(session, mapping, provenance, routers)


def collect(session: Session, duration: float) -> tuple[dict, dict, dict]:
    """Spikes, signals, mapping and per-core provenance of a board run; then end sPyNNaker."""
    try:
        if session.settings.is_virtual:
            raise SimulatorError(VIRTUAL_NOTE)
        return gather(session, duration)
    finally:
        end(session)


def mapping_report(session: Session) -> MappingReport:
    """Chips, cores and per-population core counts from the placements of the last run."""
    return summarise_placements(read_placements(), session.sizes, read_machine(session.settings.is_virtual))


def end(session: Session) -> None:
    """End the sPyNNaker session once (releases the board or the spalloc job)."""
    if not session.ended:
        session.ended = True
        session.sim.end()


def map_network(
    spec: Any, scaffold: Scaffold, trains: Any, options: SpinnakerOptions, events: Any = None
) -> MappingReport:
    """Map, place and route the network on a virtual board; no spikes, no result file."""
    settings = resolve_settings({**options.machine, "virtual": True, "board": None, "spalloc": None})
    started = time.perf_counter()
    session = build(spec, scaffold, trains, options, settings, events)
    built = time.perf_counter()
    try:
        if events:
            events.phase("map, place and route")
        with translated_errors(settings):
            session.sim.run(spec.duration)
            report = mapping_report(session)
    finally:
        end(session)
    report.facts.update(
        {
            "neuron_order": session.order.provenance(),
            "synapse_cores": options.synapse_cores,
            "n_synapses": int(sum(session.synapses.values())),
            "duration_ms": spec.duration,
            "timestep_ms": spec.timestep,
            "build_s": round(built - started, 3),
            "mapping_s": round(time.perf_counter() - built, 3),
            "run_dir": str(session.run.path),
        }
    )
    return report
