"""One run: describe the spec's network, build it on a backend, simulate, collect, write.

Every backend is reached through the contract (:mod:`cerebrepro.backends.contract`); the
result file records the spec, the versions, the backend's facts, the digests of network,
scaffold and stimulus, timings and the machine. Under MPI, rank 0 describes the network
first (building a missing scaffold once), every rank simulates its share, and rank 0
gathers the spikes and writes the one result.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from cerebrepro import __version__
from cerebrepro.backends import mpi
from cerebrepro.backends.contract import Backend, BackendOptions, Collected, SimulationSettings
from cerebrepro.backends.registry import get_backend
from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import SimulatorError
from cerebrepro.pipeline.experiments import Described, describe, with_preferred_options
from cerebrepro.pipeline.spec import SIMULATION_REVISION, RunEvents, RunSpec
from cerebrepro.pipeline.validate import check_run
from cerebrepro.results.io import write_result
from cerebrepro.results.provenance import machine, now_utc, package_versions, peak_memory_bytes
from cerebrepro.results.types import RunResult


def backend_for(spec: RunSpec) -> tuple[Backend[Any, Any], BackendOptions]:
    """The spec's backend, checked to be installed, and its options parsed and checked."""
    backend = get_backend(spec.simulator)
    backend.check().require(backend.name)
    return backend, backend.options_type.from_mapping(spec.options, backend.name)


def settings_for(spec: RunSpec) -> SimulationSettings:
    return SimulationSettings(spec.duration, spec.timestep, spec.threads, spec.kernel_seed)


def simulate_spec(
    spec: RunSpec, events: RunEvents | None = None
) -> tuple[Described, Collected, dict[str, float]]:
    """Describe, build, simulate and collect ``spec`` (nothing written); also the phase timings."""
    events = events or RunEvents()
    spec = with_preferred_options(spec)
    backend, options = backend_for(spec)
    settings = settings_for(spec)
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    with mpi.root_first():
        described = describe(spec, events)
    timings["prepare_s"] = time.perf_counter() - t0
    backend.supports(described.network, settings, options)

    events.phase(f"build on {backend.name}")
    cpu0, t0 = time.process_time(), time.perf_counter()
    session = backend.prepare(described.network, settings, options, events)
    timings["build_s"] = time.perf_counter() - t0
    timings["build_cpu_s"] = time.process_time() - cpu0

    events.phase("simulate")
    cpu0, t0 = time.process_time(), time.perf_counter()
    backend.simulate(session, events)
    timings["simulate_s"] = time.perf_counter() - t0
    timings["simulate_cpu_s"] = time.process_time() - cpu0

    t0 = time.perf_counter()
    collected = backend.collect(session)
    timings["collect_s"] = time.perf_counter() - t0
    return described, collected, timings


def run_experiment(
    spec: RunSpec, output: Path, events: RunEvents | None = None
) -> tuple[RunResult, Path]:
    """Run ``spec`` and write its result to ``output`` (a file path); return both.

    Every value and the output are checked before anything is built or written.
    """
    check_run(spec, output if mpi.is_root() else None)
    events = events or RunEvents()
    started = now_utc()
    described, collected, timings = simulate_spec(spec, events)
    if collected.spikes is None:
        raise SimulatorError(
            f"the {spec.simulator} run only mapped the network (a virtual board produces no spikes): "
            "ask for a mapping report instead (cerebrepro run --virtual)"
        )
    result = RunResult(collected.spikes, spec.timestep, spec.duration, collected.analog)
    result.provenance = provenance(spec, described, collected, timings, started)
    result.provenance["spike_digest"] = result.spike_digest()
    if mpi.is_root():
        events.phase("write")
        write_result(result, output)
    return result, output


def map_experiment(
    spec: RunSpec, output: Path | None = None, events: RunEvents | None = None
) -> dict[str, object]:
    """Map ``spec`` without simulating it (a virtual board): the mapping report, written as JSON if asked."""
    check_run(spec, output)
    started = now_utc()
    described, collected, timings = simulate_spec(spec, events)
    report: dict[str, object] = {
        "kind": f"cerebrepro.{spec.experiment}-mapping/1",
        **collected.facts,
        "experiment": spec.experiment,
        "simulator": spec.simulator,
        "spec": _plain_spec(spec),
        "synapses": collected.synapses,
        "n_synapses": int(sum(collected.synapses.values())),
        "network_digest": described.network.connectivity_digest(),
        "timings": {**timings, **collected.timings},
        "versions": package_versions(),
        "started": started,
        "written": now_utc(),
    }
    if output is not None:
        with atomic_path(output, suffix=".json") as tmp:
            tmp.write_text(json.dumps(report, indent=1, default=str))
    return report


def _plain_spec(spec: RunSpec) -> dict[str, object]:
    return {k: v for k, v in dataclasses.asdict(spec).items() if k != "protocol"}


def provenance(
    spec: RunSpec,
    described: Described,
    collected: Collected,
    timings: dict[str, float],
    started: str,
) -> dict[str, object]:
    """Every fact needed to re-run and to compare a run."""
    synapses = collected.synapses
    network = described.network
    return {
        "cerebrepro": __version__,
        "simulation_revision": SIMULATION_REVISION,
        "experiment": spec.experiment,
        "simulator": spec.simulator,
        "versions": package_versions(),
        "backend": collected.facts,
        "spec": _plain_spec(spec),
        **described.provenance,
        "network_digest": network.connectivity_digest(),
        "neuron_order": collected.facts.get("neuron_order", "default"),
        "cell_indices": "scaffold",  # every backend maps its neuron order back
        "threads": spec.threads,
        "timestep": spec.timestep,
        "duration": spec.duration,
        "synapses": synapses,
        "n_synapses": int(sum(synapses.values())) if synapses else None,
        "n_cells": int(sum(network.sizes.values())),
        "command_line": sys.argv,
        "machine": machine(),
        "started": started,
        "finished": now_utc(),
        "peak_memory_bytes": peak_memory_bytes(),
        "timings": {**timings, **collected.timings},
    }
