"""The benchmarks as ``cerebrepro bench`` runs them: measure (saving after every point) or refit, then save.

A sweep saves its raw rows after every point, so that an interrupted one can be fitted
later from its CSV (``refit``); the fitted configuration is then the one the rows cover.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from cerebrepro.studies.cerebellum_bench import (
    CerebellumBench,
    CerebellumConfig,
    read_points,
    run_cerebellum_bench,
)
from cerebrepro.studies.cerebellum_bench_output import save_cerebellum, save_points
from cerebrepro.studies.pipeline_bench import (
    PipelineBench,
    SweepConfig,
    read_measurements,
    run_sweep,
)
from cerebrepro.studies.pipeline_bench_output import save_pipeline, save_rows


def pipeline_bench(
    config: SweepConfig,
    output: Path,
    clock: str = "wall",
    refit: Path | None = None,
    on_point: Callable[[int, float, int], None] | None = None,
) -> tuple[PipelineBench, dict[str, Path]]:
    """Measure ``config`` (or fit the ``refit`` CSV instead) and save CSV, JSON and figure in ``output``."""
    if refit is not None:
        rows = read_measurements(refit)
        config = dataclasses.replace(
            config,
            sizes=tuple(sorted({r.n_cells for r in rows})),
            durations=tuple(sorted({r.duration_ms for r in rows})),
            repeats=max(r.repeat for r in rows) + 1,
        )
    else:
        rows = run_sweep(config, on_point, lambda done: save_rows(done, output))
    bench = PipelineBench(config, rows)
    return bench, save_pipeline(bench, output, clock)


def cerebellum_bench(
    config: CerebellumConfig,
    output: Path,
    clock: str = "wall",
    refit: Path | None = None,
    on_point: Callable[[float, int], None] | None = None,
) -> tuple[CerebellumBench, dict[str, Path]]:
    """Measure every size and thread count of ``config`` (or fit the ``refit`` CSV) and save in ``output``."""
    if refit is not None:
        points = read_points(refit)
        config = CerebellumConfig(
            tuple(sorted({p.size for p in points})),
            tuple(sorted({p.threads for p in points})),
            config.duration,
        )
    else:
        points = run_cerebellum_bench(config, on_point, lambda done: save_points(done, output))
    bench = CerebellumBench(config, points)
    return bench, save_cerebellum(bench, output, clock)
