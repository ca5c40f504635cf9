"""The published mossy-fibre stimulus, converted once from its pickled npz into a safe file.

The published ``400x400_stimulus_3.npz`` holds pickled objects, so it is unpickled only
from bytes whose sha256 was checked just before against the manifest's own sha256 or a
checksum the caller typed (never against a hash accepted on first use: nobody vouched
for those bytes). Its trains are then written to
``<data dir>/400x400_stimulus_3.trains.npz`` (plain arrays plus the generator settings as
JSON, readable with ``allow_pickle=False``), with the source's sha256 and the trains'
own sha256. A later call uses that file only when its trains hash to the value known
for the verified source (``CONVERTED_TRAINS_SHA256``); a converted file that cannot be
bound so (forged, damaged, or from a source this code does not know) is reconverted
from the verified source.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cerebrepro.data.cache import atomic_path, data_dir
from cerebrepro.data.fetch import fetch
from cerebrepro.data.manifest import load_manifest
from cerebrepro.errors import FetchError, StimulusError
from cerebrepro.model.spike_trains import SpikeTrains

STIMULUS_NAME = "400x400_stimulus_3.npz"
_CONVERTED_FORMAT = 2  # 2: records trains_sha256
# sha256 of the published npz -> sha256 of its trains as converted (see trains_sha256);
# a converted file is reused only when it matches the entry of its verified source.
CONVERTED_TRAINS_SHA256 = {
    "5f594617e625579e6403d92e639b8fd069f4eeca213a0e9e5579931ba55faed0": (
        "fc1eba3ce4f706406b673b7a706fc23a9ea2d2fbc262b9f9bd178759007d2a8f"
    ),
}


@dataclass(frozen=True)
class PublishedStimulus:
    """The published trains (one per glomerulus, scaffold file order) and how they were made."""

    trains: SpikeTrains
    details: dict[str, Any]  # the generator settings recorded in the file, JSON-safe
    source_sha256: str


def published_stimulus(path: Path | None = None, **fetch_kwargs: Any) -> SpikeTrains:
    """The published stimulus as spike trains (ms); see :func:`load_published_stimulus`."""
    return load_published_stimulus(path, **fetch_kwargs).trains


def load_published_stimulus(
    path: Path | None = None, sha256: str | None = None, **fetch_kwargs: Any
) -> PublishedStimulus:
    """Read the converted stimulus, converting the published npz first if needed.

    ``path``: a local copy of the npz to convert instead of the cached one (it must match
    the manifest's sha256); ignored once a bound converted file exists. ``sha256``: a
    checksum the user typed for this command, required when the manifest has none.
    ``fetch_kwargs`` go to :func:`cerebrepro.data.fetch.fetch` when the npz has to be fetched.
    """
    expected = vouched_sha256(sha256)
    destination = converted_path()
    stimulus = _read_converted(destination, expected)
    if stimulus is None:
        source = Path(path) if path is not None else fetch(STIMULUS_NAME, **fetch_kwargs)
        stimulus = _read_published(source, expected)
        _write_converted(stimulus, destination)
    return stimulus


def vouched_sha256(typed: str | None = None) -> str:
    """The sha256 the pickled npz must match: the manifest's own, or one the user typed.

    A hash recorded by ``fetch --accept-new`` is not enough: it says only that the bytes
    did not change since they were first seen, not that anyone vouched for them.
    """
    entry = load_manifest().get(STIMULUS_NAME)
    typed = typed.strip().lower() if typed else None
    if entry.sha256 is not None and typed is not None and typed != entry.sha256:
        raise FetchError(
            f"the sha256 given for {STIMULUS_NAME} ({typed}) differs from the manifest's "
            f"({entry.sha256}); the file holds pickled objects, so it was not opened"
        )
    expected = entry.sha256 or typed
    if expected is None:
        raise FetchError(
            f"the manifest gives no sha256 for {STIMULUS_NAME}, and a hash accepted on first use "
            "does not vouch for its content: it holds pickled objects, so it is opened only "
            "when the manifest's sha256 or a checksum you give for this command matches"
        )
    return expected


def trains_sha256(trains: SpikeTrains) -> str:
    """sha256 of converted trains: offsets (int64) then times (float64), little-endian."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(trains.offsets, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(trains.times, dtype="<f8").tobytes())
    return h.hexdigest()


def converted_path() -> Path:
    """Where the pickle-free copy of the published stimulus is cached."""
    return data_dir() / f"{Path(STIMULUS_NAME).stem}.trains.npz"


def _read_published(source: Path, expected: str) -> PublishedStimulus:
    """Unpickle the published npz, from bytes verified against ``expected`` first."""
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read the stimulus file {source}: {exc.strerror or exc}") from exc
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise FetchError(
            f"{source} does not match the manifest (sha256 expected {expected}, got {actual}); "
            "it holds pickled objects, so it was not opened"
        )
    try:
        with np.load(io.BytesIO(content), allow_pickle=True) as archive:
            spike_times = archive["glomerulus"].item()["spike_times"]
            details = archive["details"].item()
        trains = SpikeTrains.from_lists([_train(times) for times in spike_times])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StimulusError(
            f"{source} is not a stimulus file of the expected layout: {exc}"
        ) from exc
    return PublishedStimulus(trains, _json_safe(details), actual)


def _train(times: Any) -> np.ndarray:
    train = np.asarray(times, dtype=np.float64)
    if train.ndim != 1:
        raise ValueError("a spike train is not a 1-D array of times")
    return train


def _json_safe(value: Any) -> Any:
    """The same structure built from JSON types only (bytes decoded, NumPy values unwrapped)."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _write_converted(stimulus: PublishedStimulus, destination: Path) -> None:
    try:
        with atomic_path(destination) as staged, staged.open("wb") as handle:
            np.savez(
                handle,
                format=np.array(_CONVERTED_FORMAT),
                source_sha256=np.array(stimulus.source_sha256),
                trains_sha256=np.array(trains_sha256(stimulus.trains)),
                times=stimulus.trains.times,
                offsets=stimulus.trains.offsets,
                details=np.array(json.dumps(stimulus.details, sort_keys=True)),
            )
    except OSError as exc:
        raise FetchError(
            f"cannot write the converted stimulus {destination}: {exc.strerror or exc}"
        ) from exc


def _read_converted(path: Path, expected: str) -> PublishedStimulus | None:
    """The converted stimulus, or None when it is missing, damaged, made from other bytes,
    or cannot be bound to the verified source (its trains do not hash to the known value)."""
    known = CONVERTED_TRAINS_SHA256.get(expected)
    if known is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            if int(archive["format"]) != _CONVERTED_FORMAT:
                return None
            if str(archive["source_sha256"]) != expected:
                return None
            trains = SpikeTrains(
                archive["times"].astype(np.float64), archive["offsets"].astype(np.int64)
            )
            details = json.loads(str(archive["details"]))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    if trains_sha256(trains) != known:
        return None
    return PublishedStimulus(trains, details, expected)
