"""What the cerebellum benchmark leaves on disk: points (CSV), everything (JSON), a figure (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cerebrepro.studies.cerebellum_bench import FITTED_PHASES, CerebellumBench, CerebellumPoint
from cerebrepro.studies.plots import Panel, plot_measured_vs_fitted
from cerebrepro.studies.records import write_csv, write_json

STEM = "cerebellum"


def cerebellum_panels(bench: CerebellumBench, clock: str = "wall") -> dict[str, Panel]:
    """One measured-vs-fitted panel per phase and thread count, coloured by synapse count."""
    suffix = "_s" if clock == "wall" else "_cpu_s"
    panels = {}
    for threads in bench.fits:
        _, fits = bench.preferred(threads, clock)
        mine = [p for p in bench.points if p.threads == threads]
        features = {
            "cells": np.array([p.cells for p in mine]),
            "synapses": np.array([p.synapses for p in mine]),
        }
        for phase in FITTED_PHASES:
            measured = np.array([getattr(p, phase + suffix) for p in mine])
            panels[f"{phase}, {threads} thread(s)"] = Panel(
                measured,
                fits[phase].predict(features),
                fits[phase].r2,
                features["synapses"],
                "synapses",
            )
    return panels


def save_points(points: Sequence[CerebellumPoint], directory: Path) -> Path:
    """The points as ``cerebellum.csv`` (one row per size and thread count)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    return write_csv([p.to_row() for p in points], Path(directory) / f"{STEM}.csv")


def save_cerebellum(
    bench: CerebellumBench, directory: Path, clock: str = "wall"
) -> dict[str, Path]:
    """Write ``cerebellum.csv`` (one row per size and thread count), ``cerebellum.json`` and ``cerebellum.png``."""
    directory = Path(directory)
    paths = {
        "csv": save_points(bench.points, directory),
        "json": write_json(bench.to_dict(), directory / f"{STEM}.json"),
    }
    panels = cerebellum_panels(bench, clock)
    if panels:  # a fit needs two sizes
        title = f"cerebellum benchmark ({clock} time): time = a*cells + b*synapses + c"
        paths["figure"] = plot_measured_vs_fitted(panels, directory / f"{STEM}.png", title)
    return paths
