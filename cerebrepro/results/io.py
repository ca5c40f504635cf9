"""The results file: one HDF5 file per run, no pickles, complete or absent.

Layout::

    /                      attrs: format, format_version, timestep, duration, digests, complete
    /provenance            attr "json": every fact about the run (versions, digests, seeds, ...)
    /spikes/<population>   datasets times (float64, ms), cells (int32 local index); attr size
    /analog/<population>   datasets cells, v, gsyn_exc, gsyn_inh (float32, samples x cells);
                           attr sampling_interval

The file is written to a temporary name and renamed when complete, and the ``complete``
attribute is set last, so an interrupted run never leaves a file that looks finished.
``digests`` holds the sha256 of every part; the reader recomputes them and checks the
structure (:mod:`cerebrepro.results.check`). Version 1 files have no ``digests``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import h5py
import numpy as np

from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import ResultError
from cerebrepro.results import check
from cerebrepro.results.types import AnalogSignals, PopulationSpikes, RunResult

FORMAT = "cerebrepro-result"
FORMAT_VERSION = 2  # 2: the root attribute "digests"


def write_result(result: RunResult, path: Path) -> Path:
    """Write ``result`` to ``path`` atomically and return the path.

    The time spent writing the data is recorded as ``provenance["timings"]["write_s"]``
    (the provenance is written last, just before the file is marked complete).
    """
    path = Path(path)
    started = time.perf_counter()
    result.provenance["spike_digest"] = result.spike_digest()
    digests: dict[str, str] = {}
    try:
        _write(result, path, started, digests)
    except OSError as exc:  # a full disk, a vanished directory: no partial file is left
        raise ResultError(f"cannot write the result {path}: {exc.strerror or exc}") from exc
    return path


def _write(result: RunResult, path: Path, started: float, digests: dict[str, str]) -> None:
    with atomic_path(path, suffix=".h5") as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["format_version"] = FORMAT_VERSION
            f.attrs["timestep"] = result.timestep
            f.attrs["duration"] = result.duration
            spikes = f.create_group("spikes")
            for name, s in result.spikes.items():
                g = spikes.create_group(name)
                g.attrs["size"] = s.size
                _dataset(g, f"spikes/{name}/times", np.asarray(s.times, dtype=np.float64), digests)
                _dataset(g, f"spikes/{name}/cells", np.asarray(s.cells, dtype=np.int32), digests)
            analog = f.create_group("analog")
            for name, a in result.analog.items():
                g = analog.create_group(name)
                g.attrs["sampling_interval"] = a.sampling_interval
                _dataset(g, f"analog/{name}/cells", np.asarray(a.cells, dtype=np.int64), digests)
                for signal, values in a.signals.items():
                    _dataset(
                        g, f"analog/{name}/{signal}", np.asarray(values, dtype=np.float32), digests
                    )
            result.provenance.setdefault("timings", {})["write_s"] = time.perf_counter() - started
            provenance = json.dumps(result.provenance, sort_keys=True, default=_plain)
            f.create_group("provenance").attrs["json"] = provenance
            digests[check.PROVENANCE] = check.text_sha256(provenance)
            intervals = {name: a.sampling_interval for name, a in result.analog.items()}
            digests[check.HEADER] = check.header_sha256(
                result.timestep, result.duration, result.sizes, intervals
            )
            f.attrs[check.DIGESTS_ATTR] = json.dumps(digests, sort_keys=True)
            f.attrs["complete"] = True


def _dataset(group: h5py.Group, part: str, values: np.ndarray, digests: dict[str, str]) -> None:
    """Write one dataset (compressed when large) and record the sha256 of its bytes."""
    group.create_dataset(part.rsplit("/", 1)[1], data=values, **_compress(values.size))
    digests[part] = check.array_sha256(values)


def _plain(value: object) -> object:
    """JSON form of numpy scalars and arrays, paths and other objects in provenance."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _compress(n: int) -> dict:
    return {"compression": "gzip", "compression_opts": 1, "shuffle": True} if n > 4096 else {}


def read_result(path: Path, analog: bool = True) -> RunResult:
    """Read a results file, refusing anything incomplete or not in this format."""
    path = Path(path)
    if not path.is_file():
        raise ResultError(f"{path}: no such results file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ResultError(f"{path}: not an HDF5 results file ({exc})") from exc
    with f:
        if f.attrs.get("format") != FORMAT:
            raise ResultError(
                f"{path}: not a cerebrepro results file (format attribute missing or wrong)"
            )
        version = int(f.attrs.get("format_version", -1))
        if version > FORMAT_VERSION:
            raise ResultError(f"{path}: written by a newer cerebrepro (format version {version})")
        if not bool(f.attrs.get("complete", False)):
            raise ResultError(f"{path}: the run that wrote this file did not finish")
        digests: dict[str, str] = {}
        try:
            timestep, duration = float(f.attrs["timestep"]), float(f.attrs["duration"])
            check.check_header(path, timestep, duration)
            check.check_declared(path, f, analog)
            text = f["provenance"].attrs["json"]
            digests[check.PROVENANCE] = check.text_sha256(text)
            provenance = json.loads(text)
            spikes = {}
            for name, g in f["spikes"].items():
                times = _read(path, g, f"spikes/{name}/times", digests)
                cells = _read(path, g, f"spikes/{name}/cells", digests)
                spikes[name] = PopulationSpikes(
                    int(g.attrs["size"]), times.astype(np.float64), cells.astype(np.int64)
                )
            signals = {}
            if analog:
                for name, g in f["analog"].items():
                    values = {
                        k: _read(path, g, f"analog/{name}/{k}", digests) for k in g if k != "cells"
                    }
                    cells = _read(path, g, f"analog/{name}/cells", digests)
                    signals[name] = AnalogSignals(
                        cells, float(g.attrs["sampling_interval"]), values
                    )
            intervals = {
                name: float(g.attrs["sampling_interval"]) for name, g in f["analog"].items()
            }
            sizes = {name: s.size for name, s in spikes.items()}
            digests[check.HEADER] = check.header_sha256(timestep, duration, sizes, intervals)
            recorded = f.attrs.get(check.DIGESTS_ATTR)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ResultError(f"{path}: malformed results file ({exc})") from exc
    result = RunResult(spikes, timestep, duration, signals, provenance)
    check.check_structure(path, result)
    check.check_digests(path, recorded, digests, required=version >= 2, analog=analog)
    check.check_spike_digest(path, result)
    return result


def _read(path: Path, group: h5py.Group, part: str, digests: dict[str, str]) -> np.ndarray:
    """One dataset's data, its sha256 recorded in ``digests``; damaged data is a ResultError."""
    try:
        values = group[part.rsplit("/", 1)[1]][()]
    except OSError as exc:
        raise ResultError(f"{path}: /{part} cannot be read, the file is damaged ({exc})") from exc
    digests[part] = check.array_sha256(values)
    return values
