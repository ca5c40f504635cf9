"""The power of the regression suite: which checks catch a wrong model parameter.

Each mutant changes one parameter of the reference spec (:mod:`cerebrepro.model.parameters`):
every projection's weight by +-10 %, every delay by one step of the run's grid, and the
i_offset, tau_m and v_thresh of every cell type by +-10 % (a zero i_offset has nothing to
scale and is left out). Each runs on a fast engine (Brian2 by default, through the run
cache) on the reference's scaffold and stimulus and is verified like any run: the
ensemble checks (figures within their seed tolerances) and the paired checks (per-cell
counts against the reference run's). The unperturbed run on the same engine comes first:
it must pass, or nothing the study says about the mutants means anything.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import CELL_TYPES, PROJECTION_LIST
from cerebrepro.model.parameters import default_value, unit
from cerebrepro.pipeline.cache import cached_run
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.io import read_result
from cerebrepro.results.provenance import now_utc, package_versions
from cerebrepro.verify.experiments import POWER_ENGINE
from cerebrepro.verify.measure import verify_result
from cerebrepro.verify.paired import check_paired, derive_thresholds, paired_z, window_counts
from cerebrepro.verify.reference import Reference
from cerebrepro.verify.regenerate import noise_label, noise_specs

FRACTION = 0.10  # the size of a weight or cell-parameter mutation
CELL_PARAMETERS = ("i_offset", "tau_m", "v_thresh")
CONTROL = "unperturbed"


@dataclass(frozen=True)
class Mutant:
    """One changed parameter (or none: the control)."""

    label: str  # e.g. "goc_grc.weight +10%"
    name: str | None  # the parameter, None for the control
    value: float | None

    @property
    def parameters(self) -> tuple[tuple[str, float], ...]:
        return () if self.name is None or self.value is None else ((self.name, self.value),)


def mutants(timestep: float, fraction: float = FRACTION) -> list[Mutant]:
    """The control, then every weight +-``fraction``, every delay + one step, every cell's
    i_offset, tau_m and v_thresh +-``fraction`` (model order)."""
    out = [Mutant(CONTROL, None, None)]
    percent = f"{100 * fraction:g}%"
    for p in PROJECTION_LIST:
        for sign in (+1, -1):
            value = p.weight * (1 + sign * fraction)
            out.append(
                Mutant(
                    f"{p.name}.weight {'+' if sign > 0 else '-'}{percent}",
                    f"{p.name}.weight",
                    value,
                )
            )
        out.append(
            Mutant(f"{p.name}.delay +1 step", f"{p.name}.delay", round(p.delay + timestep, 10))
        )
    for cell in CELL_TYPES:
        if cell.is_source:
            continue
        for field in CELL_PARAMETERS:
            model = cell.parameters[field]
            if model == 0:
                continue
            for sign in (+1, -1):
                value = model * (1 + sign * fraction)
                name = f"{cell.name}.{field}"
                out.append(
                    Mutant(f"{name} {'+' if sign > 0 else '-'}{percent}", name, round(value, 12))
                )
    return out


def only_mutants(chosen: Sequence[Mutant], names: Sequence[str]) -> list[Mutant]:
    """The control and the mutants of the parameters ``names``; an error names one that has none."""
    known = {m.name for m in chosen}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CerebreproError(
            f"--only {unknown[0]}: no mutant changes it (one of the 16 weights and delays, "
            f"or {', '.join(CELL_PARAMETERS)} of a cell type, e.g. goc_grc.weight, golgi.tau_m)"
        )
    return [m for m in chosen if m.name is None or m.name in names]


@dataclass(frozen=True)
class Outcome:
    """What verification said of one mutant."""

    mutant: Mutant
    ensemble_failures: list[str]
    paired_failures: list[str]
    max_abs_z: float  # the paired figure nearest to failing (largest |z| / threshold)
    max_z_at: str | None
    threshold: float  # that figure's threshold
    digest: str
    simulate_s: float

    @property
    def ensemble_caught(self) -> bool:
        return bool(self.ensemble_failures)

    @property
    def paired_caught(self) -> bool:
        return bool(self.paired_failures)

    @property
    def caught(self) -> bool:
        return self.ensemble_caught or self.paired_caught


def mutant_spec(spec: RunSpec, mutant: Mutant, simulator: str) -> RunSpec:
    """``spec`` on ``simulator`` (its default options) with the mutant's change."""
    options = spec.options if simulator == spec.simulator else {}
    return dataclasses.replace(
        spec, simulator=simulator, options=dict(options), parameters=mutant.parameters
    )


Locate = Callable[[RunSpec], Path]


def run_cached(spec: RunSpec) -> Path:
    """The result of ``spec`` from the run cache, run first when it is not there."""
    return cached_run(spec)[0]


def run_mutant(
    reference: Reference, mutant: Mutant, simulator: str, locate: Locate = run_cached
) -> Outcome:
    """Verify one mutant's run (``locate`` finds or makes it) against ``reference``."""
    path = locate(mutant_spec(reference.spec, mutant, simulator))
    result = read_result(path, analog=False)
    verification = verify_result(reference, result, f"mutant {mutant.label}")
    worst = max(verification.paired, key=lambda c: abs(c.z) / c.threshold, default=None)
    return Outcome(
        mutant=mutant,
        ensemble_failures=[f.name for f in verification.failures],
        paired_failures=[c.name for c in verification.paired_failures],
        max_abs_z=abs(worst.z) if worst else math.nan,
        max_z_at=worst.name if worst else None,
        threshold=worst.threshold if worst else math.nan,
        digest=result.spike_digest(),
        simulate_s=float((result.provenance.get("timings") or {}).get("simulate_s", 0.0)),
    )


def study_specs(
    reference: Reference,
    simulator: str,
    chosen: Sequence[Mutant],
    duration: float | None = None,
) -> list[RunSpec]:
    """Every run the study reads (so that they can be run first, many at a time, on Dask).

    For :func:`paired_only` (``duration`` given): the reference spec and its noise runs at
    that duration, then the mutants; else the mutants.
    """
    if duration is None:
        return [mutant_spec(reference.spec, m, simulator) for m in chosen]
    base = dataclasses.replace(reference.spec, duration=duration)
    return [base, *noise_specs(base), *(mutant_spec(base, m, simulator) for m in chosen)]


def run_power(
    reference: Reference,
    simulator: str = POWER_ENGINE,
    chosen: Sequence[Mutant] | None = None,
    locate: Locate = run_cached,
) -> list[Outcome]:
    """Every mutant (default: :func:`mutants` of the reference's timestep), in order."""
    chosen = list(chosen) if chosen is not None else mutants(reference.spec.timestep)
    return [run_mutant(reference, m, simulator, locate) for m in chosen]


def paired_only(
    reference: Reference,
    duration: float,
    simulator: str,
    chosen: Sequence[Mutant],
    locate: Locate = run_cached,
) -> tuple[list[Outcome], dict[str, object]]:
    """The paired checks alone at another ``duration`` (no ensemble is stored for it).

    The reference spec runs at ``duration`` on its own simulator, the noise runs of
    :func:`~cerebrepro.verify.regenerate.noise_specs` set the thresholds as ``regenerate``
    does, then each mutant is paired with it: whether a longer run would catch a mutant
    the stored reference's duration misses.
    """
    base = dataclasses.replace(reference.spec, duration=duration)
    counts = _counts(base, locate)
    noise = [
        (noise_label(spec), paired_z(_counts(spec, locate), counts)) for spec in noise_specs(base)
    ]
    thresholds, derivation = derive_thresholds(noise)
    outcomes = []
    for mutant in chosen:
        result = read_result(locate(mutant_spec(base, mutant, simulator)), analog=False)
        checks = check_paired(window_counts(result, base.protocol), counts, thresholds)
        worst = max(checks, key=lambda c: abs(c.z) / c.threshold)
        outcomes.append(
            Outcome(
                mutant,
                [],
                [c.name for c in checks if not c.passed],
                abs(worst.z),
                worst.name,
                worst.threshold,
                result.spike_digest(),
                float((result.provenance.get("timings") or {}).get("simulate_s", 0.0)),
            )
        )
    return outcomes, derivation


def _counts(spec: RunSpec, locate: Locate) -> dict:
    return window_counts(read_result(locate(spec), analog=False), spec.protocol)


def summary(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many mutants each kind of check caught (the control left out)."""
    real = [o for o in outcomes if o.mutant.name is not None]
    return {
        "mutants": len(real),
        "caught_by_ensemble": sum(o.ensemble_caught for o in real),
        "caught_by_paired": sum(o.paired_caught for o in real),
        "caught_by_either": sum(o.caught for o in real),
        "missed": sum(not o.caught for o in real),
    }


def power_report(
    reference: Reference,
    outcomes: Sequence[Outcome],
    simulator: str,
    wall_s: float,
    command: str,
    duration: float | None = None,
    paired_derivation: dict[str, object] | None = None,
) -> dict[str, object]:
    """The study as plain data (the YAML file); ``duration``: a paired-only study at that duration."""
    versions = package_versions()
    return {
        "kind": "cerebrepro.verify-power/1",
        "reference": reference.experiment,
        "simulator": simulator,
        "spec": {"size": reference.spec.size, "duration": duration or reference.spec.duration},
        "ensemble_checks": duration is None,  # a paired-only study has no ensemble at its duration
        "fraction": FRACTION,
        "paired_floor": (paired_derivation or reference.paired).get("floor"),
        **({"paired": paired_derivation} if paired_derivation else {}),
        "summary": summary(outcomes),
        "wall_s": round(wall_s, 1),
        "command": command,
        "versions": {k: versions.get(k) for k in ("cerebrepro", "Brian2", "nest-simulator")},
        "written": now_utc(),
        "mutants": [
            {
                "mutant": o.mutant.label,
                "parameter": o.mutant.name,
                "value": o.mutant.value,
                "model": default_value(o.mutant.name) if o.mutant.name else None,
                "unit": unit(o.mutant.name) if o.mutant.name else None,
                "ensemble": o.ensemble_caught,
                "paired": o.paired_caught,
                "ensemble_failures": o.ensemble_failures,
                "paired_failures": o.paired_failures,
                "max_abs_z": None if math.isnan(o.max_abs_z) else round(o.max_abs_z, 2),
                "max_z_at": o.max_z_at,
                "threshold": None if math.isnan(o.threshold) else o.threshold,
                "spike_digest": o.digest,
            }
            for o in outcomes
        ],
    }


def summary_sentence(report: dict) -> str:
    """What caught how many mutants (a paired-only study names the paired checks alone)."""
    s = report["summary"]
    if not report.get("ensemble_checks", True):
        return f"{s['caught_by_paired']} of {s['mutants']} caught by the paired checks; {s['missed']} missed"
    return (
        f"{s['caught_by_ensemble']} of {s['mutants']} caught by the ensemble checks alone, "
        f"{s['caught_by_either']} by ensemble plus paired checks; {s['missed']} missed"
    )


def markdown_table(report: dict) -> str:
    """The study as a Markdown table: each mutant, what caught it, its largest paired z."""
    ensemble = report.get("ensemble_checks", True)
    lines = [
        f"Mutants of {report['reference']} on {report['simulator']}, "
        f"{report['spec']['duration']:g} ms{'' if ensemble else ', paired checks only'} "
        "(paired thresholds measured per population and window, at least "
        f"{report['paired_floor']}): {summary_sentence(report)}.",
        "",
        "| mutant | ensemble | paired | paired \\|z\\| nearest its threshold (figure, threshold) "
        "| ensemble figures out |",
        "|---|---|---|---|---|",
    ]
    for m in report["mutants"]:
        z = (
            "-"
            if m["max_abs_z"] is None
            else f"{m['max_abs_z']:.1f} ({m['max_z_at'].removeprefix('paired.')}, {m['threshold']:g})"
        )
        caught = ("caught" if m["ensemble"] else "-") if ensemble else "n/a"
        lines.append(
            f"| {m['mutant']} | {caught} | "
            f"{'caught' if m['paired'] else '-'} | {z} | {len(m['ensemble_failures'])} |"
        )
    return "\n".join(lines) + "\n"


def write_power(report: dict, directory: Path, stem: str) -> dict[str, Path]:
    """The YAML, the Markdown table and the figure of a study in ``directory``."""
    from cerebrepro.figures.power import power_figure

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "yaml": directory / f"{stem}.yaml",
        "markdown": directory / f"{stem}.md",
        "figure": directory / f"{stem}.png",
    }
    with atomic_path(paths["yaml"], suffix=".yaml") as tmp:
        tmp.write_text(yaml.safe_dump(report, sort_keys=False, width=100))
    with atomic_path(paths["markdown"], suffix=".md") as tmp:
        tmp.write_text(markdown_table(report))
    power_figure(report, paths["figure"])
    return paths
