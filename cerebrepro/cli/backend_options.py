"""Command-line flags made from every backend's options dataclass (one ``--field-name`` each).

A backend declares its settings once, as fields of its
:class:`~cerebrepro.backends.contract.BackendOptions`; this module turns them into Typer
parameters and the values given back into a run spec's ``options``, refusing a flag that
belongs to another simulator.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from cerebrepro.backends.registry import backends


@dataclasses.dataclass(frozen=True)
class OptionFlag:
    """One backend option as a flag."""

    backend: str
    field: str
    flag: str
    kind: type
    help: str


def _click_type(hint: object) -> type:
    """The plain type Typer parses a field as (Literal choices are checked by the options class)."""
    args = (
        typing.get_args(hint)
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
        else ()
    )
    if args:
        hint = next(a for a in args if a is not type(None))
    if typing.get_origin(hint) is typing.Literal:
        return type(typing.get_args(hint)[0])
    return hint if hint in (bool, int, float, str, Path) else str  # type: ignore[return-value]


def option_flags() -> list[OptionFlag]:
    """Every backend's option fields as flags, in registry order."""
    flags: list[OptionFlag] = []
    for name, backend in backends().items():
        hints = typing.get_type_hints(backend.options_type)
        for f in dataclasses.fields(backend.options_type):
            choices = (
                typing.get_args(hints[f.name])
                if typing.get_origin(hints[f.name]) is typing.Literal
                else ()
            )
            default = (
                f" (default: {f.default})" if f.default not in (None, dataclasses.MISSING) else ""
            )
            help_text = f"{name}: {f.metadata.get('help', '')}" + (
                f" ({' | '.join(map(str, choices))})" if choices else ""
            )
            flags.append(
                OptionFlag(
                    name,
                    f.name,
                    "--" + f.name.replace("_", "-"),
                    _click_type(hints[f.name]),
                    help_text + default,
                )
            )
    return flags


def with_backend_flags(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with one keyword parameter per backend option added to its signature.

    The command receives them in ``backend_options`` (name -> value, None when not given).
    """
    flags = option_flags()
    signature = inspect.signature(command, eval_str=True)
    extra = [
        inspect.Parameter(
            flag.field,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[flag.kind | None, typer.Option(flag.flag, help=flag.help)],  # type: ignore[name-defined]
        )
        for flag in flags
    ]
    own = [p for p in signature.parameters.values() if p.name != "backend_options"]

    def wrapper(**kwargs: Any) -> None:
        given = {flag.field: kwargs.pop(flag.field) for flag in flags}
        command(**kwargs, backend_options=given)

    wrapper.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    wrapper.__doc__ = command.__doc__
    wrapper.__name__ = command.__name__
    return wrapper


def chosen_options(simulator: str, given: Mapping[str, object]) -> dict[str, object]:
    """The given flags of ``simulator``'s backend as spec options; another backend's flag is refused."""
    options: dict[str, object] = {}
    for flag in option_flags():
        value = given.get(flag.field)
        if value is None:
            continue
        if flag.backend != simulator:
            raise typer.BadParameter(
                f"{flag.flag} is a {flag.backend} setting: use it with --simulator {flag.backend}"
            )
        options[flag.field] = str(value) if isinstance(value, Path) else value
    return options
