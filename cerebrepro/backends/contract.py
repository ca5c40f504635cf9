"""The one contract every simulator backend fulfils.

A backend takes a simulator-neutral :class:`~cerebrepro.model.description.NetworkDescription`
and :class:`SimulationSettings`, and goes through four steps: ``check`` (is it installed, and
what to do if not), ``prepare`` (build the network), ``simulate`` (advance model time,
reporting progress) and ``collect`` (spikes, analog signals, synapse counts, timings,
facts). ``facts`` describes the installed simulator for ``info`` and provenance. Each
backend's own settings are a frozen dataclass (:class:`BackendOptions`); the CLI makes its
flags from the fields. ``tests/test_backend_contract.py`` is the test a new backend copies.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypeVar, runtime_checkable

from cerebrepro.errors import SimulatorError
from cerebrepro.model.description import NetworkDescription
from cerebrepro.results.types import AnalogSignals, PopulationSpikes

Fact = str | int | float | bool | None | list["Fact"] | dict[str, "Fact"]
Facts = dict[str, Fact]


@dataclass(frozen=True)
class SimulationSettings:
    """How long and how finely to simulate, on how many threads, with which seed.

    ``seed`` seeds the simulator's own random streams (e.g. Poisson sources).
    """

    duration: float  # ms
    timestep: float = 0.1  # ms
    threads: int = 1
    seed: int = 1

    @property
    def n_steps(self) -> int:
        return int(round(self.duration / self.timestep))


class Progress(Protocol):
    """What a run reports while it goes: the phase, and model time reached."""

    def phase(self, name: str) -> None: ...

    def model_time(self, t: float, total: float) -> None: ...


class SilentProgress:
    """Progress that goes nowhere."""

    def phase(self, name: str) -> None:
        pass

    def model_time(self, t: float, total: float) -> None:
        pass


@dataclass(frozen=True)
class Availability:
    """Whether a backend's simulator is installed; if not, what to do."""

    installed: bool
    version: str | None
    install_hint: str

    def require(self, backend: str) -> None:
        """Raise a :class:`SimulatorError` naming the fix when the simulator is missing."""
        if not self.installed:
            raise SimulatorError(f"the {backend} simulator is not installed: {self.install_hint}")


@dataclass
class Collected:
    """What a run leaves, in scaffold (description) cell indices.

    ``spikes`` is None when the backend mapped the network without simulating it (a
    virtual SpiNNaker board): ``facts`` then hold the mapping.
    """

    spikes: dict[str, PopulationSpikes] | None
    analog: dict[str, AnalogSignals] = field(default_factory=dict)
    synapses: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    facts: Facts = field(default_factory=dict)


@dataclass(frozen=True)
class BackendOptions:
    """Base of a backend's own settings: a frozen dataclass of plain, typed fields.

    Every field has a default and ``metadata={"help": ...}``; the CLI offers each as a
    flag (``--field-name``) and the run spec stores them by name.
    """

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], backend: str) -> typing.Self:
        """The options named in ``values`` (others at their defaults), checked by name and type."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            known = ", ".join(fields) or "none"
            raise SimulatorError(
                f"unknown {backend} option(s) {', '.join(unknown)}: known are {known}"
            )
        hints = typing.get_type_hints(cls)
        return cls(
            **{name: _coerce(name, value, hints[name], backend) for name, value in values.items()}
        )

    def to_mapping(self) -> dict[str, Fact]:
        """The options that differ from their defaults (what a run spec records)."""
        out: dict[str, Fact] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                out[f.name] = value
        return out


def _coerce(name: str, value: object, hint: object, backend: str) -> object:
    """``value`` as the field's type (an int where a float is wanted is taken as one)."""
    allowed = (
        typing.get_args(hint)
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
        else (hint,)
    )
    if value is None and type(None) in allowed:
        return None
    for kind in allowed:
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if (
            isinstance(kind, type)
            and isinstance(value, kind)
            and not (kind is int and isinstance(value, bool))
        ):
            return value
        if typing.get_origin(kind) is typing.Literal and value in typing.get_args(kind):
            return value
    raise SimulatorError(f"{backend} option {name}={value!r} is not a {hint}")


OptionsT = TypeVar("OptionsT", bound=BackendOptions, contravariant=True)
SessionT = TypeVar("SessionT")


@runtime_checkable
class Backend(Protocol[OptionsT, SessionT]):
    """A simulator behind the contract (see the module docstring)."""

    name: ClassVar[str]
    options_type: ClassVar[type[BackendOptions]]

    def check(self) -> Availability:
        """Is the simulator installed (without importing it), and what to do if not."""
        ...

    def facts(self) -> Facts:
        """Versions and capabilities of the installed simulator (for ``info`` and provenance)."""
        ...

    def supports(
        self, network: NetworkDescription, settings: SimulationSettings, options: OptionsT
    ) -> None:
        """Raise a :class:`SimulatorError` naming what this backend cannot simulate, before any build."""
        ...

    def prepare(
        self,
        network: NetworkDescription,
        settings: SimulationSettings,
        options: OptionsT,
        progress: Progress,
    ) -> SessionT:
        """Build ``network`` in the simulator; the returned session holds all that a run needs."""
        ...

    def simulate(self, session: SessionT, progress: Progress) -> None:
        """Advance the built network by the settings' duration, reporting model time."""
        ...

    def collect(self, session: SessionT) -> Collected:
        """Read back what was recorded, in description cell indices, and release the simulator."""
        ...
