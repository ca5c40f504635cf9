"""The NEST backend: PyNN populations, array wiring under them, direct NEST recorders.

``prepare`` sets NEST up through PyNN (spikes on the grid, one time step as the shortest
delay), creates the groups as PyNN populations (cells in bulk:
:mod:`~cerebrepro.backends.nest.populations`), wires every list with one array
``nest.Connect`` (:mod:`~cerebrepro.backends.nest.wiring`) and records every spike and each
group's analog subset (:mod:`~cerebrepro.backends.nest.recorders`). NEST keeps the
description's cell order, so indices need no mapping back.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from types import ModuleType
from typing import ClassVar

import numpy as np

from cerebrepro.backends import mpi
from cerebrepro.backends.contract import (
    Availability,
    BackendOptions,
    Collected,
    Facts,
    Progress,
    SimulationSettings,
)
from cerebrepro.backends.nest.kernel import MAX_DELAY, build_facts, import_nest, kernel_facts, setup
from cerebrepro.backends.nest.populations import population_class
from cerebrepro.backends.nest.recorders import (
    NEST_SIGNALS,
    Recorders,
    collect_analog,
    collect_spikes,
    record,
    run,
)
from cerebrepro.backends.nest.wiring import connect, nest_input
from cerebrepro.backends.pynn import PyNNNetwork, build_network
from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription

CHUNK = 10.0  # ms of model time between draining the recorders and reporting progress
BUILDS = frozenset({*NEST_SIGNALS, "SpikeSourceArray", "SpikeSourcePoisson"})


@dataclass(frozen=True)
class NestOptions(BackendOptions):
    """NEST's own settings: none today (threads and seed are every backend's settings)."""


@dataclass
class NestSession:
    """A network built in NEST, its recorders and the settings it runs with."""

    sim: ModuleType
    network: PyNNNetwork
    recorders: Recorders
    settings: SimulationSettings

    @property
    def synapses(self) -> dict[str, int]:
        return self.network.synapses


class NestBackend:
    """NEST 3 through PyNN 0.13 (see the module docstring)."""

    name: ClassVar[str] = "nest"
    options_type: ClassVar[type[BackendOptions]] = NestOptions

    def check(self) -> Availability:
        installed = all(importlib.util.find_spec(module) is not None for module in ("nest", "pyNN"))
        try:
            version: str | None = importlib.metadata.version("nest-simulator")
        except importlib.metadata.PackageNotFoundError:
            version = None  # a NEST built from source registers no distribution
        return Availability(installed, version, "make install (nest-simulator==3.10.0)")

    def facts(self) -> Facts:
        """NEST's version and build capabilities (imports NEST; builds no network)."""
        self.check().require(self.name)
        return build_facts()

    def supports(
        self, network: NetworkDescription, settings: SimulationSettings, options: NestOptions
    ) -> None:
        """Refuse cell models NEST is not given here, delays it cannot hold and inputs it would drop."""
        unknown = sorted({group.model for group in network.groups} - BUILDS)
        if unknown:
            raise SimulatorError(
                f"network {network.name}: the NEST backend cannot build {', '.join(unknown)} "
                f"(it builds {', '.join(sorted(BUILDS))})"
            )
        for rows in network.connections:
            check_delays(network.name, rows, settings.timestep)
        for group in network.groups:
            check_group(network.name, group, settings.timestep)

    def prepare(
        self,
        network: NetworkDescription,
        settings: SimulationSettings,
        options: NestOptions,
        progress: Progress,
    ) -> NestSession:
        """Set NEST up (seed, threads) and build and record ``network``."""
        self.supports(network, settings, options)
        sim = setup(settings.timestep, settings.threads, settings.seed)
        mpi.check_simulator_processes(import_nest().NumProcesses())
        built = build_network(
            sim,
            guarded_inputs(network),
            connect=connect,
            population_class=population_class(),
            on_projection=lambda name: progress.phase(f"wired {name}"),
        )
        cells = [group for group in network.groups if not group.is_source]
        recorders = record(
            built.populations,
            {group.name: group.record_analog for group in cells},
            {group.name: group.model for group in cells},
            settings.timestep,
        )
        return NestSession(sim, built, recorders, settings)

    def simulate(self, session: NestSession, progress: Progress) -> None:
        """Run for the settings' duration in chunks of :data:`CHUNK` ms, draining the recorders."""
        duration = session.settings.duration
        run(
            session.sim,
            duration,
            CHUNK,
            lambda t: progress.model_time(t, duration),
            session.recorders,
        )

    def collect(self, session: NestSession) -> Collected:
        """Spikes and analog signals (gathered on MPI rank 0), synapses and kernel facts; ends PyNN."""
        try:
            duration = session.settings.duration
            spikes = collect_spikes(session.recorders, duration)
            analog = collect_analog(session.recorders, duration)
            facts: Facts = {"name": self.name, "neuron_order": "default", **kernel_facts()}
        finally:
            session.sim.end()
        return Collected(spikes, analog, dict(session.synapses), {}, facts)


def guarded_inputs(network: NetworkDescription) -> NetworkDescription:
    """``network`` with every spike source array's times shifted by NEST's input guard."""
    groups = tuple(
        dataclasses.replace(group, spike_times=nest_input(group.spike_times))
        if group.model == "SpikeSourceArray" and group.spike_times is not None
        else group
        for group in network.groups
    )
    return dataclasses.replace(network, groups=groups)


def check_delays(network: str, rows: ConnectionList, timestep: float) -> None:
    """NEST holds delays from one time step (``min_delay``) to :data:`MAX_DELAY`.

    A longer one fails half-way through the build; a shorter one is taken without complaint,
    though NEST delivers no spike sooner than one step.
    """
    if len(rows) == 0:
        return
    delays = rows.delays()
    if delays.min() < timestep - 1e-9 or delays.max() > MAX_DELAY + 1e-9:
        raise SimulatorError(
            f"network {network}: connection list {rows.name} has delays of {delays.min():g}-"
            f"{delays.max():g} ms; NEST here takes {timestep:g} to {MAX_DELAY:g} ms"
        )


def check_group(network: str, group: CellGroup, timestep: float) -> None:
    """Recorded cells as sorted, unique indices; no input spike NEST would drop."""
    cells = group.record_analog
    if cells.size and (np.any(np.diff(cells) <= 0) or cells[0] < 0 or cells[-1] >= group.size):
        raise SimulatorError(
            f"network {network}: group {group.name} records cells that are not sorted, "
            f"unique indices below {group.size}"
        )
    trains = group.spike_times
    if group.model == "SpikeSourceArray" and trains is not None and trains.n_spikes:
        if trains.times.min() <= timestep + 1e-9:
            raise SimulatorError(
                f"network {network}: group {group.name} has spikes at or before one time step "
                f"({trains.times.min():g} ms), which NEST drops"
            )
