"""Export a result to neo (NIX files), the field's common exchange format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import ResultError
from cerebrepro.results.types import RunResult

FORMATS = ("nix",)


def to_neo_block(result: RunResult, per_cell: bool = False):
    """A neo Block: one Group per population holding its spikes and recorded signals.

    Spikes are one SpikeTrain per population with the cell index of every spike as the
    array annotation ``cell`` (compact), or one SpikeTrain per cell with ``per_cell``.
    Signals are AnalogSignals (samples x recorded cells) with the cell indices as the
    array annotation ``cell``.
    """
    import neo
    import quantities as pq

    block = neo.Block(name="cerebrepro run", provenance=json.dumps(result.provenance, default=str))
    segment = neo.Segment(name="run")
    block.segments.append(segment)
    t_stop = result.duration * pq.ms
    units = {"v": pq.mV, "gsyn_exc": pq.uS, "gsyn_inh": pq.uS}
    for name, spikes in result.spikes.items():
        group = neo.Group(name=name, size=spikes.size)
        block.groups.append(group)
        if per_cell:
            order = np.argsort(spikes.cells, kind="stable")
            bounds = np.searchsorted(spikes.cells[order], np.arange(spikes.size + 1))
            trains = [
                neo.SpikeTrain(
                    spikes.times[order[bounds[i] : bounds[i + 1]]],
                    t_stop=t_stop,
                    units="ms",
                    cell=i,
                )
                for i in range(spikes.size)
            ]
        else:
            trains = [
                neo.SpikeTrain(
                    spikes.times,
                    t_stop=t_stop,
                    units="ms",
                    name=name,
                    array_annotations={"cell": spikes.cells},
                )
            ]
        for train in trains:
            train.annotate(population=name)
            segment.spiketrains.append(train)
            group.add(train)
        analog = result.analog.get(name)
        if analog is None:
            continue
        for signal, values in analog.signals.items():
            array = neo.AnalogSignal(
                values,
                units=units.get(signal, pq.dimensionless),
                sampling_period=analog.sampling_interval * pq.ms,
                t_start=analog.sampling_interval * pq.ms,
                name=f"{name}.{signal}",
                array_annotations={"cell": analog.cells},
            )
            segment.analogsignals.append(array)
            group.add(array)
    return block


def export_result(result: RunResult, path: Path, fmt: str = "nix", per_cell: bool = False) -> Path:
    """Write ``result`` to ``path`` in ``fmt``, atomically."""
    if fmt not in FORMATS:
        raise ResultError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    from neo.io import NixIO

    block = to_neo_block(result, per_cell=per_cell)
    with atomic_path(Path(path), suffix=".nix") as tmp:
        tmp.unlink()  # NixIO creates the file itself
        io = NixIO(str(tmp), mode="ow")
        try:
            io.write_block(block)
        finally:
            io.close()
    return Path(path)
