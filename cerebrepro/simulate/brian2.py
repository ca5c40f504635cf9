"""The Brian2 backend: the network compiled as a C++ standalone program, cached and reused.

``prepare`` generates the network (:mod:`~cerebrepro.simulate.brian2_network`) and
compiles it, or reuses the compiled project of the same structure
(:mod:`~cerebrepro.simulate.brian2_project`); ``simulate`` runs the program with the
model's parameters and the stimulus as run-time input; ``collect`` reads the monitors.
A session can simulate again (new ``values`` or ``trains``) without recompiling.

Spikes and signals follow NEST's conventions (:mod:`~cerebrepro.simulate.brian2_conventions`),
so a Brian2 run and a NEST run of the same scaffold and stimulus compare cell by cell.
``RunSpec.options["method"]`` picks the integration method (default ``rk4``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cerebrepro.errors import SimulatorError
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.simulate import brian2_conventions
from cerebrepro.simulate.brian2_model import DEFAULT_METHOD, METHODS, SIGNALS
from cerebrepro.simulate.brian2_network import (
    Brian2Network,
    Wiring,
    generate_network,
    scaffold_recording,
    scaffold_wiring,
)
from cerebrepro.simulate.brian2_project import (
    Compiler,
    ProjectBuild,
    compile_network,
    find_compiler,
    fresh_device,
    new_results_directory,
    openmp_threads,
    run_project,
)
from cerebrepro.simulate.brian2_stimulus import write_stimulus

NAME = "brian2"
OPTIONS = ("method",)


@dataclass
class Session:
    """A generated, compiled network; ``values`` and ``trains`` are the next run's input."""

    network: Brian2Network
    build: ProjectBuild
    device: Any
    trains: SpikeTrains | None
    timestep: float
    duration: float
    method: str
    threads: int
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


def integration_method(options: Mapping[str, object]) -> str:
    """The method named in a spec's options (default ``rk4``), checked."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise SimulatorError(f"unknown brian2 option(s) {', '.join(unknown)}: known are {', '.join(OPTIONS)}")
    method = str(options.get("method", DEFAULT_METHOD))
    if method not in METHODS:
        raise SimulatorError(f"unknown integration method {method!r}: choose one of {', '.join(METHODS)}")
    return method


def prepare_network(
    sizes: Mapping[str, int],
    wiring: Wiring,
    recorded: Mapping[str, np.ndarray],
    trains: SpikeTrains | None,
    *,
    duration: float,
    timestep: float,
    method: str = DEFAULT_METHOD,
    threads: int = 1,
    on_compile: Callable[[], None] | None = None,
) -> Session:
    """Generate any network of the model's cell types and compile it (or reuse its project)."""
    compiler = find_compiler()
    device = fresh_device(timestep, threads)
    started = time.perf_counter()
    network = generate_network(sizes, wiring, recorded, duration, timestep, method)
    generate_s = time.perf_counter() - started
    if on_compile is not None:
        on_compile()
    build = compile_network(device, network.structure, threads, compiler)
    return Session(network, build, device, trains, timestep, duration, method, threads, compiler, generate_s)


def prepare(spec: Any, scaffold: Any, trains: SpikeTrains, events: Any = None) -> Session:
    """Generate the scaffold's network and compile it, or reuse the cached program of its structure."""
    return prepare_network(
        scaffold.sizes,
        scaffold_wiring(scaffold),
        scaffold_recording(scaffold, spec.record_v),
        trains,
        duration=spec.duration,
        timestep=spec.timestep,
        method=integration_method(spec.options),
        threads=spec.threads,
        on_compile=(lambda: events.phase("compile (or reuse) the C++ project")) if events else None,
    )


def simulate(session: Session, duration: float, on_time: Callable[[float], None] | None = None) -> None:
    """Run the compiled program with the session's values and trains."""
    if abs(duration - session.duration) > 1e-9:
        raise SimulatorError(f"the network was generated for {session.duration} ms, not {duration} ms")
    session.results = new_results_directory(session.build.directory)
    try:
        if session.network.source is not None:
            if session.trains is None:
                raise SimulatorError(f"the {session.network.source} population needs spike trains")
            write_stimulus(session.results, session.trains, session.timestep)
        session.network_run_s = run_project(session.device, session.build.directory, session.results, session.values)
    except BaseException:
        shutil.rmtree(session.results, ignore_errors=True)
        session.results = None
        raise
    if on_time is not None:
        on_time(duration)


def collect_spikes(network: Brian2Network, dt: float, duration: float) -> dict[str, PopulationSpikes]:
    """Spikes per population on NEST's time convention, sorted by time then cell."""
    out = {}
    for name, size in network.sizes.items():
        monitor = network.spike_monitors.get(name)
        if monitor is None:
            out[name] = PopulationSpikes(size, np.zeros(0), np.zeros(0, dtype=np.int64))
            continue
        steps = np.rint(np.asarray(monitor.t_[:]) / (dt * 1e-3)).astype(np.int64)
        times = brian2_conventions.nest_spike_times(steps, dt)
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


def facts(session: Session) -> dict[str, object]:
    """What the provenance records about this backend and run."""
    import brian2

    return {
        "name": NAME,
        "neuron_order": "default",
        "version": brian2.__version__,
        "device": "cpp_standalone",
        "method": session.method,
        "threads": session.threads,
        "openmp_threads": openmp_threads(session.threads),
        "compiler": session.compiler.version,
        "compiler_path": session.compiler.path,
        "project_dir": str(session.build.directory),
        "project_digest": session.build.digest,
        "compiled": session.build.compiled,
        "compile_s": session.build.compile_s,
        "generate_s": session.generate_s,
        "network_run_s": session.network_run_s,
        "conventions": {
            "input_shift_steps": brian2_conventions.INPUT_SHIFT_STEPS,
            "refractory_extra_steps": brian2_conventions.REFRACTORY_EXTRA_STEPS,
            "spike_label_steps": brian2_conventions.SPIKE_LABEL_STEPS,
        },
    }


def collect(session: Session, duration: float) -> tuple[dict, dict, dict]:
    """Spikes, analog signals and backend facts; then remove the run's results directory."""
    if session.results is None:
        raise SimulatorError("collect() before simulate(): the Brian2 network has not run")
    try:
        spikes = collect_spikes(session.network, session.timestep, duration)
        analog = collect_analog(session.network, session.timestep)
    finally:
        shutil.rmtree(session.results, ignore_errors=True)
        session.results = None
    return spikes, analog, facts(session)
