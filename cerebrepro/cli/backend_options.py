"""Command-line flags made from every backend's options dataclass (one ``--field-name`` each).

A backend declares its settings once, as fields of its
:class:`~cerebrepro.backends.contract.BackendOptions`; this module turns them into Typer
parameters and the values given back into a run spec's ``options``, refusing a flag that
belongs to another simulator.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.backends.registry import backends
from cerebrepro.cli.flag_groups import Command, Flag, with_flags


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


def with_backend_flags(command: Command) -> Command:
    """``command`` with one flag per backend option; it receives them as ``backend_options``.

    ``backend_options`` maps each option's field name to its value, None when not given.
    """
    flags = [
        Flag(f.field, Annotated[f.kind | None, typer.Option(f.flag, help=f.help)])  # type: ignore[name-defined]
        for f in option_flags()
    ]
    return with_flags(flags, "backend_options", dict)(command)


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
