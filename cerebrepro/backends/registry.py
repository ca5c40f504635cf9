"""The installed backends by name: one line each here, or an entry point from another package.

A package adds a backend without touching this file by declaring an entry point in the
``cerebrepro.backends`` group whose object is an instance of the contract
(:class:`~cerebrepro.backends.contract.Backend`).
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from cerebrepro.backends.contract import Backend
from cerebrepro.errors import SimulatorError

BUILT_IN: dict[str, str] = {  # in the paper's order: NEST, SpiNNaker, then the third check
    "nest": "cerebrepro.backends.nest:BACKEND",
    "spinnaker": "cerebrepro.backends.spinnaker:BACKEND",
    "brian2": "cerebrepro.backends.brian2:BACKEND",
}
ENTRY_POINT_GROUP = "cerebrepro.backends"
DEFAULT_BACKEND = "nest"  # the simulator a run uses unless told otherwise


@cache
def backends() -> dict[str, Backend[Any, Any]]:
    """Every backend by name (built-in first, then plugins); importing one imports no simulator."""
    found: dict[str, Backend[Any, Any]] = {}
    for name, target in BUILT_IN.items():
        module, attribute = target.split(":")
        found[name] = getattr(importlib.import_module(module), attribute)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in found:
            found[point.name] = point.load()
    for name, backend in found.items():
        if not isinstance(backend, Backend) or backend.name != name:
            raise SimulatorError(f"backend {name!r} does not fulfil the backend contract")
    return found


def names() -> tuple[str, ...]:
    return tuple(backends())


def get_backend(name: str) -> Backend[Any, Any]:
    """The backend called ``name`` (a clear error naming the choices if there is none)."""
    found = backends()
    if name not in found:
        raise SimulatorError(f"unknown simulator {name!r}: choose one of {', '.join(found)}")
    return found[name]
