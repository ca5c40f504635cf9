"""Groups of flags that several commands share, each added to a command by one decorator.

A group is a list of :class:`Flag` and a function that turns the values given into the one
argument the command receives instead (``into``). :func:`with_flags` adds the flags to the
command's signature, which Typer reads, so each group is declared once: the backend
options, the event-recording options and the scheduler options.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Command = Callable[..., None]


@dataclass(frozen=True)
class Flag:
    """One flag: its parameter name, its annotation (``Annotated[type, typer.Option(...)]``), its default."""

    name: str
    annotation: object
    default: object = None


def with_flags(
    flags: Sequence[Flag], into: str, build: Callable[..., object]
) -> Callable[[Command], Command]:
    """A decorator giving a command ``flags``; it receives ``build(**values)`` as ``into``."""

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != into]
        extra = [
            inspect.Parameter(
                f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=f.annotation
            )
            for f in flags
        ]

        def wrapper(**kwargs: Any) -> None:
            given = {f.name: kwargs.pop(f.name) for f in flags}
            command(**kwargs, **{into: build(**given)})

        wrapper.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
        wrapper.__doc__ = command.__doc__
        wrapper.__name__ = command.__name__
        return wrapper

    return decorate
