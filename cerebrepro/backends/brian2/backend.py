"""The Brian2 backend: the network compiled as a C++ standalone program, cached and reused.

``prepare`` generates the network (:mod:`~cerebrepro.backends.brian2.network`) and
compiles it, or reuses the compiled project of the same structure
(:mod:`~cerebrepro.backends.brian2.project`); ``simulate`` runs the program with the
parameters, weights, delays, initial potentials and input spikes as run-time input;
``collect`` reads the monitors. A session can simulate again (edit ``values`` or
``trains``) without recompiling.

Spikes and signals follow NEST's conventions (:mod:`~cerebrepro.backends.brian2.conventions`),
so a Brian2 run and a NEST run of the same description compare cell by cell.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from cerebrepro.backends.brian2 import conventions
from cerebrepro.backends.brian2.model import (
    DEFAULT_METHOD,
    METHODS,
    PYNN_DEFAULTS,
    RECEPTOR_CONDUCTANCE,
    SIGNALS,
    Method,
)
from cerebrepro.backends.brian2.network import Brian2Network, generate_network
from cerebrepro.backends.brian2.project import (
    Compiler,
    ProjectBuild,
    compile_network,
    compiles_openmp,
    find_compiler,
    fresh_device,
    new_results_directory,
    openmp_threads,
    projects_root,
    run_project,
)
from cerebrepro.backends.brian2.stimulus import stimulus_arrays, write_stimulus
from cerebrepro.backends.contract import (
    Availability,
    BackendOptions,
    Collected,
    Facts,
    Progress,
    SimulationSettings,
)
from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes

NAME = "brian2"
INSTALL_HINT = "pip install 'cerebrepro[brian2]'"
MODELS: frozenset[str] = frozenset({"IF_cond_exp", "SpikeSourceArray"})
_BRIAN2_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # what Brian2 accepts as an object name


@dataclass(frozen=True)
class Brian2Options(BackendOptions):
    """Brian2's own settings."""

    method: Method = field(
        default=DEFAULT_METHOD,
        metadata={
            "help": "Brian2's integration method of the membrane equations: rk4 (default; closest to "
            "NEST's adaptive RKF45), rk2, exponential_euler or euler"
        },
    )


@dataclass
class Brian2Session:
    """A generated, compiled network; ``values``, ``arrays`` and ``trains`` are the next run's input."""

    network: Brian2Network
    build: ProjectBuild
    device: Any
    trains: dict[str, SpikeTrains]  # generator group -> its spike trains
    settings: SimulationSettings
    method: str
    compiler: Compiler
    generate_s: float
    results: Path | None = None
    network_run_s: float | None = None

    @property
    def synapses(self) -> dict[str, int]:
        return self.network.synapses

    @property
    def values(self) -> dict[str, float]:
        """Run-time values (``object.variable`` -> SI number); edit them to change the next run."""
        return self.network.values

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """Run-time per-cell values (initial potentials, V); edit them to change the next run."""
        return self.network.arrays


class Brian2Backend:
    """Brian2's C++ standalone device behind the backend contract."""

    name: ClassVar[str] = NAME
    options_type: ClassVar[type[BackendOptions]] = Brian2Options

    def check(self) -> Availability:
        """Is brian2 importable (without importing it)."""
        if importlib.util.find_spec("brian2") is None:
            return Availability(False, None, INSTALL_HINT)
        try:
            version: str | None = importlib.metadata.version("brian2")
        except importlib.metadata.PackageNotFoundError:
            version = None
        return Availability(True, version, INSTALL_HINT)

    def facts(self) -> Facts:
        """Brian2's version, the C++ compiler it would use and whether that compiler has OpenMP."""
        available = self.check()
        out: Facts = {
            "version": available.version,
            "device": "cpp_standalone",
            "methods": list(METHODS),
        }
        try:
            compiler = find_compiler()
        except SimulatorError as exc:
            return {**out, "compiler": None, "compiler_problem": str(exc)}
        return {
            **out,
            "compiler": compiler.version,
            "compiler_path": compiler.path,
            "openmp": compiles_openmp(compiler.path),
            "projects_dir": str(projects_root()),
        }

    def supports(
        self, network: NetworkDescription, settings: SimulationSettings, options: Brian2Options
    ) -> None:
        """Refuse, naming the group or list, what this backend cannot simulate."""
        if options.method not in METHODS:
            raise SimulatorError(
                f"unknown integration method {options.method!r}: choose one of {', '.join(METHODS)}"
            )
        if settings.threads < 1:
            raise SimulatorError(f"brian2 needs at least one thread, not {settings.threads}")
        check_names(network)
        for group in network.groups:
            check_group(group, settings)
        for rows in network.connections:
            check_connections(rows, network)

    def prepare(
        self,
        network: NetworkDescription,
        settings: SimulationSettings,
        options: Brian2Options,
        progress: Progress,
    ) -> Brian2Session:
        """Generate the network and compile it, or reuse the cached program of its structure."""
        compiler = find_compiler()
        progress.phase("generate the Brian2 network")
        device = fresh_device(settings.timestep, settings.threads)
        started = time.perf_counter()
        made = generate_network(network, settings.duration, settings.timestep, options.method)
        generate_s = time.perf_counter() - started
        progress.phase("compile (or reuse) the C++ project")
        build = compile_network(device, made.structure, settings.threads, compiler)
        trains = {
            group.name: group.spike_times
            for group in network.groups
            if group.name in made.sources and group.spike_times is not None
        }
        return Brian2Session(
            made, build, device, trains, settings, options.method, compiler, generate_s
        )

    def simulate(self, session: Brian2Session, progress: Progress) -> None:
        """Run the compiled program with the session's values, arrays and trains."""
        discard_results(session)
        session.results = new_results_directory(session.build.directory)
        dt = session.settings.timestep
        try:
            for source in session.network.sources:
                if source not in session.trains:
                    raise SimulatorError(f"the {source} group needs spike trains")
                write_stimulus(session.results, source, session.trains[source], dt)
            session.network_run_s = run_project(
                session.device,
                session.build.directory,
                session.results,
                session.values,
                session.arrays,
            )
        except BaseException:
            discard_results(session)
            raise
        progress.model_time(session.settings.duration, session.settings.duration)

    def collect(self, session: Brian2Session) -> Collected:
        """Spikes, analog signals, synapse counts, timings and facts; the run's files are removed."""
        if session.results is None:
            raise SimulatorError("collect() before simulate(): the Brian2 network has not run")
        try:
            spikes = collect_spikes(
                session.network, session.settings.timestep, session.settings.duration
            )
            analog = collect_analog(session.network, session.settings.timestep)
        finally:
            discard_results(session)
        timings = {
            "generate_s": session.generate_s,
            "compile_s": session.build.compile_s,
            "network_run_s": float("nan")
            if session.network_run_s is None
            else session.network_run_s,
        }
        return Collected(spikes, analog, dict(session.synapses), timings, run_facts(session))


def discard_results(session: Brian2Session) -> None:
    """Remove the session's last results directory (runs never share one)."""
    if session.results is not None:
        shutil.rmtree(session.results, ignore_errors=True)
        session.results = None


# ---------------------------------------------------------------- what the backend refuses


def check_names(network: NetworkDescription) -> None:
    """Every group and list name must be a Brian2 object name, and no two Brian2 objects may share one."""
    names = [group.name for group in network.groups] + [rows.name for rows in network.connections]
    for name in names:
        if not _BRIAN2_NAME.fullmatch(name):
            raise SimulatorError(
                f"network {network.name}: brian2 needs names of letters, digits and underscores "
                f"starting with a letter, not {name!r}"
            )
    made = (
        names
        + [f"{group.name}_spikes" for group in network.groups]
        + [f"{group.name}_signals" for group in network.groups]
    )
    repeated = sorted({name for name in made if made.count(name) > 1})
    if repeated:
        raise SimulatorError(
            f"network {network.name}: brian2 object names repeat ({', '.join(repeated)})"
        )


def check_group(group: CellGroup, settings: SimulationSettings) -> None:
    """IF_cond_exp cells with PyNN's parameter names, or SpikeSourceArray sources with spikes Brian2 can emit."""
    if group.model not in MODELS:
        raise SimulatorError(
            f"brian2 cannot simulate group {group.name}: its cell model is {group.model}, "
            f"and the backend has only {', '.join(sorted(MODELS))}"
        )
    if group.model == "SpikeSourceArray":
        trains = group.spike_times
        if trains is None:
            raise SimulatorError(
                f"brian2 cannot simulate group {group.name}: a SpikeSourceArray needs spike times"
            )
        if trains.n_sources != group.size:
            raise SimulatorError(
                f"brian2 cannot simulate group {group.name}: {trains.n_sources} spike trains for {group.size} sources"
            )
        try:
            stimulus_arrays(trains, settings.timestep)
        except (ValueError, SimulatorError) as exc:
            raise SimulatorError(f"brian2 cannot feed group {group.name}: {exc}") from exc
        return
    unknown = sorted(set(group.parameters) - set(PYNN_DEFAULTS))
    if unknown:
        raise SimulatorError(
            f"brian2 cannot simulate group {group.name}: IF_cond_exp has no parameter {', '.join(unknown)}"
        )
    if group.initial_v is not None and np.shape(group.initial_v) != (group.size,):
        raise SimulatorError(
            f"group {group.name}: {np.size(group.initial_v)} initial potentials for {group.size} cells"
        )


def check_connections(rows: ConnectionList, network: NetworkDescription) -> None:
    """One weight and one delay for all rows, onto a cell group, with indices inside both groups."""
    for what, value in (("weight", rows.weight), ("delay", rows.delay)):
        array = np.asarray(value, dtype=np.float64)
        if array.ndim and array.size and not np.all(array == array.flat[0]):
            raise SimulatorError(
                f"brian2 cannot simulate connection list {rows.name}: its rows have different {what}s "
                f"(the backend takes one {what} per list)"
            )
    if rows.receptor not in RECEPTOR_CONDUCTANCE:
        raise SimulatorError(f"connection list {rows.name}: unknown receptor {rows.receptor!r}")
    pre, post = network.group(rows.pre), network.group(rows.post)
    if post.is_source:
        raise SimulatorError(
            f"connection list {rows.name}: its target {post.name} is a spike source"
        )
    for end, index, group in (("pre", rows.pre_index, pre), ("post", rows.post_index, post)):
        outside = index[(index < 0) | (index >= group.size)]
        if outside.size:
            raise SimulatorError(
                f"connection list {rows.name}: {end} index {int(outside[0])} outside group {group.name} "
                f"of {group.size} cells"
            )


# ---------------------------------------------------------------- reading the monitors


def collect_spikes(
    network: Brian2Network, dt: float, duration: float
) -> dict[str, PopulationSpikes]:
    """Spikes per group on NEST's time convention, sorted by time then cell."""
    out = {}
    for name, size in network.sizes.items():
        monitor = network.spike_monitors.get(name)
        if monitor is None:
            out[name] = PopulationSpikes(size, np.zeros(0), np.zeros(0, dtype=np.int64))
            continue
        steps = np.rint(np.asarray(monitor.t_[:]) / (dt * 1e-3)).astype(np.int64)
        times = conventions.nest_spike_times(steps, dt)
        cells = np.asarray(monitor.i[:], dtype=np.int64)
        keep = times < duration - 1e-9
        times, cells = times[keep], cells[keep]
        order = np.lexsort((cells, times))
        out[name] = PopulationSpikes(size, times[order], cells[order])
    return out


def collect_analog(network: Brian2Network, dt: float) -> dict[str, AnalogSignals]:
    """v (mV) and conductances (uS) as (samples x cells) float32, sampled like NEST's multimeter.

    Row ``k`` holds the state at ``(k + 1) * dt``: the monitors record at the end of each step.
    """
    out = {}
    for name, (monitor, cells) in network.state_monitors.items():
        signals = {
            signal: (np.asarray(getattr(monitor, f"{variable}_")).T * scale).astype(np.float32)
            for signal, (variable, scale) in SIGNALS.items()
        }
        out[name] = AnalogSignals(cells, dt, signals)
    return out


def run_facts(session: Brian2Session) -> Facts:
    """What the provenance records about this backend and run."""
    import brian2

    return {
        "name": NAME,
        "neuron_order": "default",
        "version": brian2.__version__,
        "device": "cpp_standalone",
        "method": session.method,
        "threads": session.settings.threads,
        "openmp_threads": openmp_threads(session.settings.threads),
        "compiler": session.compiler.version,
        "compiler_path": session.compiler.path,
        "project_dir": str(session.build.directory),
        "project_digest": session.build.digest,
        "compiled": session.build.compiled,
        "conventions": {
            "input_shift_steps": conventions.INPUT_SHIFT_STEPS,
            "refractory_extra_steps": conventions.REFRACTORY_EXTRA_STEPS,
            "spike_label_steps": conventions.SPIKE_LABEL_STEPS,
        },
    }
