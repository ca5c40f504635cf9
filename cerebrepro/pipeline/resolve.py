"""The scaffold and the input spike trains a run spec names, read and checked."""

from __future__ import annotations

import dataclasses
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cerebrepro.data.events import file_sha256, is_events_stimulus
from cerebrepro.errors import CerebreproError, StimulusError
from cerebrepro.model.cerebellum import MIN_SPIKE_TIME
from cerebrepro.model.events import EventOptions
from cerebrepro.model.spike_trains import SpikeTrains, checked_trains
from cerebrepro.model.stimulus import GENERATOR_REVISIONS, check_stimulus_fits, generate_stimulus
from cerebrepro.pipeline.spec import RunEvents, RunSpec
from cerebrepro.scaffold.types import Scaffold

PUBLISHED_SCAFFOLD = "scaffold_full_dcn_400.0x400.0_v3.hdf5"


@dataclass(frozen=True)
class Stimulus:
    """Input spike trains and how they were made (for provenance)."""

    trains: SpikeTrains
    info: dict[str, object]


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


def is_rebuilt(scaffold: Scaffold) -> bool:
    return "builder_version" in scaffold.attrs


def resolve_stimulus(spec: RunSpec, scaffold: Scaffold) -> Stimulus:
    """The input spike trains a spec names, checked against the scaffold's glomeruli."""
    if spec.stimulus == "generated":
        protocol = dataclasses.replace(spec.protocol, duration=spec.duration)
        trains = generate_stimulus(
            scaffold.positions["glomerulus"], protocol, spec.stimulus_seed, spec.timestep
        )
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
        info = {
            "source": "published",
            "file_sha256": published.source_sha256,
            "details": published.details,
        }
    elif is_events_stimulus(spec.stimulus):
        trains, info = _event_stimulus(spec, scaffold)
    else:
        path = Path(spec.stimulus)
        trains = read_trains_file(path)
        info = {"source": str(path.resolve()), "file_sha256": file_sha256(path)}
    check_stimulus_fits(trains, scaffold.size("glomerulus"), str(info["source"]))
    trains = trains.on_grid(spec.timestep, MIN_SPIKE_TIME).before(spec.duration)
    info["n_spikes"] = trains.n_spikes
    info["sha256"] = trains.digest()
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


def scaffold_of_result(
    provenance: dict[str, object], override: Path | None
) -> tuple[Scaffold | None, str | None]:
    """The scaffold a result was made on: ``override`` if given, else the one its provenance names.

    Returns (scaffold, None), or (None, why) when there is none to read. A scaffold whose
    connectivity digest (or, lacking that, file digest) differs from the run's is refused.
    """
    from cerebrepro.errors import ResultError
    from cerebrepro.scaffold.read import read_scaffold

    recorded = provenance.get("scaffold_path")
    path = override or (Path(str(recorded)) if recorded else None)
    if path is None:
        return None, "no scaffold given or recorded"
    if not path.exists():
        if override is not None:
            raise ResultError(f"scaffold {path} does not exist")
        return None, f"recorded scaffold {path} not found (give one with --scaffold)"
    scaffold = read_scaffold(path)
    expected_digest = provenance.get("scaffold_digest")
    expected_sha = provenance.get("scaffold_sha256")
    if expected_digest and scaffold.connectivity_digest() != expected_digest:
        raise ResultError(
            f"scaffold {path} has connectivity digest {scaffold.connectivity_digest()}, "
            f"the run was made with {expected_digest}"
        )
    if not expected_digest and expected_sha and scaffold.sha256 and scaffold.sha256 != expected_sha:
        raise ResultError(
            f"scaffold {path} has sha256 {scaffold.sha256}, the run was made with {expected_sha}"
        )
    return scaffold, None
