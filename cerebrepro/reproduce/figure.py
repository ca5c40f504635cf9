"""Reproduce one figure: obtain its runs from the run cache (running what is missing), draw, write.

Runs are keyed by the digest of their spec (``pipeline.cache``): a run already in the
cache is reused, never repeated. Runs of the same spec on another simulator are only
looked up (``companions``), never started. An observer hears about every run, so that a
command line can show progress and say "ran" or "reused".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cerebrepro.data.cache import data_dir
from cerebrepro.errors import CerebreproError
from cerebrepro.figures.output import FigureFiles, FigureOutput, write_figure
from cerebrepro.figures.runs import FigureRun
from cerebrepro.figures.style import simulator_name
from cerebrepro.pipeline.cache import cached_run, cached_run_path
from cerebrepro.pipeline.resolve import resolve_scaffold
from cerebrepro.pipeline.spec import RunEvents, RunSpec
from cerebrepro.reproduce.plans import (
    SIMULATORS,
    FigureOptions,
    companion_specs,
    reference_spec,
)
from cerebrepro.reproduce.sweep import (
    chosen_sweep,
    sweep_bursts,
    sweep_duration,
    sweep_size,
    sweep_specs,
)
from cerebrepro.results.io import read_result
from cerebrepro.scaffold.types import Scaffold
from cerebrepro.sweep.run import run_specs
from cerebrepro.sweep.spec import SweepPoint
from cerebrepro.sweep.task import PointOutcome


class RunObserver(Protocol):
    """Told about each run a figure needs (``index`` counts from 1 up to ``total``)."""

    def starting(self, spec: RunSpec, index: int, total: int) -> RunEvents | None: ...

    def finished(self, spec: RunSpec, path: Path, reused: bool, index: int, total: int) -> None: ...

    def companion(self, simulator: str, path: Path | None) -> None: ...


class SilentObserver:
    """An observer that reports nothing."""

    def starting(self, spec: RunSpec, index: int, total: int) -> RunEvents | None:
        return None

    def finished(self, spec: RunSpec, path: Path, reused: bool, index: int, total: int) -> None:
        pass

    def companion(self, simulator: str, path: Path | None) -> None:
        pass


@dataclass
class Reproduced:
    """A reproduced figure: what it shows, its files and the runs that fed it."""

    output: FigureOutput
    files: FigureFiles
    runs: list[FigureRun]


def obtain_runs(
    specs: Sequence[RunSpec], observer: RunObserver, analog: bool = True
) -> list[FigureRun]:
    """The results of ``specs``, each reused from the run cache or run now."""
    return list(each_run(specs, observer, analog))


def each_run(
    specs: Sequence[RunSpec], observer: RunObserver, analog: bool = True
) -> Iterator[FigureRun]:
    """The results of ``specs`` one at a time, so that a caller can reduce each before the next."""
    for index, spec in enumerate(specs, 1):
        path, reused = cached_run(spec, observer.starting(spec, index, len(specs)))
        observer.finished(spec, path, reused, index, len(specs))
        yield FigureRun(read_result(path, analog=analog), path, "reused" if reused else "ran")


def swept_runs(
    specs: Sequence[RunSpec], options: FigureOptions, observer: RunObserver
) -> Iterator[FigureRun]:
    """The results of a figure's many runs, run (those not cached) on the sweep engine first.

    The runs go to the Dask cluster ``options.cluster`` names, each in a process of its own,
    as ``cerebrepro sweep`` runs them; then each result is read in turn, so that a caller
    can reduce one before reading the next. A run that failed twice stops the figure.
    """
    outcomes = run_specs(list(specs), options.cluster, _SweepRuns(observer, len(specs)))
    for outcome in outcomes:
        path = Path(str(outcome.path))
        yield FigureRun(read_result(path, analog=False), path, outcome.status)


class _SweepRuns:
    """Tells a figure's run observer about each point the sweep engine finished."""

    def __init__(self, observer: RunObserver, total: int) -> None:
        self.observer, self.total = observer, total

    def started(self, total: int, reused: int, where: str) -> None:
        pass

    def changed(self, done: int, running: int, failed: int) -> None:
        pass

    def finished(self, point: SweepPoint, outcome: PointOutcome) -> None:
        if outcome.path is not None:
            reused = outcome.status == "reused"
            self.observer.finished(
                point.spec, Path(outcome.path), reused, point.index + 1, self.total
            )


def companions(spec: RunSpec, observer: RunObserver) -> list[FigureRun]:
    """Runs of ``spec`` on the other simulators that the run cache holds (none is started)."""
    found = []
    for simulator, candidates in companion_specs(spec).items():
        path = next((p for p in map(cached_run_path, candidates) if p.is_file()), None)
        observer.companion(simulator, path)
        if path is not None:
            found.append(FigureRun(read_result(path), path, "reused"))
    return found


def companion_note(reference: FigureRun, others: Sequence[FigureRun]) -> str:
    """A caption sentence saying which other simulators' runs were found in the cache, if any."""
    present = {reference.simulator, *(o.simulator for o in others)}
    missing = [simulator_name(s) for s in SIMULATORS if s not in present]
    if not missing:
        return ""
    where = data_dir() / "runs"
    found = f"; found: {', '.join(o.label for o in others)}" if others else ""
    return (
        f"No {' or '.join(missing)} run of the same spec (scaffold, stimulus, duration) was in the run "
        f"cache ({where}){found}. Such runs are used when present and never started here."
    )


def scaffold_of(spec: RunSpec) -> Scaffold:
    """The scaffold a spec's run was made on (from the data cache)."""
    return resolve_scaffold(spec)


def figure_4(options: FigureOptions, observer: RunObserver) -> tuple[FigureOutput, list[FigureRun]]:
    from cerebrepro.figures.figure4 import activity_figure

    reference, others = reference_and_companions(options, observer)
    runs = [reference, *others]
    return activity_figure(runs, notes=[companion_note(reference, others)]), runs


def figure_5(options: FigureOptions, observer: RunObserver) -> tuple[FigureOutput, list[FigureRun]]:
    from cerebrepro.figures.figure5 import rate_distribution_figure

    reference, others = reference_and_companions(options, observer)
    runs = [reference, *others]
    return rate_distribution_figure(runs, notes=[companion_note(reference, others)]), runs


def figure_6(options: FigureOptions, observer: RunObserver) -> tuple[FigureOutput, list[FigureRun]]:
    from cerebrepro.figures.figure6 import spike_timing_figure

    reference, others = reference_and_companions(options, observer)
    notes = [companion_note(reference, others)]
    if len(others) > 1:
        notes.append(
            f"Panel a compares {others[0].label} with {reference.label}; other runs found are not shown."
        )
    other = others[0] if others else None
    return spike_timing_figure(reference, other, notes), [reference, *others[:1]]


def figure_7(options: FigureOptions, observer: RunObserver) -> tuple[FigureOutput, list[FigureRun]]:
    """The sweep's runs, each reduced to its per-core peaks as soon as it is read."""
    from cerebrepro.figures.figure7 import ORDER, load_sweep_figure, sweep_run
    from cerebrepro.model.neuron_order import neuron_order

    planned = sweep_specs(options)
    scaffold = scaffold_of(planned[0].spec)
    order = neuron_order(
        scaffold.positions, ORDER
    )  # once: every run of the sweep shares the scaffold
    runs = swept_runs([p.spec for p in planned], options, observer)
    swept = [
        sweep_run(
            p.burst, p.point.axis, p.point.f_peak, p.point.radius, p.seed, run, scaffold, order
        )
        for p, run in zip(planned, runs, strict=True)
    ]
    sweep = chosen_sweep(options)
    bursts = sweep_bursts(options)
    size, duration = sweep_size(options), sweep_duration(options)
    facts = {
        "name": sweep.name,
        "bursts": list(bursts),
        "f_peaks": list(sweep.f_peaks),
        "radii": list(sweep.radii),
        "runs_per_point": sweep.runs,
        "size": size,
        "duration": duration,
        "run_count": len(planned),
    }
    fixed = {"f_peak": sweep.f_peak, "radius": sweep.radius}
    text = sweep.describe(bursts, size, duration)
    output = load_sweep_figure(swept, order, fixed, text, facts)
    return output, [s.run for s in swept]


def figure_8(options: FigureOptions, observer: RunObserver) -> tuple[FigureOutput, list[FigureRun]]:
    from cerebrepro.figures.figure8 import ordering_figure

    spec = reference_spec(options)
    (run,) = obtain_runs([spec], observer, analog=False)
    return ordering_figure(run, scaffold_of(spec)), [run]


def reference_and_companions(
    options: FigureOptions, observer: RunObserver
) -> tuple[FigureRun, list[FigureRun]]:
    spec = reference_spec(options)
    (reference,) = obtain_runs([spec], observer)
    return reference, companions(spec, observer)


FIGURES: dict[int, Callable[[FigureOptions, RunObserver], tuple[FigureOutput, list[FigureRun]]]] = {
    4: figure_4,
    5: figure_5,
    6: figure_6,
    7: figure_7,
    8: figure_8,
}
FIGURE_NUMBERS: tuple[int, ...] = tuple(FIGURES)  # one place names a figure's number


def reproduce_figure(
    number: int, options: FigureOptions, directory: Path, observer: RunObserver | None = None
) -> Reproduced:
    """Obtain the runs of figure ``number``, draw it and write its files into ``directory``."""
    if number not in FIGURES:
        raise CerebreproError(
            f"no figure {number}: choose one of {', '.join(map(str, FIGURE_NUMBERS))}"
        )
    output, runs = FIGURES[number](options, observer or SilentObserver())
    output.statistics["runs"] = [run_record(run) for run in runs]
    return Reproduced(output, write_figure(output, directory), runs)


def run_record(run: FigureRun) -> dict[str, object]:
    """What the statistics file says of a run: simulator, status, file and spike digest."""
    return {
        "simulator": run.simulator,
        "status": run.status,
        "path": str(run.path) if run.path else None,
        "spike_digest": run.provenance.get("spike_digest"),
    }
