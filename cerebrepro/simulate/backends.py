"""The simulator backends, each a module of the same shape.

A backend module provides ``NAME``, ``prepare(spec, scaffold, trains, events) -> session``,
``simulate(session, duration, on_time)`` and ``collect(session, duration) -> (spikes,
analog, facts)``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cerebrepro.errors import SimulatorError

BACKENDS = {
    "nest": ("cerebrepro.simulate.nest", "nest", "make install (nest-simulator==3.10.0)"),
    "spinnaker": ("cerebrepro.simulate.spinnaker", "spynnaker", "pip install 'cerebrepro[spinnaker]'"),
    "brian2": ("cerebrepro.simulate.brian2", "brian2", "pip install 'cerebrepro[brian2]'"),
}


def load_backend(name: str) -> ModuleType:
    """The backend module called ``name``, with a clear error if it or its simulator is missing."""
    if name not in BACKENDS:
        raise SimulatorError(f"unknown simulator {name!r}: choose one of {', '.join(BACKENDS)}")
    module, package, install = BACKENDS[name]
    if importlib.util.find_spec(package) is None:
        raise SimulatorError(f"the {name} simulator is not installed (Python package {package!r}): {install}")
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise SimulatorError(f"the {name} backend is not available in this version of cerebrepro ({exc})") from exc
