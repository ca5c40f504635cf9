"""One run of the experiment: resolve scaffold and stimulus, build, simulate, record, write.

The backend (``nest``, ``spinnaker``, ``brian2``) is a module with the same shape; see
:mod:`cerebrepro.simulate.backends`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cerebrepro import __version__
from cerebrepro.data.events import file_sha256, is_events_stimulus
from cerebrepro.errors import CerebreproError, StimulusError
from cerebrepro.model.cerebellum import DURATION, REFERENCE_PROTOCOL, TIMESTEP, Protocol
from cerebrepro.model.events import EventOptions
from cerebrepro.model.spike_trains import SpikeTrains, checked_trains
from cerebrepro.model.stimulus import GENERATOR_REVISIONS, check_stimulus_fits, generate_stimulus
from cerebrepro.results.io import write_result
from cerebrepro.results.provenance import machine, now_utc, package_versions, peak_memory_bytes
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold
from cerebrepro.simulate import mpi

# Bump whenever a change to the code alters the spikes of a run with the same spec and
# versions: cached runs and stored spike digests of an older revision are then not reused.
SIMULATION_REVISION = 3
DEFAULT_STIMULUS_SEED = 3  # the published stimulus is "stimulus_3"
DEFAULT_KERNEL_SEED = 1


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run's spikes (plus how much to record)."""

    simulator: str = "nest"
    scaffold: str = "rebuilt"  # rebuilt | published | path to an HDF5 file
    size: float = 400.0  # um, base of a rebuilt scaffold
    scaffold_seed: int | None = None  # None: the builder's default seed
    stimulus: str = "generated"  # generated | published | path to a trains .npz | events:FILE
    stimulus_seed: int = DEFAULT_STIMULUS_SEED
    protocol: Protocol = REFERENCE_PROTOCOL
    duration: float = DURATION
    timestep: float = TIMESTEP
    threads: int = 1
    kernel_seed: int = DEFAULT_KERNEL_SEED
    record_v: str = "subset"  # none | subset | all
    options: dict[str, object] = field(default_factory=dict)  # backend-specific settings
    events: EventOptions | None = None  # how an events:FILE stimulus is mapped (None: not one)


@dataclass
class RunEvents:
    """Callbacks through which a run reports progress (all optional)."""

    phase: Callable[[str], None] = lambda name: None
    model_time: Callable[[float, float], None] = lambda t, total: None


@dataclass(frozen=True)
class Stimulus:
    trains: SpikeTrains
    info: dict[str, object]


def trains_digest(trains: SpikeTrains) -> str:
    """sha256 of spike trains as simulated (times on the grid, per-source offsets)."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(trains.offsets, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(np.round(trains.times, 6), dtype="<f8").tobytes())
    return h.hexdigest()


def resolve_scaffold(spec: RunSpec, events: RunEvents | None = None) -> Scaffold:
    """The scaffold a spec names, checked for simulation (:func:`check_simulable`)."""
    from cerebrepro.scaffold.check import check_simulable

    scaffold = _named_scaffold(spec, events)
    check_simulable(scaffold)
    return scaffold


def _named_scaffold(spec: RunSpec, events: RunEvents | None = None) -> Scaffold:
    """The scaffold a spec names: the cached rebuild, the published file, or a file path."""
    from cerebrepro.scaffold.read import read_scaffold

    if spec.scaffold == "rebuilt":
        from cerebrepro.scaffold.default import DEFAULT_SCAFFOLD_SEED, default_scaffold

        seed = DEFAULT_SCAFFOLD_SEED if spec.scaffold_seed is None else spec.scaffold_seed
        if events:
            events.phase(f"scaffold: rebuilt {spec.size:g} um, seed {seed}")
        return read_scaffold(default_scaffold(spec.size, seed))
    if spec.scaffold == "published":
        from cerebrepro.data.fetch import cached_path

        path = cached_path(PUBLISHED_SCAFFOLD)
        if path is None:
            raise CerebreproError(
                f"the published scaffold {PUBLISHED_SCAFFOLD} is not in the data cache: run "
                "`cerebrepro fetch --accept-new " + PUBLISHED_SCAFFOLD + "` (or `--from DIR`), "
                "or use --scaffold rebuilt"
            )
        return read_scaffold(path)
    return read_scaffold(Path(spec.scaffold))


PUBLISHED_SCAFFOLD = "scaffold_full_dcn_400.0x400.0_v3.hdf5"


def is_rebuilt(scaffold: Scaffold) -> bool:
    return "builder_version" in scaffold.attrs


def resolve_stimulus(spec: RunSpec, scaffold: Scaffold) -> Stimulus:
    """The input spike trains a spec names, checked against the scaffold's glomeruli."""
    if spec.stimulus == "generated":
        protocol = dataclasses.replace(spec.protocol, duration=spec.duration)
        trains = generate_stimulus(scaffold.positions["glomerulus"], protocol, spec.stimulus_seed, spec.timestep)
        info: dict[str, object] = {
            "source": "generated",
            "seed": spec.stimulus_seed,
            "protocol": dataclasses.asdict(protocol),
            "generator_revision": GENERATOR_REVISIONS[protocol.kind],
        }
    elif spec.stimulus == "published":
        if is_rebuilt(scaffold):
            raise StimulusError(
                "the published stimulus belongs to the published scaffold, not to a rebuilt one "
                f"({scaffold.source}): use --stimulus generated, or --scaffold published"
            )
        from cerebrepro.data.published_stimulus import load_published_stimulus

        published = load_published_stimulus()
        trains = published.trains
        info = {"source": "published", "file_sha256": published.source_sha256, "details": published.details}
    elif is_events_stimulus(spec.stimulus):
        trains, info = _event_stimulus(spec, scaffold)
    else:
        path = Path(spec.stimulus)
        trains = read_trains_file(path)
        info = {"source": str(path.resolve()), "file_sha256": file_sha256(path)}
    check_stimulus_fits(trains, scaffold.size("glomerulus"), str(info["source"]))
    from cerebrepro.model.cerebellum import MIN_SPIKE_TIME

    trains = trains.on_grid(spec.timestep, MIN_SPIKE_TIME).before(spec.duration)
    info["n_spikes"] = trains.n_spikes
    info["sha256"] = trains_digest(trains)
    return Stimulus(trains, info)


def event_options(spec: RunSpec) -> EventOptions:
    """The mapping options of an ``events:FILE`` stimulus (the defaults if the spec names none)."""
    return EventOptions() if spec.events is None else EventOptions.coerce(spec.events)


def check_event_recording(spec: RunSpec) -> None:
    """Read and check an ``events:FILE`` recording and its window before anything is built or written."""
    from cerebrepro.data.events import events_path, read_recording
    from cerebrepro.model.events import select

    options = event_options(spec)
    select(read_recording(events_path(spec.stimulus), options.sensor).events, options)


def _event_stimulus(spec: RunSpec, scaffold: Scaffold) -> tuple[SpikeTrains, dict[str, object]]:
    """The glomerulus input made from an event recording (:mod:`cerebrepro.model.event_mapping`)."""
    from cerebrepro.data.events import events_path, read_recording
    from cerebrepro.model.event_mapping import map_events

    options = event_options(spec)
    recording = read_recording(events_path(spec.stimulus), options.sensor)
    made = map_events(recording.events, scaffold.positions["glomerulus"], options, spec.timestep)
    if made.trains.before(spec.duration).n_spikes == 0:
        raise StimulusError(
            f"events file {recording.path}: no event of the window reaches the glomeruli before the "
            f"run's end ({spec.duration:g} ms; {made.info['events_in_window']:,} events in the window, "
            f"{made.info['events_outside_plane']:,} outside the plane): check --events-offset and the window"
        )
    info: dict[str, object] = {
        "source": f"events:{recording.path.resolve()}",
        "kind": "events",
        "file_sha256": recording.sha256,
        "recording": recording.describe(),
        **made.info,
    }
    return made.trains, info


def read_trains_file(path: Path) -> SpikeTrains:
    """Spike trains from a non-pickled ``.npz`` holding ``times`` (ms) and ``offsets``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return checked_trains(data["times"], data["offsets"], str(path))
    except FileNotFoundError as exc:
        raise StimulusError(f"stimulus file {path} does not exist") from exc
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise StimulusError(
            f"stimulus file {path} is not a spike-train archive (arrays 'times' and 'offsets', no pickles): {exc}"
        ) from exc


def run_experiment(spec: RunSpec, output: Path, events: RunEvents | None = None) -> tuple[RunResult, Path]:
    """Run ``spec`` and write its result to ``output`` (a file path); return both.

    Under MPI, rank 0 prepares scaffold and stimulus while the others wait, every rank
    simulates its share, and rank 0 gathers the spikes and writes the one result.
    """
    from cerebrepro.simulate.backends import load_backend
    from cerebrepro.simulate.validate import check_run

    check_run(spec, output if mpi.is_root() else None)  # before anything is built or written
    events = events or RunEvents()
    backend = load_backend(spec.simulator)
    started = now_utc()
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    with mpi.root_first():
        scaffold = resolve_scaffold(spec, events)
        events.phase("stimulus")
        stimulus = resolve_stimulus(spec, scaffold)
    timings["prepare_s"] = time.perf_counter() - t0

    events.phase(f"build on {backend.NAME}")
    cpu0, t0 = time.process_time(), time.perf_counter()
    session = backend.prepare(spec, scaffold, stimulus.trains, events)
    timings["build_s"] = time.perf_counter() - t0
    timings["build_cpu_s"] = time.process_time() - cpu0

    events.phase("simulate")
    cpu0, t0 = time.process_time(), time.perf_counter()
    backend.simulate(session, spec.duration, lambda t: events.model_time(t, spec.duration))
    timings["simulate_s"] = time.perf_counter() - t0
    timings["simulate_cpu_s"] = time.process_time() - cpu0

    t0 = time.perf_counter()
    spikes, analog, backend_facts = backend.collect(session, spec.duration)
    timings["collect_s"] = time.perf_counter() - t0

    result = RunResult(spikes, spec.timestep, spec.duration, analog)
    result.provenance = _provenance(spec, scaffold, stimulus, backend_facts, session, timings, started)
    result.provenance["spike_digest"] = result.spike_digest()

    if mpi.is_root():
        events.phase("write")
        write_result(result, output)
    return result, output


def _provenance(
    spec: RunSpec,
    scaffold: Scaffold,
    stimulus: Stimulus,
    backend_facts: dict[str, object],
    session: object,
    timings: dict[str, float],
    started: str,
) -> dict[str, object]:
    synapses = getattr(session, "synapses", {})
    return {
        "cerebrepro": __version__,
        "simulation_revision": SIMULATION_REVISION,
        "simulator": spec.simulator,
        "versions": package_versions(),
        "backend": backend_facts,
        "spec": {k: v for k, v in dataclasses.asdict(spec).items() if k != "protocol"},
        "scaffold": {
            "path": str(scaffold.source) if scaffold.source else None,
            "sha256": scaffold.sha256,
            "digest": scaffold.connectivity_digest(),
            "kind": "rebuilt" if is_rebuilt(scaffold) else "published-layout",
            "attrs": scaffold.attrs,
            "sizes": scaffold.sizes,
        },
        "scaffold_path": str(scaffold.source) if scaffold.source else None,
        "scaffold_sha256": scaffold.sha256,
        "scaffold_digest": scaffold.connectivity_digest(),
        "stimulus": stimulus.info,
        "stimulus_sha256": stimulus.info["sha256"],
        "neuron_order": backend_facts.get("neuron_order", "default"),
        "cell_indices": "scaffold",  # every backend maps its neuron order back
        "seeds": {
            "scaffold": scaffold.attrs.get("seed"),
            "stimulus": spec.stimulus_seed if spec.stimulus == "generated" else None,
            "kernel": spec.kernel_seed,
        },
        "threads": spec.threads,
        "timestep": spec.timestep,
        "duration": spec.duration,
        "synapses": synapses,
        "n_synapses": int(sum(synapses.values())) if synapses else None,
        "n_cells": scaffold.n_cells,
        "command_line": sys.argv,
        "machine": machine(),
        "started": started,
        "finished": now_utc(),
        "peak_memory_bytes": peak_memory_bytes(),
        "timings": timings,
    }
