"""The cerebellum benchmark: build, simulate and analyse times of the run against raw NEST wiring.

For each scaffold size (the rebuilt scaffold, cached in the data directory) and thread
count, in one process: the run (:func:`cerebrepro.pipeline.run.run_experiment`: PyNN
populations, array wiring, recorders), its analysis (:func:`cerebrepro.analysis.run.
analyse_run`), then the same connection lists wired in plain NEST (``ResetKernel``, plain
``iaf_cond_exp`` nodes for every population, one array ``nest.Connect`` per projection).
``build / raw`` says how close the run's build comes to the cost of wiring alone (the
NEST-run goal: within 2x). Each phase is fitted with ``time = a*cells + b*synapses + c``
per thread count (and without ``c``). The constant matters: PyNN's setup costs about a
second whatever the size. With four sizes the fit with a constant keeps one degree of
freedom, so its R^2 says little; the cell and synapse counts grow nearly together, so
read ``a`` and ``b`` together, not one alone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from cerebrepro.model.cerebellum import CELL_TYPES, PROJECTION_LIST, TIMESTEP
from cerebrepro.scaffold.types import Scaffold
from cerebrepro.studies.fit import LinearFit, fit_linear
from cerebrepro.studies.timing import PhaseTime, timed

FITTED_PHASES = ("build", "raw_wiring", "simulate", "analyse")


@dataclass(frozen=True)
class CerebellumConfig:
    """Scaffold sizes (um), thread counts and the model time of each run."""

    sizes: tuple[float, ...] = (100.0, 200.0, 300.0, 400.0)
    threads: tuple[int, ...] = (1, 2)
    duration: float = 1000.0  # ms
    record_v: str = "subset"


@dataclass(frozen=True)
class CerebellumPoint:
    """Times (s, wall and CPU) of one size and thread count."""

    size: float
    threads: int
    cells: int
    synapses: int
    spikes: int
    build_s: float
    build_cpu_s: float
    raw_wiring_s: float
    raw_wiring_cpu_s: float
    simulate_s: float
    simulate_cpu_s: float
    write_s: float
    analyse_s: float
    analyse_cpu_s: float

    @property
    def build_ratio(self) -> float:
        """Build time of the run over raw NEST wiring of the same lists (wall clock)."""
        return self.build_s / self.raw_wiring_s if self.raw_wiring_s > 0 else float("nan")

    @property
    def build_ratio_cpu(self) -> float:
        """The same ratio by this process's CPU time (steadier on a shared machine)."""
        return (
            self.build_cpu_s / self.raw_wiring_cpu_s if self.raw_wiring_cpu_s > 0 else float("nan")
        )

    def to_row(self) -> dict[str, float]:
        return {
            **asdict(self),
            "build_ratio": self.build_ratio,
            "build_ratio_cpu": self.build_ratio_cpu,
        }


def wire_raw(scaffold: Scaffold, threads: int, timestep: float = TIMESTEP) -> tuple[PhaseTime, int]:
    """Reset NEST, create plain nodes for every population and wire every connection list; (time, synapses)."""
    import nest

    synapses = 0
    with timed() as t:
        nest.ResetKernel()
        nest.SetKernelStatus({"local_num_threads": threads, "resolution": timestep})
        ids = {
            cell.name: np.asarray(
                nest.Create("iaf_cond_exp", scaffold.size(cell.name)).tolist(), dtype=np.int64
            )
            for cell in CELL_TYPES
        }
        for projection in PROJECTION_LIST:
            rows = scaffold.connections.get(projection.name)
            if rows is None or len(rows) == 0:
                continue
            sign = -1.0 if projection.receptor == "inhibitory" else 1.0
            n = len(rows)
            nest.Connect(
                ids[projection.pre][rows.pre],
                ids[projection.post][rows.post],
                conn_spec="one_to_one",
                syn_spec={
                    "synapse_model": "static_synapse",
                    "weight": np.full(n, sign * projection.weight * 1000.0),
                    "delay": np.full(n, projection.delay),
                },
            )
            synapses += n
    return t, synapses


def measure(size: float, threads: int, config: CerebellumConfig, workdir: Path) -> CerebellumPoint:
    """One run of the cerebellum at ``size`` with ``threads``, its analysis, and the raw wiring."""
    from cerebrepro.analysis.run import analyse_run
    from cerebrepro.pipeline.run import run_experiment
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.scaffold.default import default_scaffold
    from cerebrepro.scaffold.read import read_scaffold

    spec = RunSpec(size=size, threads=threads, duration=config.duration, record_v=config.record_v)
    result, _ = run_experiment(spec, workdir / f"cerebellum_{size:g}_t{threads}.h5")
    scaffold = read_scaffold(default_scaffold(size))
    with timed() as analysed:
        analyse_run(result, scaffold)
    raw, synapses = wire_raw(scaffold, threads)
    timings = result.provenance["timings"]
    return CerebellumPoint(
        size=size,
        threads=threads,
        cells=scaffold.n_cells,
        synapses=synapses,
        spikes=int(sum(s.n_spikes for s in result.spikes.values())),
        build_s=timings["build_s"],
        build_cpu_s=timings["build_cpu_s"],
        raw_wiring_s=raw.wall,
        raw_wiring_cpu_s=raw.cpu,
        simulate_s=timings["simulate_s"],
        simulate_cpu_s=timings["simulate_cpu_s"],
        write_s=timings["write_s"],
        analyse_s=analysed.wall,
        analyse_cpu_s=analysed.cpu,
    )


def run_cerebellum_bench(
    config: CerebellumConfig,
    on_point: Callable[[float, int], None] | None = None,
    on_points: Callable[[list[CerebellumPoint]], None] | None = None,
) -> list[CerebellumPoint]:
    """Every (size, threads) point; the result files go to a temporary directory.

    ``on_point`` hears of each point before it runs, ``on_points`` gets all points so far after it.
    """
    points: list[CerebellumPoint] = []
    with tempfile.TemporaryDirectory(prefix="cerebrepro-bench-") as tmp:
        for size in config.sizes:
            for threads in config.threads:
                if on_point is not None:
                    on_point(size, threads)
                points.append(measure(size, threads, config, Path(tmp)))
                if on_points is not None:
                    on_points(points)
    return points


def read_points(path: Path) -> list[CerebellumPoint]:
    """Points from a ``cerebellum.csv`` written by the benchmark."""
    from cerebrepro.studies.records import read_csv

    kinds = {f.name: f.type for f in fields(CerebellumPoint)}
    return [
        CerebellumPoint(
            **{name: {"int": int, "float": float}[kinds[name]](row[name]) for name in kinds}
        )
        for row in read_csv(path)
    ]


def fit_costs(
    points: Sequence[CerebellumPoint], phase: str, clock: str = "wall", intercept: bool = True
) -> LinearFit:
    """``time = a*cells + b*synapses (+ c)`` for one phase (simulate: for the configured model time)."""
    suffix = "_s" if clock == "wall" else "_cpu_s"
    features = {
        "cells": np.array([p.cells for p in points], dtype=float),
        "synapses": np.array([p.synapses for p in points], dtype=float),
    }
    return fit_linear(
        features, np.array([getattr(p, phase + suffix) for p in points]), intercept=intercept
    )


def fit_variants(points: Sequence[CerebellumPoint], clock: str) -> dict[str, dict[str, LinearFit]]:
    """Per variant (``with_intercept`` from three sizes on, ``no_intercept`` from two) and phase: the fit."""
    variants = {"with_intercept": True, "no_intercept": False}
    return {
        variant: {phase: fit_costs(points, phase, clock, intercept) for phase in FITTED_PHASES}
        for variant, intercept in variants.items()
        if len(points) >= (3 if intercept else 2)
    }


@dataclass
class CerebellumBench:
    """Points and, per thread count, clock, variant and phase, the fitted cost per cell and per synapse."""

    config: CerebellumConfig
    points: list[CerebellumPoint]
    fits: dict[int, dict[str, dict[str, dict[str, LinearFit]]]] = field(init=False)

    def __post_init__(self) -> None:
        self.fits = {
            threads: {clock: fit_variants(mine, clock) for clock in ("wall", "cpu")}
            for threads in self.config.threads
            if len(mine := [p for p in self.points if p.threads == threads]) >= 2
        }

    def preferred(self, threads: int, clock: str) -> tuple[str, dict[str, LinearFit]]:
        """The variant shown: with a constant where there are enough sizes, else without."""
        variants = self.fits[threads][clock]
        name = "with_intercept" if "with_intercept" in variants else "no_intercept"
        return name, variants[name]

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": "cerebrepro.bench.cerebellum/1",
            "model": "time = a*cells + b*synapses (+ c), per thread count; build_ratio = build / raw_wiring",
            "config": asdict(self.config),
            "points": [p.to_row() for p in self.points],
            "fits": {
                str(threads): {
                    clock: {
                        variant: {phase: asdict(fit) for phase, fit in by_phase.items()}
                        for variant, by_phase in by_variant.items()
                    }
                    for clock, by_variant in by_clock.items()
                }
                for threads, by_clock in self.fits.items()
            },
        }
