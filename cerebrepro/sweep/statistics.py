"""The rows a point adds to a sweep's table: its values and each population's window rates."""

from __future__ import annotations

import dataclasses
from typing import Any

from cerebrepro.analysis.rates import population_rate
from cerebrepro.analysis.windows import EDGE_TOLERANCE, population_windows
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.types import RunResult


def population_rows(result: RunResult, spec: RunSpec) -> list[dict[str, Any]]:
    """Per population: cells, spikes and the population rate (Hz) in each analysis window.

    The windows are the analysis's own (baseline, stimulus, post, shifted by the
    population's input delay), under the point's protocol clipped to its duration.
    """
    protocol = dataclasses.replace(spec.protocol, duration=result.duration)
    tolerance = EDGE_TOLERANCE * result.timestep
    rows = []
    for name, spikes in result.spikes.items():
        row: dict[str, Any] = {
            "population": name,
            "n_cells": spikes.size,
            "n_spikes": spikes.n_spikes,
        }
        for window in population_windows(name, result.duration, protocol):
            inside = int(window.contains(spikes.times, tolerance).sum())
            row[f"rate_{window.name}_hz"] = population_rate(inside, spikes.size, window)
        rows.append(row)
    return rows
