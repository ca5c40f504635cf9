"""Every value of a run checked before anything is built, and its output before any work.

A bad value (``--duration 0``, a NaN timestep, a negative seed) or an output that cannot
be written (a directory, an unwritable parent, one of the run's inputs) used to surface
after the simulation, as a traceback or a ZeroDivisionError, sometimes after a result
file had been written. :func:`check_run` refuses them up front with one message naming
the option and the value.
"""

from __future__ import annotations

import math
from pathlib import Path

from cerebrepro.data.cache import check_output
from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import BURST_KINDS
from cerebrepro.model.cerebellum_network import RECORD_MODES
from cerebrepro.model.parameters import check_parameters
from cerebrepro.pipeline.spec import EXPERIMENTS, RunSpec

MAX_SEED = 2**32 - 1  # numpy's SeedSequence takes any non-negative int; NEST's rng_seed 1..2**32-1
MAX_THREADS = 1024
MAX_TIMESTEP = 1.0  # ms; the model's time constants are a few ms
MIN_TIMESTEP = 0.001  # ms; NEST's default tic
_GRID = 1e-9  # relative tolerance of "a multiple of the timestep"


class RunValueError(CerebreproError):
    """A run value is out of range; the message names the option."""


def check_run(spec: RunSpec, output: Path | None = None) -> None:
    """Refuse a spec whose values cannot give a meaningful run, and an output that cannot be written."""
    if spec.experiment not in EXPERIMENTS:
        raise RunValueError(
            f"--experiment {spec.experiment!r}: choose one of {', '.join(EXPERIMENTS)}"
        )
    timestep = _finite("--timestep", spec.timestep, low=MIN_TIMESTEP, high=MAX_TIMESTEP)
    duration = _finite("--duration", spec.duration, low=timestep)
    if not _on_grid(duration, timestep):
        raise RunValueError(
            f"--duration {duration:g} ms is not a multiple of the timestep ({timestep:g} ms)"
        )
    _integer("--threads", spec.threads, 1, MAX_THREADS)
    _integer("--seed", spec.stimulus_seed, 0, MAX_SEED)
    _integer("--kernel-seed", spec.kernel_seed, 1, MAX_SEED)
    if spec.scaffold_seed is not None:
        _integer("--scaffold-seed", spec.scaffold_seed, 0, MAX_SEED)
    if spec.record_v not in RECORD_MODES:
        raise RunValueError(
            f"--record-v {spec.record_v!r}: choose one of {', '.join(RECORD_MODES)}"
        )
    if spec.parameters:
        if spec.experiment != "cerebellum":
            raise RunValueError(
                f"--set changes the cerebellum's model, not the {spec.experiment} network"
            )
        if tuple(check_parameters(spec.parameters, timestep)) != tuple(spec.parameters):
            raise RunValueError("run parameters must be sorted by name (use check_parameters)")
    if spec.scaffold == "rebuilt":
        from cerebrepro.scaffold.budget import check_build

        check_build(_finite("--size", spec.size, low=0.0))
    protocol = spec.protocol
    _finite("--f-peak", protocol.f_peak, low=0.0, inclusive=True)
    _finite("--radius", protocol.radius, low=0.0)
    _finite("f_base", protocol.f_base, low=0.0, inclusive=True)
    start = _finite("burst start", protocol.start, low=0.0, inclusive=True)
    _finite("burst stop", protocol.stop, low=start, inclusive=True)
    if protocol.kind not in BURST_KINDS:
        raise RunValueError(f"--burst {protocol.kind!r}: choose one of {', '.join(BURST_KINDS)}")
    if output is not None:
        check_output(output, _inputs(spec), "--output")


def _inputs(spec: RunSpec) -> list[Path]:
    """The files a run reads, which its output must not replace."""
    paths = []
    if spec.scaffold not in ("rebuilt", "published"):
        paths.append(Path(spec.scaffold))
    if spec.stimulus.startswith("events:"):
        paths.append(Path(spec.stimulus.removeprefix("events:")))
    elif spec.stimulus not in ("generated", "published"):
        paths.append(Path(spec.stimulus))
    return paths


def _finite(
    option: str, value: float, low: float, high: float = math.inf, inclusive: bool = False
) -> float:
    """``value`` as a float, refused unless finite and above ``low`` (or equal, if inclusive)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RunValueError(f"{option} {value!r} is not a number") from None
    above = number >= low if inclusive else number > low
    if not math.isfinite(number) or not above or number > high:
        bound = f"{'>=' if inclusive else '>'} {low:g}" + (
            f" and <= {high:g}" if math.isfinite(high) else ""
        )
        raise RunValueError(
            f"{option} {value!r} is out of range: it must be a finite number {bound}"
        )
    return number


def _integer(option: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RunValueError(
            f"{option} {value!r} is out of range: it must be an integer from {low} to {high}"
        )
    return value


def _on_grid(value: float, step: float) -> bool:
    steps = value / step
    return abs(steps - round(steps)) <= _GRID * max(1.0, steps)
