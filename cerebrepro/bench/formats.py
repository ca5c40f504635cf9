"""The output formats the pipeline benchmark compares, each written from the same RunResult.

``cerebrepro``: the project's results file (:func:`cerebrepro.results.io.write_result`);
``nix``: neo's NIX format through the project's export (:func:`cerebrepro.results.export.
export_result`: one SpikeTrain per population, the cell of each spike as an array
annotation); ``pickle``: the same neo Block through ``neo.io.PickleIO``.

PyNN's own ``get_data`` Block holds one SpikeTrain per cell; NIX writes every neo object
as its own data array, which makes that Block slow to write (about 17 ms of CPU per cell
measured here), so the benchmark turns PyNN's Block into population arrays once, in the
collect phase (:func:`block_to_result`), and every writer starts from those.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from cerebrepro.results.export import export_result, to_neo_block
from cerebrepro.results.io import write_result
from cerebrepro.results.types import AnalogSignals, PopulationSpikes, RunResult

FORMATS = ("cerebrepro", "nix", "pickle")
SUFFIXES = {"cerebrepro": ".h5", "nix": ".nix", "pickle": ".pkl"}


def block_to_result(block, population: str, size: int, timestep: float, duration: float) -> RunResult:
    """A RunResult holding one population's spikes and signals from a PyNN neo Block."""
    segment = block.segments[0]
    trains = segment.spiketrains
    times = np.concatenate([np.asarray(t.rescale("ms").magnitude, dtype=np.float64) for t in trains] or [np.zeros(0)])
    cells = np.concatenate(
        [np.full(len(t), int(t.annotations["source_index"]), dtype=np.int64) for t in trains] or [np.zeros(0, np.int64)]
    )
    order = np.lexsort((cells, times))
    signals: dict[str, np.ndarray] = {}
    recorded, interval = np.zeros(0, dtype=np.int64), timestep
    for signal in segment.analogsignals:
        recorded = np.asarray(signal.array_annotations["channel_index"], dtype=np.int64)
        interval = float(signal.sampling_period.rescale("ms").magnitude)
        signals[signal.name] = np.asarray(signal.magnitude, dtype=np.float32)
    analog = {population: AnalogSignals(recorded, interval, signals)} if signals else {}
    return RunResult({population: PopulationSpikes(size, times[order], cells[order])}, timestep, duration, analog)


def write_pickle(result: RunResult, path: Path) -> Path:
    """The result's neo Block (as exported to NIX) through neo's PickleIO."""
    from neo.io import PickleIO

    PickleIO(str(path)).write_block(to_neo_block(result))
    return path


WRITERS: dict[str, Callable[[RunResult, Path], Path]] = {
    "cerebrepro": write_result,
    "nix": lambda result, path: export_result(result, path, "nix"),
    "pickle": write_pickle,
}
