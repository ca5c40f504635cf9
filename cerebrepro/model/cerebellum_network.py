"""The cerebellum of a scaffold, described for any backend (:mod:`cerebrepro.model.description`).

Cells come from :mod:`cerebrepro.model.cerebellum` (parameters, projections), positions
and connection rows from a scaffold, and the glomeruli's spike trains from the stimulus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from cerebrepro.model.cerebellum import (
    CELL_TYPES,
    NEURONS_PER_CORE,
    PROJECTION_LIST,
    CellType,
    Projection,
)
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains

RECORD_MODES = ("none", "subset", "all")


class Rows(Protocol):
    """One projection's connection rows (as a scaffold holds them)."""

    pre: np.ndarray
    post: np.ndarray


def recorded_subset(cell: CellType, size: int, mode: str) -> np.ndarray:
    """Local indices whose v and conductances are recorded: ``none``, ``subset`` (model.md) or ``all``."""
    if mode not in RECORD_MODES:
        raise ValueError(f"unknown --record-v mode {mode!r}: use none, subset or all")
    if cell.is_source or mode == "none":
        return np.zeros(0, dtype=np.int64)
    if mode == "all":
        return np.arange(size, dtype=np.int64)
    return (
        np.arange(0, size, cell.record_every, dtype=np.int64)
        if cell.record_every
        else np.zeros(0, np.int64)
    )


def describe_cerebellum(
    positions: Mapping[str, np.ndarray],
    connections: Mapping[str, Rows],
    stimulus: SpikeTrains,
    record_v: str = "subset",
    cells: tuple[CellType, ...] = CELL_TYPES,
    projections: tuple[Projection, ...] = PROJECTION_LIST,
) -> NetworkDescription:
    """The 7 populations and 16 projections of the model over a scaffold's cells and rows.

    ``cells`` and ``projections`` default to the model's own numbers (a study may pass
    changed ones). A projection the scaffold lacks is an empty list.
    """
    groups = tuple(
        CellGroup(
            name=cell.name,
            size=int(len(positions[cell.name])),
            model=cell.model,
            parameters=dict(cell.parameters),
            spike_times=stimulus if cell.is_source else None,
            positions=np.asarray(positions[cell.name], dtype=np.float64),
            record_analog=recorded_subset(cell, int(len(positions[cell.name])), record_v),
            neurons_per_core=NEURONS_PER_CORE[cell.name],
        )
        for cell in cells
    )
    empty = np.zeros(0, dtype=np.int64)
    lists = []
    for projection in projections:
        rows = connections.get(projection.name)
        lists.append(
            ConnectionList(
                name=projection.name,
                pre=projection.pre,
                post=projection.post,
                pre_index=empty if rows is None else np.asarray(rows.pre, dtype=np.int64),
                post_index=empty if rows is None else np.asarray(rows.post, dtype=np.int64),
                weight=projection.weight,
                delay=projection.delay,
                receptor=projection.receptor,
            )
        )
    return NetworkDescription("cerebellum", groups, tuple(lists))
