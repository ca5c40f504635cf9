"""Runs cached in the data directory, keyed by everything that determines their spikes.

A cached run is reused only after :func:`read_result` verified it (digests, structure)
and its provenance names the same spec; otherwise it is run again, with a warning naming
the file, and the new result replaces it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from pathlib import Path

from filelock import FileLock

from cerebrepro.backends.registry import BUILT_IN, get_backend
from cerebrepro.data.cache import data_dir, remove_stale_parts, writable_data_dir
from cerebrepro.data.events import events_path, is_events_stimulus, recording_sha256
from cerebrepro.errors import ResultError
from cerebrepro.model.stimulus import GENERATOR_REVISIONS
from cerebrepro.pipeline.run import run_experiment
from cerebrepro.pipeline.spec import SIMULATION_REVISION, RunEvents, RunSpec
from cerebrepro.results.provenance import package_versions

# Versions that change a run's spikes; the rest of the environment does not. A plugin
# backend's simulator adds its own version (Availability.version) to the key.
_RELEVANT = ("cerebrepro", "nest-simulator", "PyNN", "numpy", "sPyNNaker", "Brian2")


def run_key(spec: RunSpec) -> str:
    """Digest of the spec, the simulation revision and the versions that change spikes."""
    versions = package_versions()
    plain = dataclasses.asdict(spec)
    if plain.get("events") is None:  # specs without an event recording keep their old keys
        plain.pop("events", None)
    if plain.get("experiment") == "cerebellum":  # as do the cerebellum's runs
        plain.pop("experiment", None)
    if not plain.get("parameters"):  # and runs of the model's own parameters
        plain.pop("parameters", None)
    payload = {
        "spec": plain,
        "revision": SIMULATION_REVISION,
        "versions": {name: versions.get(name) for name in _RELEVANT},
    }
    if spec.simulator not in BUILT_IN:  # the built-ins' versions are in _RELEVANT: old keys stay
        payload["backend_version"] = get_backend(spec.simulator).check().version
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
    if _reusable(path, spec, warn=False):
        return path, True
    writable_data_dir()
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        remove_stale_parts(path)
        if _reusable(path, spec, warn=True):
            return path, True
        run_experiment(spec, path, events)
    return path, False


def reusable_run(spec: RunSpec) -> Path | None:
    """The cached result of ``spec`` if it is there and verifies (nothing is run), else None."""
    path = cached_run_path(spec)
    return path if _reusable(path, spec, warn=False) else None


def _reusable(path: Path, spec: RunSpec, warn: bool) -> bool:
    """Whether the cached file is there, verifies, and records ``spec``'s simulator and seeds."""
    from cerebrepro.results.io import read_result

    if not path.is_file():
        return False
    try:
        recorded = read_result(path, analog=False).provenance
        mismatch = _spec_mismatch(recorded, spec)
        if mismatch:
            raise ResultError(f"{path}: it records {mismatch}")
    except ResultError as exc:
        if warn:
            warnings.warn(f"the cached run is not reused: {exc}; running it again", stacklevel=3)
        return False
    return True


def _spec_mismatch(provenance: dict, spec: RunSpec) -> str | None:
    """What the provenance says differently from ``spec`` (the facts a run's key is built from)."""
    recorded = provenance.get("spec")
    if not isinstance(recorded, dict):
        return "no run spec"
    expected = {k: v for k, v in dataclasses.asdict(spec).items() if k != "protocol"}
    for key in ("simulator", "scaffold", "size", "scaffold_seed", "stimulus", "stimulus_seed", "duration",
                "timestep", "threads", "kernel_seed", "record_v"):  # fmt: skip
        if key in recorded and recorded[key] != expected[key]:
            return f"{key} {recorded[key]!r}, not {expected[key]!r}"
    changed = [tuple(p) for p in recorded.get("parameters") or ()]
    if changed != [tuple(p) for p in spec.parameters]:
        return f"parameters {changed!r}, not {list(spec.parameters)!r}"
    return None
