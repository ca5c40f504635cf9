"""Stored regression statistics of the E-I balanced network on NEST, and checks against them.

The reference (``ei-balanced-nest.yaml`` beside the cerebellum's, in
``cerebrepro/verify/references``) holds, for each stored duration, the statistics
(:mod:`cerebrepro.analysis.ei_balanced`) of the reference seed's run and a tolerance per
statistic: the largest deviation of any other seed of the ensemble from the reference,
times the margin the cerebellum's references use (:data:`cerebrepro.verify.tolerances.MARGIN`),
and at least the statistic's resolution (one frequency bin of the spectrum; one spike for
a rate; 0.01 for a CV). Unlike the cerebellum's, these tolerances are not rounded up: the
stored file keeps its format. The statistics of a shorter duration come from the first
part of the same runs (a NEST run's first T ms do not depend on how long it runs on).

Regenerate (about a minute per seed on an idle machine)::

    cerebrepro ei-balanced reference --seeds 1,2,3,4,5,6,7,8 --durations 5000,1000
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from cerebrepro.analysis.ei_balanced import BIN, SEGMENT_BINS, analysis_window, ei_statistics
from cerebrepro.errors import CerebreproError
from cerebrepro.model.ei_balanced import SIZES
from cerebrepro.results.provenance import machine, now_utc, package_versions
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.verify import experiments
from cerebrepro.verify.tolerances import MARGIN

EXPERIMENT = "ei-balanced"
REFERENCE_NAME = "ei-balanced-nest"
REGENERATE = "cerebrepro ei-balanced reference --seeds 1,2,3,4,5,6,7,8 --durations 5000,1000"


def reference_path() -> Path:
    """The stored ``ei-balanced-nest.yaml``."""
    return experiments.reference_path(REFERENCE_NAME)


def run_seed(
    seed: int, duration: float, threads: int, timestep: float, directory: Path
) -> RunResult:
    """One NEST run of the E-I network with ``seed`` as its kernel seed, written into ``directory``."""
    from cerebrepro.pipeline.run import run_experiment
    from cerebrepro.pipeline.spec import RunSpec

    spec = RunSpec(
        experiment=EXPERIMENT,
        simulator="nest",
        kernel_seed=seed,
        duration=duration,
        threads=threads,
        timestep=timestep,
    )
    result, _ = run_experiment(spec, Path(directory) / f"{EXPERIMENT}_s{seed}.h5")
    return result


def truncated(result: RunResult, duration: float) -> RunResult:
    """The first ``duration`` ms of a run."""
    spikes = {
        name: PopulationSpikes(s.size, s.times[s.times < duration], s.cells[s.times < duration])
        for name, s in result.spikes.items()
    }
    return RunResult(spikes, result.timestep, duration, provenance=result.provenance)


def resolution(name: str, duration: float) -> float:
    """The smallest meaningful tolerance of a statistic (a frequency bin, one spike, 0.01 of CV)."""
    kind = name.rsplit(".", 1)[1]
    if kind == "frequency":
        start, stop = analysis_window(duration)
        return 1000.0 / BIN / min(SEGMENT_BINS, int((stop - start) / BIN))
    if kind == "rate":
        start, stop = analysis_window(duration)
        return 1.0 / (SIZES[name.split(".")[0]] * (stop - start) / 1000.0)
    return 0.01


def tolerances(
    reference: Mapping[str, float],
    others: Sequence[Mapping[str, float]],
    margin: float,
    duration: float,
) -> dict[str, dict[str, float]]:
    """Per statistic: the reference value, its tolerance and the range over all seeds (reference included)."""
    out = {}
    for name, value in reference.items():
        values = [s[name] for s in others if math.isfinite(s[name])]
        spread = max((abs(v - value) for v in values), default=0.0)
        everything = [*values, value] if math.isfinite(value) else values
        out[name] = {
            "value": float(value),
            "tolerance": float(max(spread * margin, resolution(name, duration))),
            "ensemble_min": float(min(everything, default=math.nan)),
            "ensemble_max": float(max(everything, default=math.nan)),
        }
    return out


def build_reference(
    seeds: Sequence[int],
    durations: Sequence[float],
    margin: float = MARGIN,
    timestep: float = 0.1,
    threads: int = 1,
    on_seed: Callable[[int], None] | None = None,
) -> dict[str, object]:
    """Run every seed for the longest duration on NEST and derive the stored reference (first seed: reference)."""
    if len(seeds) < 2:
        raise CerebreproError(
            "a reference needs an ensemble of at least two seeds (five or more recommended)"
        )
    longest = max(durations)
    statistics: dict[float, list[dict[str, float]]] = {d: [] for d in durations}
    with tempfile.TemporaryDirectory(prefix="cerebrepro-ei-") as tmp:
        for seed in seeds:
            if on_seed is not None:
                on_seed(seed)
            result = run_seed(seed, longest, threads, timestep, Path(tmp))
            for duration in durations:
                statistics[duration].append(ei_statistics(truncated(result, duration)))
    runs = {
        f"{duration:g}": {
            "duration": float(duration),
            "statistics": tolerances(stats[0], stats[1:], margin, duration),
        }
        for duration, stats in statistics.items()
    }
    versions = package_versions()
    return {
        "experiment": EXPERIMENT,
        "simulator": "nest",
        "timestep": timestep,
        "threads": threads,
        "reference_seed": int(seeds[0]),
        "ensemble_seeds": [int(s) for s in seeds],
        "margin": margin,
        "tolerance_rule": "max |ensemble - reference| x margin, at least the statistic's resolution",
        "regenerate": REGENERATE,
        "runs": runs,
        "versions": {
            k: versions[k] for k in ("cerebrepro", "nest-simulator", "PyNN", "numpy", "scipy")
        },
        "machine": machine()["processor"],
        "written": now_utc(),
    }


def write_reference(reference: Mapping[str, object], path: Path | None = None) -> Path:
    """Write ``reference`` as YAML (default: the checkout's stored file; refused when installed)."""
    path = Path(path or experiments.writable_reference_path(REFERENCE_NAME))
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Regression statistics of the E-I balanced network on NEST. Regenerate: {REGENERATE}\n"
    )
    path.write_text(header + yaml.safe_dump(dict(reference), sort_keys=False))
    return path


def load_reference(path: Path | None = None) -> dict:
    """The stored reference as plain data (an error naming the file and the fix if it is missing)."""
    path = Path(path or reference_path())
    if not path.is_file():
        raise CerebreproError(f"no E-I reference at {path}: create it with `{REGENERATE}`")
    return yaml.safe_load(path.read_text())


@dataclass(frozen=True)
class Check:
    """One statistic of a run against the reference."""

    name: str
    value: float
    reference: float
    tolerance: float

    @property
    def passed(self) -> bool:
        if math.isnan(self.reference):
            return math.isnan(self.value)
        return abs(self.value - self.reference) <= self.tolerance


def check_statistics(
    statistics: Mapping[str, float], reference: Mapping, duration: float
) -> list[Check]:
    """Each statistic against the stored run of the same duration (an error if none is stored)."""
    run = reference["runs"].get(f"{duration:g}")
    if run is None:
        stored = ", ".join(f"{k} ms" for k in reference["runs"])
        raise CerebreproError(f"the E-I reference stores {stored}, not {duration:g} ms")
    return [
        Check(name, float(statistics[name]), float(entry["value"]), float(entry["tolerance"]))
        for name, entry in run["statistics"].items()
    ]


@dataclass(frozen=True)
class RunCheck:
    """A written E-I run's statistics and, where the stored reference applies, their checks."""

    statistics: dict[str, float]
    checks: dict[str, Check]  # empty when there is no applicable reference
    driven_by_events: bool = False  # an event recording replaced the pulse: nothing to compare
    unavailable: str | None = None  # why the reference could not be used (missing, other duration)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks.values())


def check_run(result: RunResult, reference: Path | None = None) -> RunCheck:
    """The statistics of ``result``, checked against the stored reference when it is of the same
    simulator (the reference names its own) and the run has the reference's pulse."""
    statistics = ei_statistics(result)
    p = result.provenance
    if isinstance(p.get("stimulus"), dict) and p["stimulus"].get("kind") == "events":
        return RunCheck(statistics, {}, driven_by_events=True)
    try:
        stored = load_reference(reference)
        if stored.get("simulator") != p.get("simulator"):
            return RunCheck(statistics, {})
        checks = check_statistics(statistics, stored, result.duration)
    except CerebreproError as exc:
        return RunCheck(statistics, {}, unavailable=str(exc))
    return RunCheck(statistics, {c.name: c for c in checks})
