"""One run of the E-I balanced network on NEST or SpiNNaker, written in the project's results format.

Each simulator is a module of the same shape (:mod:`cerebrepro.experiments.ei_nest`,
:mod:`cerebrepro.experiments.ei_spinnaker`): ``run(seed, duration, threads, timestep,
virtual, path, machine) -> Ran``. NEST runs at the project's 0.1 ms time step by default,
SpiNNaker at 1.0 ms (the tutorial's own step; see the SpiNNaker module for why).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cerebrepro import __version__
from cerebrepro.errors import SimulatorError, StimulusError
from cerebrepro.experiments.ei_balanced import EVENT_POPULATION, SIZES, Network, describe_model
from cerebrepro.model.events import EventOptions
from cerebrepro.results.io import write_result
from cerebrepro.results.provenance import machine, now_utc, package_versions, peak_memory_bytes
from cerebrepro.results.types import PopulationSpikes, RunResult

EXPERIMENT = "ei-balanced"
SIMULATORS = ("nest", "spinnaker")
DEFAULT_TIMESTEP = {"nest": 0.1, "spinnaker": 1.0}  # ms


def default_output(
    simulator: str, seed: int, duration: float, threads: int, virtual: bool, directory: Path, stimulus: str = "pulse"
) -> Path:
    """``ei-balanced_<simulator>_s<seed>_<duration>ms_t<threads>.h5`` (``.mapping.json`` when virtual).

    A run driven by an event recording adds ``_events-<file stem>`` after the seed.
    """
    events = f"_events-{Path(stimulus.removeprefix('events:')).stem}" if stimulus.startswith("events:") else ""
    stem = f"{EXPERIMENT}_{simulator}_s{seed}{events}_{duration:g}ms_t{threads}"
    return Path(directory) / (f"{stem}.mapping.json" if virtual else f"{stem}.h5")


def run_ei_balanced(
    simulator: str = "nest",
    seed: int = 1,
    duration: float = 5000.0,
    threads: int = 1,
    output: Path = Path("results"),
    virtual: bool = False,
    timestep: float | None = None,
    spinnaker_machine: Mapping[str, object] | None = None,
    stimulus: str = "pulse",
    events: EventOptions | None = None,
) -> Path:
    """Run the E-I balanced network and return the path written.

    ``output`` is a directory (a name is derived) or a ``.h5`` path. ``seed`` fixes the
    connectivity, the initial potentials and the simulator's Poisson sources. ``virtual``
    (SpiNNaker only) maps the network without hardware and writes a mapping report;
    ``spinnaker_machine`` holds SpiNNaker machine settings (keys of
    :data:`cerebrepro.simulate.spinnaker_config.ENVIRONMENT`: board, spalloc, version, ...).
    ``stimulus`` ``events:FILE`` drives the pulse sources with an event recording mapped
    with ``events`` (see :func:`event_spike_times`) instead of the one pulse at 1000 ms.
    """
    if simulator not in SIMULATORS:
        raise SimulatorError(f"the E-I network runs on {' or '.join(SIMULATORS)}, not {simulator!r}")
    if virtual and simulator != "spinnaker":
        raise SimulatorError("--virtual is a SpiNNaker setting (a virtual board maps the network without hardware)")
    timestep = DEFAULT_TIMESTEP[simulator] if timestep is None else timestep
    spike_times, stimulus_info = None, {"source": "pulse", "time_ms": 1000.0}
    if stimulus != "pulse":
        spike_times, stimulus_info = event_spike_times(stimulus, events or EventOptions(), timestep, duration)
    output = Path(output)
    path = (
        output
        if output.suffix in (".h5", ".json")
        else default_output(simulator, seed, duration, threads, virtual, output, stimulus)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    started = now_utc()
    backend = importlib.import_module(f"cerebrepro.experiments.ei_{simulator}")
    ran = backend.run(
        seed, duration, threads, timestep, virtual, path, dict(spinnaker_machine or {}), spike_times=spike_times
    )
    if virtual:
        return backend.write_mapping(ran, timestep, duration, path)
    network = ran.network
    result = RunResult(ran.spikes, timestep, duration)
    result.provenance = {
        "cerebrepro": __version__,
        "experiment": EXPERIMENT,
        "simulator": simulator,
        "seed": seed,
        "timestep": timestep,
        "duration": duration,
        "threads": threads,
        "model": describe_model(),
        "stimulus": stimulus_info,
        "synapses": network.synapses,
        "n_synapses": sum(network.synapses.values()),
        "connectivity_digest": network.digest,
        "backend": ran.facts,
        "versions": package_versions(),
        "machine": machine(),
        "started": started,
        "finished": now_utc(),
        "peak_memory_bytes": peak_memory_bytes(),
        "timings": ran.timings,
    }
    result.provenance["spike_digest"] = result.spike_digest()
    return write_result(result, path)


def event_spike_times(
    stimulus: str, options: EventOptions, timestep: float, duration: float
) -> tuple[dict[str, list[np.ndarray]], dict[str, object]]:
    """The pulse sources' spike times from an ``events:FILE`` recording, and how they were made.

    The pulse sources sit on a grid (:func:`cerebrepro.model.event_mapping.grid_positions`),
    onto which the sensor is mapped as onto the glomeruli of the cerebellum.
    """
    from cerebrepro.data.events import events_path, is_events_stimulus, read_recording
    from cerebrepro.model.event_mapping import grid_positions, map_events

    if not is_events_stimulus(stimulus):
        raise StimulusError(f"unknown E-I stimulus {stimulus!r}: use pulse or events:FILE")
    recording = read_recording(events_path(stimulus), options.sensor)
    made = map_events(recording.events, grid_positions(SIZES[EVENT_POPULATION]), options, timestep)
    trains = made.trains.before(duration)
    if trains.n_spikes == 0:
        raise StimulusError(
            f"events file {recording.path}: no event of the window reaches the {EVENT_POPULATION} sources "
            f"before the run's end ({duration:g} ms): check --events-offset and the window"
        )
    info = {
        "source": f"events:{recording.path.resolve()}",
        "kind": "events",
        "population": EVENT_POPULATION,
        "recording": recording.describe(),
        "n_spikes": trains.n_spikes,
        **made.info,
    }
    return {EVENT_POPULATION: trains.to_lists()}, info


@dataclass
class Ran:
    """What a simulator run leaves: spikes by population, the network, backend facts, timings (s)."""

    spikes: dict[str, PopulationSpikes]
    network: Network
    facts: dict[str, Any]
    timings: dict[str, float]
