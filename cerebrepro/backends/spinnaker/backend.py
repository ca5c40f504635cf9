"""The SpiNNaker backend: a network description through sPyNNaker 7.4.1 (``pyNN.spiNNaker``).

The network is built by the shared PyNN builder (:mod:`cerebrepro.backends.pynn`,
PyNN's ``FromListConnector``) from a description whose cells are renumbered into the
chosen neuron order (:mod:`~cerebrepro.backends.spinnaker.ordering`; ``grid`` by
default, as in the paper), so that cell ``k`` of a sPyNNaker population is description
cell ``order[k]``. Recorded indices are mapped back, so results are in description
indices like every other backend's.

Settings of the paper: dt 0.1 ms, time scale factor 1000, the groups' own neurons per
core (the cerebellum's: 64, purkinje 1), and neurons and synapses on the same core
(``synapse_cores=0``; sPyNNaker 7 would otherwise add synapse cores below a 1 ms step).

The machine (:mod:`~cerebrepro.backends.spinnaker.config`) is a board, a spalloc server
or, with ``virtual``, a virtual board: the network is then mapped, placed and routed
without hardware, and ``collect`` returns the mapping instead of spikes.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from cerebrepro.backends.contract import (
    Availability,
    BackendOptions,
    Collected,
    Facts,
    Progress,
    SimulationSettings,
)
from cerebrepro.backends.pynn import PyNNNetwork, build_network
from cerebrepro.backends.spinnaker.config import (
    MachineSettings,
    RunDirectory,
    describe_settings,
    prepare_run_directory,
    resolve_settings,
    spinnaker_environment,
    spynnaker_version,
)
from cerebrepro.backends.spinnaker.delays import check_delays, on_core_advice
from cerebrepro.backends.spinnaker.mapping import (
    MappingReport,
    read_core_provenance,
    read_machine,
    read_placements,
    read_router_provenance,
    summarise_core_provenance,
    summarise_placements,
)
from cerebrepro.backends.spinnaker.options import SpinnakerOptions
from cerebrepro.backends.spinnaker.ordering import (
    NEURON_ORDERS,
    NeuronOrder,
    choose_order,
    order_positions,
    permute_network,
    restore_analog,
    restore_spikes,
)
from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import ANALOG_SIGNALS, SOURCE_MODELS, NetworkDescription
from cerebrepro.results.types import AnalogSignals, PopulationSpikes

NAME = "spinnaker"
INSTALL_HINT = (
    "pip install 'cerebrepro[spinnaker]' (sPyNNaker 1!7.4.1, which provides pyNN.spiNNaker)"
)
NEURON_MODELS: frozenset[str] = frozenset({"IF_cond_exp", "IF_curr_exp"})
MODELS: frozenset[str] = NEURON_MODELS | SOURCE_MODELS


def import_simulator() -> ModuleType:
    """``pyNN.spiNNaker``, or a clear error saying how to install it."""
    if importlib.util.find_spec("spynnaker") is None:
        raise SimulatorError(f"sPyNNaker is not installed: {INSTALL_HINT}")
    try:
        import pyNN.spiNNaker as sim
    except ImportError:
        import spynnaker.pyNN as sim
    return sim


def machine_settings(
    options: SpinnakerOptions, environ: Mapping[str, str] | None = None
) -> MachineSettings:
    """The machine a run uses; a virtual board is refused unless the options ask for one."""
    settings = resolve_settings(options.machine(), environ)
    if settings.is_virtual and not options.virtual:
        raise SimulatorError(
            f"the configured SpiNNaker machine is a virtual board ({settings.sources['target']}), which "
            "produces no spikes: ask for a mapping report with --virtual, or name a board "
            "(--board HOST --machine-version N) or a spalloc server (--spalloc URL)"
        )
    return settings


@contextlib.contextmanager
def translated_errors(settings: MachineSettings) -> Iterator[None]:
    """sPyNNaker's failures as one-line SimulatorErrors that say what to try."""
    from pacman.exceptions import PacmanException
    from spinn_front_end_common.utilities.exceptions import SpinnFrontEndException
    from spinn_machine.exceptions import SpinnMachineException
    from spinn_utilities.exceptions import SpiNNUtilsException
    from spinnman.exceptions import SpinnmanException
    from spynnaker.pyNN.exceptions import SpynnakerException

    where = settings.address or "the virtual board"
    try:
        yield
    except SimulatorError:
        raise
    except (SpinnmanException, ConnectionError, TimeoutError) as exc:
        raise SimulatorError(
            f"no SpiNNaker machine reachable at {where} ({type(exc).__name__}: {exc}); check that it is "
            "powered and reachable, the --board / --spalloc setting and --machine-version, or map the "
            "network without hardware: --virtual"
        ) from exc
    except PacmanException as exc:
        raise SimulatorError(
            f"the network does not fit the machine ({type(exc).__name__}: {exc}); ask for a bigger "
            "machine (--spalloc with --spalloc-boards N) or check the neurons-per-core settings"
        ) from exc
    except (
        SpynnakerException,
        SpinnFrontEndException,
        SpinnMachineException,
        SpiNNUtilsException,
    ) as exc:
        raise SimulatorError(f"sPyNNaker refused the run: {type(exc).__name__}: {exc}") from exc


def setup(
    sim: ModuleType,
    network: NetworkDescription,
    settings: MachineSettings,
    timestep: float,
    options: SpinnakerOptions,
) -> None:
    """``sim.setup`` on the machine, with the synapse cores of every neuron model the network uses.

    The number of synapse cores is a per-model setting that sPyNNaker takes only before
    the first population exists.
    """
    factor = settings.time_scale_factor
    sim.setup(
        timestep=timestep,
        min_delay=timestep,
        time_scale_factor=int(factor) if float(factor).is_integer() else factor,
        n_boards_required=options.spalloc_boards,
    )
    for model in sorted(network.models & NEURON_MODELS):
        sim.set_number_of_synapse_cores(getattr(sim, model), options.synapse_cores)


def limit_cores(populations: Mapping[str, Any], network: NetworkDescription) -> None:
    """Each group's neurons per core where it sets a cap, refused if the model cannot hold that many."""
    for group in network.groups:
        if group.neurons_per_core is None:
            continue
        try:
            populations[group.name].set_max_atoms_per_core(group.neurons_per_core)
        except Exception as exc:  # sPyNNaker's SpynnakerException names the model's limit
            raise SimulatorError(
                f"population {group.name}: {group.neurons_per_core} neurons per core is more than "
                f"sPyNNaker allows: {exc}"
            ) from exc


def record(populations: Mapping[str, Any], network: NetworkDescription) -> None:
    """Spikes of every cell; v and conductances of each group's ``record_analog`` cells."""
    for group in network.groups:
        population = populations[group.name]
        population.record("spikes")
        if group.record_analog.size:
            population[group.record_analog].record(list(ANALOG_SIGNALS))


@dataclass
class SpinnakerSession:
    """A network built in sPyNNaker: the description as built (in the neuron order), machine, run directory."""

    sim: ModuleType
    built: PyNNNetwork
    network: NetworkDescription  # as built: every group in ``order``
    order: NeuronOrder
    machine: MachineSettings
    options: SpinnakerOptions
    settings: SimulationSettings
    run: RunDirectory
    ended: bool = False

    @property
    def synapses(self) -> dict[str, int]:
        return self.built.synapses


def default_run_dir() -> Path:
    """``spinnaker-runs/<UTC time>-<pid>`` under the working directory."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path.cwd() / "spinnaker-runs" / f"{stamp}-{os.getpid()}"


def read_spikes(population: Any, size: int, duration: float) -> PopulationSpikes:
    """A population's spikes in the simulator's indices, before ``duration``."""
    data = np.asarray(population.spinnaker_get_data("spikes"), dtype=np.float64).reshape(-1, 2)
    keep = data[:, 1] < duration - 1e-9
    return PopulationSpikes(size, data[keep, 1], data[keep, 0].astype(np.int64))


def read_analog(
    population: Any, cells: np.ndarray, interval: float, n_samples: int
) -> AnalogSignals:
    """v (mV) and conductances (uS) of the recorded simulator cells as (samples x cells) arrays."""
    signals = {}
    for signal in ANALOG_SIGNALS:
        triples = np.asarray(population.spinnaker_get_data(signal), dtype=np.float64).reshape(-1, 3)
        row = np.round(triples[:, 1] / interval).astype(np.int64)
        column = np.searchsorted(cells, triples[:, 0].astype(np.int64))
        keep = (row < n_samples) & (column < cells.size)
        grid = np.full((n_samples, cells.size), np.nan, dtype=np.float32)
        grid[row[keep], column[keep]] = triples[keep, 2]
        signals[signal] = grid
    return AnalogSignals(cells, interval, signals)


def mapping_report(session: SpinnakerSession) -> MappingReport:
    """Chips, cores and per-population core counts from the placements of the last run."""
    network = session.network
    return summarise_placements(
        read_placements(),
        network.sizes,
        read_machine(session.machine.is_virtual),
        {group.name: group.neurons_per_core for group in network.groups},
    )


def run_facts(session: SpinnakerSession) -> Facts:
    """What provenance records of every SpiNNaker run, on a board or a virtual one."""
    return {
        "name": NAME,
        "spynnaker": spynnaker_version(),
        "neuron_order": session.order.mode,
        "order": {
            "mode": session.order.mode,
            "seed": session.order.seed,
            "sha256": session.order.digest(),
        },
        "time_scale_factor": session.machine.time_scale_factor,
        "machine_settings": session.machine.public(),
        "neurons_per_core": {
            group.name: group.neurons_per_core for group in session.network.groups
        },
        "synapse_cores": session.options.synapse_cores,
        "run_dir": str(session.run.path),
    }


def virtual_facts(session: SpinnakerSession, mapping: MappingReport) -> Facts:
    """The mapping report of a virtual board, as plain data (it has no spikes)."""
    return {
        **mapping.to_dict(),
        **run_facts(session),
        "n_synapses": int(sum(session.synapses.values())),
        "duration_ms": session.settings.duration,
        "timestep_ms": session.settings.timestep,
    }


def board_results(session: SpinnakerSession) -> Collected:
    """Spikes and signals (in description indices), mapping and per-core provenance of a board run."""
    populations = session.built.populations
    duration, timestep = session.settings.duration, session.settings.timestep
    orders = session.order.orders
    spikes = {
        group.name: restore_spikes(
            read_spikes(populations[group.name], group.size, duration), orders[group.name]
        )
        for group in session.network.groups
    }
    n_samples = session.settings.n_steps
    analog = {
        group.name: restore_analog(
            read_analog(populations[group.name], group.record_analog, timestep, n_samples),
            orders[group.name],
        )
        for group in session.network.groups
        if group.record_analog.size
    }
    mapping = mapping_report(session)
    population_of_core = {(c.x, c.y, c.p): c.population for c in read_placements() if c.population}
    names = [group.name for group in session.network.groups]
    facts: Facts = {
        **run_facts(session),
        "mapping": mapping.to_dict(),
        "core_provenance": summarise_core_provenance(
            read_core_provenance(), population_of_core, names
        ),
        "router_provenance": read_router_provenance(),
    }
    return Collected(spikes, analog, dict(session.synapses), {}, facts)


def end(session: SpinnakerSession) -> None:
    """End the sPyNNaker session once (releases the board or the spalloc job)."""
    if not session.ended:
        session.ended = True
        session.sim.end()


class SpinnakerBackend:
    """sPyNNaker 7.4.1 behind the backend contract: a board, a spalloc server or a virtual board."""

    name: ClassVar[str] = NAME
    options_type: ClassVar[type[BackendOptions]] = SpinnakerOptions

    def check(self) -> Availability:
        """Is sPyNNaker installed (without importing it)."""
        installed = importlib.util.find_spec("spynnaker") is not None
        return Availability(installed, spynnaker_version() if installed else None, INSTALL_HINT)

    def facts(self) -> Facts:
        """The machine settings a run would use now, and where each comes from (never raises)."""
        return describe_settings()

    def supports(
        self, network: NetworkDescription, settings: SimulationSettings, options: SpinnakerOptions
    ) -> None:
        """Refuse, before any build, what sPyNNaker cannot run or the options cannot place.

        Cell models, delays (:func:`~cerebrepro.backends.spinnaker.delays.check_delays`),
        positions for the grid order, and the machine (none configured, or a virtual
        board while ``virtual`` is off).
        """
        unknown = sorted(network.models - MODELS)
        if unknown:
            raise SimulatorError(
                f"sPyNNaker cannot simulate the cell model(s) {', '.join(unknown)} of {network.name}"
            )
        if options.neuron_order not in NEURON_ORDERS:
            raise SimulatorError(
                f"unknown neuron order {options.neuron_order!r}: choose one of {', '.join(NEURON_ORDERS)}"
            )
        check_delays(network, settings.timestep)
        order_positions(network, options.neuron_order)
        machine_settings(options)

    def prepare(
        self,
        network: NetworkDescription,
        settings: SimulationSettings,
        options: SpinnakerOptions,
        progress: Progress,
    ) -> SpinnakerSession:
        """Order the network, set sPyNNaker up in a run directory, build and record (nothing runs yet).

        Checks what :meth:`supports` checks first: a refused network starts no sPyNNaker.
        """
        self.supports(network, settings, options)
        machine = machine_settings(options)
        sim = import_simulator()
        seed = settings.seed if options.order_seed is None else options.order_seed
        order = choose_order(network, options.neuron_order, seed)
        ordered = permute_network(network, order)
        run = prepare_run_directory(
            machine, Path(options.run_dir) if options.run_dir else default_run_dir()
        )
        progress.phase(f"set up sPyNNaker in {run.path}")
        with translated_errors(machine):
            with spinnaker_environment(run):
                setup(sim, ordered, machine, settings.timestep, options)
            try:
                built = build_network(
                    sim,
                    ordered,
                    times_as_sequences=False,
                    poisson_seed=settings.seed,
                    on_projection=lambda name: progress.phase(f"wired {name}"),
                )
                limit_cores(built.populations, ordered)
                record(built.populations, ordered)
            except BaseException:
                with contextlib.suppress(Exception):
                    sim.end()
                raise
        return SpinnakerSession(sim, built, ordered, order, machine, options, settings, run)

    def simulate(self, session: SpinnakerSession, progress: Progress) -> None:
        """Map, load and run the whole duration in one go (no chunks: each would reload the board)."""
        from spynnaker.pyNN.exceptions import DelayExtensionException

        duration, timestep = session.settings.duration, session.settings.timestep
        progress.phase(
            "map, place and route on a virtual board"
            if session.machine.is_virtual
            else "run on the board"
        )
        try:
            with translated_errors(session.machine):
                try:
                    session.sim.run(duration)
                except DelayExtensionException as exc:
                    raise SimulatorError(
                        f"sPyNNaker cannot extend this network's delays at a {timestep:g} ms time step "
                        f"({exc}); {on_core_advice(session.network, timestep)}"
                    ) from exc
        except BaseException:
            end(session)  # a failed run has nothing to collect: release the board now
            raise
        progress.model_time(duration, duration)

    def collect(self, session: SpinnakerSession) -> Collected:
        """Spikes, signals, mapping and provenance (a virtual board: the mapping only); then end sPyNNaker."""
        try:
            with translated_errors(session.machine):
                if session.machine.is_virtual:
                    facts = virtual_facts(session, mapping_report(session))
                    return Collected(spikes=None, synapses=dict(session.synapses), facts=facts)
                return board_results(session)
        finally:
            end(session)
