"""Synthetic scaffolds and runs of realistic size, for timing and testing the analysis.

Positions are uniform in each population's layer (scaffold.md); connections are random
but local along x (a pre cell is drawn near the post cell's x rank); spikes are Poisson at
typical rates, plus a burst of the cells inside the stimulus sphere during their shifted
stimulus window. Nothing here is the real network: it only has its sizes and a similar
structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from cerebrepro.analysis.windows import window_shift
from cerebrepro.model.cerebellum import (
    DURATION,
    POPULATIONS,
    PROJECTION_LIST,
    PUBLISHED_400_CELLS,
    REFERENCE_PROTOCOL,
    TIMESTEP,
    Protocol,
)
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.scaffold.types import Connections, Scaffold

SIDE = 400.0  # um
LAYERS: Mapping[str, tuple[float, float]] = MappingProxyType(  # y range (um)
    {
        "golgi": (600, 750),
        "glomerulus": (600, 750),
        "granule": (600, 750),
        "purkinje": (750, 780),
        "basket": (780, 855),
        "stellate": (855, 930),
        "dcn": (0, 600),
    }
)
SYNAPSES_PER_POST: Mapping[str, float] = MappingProxyType(  # rows per post cell, from the rules
    {
        "glom_grc": 4,
        "glom_goc": 62,
        "goc_grc": 2.3,
        "aa_goc": 361,
        "pf_goc": 1600,
        "aa_pc": 250,
        "pf_pc": 28000,
        "pf_bc": 1000,
        "pf_sc": 1000,
        "bc_pc": 20,
        "sc_pc": 20,
        "gj_bc": 4,
        "gj_sc": 4,
        "gj_goc": 34,
        "pc_dcn": 4.5 * 69 / 12,
        "glom_dcn": 147,
    }
)
BACKGROUND_RATES: Mapping[str, float] = MappingProxyType(  # Hz
    {
        "golgi": 10,
        "glomerulus": 1,
        "granule": 0.5,
        "purkinje": 36,
        "basket": 18,
        "stellate": 18,
        "dcn": 26,
    }
)
BURST_RATES: Mapping[str, float] = MappingProxyType(  # Hz added inside the sphere while stimulated
    {
        "golgi": 50,
        "glomerulus": 150,
        "granule": 60,
        "purkinje": 50,
        "basket": 40,
        "stellate": 40,
        "dcn": 0,
    }
)
LOCALITY = 0.15  # std of the pre cell's x rank around the post's, as a fraction of the population


def synthetic_scaffold(rng: np.random.Generator, scale: float = 1.0) -> Scaffold:
    """A scaffold with ``scale`` x the 400x400 population sizes and synapses per post cell."""
    sizes = {name: max(int(round(PUBLISHED_400_CELLS[name] * scale)), 1) for name in POPULATIONS}
    positions = {name: _positions(rng, sizes[name], *LAYERS[name]) for name in POPULATIONS}
    connections = {}
    for projection in PROJECTION_LIST:
        n_post = sizes[projection.post]
        n_rows = int(round(SYNAPSES_PER_POST[projection.name] * n_post * min(scale, 1.0)))
        connections[projection.name] = _local_connections(
            rng, positions[projection.pre][:, 0], positions[projection.post][:, 0], n_rows
        )
    return Scaffold(positions=positions, connections=connections, attrs={"synthetic": True})


def synthetic_run(
    rng: np.random.Generator,
    scaffold: Scaffold,
    rate_scale: float = 1.0,
    protocol: Protocol = REFERENCE_PROTOCOL,
    duration: float = DURATION,
    timestep: float = TIMESTEP,
) -> RunResult:
    """Poisson spikes on the grid for every population of ``scaffold``, with a stimulus burst."""
    spikes = {}
    for name in POPULATIONS:
        positions = scaffold.positions[name]
        centre = np.median(positions, axis=0)
        inside = np.linalg.norm(positions - centre, axis=1) < protocol.radius
        start = protocol.start + window_shift(name)
        trains = [
            _poisson(
                rng, np.arange(len(positions)), BACKGROUND_RATES[name] * rate_scale, 0.0, duration
            ),
            _poisson(
                rng,
                np.flatnonzero(inside),
                BURST_RATES[name] * rate_scale,
                start,
                start + protocol.stop - protocol.start,
            ),
        ]
        times = np.concatenate([t for t, _ in trains])
        cells = np.concatenate([c for _, c in trains])
        times = np.clip(np.floor(times / timestep) + 1, 1, round(duration / timestep)) * timestep
        order = np.lexsort((cells, times))
        spikes[name] = PopulationSpikes(len(positions), times[order], cells[order])
    return RunResult(spikes, timestep, duration, provenance={"label": "synthetic"})


def _positions(rng: np.random.Generator, n: int, y_low: float, y_high: float) -> np.ndarray:
    x, z = rng.uniform(0.0, SIDE, (2, n))
    return np.column_stack([x, rng.uniform(y_low, y_high, n), z])


def _local_connections(
    rng: np.random.Generator, pre_x: np.ndarray, post_x: np.ndarray, n_rows: int
) -> Connections:
    post = rng.integers(0, post_x.size, n_rows)
    pre_by_x = np.argsort(pre_x)
    post_quantile = np.argsort(np.argsort(post_x)) / max(post_x.size - 1, 1)
    rank = post_quantile[post] * (pre_x.size - 1) + rng.normal(0.0, LOCALITY * pre_x.size, n_rows)
    pre = pre_by_x[np.clip(np.rint(rank), 0, pre_x.size - 1).astype(np.int64)]
    return Connections(pre.astype(np.int64), post.astype(np.int64))


def _poisson(
    rng: np.random.Generator, cells: np.ndarray, rate: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.poisson(rate * (stop - start) / 1000.0, cells.size)
    return rng.uniform(start, stop, counts.sum()), np.repeat(cells, counts).astype(np.int64)
