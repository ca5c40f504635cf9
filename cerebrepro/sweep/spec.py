"""A sweep file: a base run spec and the axes to vary, as a grid or as a list of points.

::

    base: {simulator: brian2, size: 100, duration: 400}
    grid: {f_peak: [50, 150], radius: [70, 140]}      # or
    points: [{f_peak: 50, radius: 70}, {f_peak: 150, simulator: nest}]

A name is a field of :class:`~cerebrepro.pipeline.spec.RunSpec` (``simulator``, ``size``,
``stimulus_seed``, ...), of the stimulus protocol (``f_peak``, ``radius``, ``kind`` or its
alias ``burst``, ``f_base``, ``start``, ``stop``), a model parameter as ``cerebrepro run
--set`` names it (``goc_grc.weight``, ``golgi.tau_m``: :mod:`cerebrepro.model.parameters`),
a weight scale (``goc_grc.weight_scale``: that projection's model weight times the
value; ``weight_scale``: every projection's), or a backend option by its field name
(``neuron_order``, ...). A run spec records the weights a scale gives, as ``--set`` would.
Every name and every point's values are checked (the same checks as ``cerebrepro run``)
before any work, and an unknown name is refused naming the file and the key.
The specs built here equal those ``cerebrepro run`` builds for the same values, so a point
and the same run alone share their run-cache entry.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cerebrepro.backends.registry import backends, get_backend
from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import PROJECTION_LIST, REFERENCE_PROTOCOL, Protocol
from cerebrepro.model.events import EventOptions
from cerebrepro.model.parameters import default_value, parameter_names
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.pipeline.validate import check_run

SECTIONS = ("base", "grid", "points")
ALIASES = {"burst": "kind"}  # the CLI's --burst is the protocol's kind
_SPEC_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(RunSpec)
    if f.name not in ("protocol", "options", "events", "parameters")
)
_PROTOCOL_FIELDS = tuple(f.name for f in dataclasses.fields(Protocol) if f.name != "duration")
_MODEL_PARAMETERS = frozenset(parameter_names())
# a weight scale: the model's weight of one projection, or of all of them, times a factor
_WEIGHT_SCALES = {f"{p.name}.weight_scale": (f"{p.name}.weight",) for p in PROJECTION_LIST} | {
    "weight_scale": tuple(f"{p.name}.weight" for p in PROJECTION_LIST)
}


class SweepSpecError(CerebreproError):
    """A sweep file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: the values it sets (by the file's names) and its run spec."""

    index: int
    values: dict[str, object]
    spec: RunSpec


def option_names() -> dict[str, str]:
    """Every backend option's field name -> its backend (importing no simulator)."""
    return {
        field.name: name
        for name, backend in backends().items()
        for field in dataclasses.fields(backend.options_type)
    }


def read_sweep(path: Path) -> list[SweepPoint]:
    """The points of the sweep file ``path``, every one checked before any is run."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise SweepSpecError(f"{path}: cannot read the sweep file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SweepSpecError(f"{path}: not YAML: {exc}") from None
    return sweep_points(data, str(path))


def sweep_points(data: object, source: str) -> list[SweepPoint]:
    """The points of a parsed sweep file (``source`` names it in errors)."""
    if not isinstance(data, dict):
        raise SweepSpecError(f"{source}: a sweep file is a mapping with base and grid or points")
    for key in data:
        if key not in SECTIONS:
            raise SweepSpecError(f"{source}: unknown key {key!r}: use {', '.join(SECTIONS)}")
    if ("grid" in data) == ("points" in data):
        raise SweepSpecError(f"{source}: give either grid or points (exactly one)")
    base = _mapping(data.get("base") or {}, source, "base")
    options = option_names()
    for name in base:
        _check_name(name, options, source, "base")
    if "grid" in data:
        assignments = _grid(_mapping(data["grid"], source, "grid"), source)
    else:
        assignments = _points(data["points"], source)
    points = []
    for index, values in enumerate(assignments):
        for name in values:
            _check_name(name, options, source, f"points[{index}]" if "points" in data else "grid")
        spec = build_spec({**base, **values}, options)
        try:
            check_run(spec)
            backend = get_backend(spec.simulator)
            backend.options_type.from_mapping(spec.options, backend.name)
        except CerebreproError as exc:
            raise SweepSpecError(f"{source}: point {index} ({_label(values)}): {exc}") from None
        points.append(SweepPoint(index, dict(values), spec))
    return points


def build_spec(values: Mapping[str, Any], options: Mapping[str, str]) -> RunSpec:
    """The run spec with ``values`` (names as in a sweep file) over RunSpec's defaults."""
    fields: dict[str, Any] = {}
    protocol: dict[str, Any] = {}
    backend_options: dict[str, object] = {}
    parameters: list[tuple[str, Any]] = []
    for name, value in values.items():
        name = ALIASES.get(name, name)
        if name in _PROTOCOL_FIELDS:
            protocol[name] = value
        elif name in _MODEL_PARAMETERS:
            parameters.append((name, _number(value)))
        elif name in _WEIGHT_SCALES:
            parameters.extend((weight, _scaled(weight, value)) for weight in _WEIGHT_SCALES[name])
        elif name in _SPEC_FIELDS:
            fields[name] = value
        else:
            backend_options[name] = value
    for name in ("size", "duration", "timestep"):  # YAML's 100 is an int; the CLI passes floats
        if isinstance(fields.get(name), int) and not isinstance(fields[name], bool):
            fields[name] = float(fields[name])
    for name in ("f_peak", "radius", "f_base", "start", "stop"):
        if isinstance(protocol.get(name), int) and not isinstance(protocol[name], bool):
            protocol[name] = float(protocol[name])
    return RunSpec(
        **fields,
        protocol=dataclasses.replace(REFERENCE_PROTOCOL, **protocol),
        options=backend_options,
        parameters=tuple(sorted(parameters)),  # values are checked by check_run, as for --set
    )


def _scaled(weight: str, factor: object) -> object:
    """The model's value of ``weight`` times ``factor`` (a factor that is no number is kept)."""
    number = _number(factor)
    return default_value(weight) * number if isinstance(number, float) else number


def _number(value: object) -> object:
    """A model parameter's YAML value as a float (anything else is left for check_run to refuse)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _check_name(name: object, options: Mapping[str, str], source: str, where: str) -> None:
    known = isinstance(name, str) and (
        ALIASES.get(name, name) in (*_SPEC_FIELDS, *_PROTOCOL_FIELDS)
        or name in _MODEL_PARAMETERS
        or name in _WEIGHT_SCALES
        or name in options
    )
    if not known:
        raise SweepSpecError(
            f"{source}: {where}: unknown key {name!r}: use a run spec field "
            f"({', '.join(_SPEC_FIELDS)}), a protocol field ({', '.join(_PROTOCOL_FIELDS)}, burst), "
            "a model parameter as cerebrepro run --set names it (goc_grc.weight, golgi.tau_m), "
            "a weight scale (goc_grc.weight_scale, or weight_scale for every projection) "
            "or a backend option (cerebrepro run --help)"
        )


def _mapping(value: object, source: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SweepSpecError(f"{source}: {where} must be a mapping of names to values")
    return value


def _grid(grid: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """Every combination of the grid's axes, the last axis varying fastest."""
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise SweepSpecError(f"{source}: grid: {name!r} must be a non-empty list of values")
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def _points(points: object, source: str) -> list[dict[str, Any]]:
    if not isinstance(points, list) or not points:
        raise SweepSpecError(f"{source}: points must be a non-empty list of mappings")
    return [_mapping(point, source, f"points[{i}]") for i, point in enumerate(points)]


def differences(spec: RunSpec, base: RunSpec) -> dict[str, object]:
    """The values of ``spec`` that differ from ``base``, by the names a sweep file uses."""
    flat, other = _flat(spec), _flat(base)
    return {name: value for name, value in flat.items() if other.get(name, None) != value} | {
        name: None for name in other if name not in flat
    }


def _flat(spec: RunSpec) -> dict[str, object]:
    values: dict[str, object] = {
        f.name: getattr(spec, f.name)
        for f in dataclasses.fields(spec)
        if f.name not in ("protocol", "options", "parameters")
    }
    values.update(dataclasses.asdict(spec.protocol))
    values.update(spec.options)
    values.update(dict(spec.parameters))
    return values


def _label(values: Mapping[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "base"


def spec_to_json(spec: RunSpec) -> str:
    """A run spec as JSON, read back equal by :func:`spec_from_json` (for a point's process)."""
    return json.dumps(dataclasses.asdict(spec), sort_keys=True)


def spec_from_json(text: str) -> RunSpec:
    plain = json.loads(text)
    plain["protocol"] = Protocol(**plain["protocol"])
    plain["parameters"] = tuple((name, value) for name, value in plain.get("parameters", ()))
    if plain.get("events") is not None:
        events = plain["events"]
        if events.get("sensor") is not None:
            events["sensor"] = tuple(events["sensor"])
        plain["events"] = EventOptions(**events)
    return RunSpec(**plain)
