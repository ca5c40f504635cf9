"""A scaffold in numbers: cells per population, rows and degrees per projection, digests."""

from __future__ import annotations

import numpy as np

from cerebrepro.scaffold import layout
from cerebrepro.scaffold.types import Scaffold


def _degree(indices: np.ndarray, n_cells: int) -> dict[str, float]:
    """Mean, min and max number of rows per cell, over every cell of the population."""
    if n_cells == 0:
        return {"mean": 0.0, "min": 0, "max": 0}
    counts = np.bincount(indices, minlength=n_cells)
    return {"mean": float(counts.mean()), "min": int(counts.min()), "max": int(counts.max())}


def summarize(scaffold: Scaffold) -> dict:
    """Counts and degrees of ``scaffold`` as plain data (JSON-ready).

    ``n_connections`` counts the rows of the simulated projections only (goc_glom is not
    simulated); ``n_rows`` counts every row in the scaffold.
    """
    projections = {}
    for name, rows in sorted(scaffold.connections.items()):
        pre, post = layout.ENDPOINTS[name]
        projections[name] = {
            "pre": pre,
            "post": post,
            "simulated": layout.is_simulated(name),
            "rows": len(rows),
            "out_degree": _degree(rows.pre, scaffold.size(pre)),
            "in_degree": _degree(rows.post, scaffold.size(post)),
        }
    return {
        "source": str(scaffold.source) if scaffold.source else None,
        "sha256": scaffold.sha256,
        "connectivity_digest": scaffold.connectivity_digest(),
        "attrs": dict(scaffold.attrs),
        "populations": scaffold.sizes,
        "n_cells": scaffold.n_cells,
        "projections": projections,
        "n_connections": sum(p["rows"] for p in projections.values() if p["simulated"]),
        "n_rows": scaffold.n_connections,
    }
