"""Integrity of a results file: what the writer records and what the reader checks.

The writer records, in the root attribute ``digests`` (JSON), the sha256 of every part of
the file: the provenance text, the header (timestep, duration, population sizes, sampling
intervals) and each dataset's bytes. The reader recomputes the digest of every part it
reads, refuses a part that differs or is missing from the record, and checks the
structure (lengths, index ranges, finite ordered times, positive timestep and duration,
provenance a mapping) and the recorded spike digest. Files written before the record
existed (format version 1) have no ``digests``: their spike digest and structure are
still checked. The digests detect damage and careless edits, not forgery: whoever can
write the file can also recompute them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import h5py
import numpy as np

from cerebrepro.errors import ResultError
from cerebrepro.memory import describe, fits
from cerebrepro.results.types import RunResult

DIGESTS_ATTR = "digests"
PROVENANCE = "provenance"
HEADER = "header"
_MAX_CELLS = 2**31 - 1  # cells are stored as int32


def array_sha256(values: np.ndarray) -> str:
    """sha256 of an array's bytes in its stored (little-endian) form."""
    values = np.asarray(values)
    return hashlib.sha256(
        np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<")).tobytes()
    ).hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def header_sha256(
    timestep: float, duration: float, sizes: Mapping[str, int], intervals: Mapping[str, float]
) -> str:
    """sha256 of the numbers outside the datasets that change what the file means."""
    header = {
        "timestep": float(timestep),
        "duration": float(duration),
        "sizes": {k: int(v) for k, v in sizes.items()},
        "sampling_intervals": {k: float(v) for k, v in intervals.items()},
    }
    return text_sha256(json.dumps(header, sort_keys=True))


def check_header(path: object, timestep: float, duration: float) -> None:
    for name, value in (("timestep", timestep), ("duration", duration)):
        if not np.isfinite(value) or value <= 0:
            raise ResultError(f"{path}: the {name} is {value!r}, expected a finite number > 0")


def check_declared(path: object, f: h5py.File, analog: bool) -> None:
    """Shapes and sizes declared by the file, checked before any dataset is read into memory."""
    total = 0
    for name, g in f["spikes"].items():
        size = int(g.attrs["size"])
        if not 0 <= size <= _MAX_CELLS:
            raise ResultError(
                f"{path}: /spikes/{name} declares {size} cells (expected 0..{_MAX_CELLS})"
            )
        times, cells = g["times"], g["cells"]
        if times.ndim != 1 or cells.ndim != 1 or times.shape != cells.shape:
            raise ResultError(
                f"{path}: /spikes/{name}: times {times.shape} and cells {cells.shape} are not two 1-D arrays of one length"
            )
        if times.dtype.kind != "f" or cells.dtype.kind not in "iu":
            raise ResultError(f"{path}: /spikes/{name}: times must be floats and cells integers")
        total += times.nbytes + cells.nbytes * 3  # cells are widened to int64
    if analog:
        for name, g in f["analog"].items():
            cells = g["cells"]
            if cells.ndim != 1:
                raise ResultError(f"{path}: /analog/{name}/cells is not a 1-D array")
            for signal in (k for k in g if k != "cells"):
                shape = g[signal].shape
                if len(shape) != 2 or shape[1] != cells.shape[0]:
                    raise ResultError(
                        f"{path}: /analog/{name}/{signal} has shape {shape}, expected (samples, {cells.shape[0]} cells)"
                    )
                total += g[signal].nbytes
    if not fits(total):
        raise ResultError(
            f"{path}: the datasets declare {describe(total)}, more than the memory available"
        )


def check_structure(path: object, result: RunResult) -> None:
    """Indices below the population size, finite and ordered times, provenance a mapping."""
    check_header(path, result.timestep, result.duration)
    if not isinstance(result.provenance, dict):
        raise ResultError(
            f"{path}: the provenance is a {type(result.provenance).__name__}, not a mapping"
        )
    for name, s in result.spikes.items():
        where = f"{path}: /spikes/{name}"
        if s.times.size and not np.isfinite(s.times).all():
            raise ResultError(f"{where}: a spike time is not finite")
        if s.times.size and (
            s.times.min() < 0 or s.times.max() > result.duration + result.timestep
        ):
            raise ResultError(f"{where}: a spike time lies outside 0..{result.duration:g} ms")
        if np.any(np.diff(s.times) < 0):
            raise ResultError(f"{where}: the spike times are not in order")
        if s.cells.size and (s.cells.min() < 0 or s.cells.max() >= s.size):
            bad = int(s.cells.max() if s.cells.max() >= s.size else s.cells.min())
            raise ResultError(
                f"{where}: cell index {bad} is outside the population's {s.size} cells"
            )
    for name, a in result.analog.items():
        where = f"{path}: /analog/{name}"
        if not np.isfinite(a.sampling_interval) or a.sampling_interval <= 0:
            raise ResultError(
                f"{where}: the sampling interval is {a.sampling_interval!r}, expected > 0"
            )
        size = result.spikes[name].size if name in result.spikes else _MAX_CELLS
        if a.cells.size and (a.cells.min() < 0 or a.cells.max() >= size):
            raise ResultError(f"{where}/cells: an index is outside the population's {size} cells")


def check_spike_digest(path: object, result: RunResult) -> None:
    """The recorded spike digest, recomputed from the spikes read."""
    recorded = result.provenance.get("spike_digest")
    if recorded is not None and recorded != result.spike_digest():
        raise ResultError(
            f"{path}: the spikes do not match the spike digest recorded in the provenance "
            "(the file was changed after it was written)"
        )


def check_digests(
    path: object, recorded: str | None, computed: Mapping[str, str], required: bool, analog: bool
) -> None:
    """Every part read matches its recorded sha256, and every recorded part was present.

    ``analog``: whether the analog datasets were read (if not, their entries are not checked).
    """
    if recorded is None:
        if required:
            raise ResultError(
                f"{path}: the record of digests is missing (the file was changed after it was written)"
            )
        return
    try:
        record = json.loads(recorded)
    except ValueError as exc:
        raise ResultError(f"{path}: the record of digests is not JSON") from exc
    if not isinstance(record, dict):
        raise ResultError(f"{path}: the record of digests is not a mapping")
    absent = sorted(
        p for p in record if p not in computed and (analog or not p.startswith("analog/"))
    )
    if absent:
        raise ResultError(f"{path}: {absent[0]} is recorded but missing from the file")
    for part, digest in computed.items():
        if record.get(part) != digest:
            what = (
                "is not in the record of digests"
                if part not in record
                else "does not match its recorded sha256"
            )
            raise ResultError(f"{path}: {part} {what} (the file was changed after it was written)")
