"""Changed model parameters of a run: ``<projection>.weight|delay`` or ``<cell type>.<parameter>``.

Names and units are the model's (:mod:`cerebrepro.model.cerebellum`: uS, ms, mV, nF, nA).
A run names its changes as sorted ``(name, value)`` pairs; :func:`check_parameters`
refuses an unknown name or a value no simulator could honour before anything is built,
and :func:`apply_parameters` gives the cell types and projections with the changes, which
:func:`~cerebrepro.model.cerebellum_network.describe_cerebellum` turns into the network
every backend builds (so no backend needs code of its own for them).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from types import MappingProxyType

from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import CELL_TYPES, CELLS, PROJECTION_LIST, PROJECTIONS, CellType
from cerebrepro.model.cerebellum import Projection as ModelProjection

Parameters = tuple[tuple[str, float], ...]

PROJECTION_FIELDS: dict[str, str] = {"weight": "uS", "delay": "ms"}
CELL_UNITS: dict[str, str] = {
    "tau_refrac": "ms", "cm": "nF", "v_thresh": "mV", "v_rest": "mV", "v_reset": "mV",
    "tau_m": "ms", "i_offset": "nA", "tau_syn_E": "ms", "tau_syn_I": "ms", "e_rev_E": "mV",
    "e_rev_I": "mV",
}  # fmt: skip
POSITIVE_CELL_PARAMETERS = frozenset({"cm", "tau_m", "tau_syn_E", "tau_syn_I"})
_GRID = 1e-9  # relative tolerance of "a multiple of the timestep"


class ParameterError(CerebreproError):
    """A changed parameter names nothing in the model, or its value cannot be simulated."""


def parameter_names() -> tuple[str, ...]:
    """Every name a run may change, projections first (model order)."""
    projections = [f"{p.name}.{f}" for p in PROJECTION_LIST for f in PROJECTION_FIELDS]
    cells = [f"{c.name}.{k}" for c in CELL_TYPES if not c.is_source for k in c.parameters]
    return (*projections, *cells)


def default_value(name: str) -> float:
    """The model's own value of ``name`` (ParameterError for an unknown name)."""
    owner, _, field = _split(name)
    if owner in PROJECTIONS:
        return float(getattr(PROJECTIONS[owner], field))
    return float(CELLS[owner].parameters[field])


def unit(name: str) -> str:
    """The unit of ``name``'s value."""
    owner, _, field = _split(name)
    return PROJECTION_FIELDS[field] if owner in PROJECTIONS else CELL_UNITS[field]


def parse_setting(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` as (name, value); the value is checked by :func:`check_parameters`."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ParameterError(f"--set {text!r}: write NAME=VALUE, e.g. goc_grc.weight=0.0055")
    try:
        number = float(value)
    except ValueError:
        raise ParameterError(
            f"--set {text!r}: the value {value.strip()!r} is not a number"
        ) from None
    return name.strip(), number


def parse_settings(texts: Iterable[str], timestep: float) -> Parameters:
    """Every ``NAME=VALUE`` of the command line, checked and sorted (a name given twice is refused)."""
    return check_parameters([parse_setting(t) for t in texts], timestep)


def check_parameters(items: Iterable[tuple[str, float]], timestep: float) -> Parameters:
    """The changes sorted by name, each refused unless its name and value make sense."""
    seen: dict[str, float] = {}
    for name, value in items:
        if name in seen:
            raise ParameterError(f"--set {name} is given twice ({seen[name]:g} and {value:g})")
        seen[name] = _checked(name, value, timestep)
    return tuple(sorted(seen.items()))


def _split(name: str) -> tuple[str, str, str]:
    owner, dot, field = name.partition(".")
    known = owner in PROJECTIONS and field in PROJECTION_FIELDS
    known |= owner in CELLS and field in CELLS[owner].parameters
    if not dot or not known:
        raise ParameterError(f"--set {name}: {_unknown(owner, field)}")
    return owner, dot, field


def _unknown(owner: str, field: str) -> str:
    if owner in PROJECTIONS and not field:
        return f"name what to change: {owner}.weight (uS) or {owner}.delay (ms)"
    if owner in PROJECTIONS:
        return f"a projection has {' and '.join(PROJECTION_FIELDS)}, not {field!r}"
    if owner in CELLS and CELLS[owner].is_source:
        return f"the {owner} cells are spike sources without parameters"
    if owner in CELLS:
        return f"the {owner} cells have {', '.join(CELLS[owner].parameters)}, not {field!r}"
    return (
        f"no projection or cell type {owner!r} in the model: projections "
        f"{', '.join(PROJECTIONS)}; cell types {', '.join(c.name for c in CELL_TYPES if not c.is_source)}"
    )


def _checked(name: str, value: float, timestep: float) -> float:
    """``value`` as a float, refused when it is not finite or not valid for ``name``."""
    owner, _, field = _split(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"--set {name}={value!r}: the value must be a number")
    number = float(value)
    where = f"--set {name}={value:g} {unit(name)}"
    if not math.isfinite(number):
        raise ParameterError(f"--set {name}={value}: the value must be a finite number")
    if field == "weight" and number < 0:
        raise ParameterError(
            f"{where}: a weight is a magnitude (>= 0); the receptor "
            f"({PROJECTIONS[owner].receptor}) carries the sign"
        )
    if field == "delay" and math.isfinite(timestep) and timestep > 0:  # else check_run refuses it
        steps = number / timestep
        if steps < 1 - _GRID or abs(steps - round(steps)) > _GRID * max(1.0, steps):
            raise ParameterError(
                f"{where}: a delay must be a whole number of time steps ({timestep:g} ms), at least one"
            )
    if field in POSITIVE_CELL_PARAMETERS and number <= 0:
        raise ParameterError(f"{where}: {field} must be > 0")
    if field == "tau_refrac" and number < 0:
        raise ParameterError(f"{where}: tau_refrac must be >= 0")
    if owner in CELLS:
        _check_voltages(owner, field, number, where)
    return number


def _check_voltages(cell: str, field: str, value: float, where: str) -> None:
    """The reset must stay below the threshold (else the cell fires at every step)."""
    values = {**CELLS[cell].parameters, field: value}
    if values["v_reset"] >= values["v_thresh"]:
        raise ParameterError(
            f"{where}: v_reset ({values['v_reset']:g} mV) must stay below v_thresh "
            f"({values['v_thresh']:g} mV)"
        )


def apply_parameters(
    parameters: Parameters,
) -> tuple[tuple[CellType, ...], tuple[ModelProjection, ...]]:
    """The model's cell types and projections with ``parameters`` changed (the rest untouched)."""
    changes: dict[str, dict[str, float]] = {}
    for name, value in parameters:
        owner, _, field = _split(name)
        changes.setdefault(owner, {})[field] = float(value)
    cells = tuple(
        dataclasses.replace(c, parameters=MappingProxyType({**c.parameters, **changes[c.name]}))
        if c.name in changes
        else c
        for c in CELL_TYPES
    )
    projections = tuple(
        dataclasses.replace(p, **changes[p.name]) if p.name in changes else p
        for p in PROJECTION_LIST
    )
    return cells, projections


def describe_parameters(parameters: Parameters) -> dict[str, dict[str, object]]:
    """Provenance of the changes: each value, the model's own value and the unit."""
    return {
        name: {"value": float(value), "model": default_value(name), "unit": unit(name)}
        for name, value in parameters
    }
