"""Which SpiNNaker machine a run uses, and the run-local sPyNNaker configuration file.

sPyNNaker 7.4.1 reads its defaults, then *one* user file (``.spynnaker.cfg`` in
``/etc/xdg``, ``$XDG_CONFIG_HOME`` (``~/.config``) or ``~``; two of them are an error),
then ``./spynnaker.cfg`` in the working directory. When it finds no user file it *writes*
``~/.spynnaker.cfg`` from a template and stops. cerebrepro never lets that happen and never
touches the user's file: every run gets its own directory holding a ``spynnaker.cfg``
with the resolved settings (read last, so they win), and when the user has no file of
their own, a placeholder user file in that directory that ``XDG_CONFIG_HOME`` points to
while sPyNNaker starts.

Each setting comes from, highest first: a backend option
(:class:`~cerebrepro.backends.spinnaker.options.SpinnakerOptions`, a command-line flag), an
environment variable (``CEREBREPRO_SPINNAKER_*``), the user's own ``.spynnaker.cfg``, the default.
"""

from __future__ import annotations

import configparser
import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cerebrepro.backends.contract import Facts
from cerebrepro.errors import SimulatorError

DEFAULT_TIME_SCALE_FACTOR = 1000  # the published runs: 1 s of model time in about 1000 s
SPALLOC_MACHINE_VERSION = 5  # spalloc serves SpiNN-5 (48-chip) boards
CONFIG_NAME = "spynnaker.cfg"
ENVIRONMENT = {
    "board": "CEREBREPRO_SPINNAKER_BOARD",
    "spalloc": "CEREBREPRO_SPINNAKER_SPALLOC",
    "virtual": "CEREBREPRO_SPINNAKER_VIRTUAL",
    "version": "CEREBREPRO_SPINNAKER_VERSION",
    "time_scale_factor": "CEREBREPRO_SPINNAKER_TIME_SCALE_FACTOR",
}
OPTION_NAMES = {
    "board": "--board",
    "spalloc": "--spalloc",
    "virtual": "--virtual",
    "version": "--machine-version",
    "time_scale_factor": "--time-scale-factor",
}
TARGETS = ("board", "spalloc", "virtual")
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class MachineSettings:
    """The machine one run uses, and where each setting came from."""

    target: str  # board | spalloc | virtual
    address: str | None  # board host name or IP; spalloc server URL
    version: int | None  # SpiNNaker board version (3: 4 chips, 5: 48 chips)
    time_scale_factor: float
    sources: dict[str, str] = field(default_factory=dict)
    user_config: Path | None = None

    @property
    def is_virtual(self) -> bool:
        return self.target == "virtual"

    def public(self) -> Facts:
        """The settings for provenance and display (no credentials)."""
        return {
            "target": self.target,
            "address": redact(self.address),
            "version": self.version,
            "time_scale_factor": self.time_scale_factor,
            "sources": {**self.sources},
            "user_config": str(self.user_config) if self.user_config else None,
        }


def redact(address: str | None) -> str | None:
    """``address`` without any user name or password it carries (spalloc URLs may)."""
    if not address or "@" not in address:
        return address
    parts = urlsplit(address)
    if not parts.netloc:
        return address
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def user_config_paths() -> list[Path]:
    """Where sPyNNaker looks for the user's ``.spynnaker.cfg`` (the same three places)."""
    try:
        import appdirs as dirs  # what sPyNNaker itself uses
    except ImportError:
        import platformdirs as dirs

    name = "." + CONFIG_NAME
    return [
        Path(dirs.site_config_dir()) / name,
        Path(dirs.user_config_dir()) / name,
        Path(os.path.expanduser("~")) / name,
    ]


def find_user_config() -> Path | None:
    """The user's ``.spynnaker.cfg``; an error if there are two (sPyNNaker refuses that too)."""
    found = [p for p in user_config_paths() if p.is_file()]
    if len(found) > 1:
        raise SimulatorError(
            f"two sPyNNaker user configurations exist ({found[0]} and {found[1]}); "
            "sPyNNaker refuses to start: remove one"
        )
    return found[0] if found else None


def _option(name: str) -> str:
    """sPyNNaker's spelling-independent option name (lower case, no underscores)."""
    return name.lower().replace("_", "")


def _value(parser: configparser.RawConfigParser, option: str) -> str | None:
    if not parser.has_section("Machine"):
        return None
    value = parser.get("Machine", _option(option), fallback=None)
    return None if value is None or value.strip().lower() in ("none", "") else value.strip()


def read_user_settings(path: Path) -> dict[str, str]:
    """The machine settings a user configuration file sets (keys as in ``ENVIRONMENT``)."""
    parser = configparser.RawConfigParser()
    parser.optionxform = _option  # type: ignore[assignment,method-assign]
    parser.read(path)
    spec_file = _value(parser, "machine_spec_file")
    if spec_file:
        parser.read(os.path.expanduser(spec_file))
    found = {
        "board": _value(parser, "machine_name"),
        "spalloc": _value(parser, "spalloc_server"),
        "virtual": _value(parser, "virtual_board"),
        "version": _value(parser, "version"),
        "time_scale_factor": _value(parser, "time_scale_factor"),
    }
    if found["virtual"] is not None and found["virtual"].lower() not in _TRUE:
        found["virtual"] = None
    return {k: v for k, v in found.items() if v is not None}


Layers = list[tuple[str, dict[str, str]]]


def _layers(options: Mapping[str, object], environ: Mapping[str, str], user: Path | None) -> Layers:
    """(source name, settings) from the highest precedence down."""
    cli = {
        k: str(v)
        for k, v in options.items()
        if v is not None and v is not False and k in ENVIRONMENT
    }
    if options.get("virtual") is True:
        cli["virtual"] = "true"
    env = {k: environ[name] for k, name in ENVIRONMENT.items() if environ.get(name)}
    if env.get("virtual", "").lower() not in _TRUE:
        env.pop("virtual", None)
    layers = [("option", cli), ("environment", env)]
    if user is not None:
        layers.append((f"user config {user}", read_user_settings(user)))
    return layers


def _describe(source: str, key: str) -> str:
    if source == "option":
        return f"option {OPTION_NAMES[key]}"
    if source == "environment":
        return f"environment {ENVIRONMENT[key]}"
    return source


def resolve_settings(
    options: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> MachineSettings:
    """The machine settings of a run from options (keys of ``ENVIRONMENT``), environment and user file.

    The target (board, spalloc or virtual) comes whole from the highest layer that names
    one; that layer must name exactly one.
    """
    options = options or {}
    environ = os.environ if environ is None else environ
    user = find_user_config()
    layers = _layers(options, environ, user)
    sources: dict[str, str] = {}
    target = address = None
    for source, values in layers:
        named = [t for t in TARGETS if t in values]
        if len(named) > 1:
            raise SimulatorError(
                f"{_describe(source, named[0])} and {_describe(source, named[1])} both name a machine: "
                "use exactly one of a board address, a spalloc server or a virtual board"
            )
        if named:
            target = named[0]
            address = None if target == "virtual" else values[target]
            sources["target"] = _describe(source, target)
            break
    if target is None:
        raise SimulatorError(
            "no SpiNNaker machine configured: pass --board HOST --machine-version N (3: 4-chip "
            "SpiNN-3, 5: 48-chip SpiNN-5), --spalloc URL, or --virtual (mapping only); or set "
            f"{ENVIRONMENT['board']} / {ENVIRONMENT['spalloc']}, or machine_name / spalloc_server "
            "in ~/.spynnaker.cfg"
        )
    version = _first(layers, "version", sources)
    time_scale = _first(layers, "time_scale_factor", sources)
    settings = MachineSettings(
        target=target,
        address=address,
        version=_as_version(version, target),
        time_scale_factor=_as_time_scale(time_scale),
        sources=sources,
        user_config=user,
    )
    if version is None:
        sources["version"] = "default" if settings.version is not None else "unset"
    if time_scale is None:
        sources["time_scale_factor"] = "default"
    return settings


def _first(layers: Layers, key: str, sources: dict[str, str]) -> str | None:
    for source, values in layers:
        if key in values:
            sources[key] = _describe(source, key)
            return values[key]
    return None


def _as_version(value: str | None, target: str) -> int | None:
    if value is None:
        if target == "board":
            raise SimulatorError(
                "a board address needs its version: --machine-version 3 (4-chip SpiNN-3) or 5 (48-chip SpiNN-5)"
            )
        return SPALLOC_MACHINE_VERSION
    try:
        return int(value)
    except ValueError as exc:
        raise SimulatorError(
            f"machine version must be a whole number (3 or 5), not {value!r}"
        ) from exc


def _as_time_scale(value: str | None) -> float:
    if value is None:
        return float(DEFAULT_TIME_SCALE_FACTOR)
    try:
        factor = float(value)
    except ValueError as exc:
        raise SimulatorError(f"time scale factor must be a number, not {value!r}") from exc
    if not factor > 0:
        raise SimulatorError(f"time scale factor must be positive, not {value!r}")
    return factor


def render_config(settings: MachineSettings, reports_dir: Path) -> str:
    """The run-local ``spynnaker.cfg``: the machine, reports in the run directory, per-core provenance."""
    machine = {
        "machine_name": settings.address if settings.target == "board" else None,
        "spalloc_server": settings.address if settings.target == "spalloc" else None,
        "virtual_board": settings.is_virtual,
        "version": settings.version,
        "time_scale_factor": _number(settings.time_scale_factor),
    }
    lines = [
        "# sPyNNaker settings of one cerebrepro run; read after the user's own configuration.",
        "[Machine]",
        *(f"{key} = {value}" for key, value in machine.items()),
        "",
        "[Reports]",
        f"default_report_file_path = {reports_dir}",
        "write_provenance = True",
        "read_placements_provenance_data = True",
        "read_router_provenance_data = True",
        "",
        "[Logging]",
        "instantiate = False",
        "",
    ]
    return "\n".join(lines)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class RunDirectory:
    """A run's own sPyNNaker directory: its configuration, reports and provenance."""

    path: Path
    config: Path
    user_placeholder: Path | None  # set when the user has no .spynnaker.cfg of their own


def prepare_run_directory(settings: MachineSettings, path: Path) -> RunDirectory:
    """Create ``path`` with the run's ``spynnaker.cfg`` (and a placeholder user file if needed)."""
    path = Path(path).resolve()
    path.mkdir(parents=True, exist_ok=True)
    config = path / CONFIG_NAME
    config.write_text(render_config(settings, path))
    placeholder = None
    if settings.user_config is None:
        placeholder = path / "user-config" / ("." + CONFIG_NAME)
        placeholder.parent.mkdir(exist_ok=True)
        placeholder.write_text(
            "# Placeholder: the user has no .spynnaker.cfg; the settings are in ../spynnaker.cfg\n"
        )
    return RunDirectory(path, config, placeholder)


@contextlib.contextmanager
def spinnaker_environment(run: RunDirectory) -> Iterator[None]:
    """Inside: sPyNNaker reads the run's configuration (working directory, user file)."""
    previous_dir = Path.cwd()
    previous_xdg = os.environ.get("XDG_CONFIG_HOME")
    home_config = Path(os.path.expanduser("~")) / ("." + CONFIG_NAME)
    home_existed = home_config.exists()
    os.chdir(run.path)
    if run.user_placeholder is not None:
        os.environ["XDG_CONFIG_HOME"] = str(run.user_placeholder.parent)
    try:
        yield
    finally:
        os.chdir(previous_dir)
        if run.user_placeholder is not None:
            if previous_xdg is None:
                os.environ.pop("XDG_CONFIG_HOME", None)
            else:
                os.environ["XDG_CONFIG_HOME"] = previous_xdg
        if not home_existed and home_config.exists():
            raise SimulatorError(
                f"sPyNNaker wrote {home_config} although a configuration was provided"
            )


def describe_settings(environ: Mapping[str, str] | None = None) -> Facts:
    """What a SpiNNaker run would use now (for ``cerebrepro info``); never raises."""
    facts: Facts = {"spynnaker": spynnaker_version()}
    try:
        facts["user_config"] = str(find_user_config() or "none")
        facts.update(resolve_settings({}, environ).public())
    except SimulatorError as exc:
        facts["error"] = str(exc)
    facts["config"] = (
        "a run-local spynnaker.cfg in the run's directory; the user's file is never written"
    )
    facts["environment"] = [*ENVIRONMENT.values()]
    return facts


def spynnaker_version() -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version("sPyNNaker")
    except importlib.metadata.PackageNotFoundError:
        return None
