"""The output formats the pipeline benchmark compares, each written from the same RunResult.

``cerebrepro``: the project's results file (:func:`cerebrepro.results.io.write_result`);
``nix``: neo's NIX format through the project's export (:func:`cerebrepro.results.export.
export_result`: one SpikeTrain per population, the cell of each spike as an array
annotation); ``pickle``: the same neo Block through ``neo.io.PickleIO``.

All three start from the population arrays the backend collected. neo's NixIO stores every
neo object as its own data array, so the export writes one SpikeTrain per population (PyNN's
own Block, one SpikeTrain per cell, costs about 17 ms of CPU per cell to write as NIX).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cerebrepro.results.export import export_result, to_neo_block
from cerebrepro.results.io import write_result
from cerebrepro.results.types import RunResult

FORMATS = ("cerebrepro", "nix", "pickle")
SUFFIXES = {"cerebrepro": ".h5", "nix": ".nix", "pickle": ".pkl"}


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
