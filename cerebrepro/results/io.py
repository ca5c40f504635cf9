"""The results file: one HDF5 file per run, no pickles, complete or absent.

Layout::

    /                      attrs: format, format_version, timestep, duration, complete
    /provenance            attr "json": every fact about the run (versions, digests, seeds, ...)
    /spikes/<population>   datasets times (float64, ms), cells (int32 local index); attr size
    /analog/<population>   datasets cells, v, gsyn_exc, gsyn_inh (float32, samples x cells);
                           attr sampling_interval

The file is written to a temporary name and renamed when complete, and the ``complete``
attribute is set last, so an interrupted run never leaves a file that looks finished.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import h5py
import numpy as np

from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import ResultError
from cerebrepro.results.types import AnalogSignals, PopulationSpikes, RunResult

FORMAT = "cerebrepro-result"
FORMAT_VERSION = 1


def write_result(result: RunResult, path: Path) -> Path:
    """Write ``result`` to ``path`` atomically and return the path.

    The time spent writing the data is recorded as ``provenance["timings"]["write_s"]``
    (the provenance is written last, just before the file is marked complete).
    """
    path = Path(path)
    started = time.perf_counter()
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
                g.create_dataset(
                    "times", data=np.asarray(s.times, dtype=np.float64), **_compress(s.times.size)
                )
                g.create_dataset(
                    "cells", data=np.asarray(s.cells, dtype=np.int32), **_compress(s.cells.size)
                )
            analog = f.create_group("analog")
            for name, a in result.analog.items():
                g = analog.create_group(name)
                g.attrs["sampling_interval"] = a.sampling_interval
                g.create_dataset("cells", data=np.asarray(a.cells, dtype=np.int64))
                for signal, values in a.signals.items():
                    g.create_dataset(
                        signal, data=np.asarray(values, dtype=np.float32), **_compress(values.size)
                    )
            result.provenance.setdefault("timings", {})["write_s"] = time.perf_counter() - started
            provenance = json.dumps(result.provenance, sort_keys=True, default=_plain)
            f.create_group("provenance").attrs["json"] = provenance
            f.attrs["complete"] = True
    return path


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
        if int(f.attrs.get("format_version", -1)) > FORMAT_VERSION:
            raise ResultError(
                f"{path}: written by a newer cerebrepro (format version {f.attrs['format_version']})"
            )
        if not bool(f.attrs.get("complete", False)):
            raise ResultError(f"{path}: the run that wrote this file did not finish")
        try:
            provenance = json.loads(f["provenance"].attrs["json"])
            spikes = {
                name: PopulationSpikes(
                    int(g.attrs["size"]), g["times"][()], g["cells"][()].astype(np.int64)
                )
                for name, g in f["spikes"].items()
            }
            signals = {}
            if analog:
                for name, g in f["analog"].items():
                    values = {k: g[k][()] for k in g if k != "cells"}
                    signals[name] = AnalogSignals(
                        g["cells"][()], float(g.attrs["sampling_interval"]), values
                    )
        except (KeyError, ValueError) as exc:
            raise ResultError(f"{path}: malformed results file ({exc})") from exc
        return RunResult(
            spikes, float(f.attrs["timestep"]), float(f.attrs["duration"]), signals, provenance
        )
