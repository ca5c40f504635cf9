"""The pipeline benchmark: build, simulate, collect and write times over network size and model time.

For every network size N and model time T (and each repeat) the benchmark network of
:mod:`cerebrepro.studies.pipeline_bench_network` goes through the NEST backend's contract
(:mod:`cerebrepro.backends.contract`): ``prepare`` (build), ``simulate`` for T ms and
``collect`` (the recording as population arrays), and the cells' spikes and v are written
in every format of :mod:`cerebrepro.studies.pipeline_bench_formats`. Each phase is timed by
wall clock and by this process's CPU time. The medians over repeats are fitted with
``time = a*N + b*N*T/1000`` (+ c), see :mod:`cerebrepro.studies.fit`. Repeats run as whole
sweeps, one after another, so that a slow spell of a shared machine spreads over all
points instead of hitting one.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from cerebrepro.backends.contract import Collected
from cerebrepro.errors import SimulatorError
from cerebrepro.results.types import AnalogSignals, RunResult
from cerebrepro.studies.fit import LinearFit, fit_linear
from cerebrepro.studies.pipeline_bench_formats import FORMATS, SUFFIXES, WRITERS
from cerebrepro.studies.pipeline_bench_network import describe_pipeline_network
from cerebrepro.studies.timing import timed

CLOCKS = ("wall", "cpu")


@dataclass(frozen=True)
class SweepConfig:
    """The grid of network sizes and model times, and how each point is run."""

    sizes: tuple[int, ...] = (250, 500, 1000, 2000, 4000)
    durations: tuple[float, ...] = (250.0, 500.0, 1000.0, 2000.0)  # ms
    repeats: int = 3
    formats: tuple[str, ...] = FORMATS
    timestep: float = 0.1  # ms
    threads: int = 1
    seed: int = 1


FULL = SweepConfig()
QUICK = SweepConfig(sizes=(200, 400, 800), durations=(100.0, 300.0), repeats=1)


@dataclass(frozen=True)
class Measurement:
    """One timed phase of one run (``format`` is set for the write phase only)."""

    n_cells: int
    duration_ms: float
    repeat: int
    phase: str
    format: str
    wall_s: float
    cpu_s: float
    n_spikes: int
    file_bytes: int | None = None


def phase_label(phase: str, fmt: str) -> str:
    """``build``, ``simulate``, ``collect`` or ``write <format>``."""
    return f"{phase} {fmt}" if fmt else phase


def measure_point(
    n_cells: int, duration: float, repeat: int, config: SweepConfig, workdir: Path
) -> list[Measurement]:
    """Build, run, collect and write one network; one Measurement per phase and format.

    The seed of a repeat draws the recurrent connections and seeds NEST's Poisson sources.
    """
    from cerebrepro.backends.contract import SilentProgress, SimulationSettings
    from cerebrepro.backends.registry import get_backend

    backend = get_backend("nest")
    seed = config.seed + repeat
    network = describe_pipeline_network(n_cells, seed)
    settings = SimulationSettings(duration, config.timestep, config.threads, seed)
    progress = SilentProgress()
    times = {}
    with timed() as times["build"]:
        session = backend.prepare(network, settings, backend.options_type(), progress)
    with timed() as times["simulate"]:
        backend.simulate(session, progress)
    with timed() as times["collect"]:
        collected = backend.collect(session)
    result = cells_only(collected, config.timestep, duration)
    n_spikes = result.spikes["cells"].n_spikes
    rows = [
        Measurement(n_cells, duration, repeat, phase, "", t.wall, t.cpu, n_spikes)
        for phase, t in times.items()
    ]
    for fmt in config.formats:
        path = workdir / f"n{n_cells}_t{duration:g}{SUFFIXES[fmt]}"
        with timed() as t:
            WRITERS[fmt](result, path)
        rows.append(
            Measurement(
                n_cells,
                duration,
                repeat,
                "write",
                fmt,
                t.wall,
                t.cpu,
                n_spikes,
                path.stat().st_size,
            )
        )
        path.unlink()
    return rows


def cells_only(collected: Collected, timestep: float, duration: float) -> RunResult:
    """The cells' spikes and v from what the backend collected (the input sources and the
    conductances left out: the files hold what the benchmark records, spikes and v)."""
    if collected.spikes is None:
        raise SimulatorError("the pipeline benchmark needs spikes; the backend returned none")
    analog = collected.analog["cells"]
    v = AnalogSignals(analog.cells, analog.sampling_interval, {"v": analog.signals["v"]})
    return RunResult({"cells": collected.spikes["cells"]}, timestep, duration, {"cells": v})


def run_sweep(
    config: SweepConfig,
    on_point: Callable[[int, float, int], None] | None = None,
    on_rows: Callable[[list[Measurement]], None] | None = None,
) -> list[Measurement]:
    """Every (repeat, N, T) point of ``config``; files are written to a temporary directory.

    ``on_point`` hears of each point before it runs, ``on_rows`` gets all rows so far after it.
    """
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="cerebrepro-bench-") as tmp:
        for repeat in range(config.repeats):
            for n_cells in config.sizes:
                for duration in config.durations:
                    if on_point is not None:
                        on_point(n_cells, duration, repeat)
                    rows.extend(measure_point(n_cells, duration, repeat, config, Path(tmp)))
                    if on_rows is not None:
                        on_rows(rows)
    return rows


def read_measurements(path: Path) -> list[Measurement]:
    """Measurements from a ``pipeline.csv`` written by the benchmark."""
    from cerebrepro.studies.records import read_csv

    kinds = {f.name: f.type for f in fields(Measurement)}
    rows = []
    for row in read_csv(path):
        values = {k: _parse(v, str(kinds[k])) for k, v in row.items()}
        rows.append(Measurement(**values))
    return rows


def _parse(text: str, kind: str) -> object:
    if kind.startswith("int | None"):
        return int(text) if text else None
    return {"int": int, "float": float}.get(kind, str)(text)


@dataclass(frozen=True)
class Median:
    """The median over repeats of one phase at one (N, T)."""

    n_cells: int
    duration_ms: float
    phase: str  # as phase_label
    wall_s: float
    cpu_s: float
    repeats: int
    file_bytes: int | None = None


def medians(rows: Sequence[Measurement]) -> list[Median]:
    """Median wall and CPU time over repeats, per (N, T, phase, format)."""
    groups: dict[tuple[int, float, str], list[Measurement]] = {}
    for row in rows:
        groups.setdefault(
            (row.n_cells, row.duration_ms, phase_label(row.phase, row.format)), []
        ).append(row)
    return [
        Median(
            n,
            t,
            label,
            statistics.median(r.wall_s for r in group),
            statistics.median(r.cpu_s for r in group),
            len(group),
            group[0].file_bytes,
        )
        for (n, t, label), group in sorted(groups.items())
    ]


def cost_features(n_cells: np.ndarray, duration_ms: np.ndarray) -> dict[str, np.ndarray]:
    """The features of ``time = a*N + b*N*T/1000``: ``N`` and ``N*T`` (T in seconds)."""
    n = np.asarray(n_cells, dtype=float)
    return {"N": n, "N*T": n * np.asarray(duration_ms, dtype=float) / 1000.0}


def fit_phases(
    points: Sequence[Median], clock: str = "wall", intercept: bool = True
) -> dict[str, LinearFit]:
    """One cost model per phase label, fitted to the medians by ``clock`` (wall or cpu)."""
    fits = {}
    for label in dict.fromkeys(p.phase for p in points):
        mine = [p for p in points if p.phase == label]
        features = cost_features(
            np.array([p.n_cells for p in mine]), np.array([p.duration_ms for p in mine])
        )
        times = np.array([getattr(p, f"{clock}_s") for p in mine])
        fits[label] = fit_linear(features, times, intercept=intercept)
    return fits


@dataclass
class PipelineBench:
    """Raw measurements, their medians and the fits (by clock, then with/without a constant)."""

    config: SweepConfig
    rows: list[Measurement]
    points: list[Median] = field(init=False)
    fits: dict[str, dict[str, dict[str, LinearFit]]] = field(init=False)

    def __post_init__(self) -> None:
        self.points = medians(self.rows)
        self.fits = {
            clock: {
                "with_intercept": fit_phases(self.points, clock, intercept=True),
                "no_intercept": fit_phases(self.points, clock, intercept=False),
            }
            for clock in CLOCKS
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": "cerebrepro.bench.pipeline/1",
            "model": "time = a*N + b*N*T/1000 (+ c); a: s per cell, b: s per cell and model second",
            "config": asdict(self.config),
            "measurements": [asdict(r) for r in self.rows],
            "medians": [asdict(p) for p in self.points],
            "fits": {
                clock: {
                    variant: {label: asdict(fit) for label, fit in fits.items()}
                    for variant, fits in by.items()
                }
                for clock, by in self.fits.items()
            },
        }
