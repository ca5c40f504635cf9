"""What the pipeline benchmark leaves on disk: raw rows (CSV), everything (JSON), a figure (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from cerebrepro.studies.pipeline_bench import Measurement, PipelineBench, cost_features
from cerebrepro.studies.plots import Panel, plot_measured_vs_fitted
from cerebrepro.studies.records import write_csv, write_json

STEM = "pipeline"


def pipeline_panels(
    bench: PipelineBench, clock: str = "wall", variant: str = "with_intercept"
) -> dict[str, Panel]:
    """One measured-vs-fitted panel per phase label, coloured by network size."""
    panels = {}
    for label, fit in bench.fits[clock][variant].items():
        mine = [p for p in bench.points if p.phase == label]
        n = np.array([p.n_cells for p in mine])
        features = cost_features(n, np.array([p.duration_ms for p in mine]))
        measured = np.array([getattr(p, f"{clock}_s") for p in mine])
        panels[label] = Panel(measured, fit.predict(features), fit.r2, n, "N (cells)")
    return panels


def save_rows(rows: Sequence[Measurement], directory: Path) -> Path:
    """The raw measurements as ``pipeline.csv`` (one row per timed phase)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    return write_csv([asdict(r) for r in rows], Path(directory) / f"{STEM}.csv")


def save_pipeline(bench: PipelineBench, directory: Path, clock: str = "wall") -> dict[str, Path]:
    """Write ``pipeline.csv`` (one row per timed phase), ``pipeline.json`` and ``pipeline.png``."""
    directory = Path(directory)
    title = f"pipeline benchmark ({clock} time, medians over repeats, at most {bench.config.repeats}): time = a*N + b*N*T + c"
    return {
        "csv": save_rows(bench.rows, directory),
        "json": write_json(bench.to_dict(), directory / f"{STEM}.json"),
        "figure": plot_measured_vs_fitted(
            pipeline_panels(bench, clock), directory / f"{STEM}.png", title
        ),
    }
