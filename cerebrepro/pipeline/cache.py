"""Runs cached in the data directory, keyed by everything that determines their spikes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from filelock import FileLock

from cerebrepro.data.cache import data_dir
from cerebrepro.data.events import events_path, is_events_stimulus, recording_sha256
from cerebrepro.model.stimulus import GENERATOR_REVISIONS
from cerebrepro.pipeline.run import run_experiment
from cerebrepro.pipeline.spec import SIMULATION_REVISION, RunEvents, RunSpec
from cerebrepro.results.provenance import package_versions

# Versions that change a run's spikes; the rest of the environment does not.
_RELEVANT = ("cerebrepro", "nest-simulator", "PyNN", "numpy", "sPyNNaker", "Brian2")


def run_key(spec: RunSpec) -> str:
    """Digest of the spec, the simulation revision and the versions that change spikes."""
    versions = package_versions()
    plain = dataclasses.asdict(spec)
    if plain.get("events") is None:  # specs without an event recording keep their old keys
        plain.pop("events", None)
    if plain.get("experiment") == "cerebellum":  # as do the cerebellum's runs
        plain.pop("experiment", None)
    payload = {
        "spec": plain,
        "revision": SIMULATION_REVISION,
        "versions": {name: versions.get(name) for name in _RELEVANT},
    }
    generator = GENERATOR_REVISIONS.get(spec.protocol.kind, 1)
    if spec.stimulus == "generated" and generator > 1:  # first revisions add nothing: old keys stay
        payload["stimulus_generator"] = generator
    if is_events_stimulus(spec.stimulus):  # the recording's content, not just its name
        payload["events_recording_sha256"] = recording_sha256(events_path(spec.stimulus))
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :20
    ]


def cached_run_path(spec: RunSpec) -> Path:
    return data_dir() / "runs" / f"{spec.simulator}-{run_key(spec)}.h5"


def cached_run(spec: RunSpec, events: RunEvents | None = None) -> tuple[Path, bool]:
    """The result file of ``spec``, running it first if it is not cached; (path, was_cached)."""
    path = cached_run_path(spec)
    if path.is_file():
        return path, True
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        if path.is_file():
            return path, True
        run_experiment(spec, path, events)
    return path, False
