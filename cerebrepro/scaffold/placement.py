"""Cell placement: the sublayer random walk for most types, a grid for purkinje cells."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cerebrepro.scaffold import rules
from cerebrepro.scaffold.plan import SublayerPlan, purkinje_grid
from cerebrepro.scaffold.walk import walk_sublayer

PLACEMENT_ALGORITHM = "sublayer random walk with backtracking (50 candidates per step)"

# A sublayer that ends short of its target is walked again from a new start, up to this
# many times, for every type but granules (whose walks ending early is the original's
# behaviour and what sets the granule count).
WALK_ATTEMPTS = 50


def obstacles_for(cell_type: str, placed: Mapping[str, np.ndarray]) -> np.ndarray:
    """(m, 4) [x, y, z, minimum distance] of the cells ``cell_type`` must keep clear of."""
    radius = rules.SOMA_RADIUS[cell_type]
    parts = [
        np.column_stack(
            [placed[other], np.full(len(placed[other]), radius + rules.SOMA_RADIUS[other])]
        )
        for other in rules.AVOIDS.get(cell_type, ())
    ]
    return np.concatenate(parts) if parts else np.empty((0, 4))


def place_walked(
    plan: SublayerPlan, seed: np.random.SeedSequence, obstacles: np.ndarray
) -> np.ndarray:
    """Positions (n, 3) of one type: one random walk per sublayer, sublayers in y order."""
    retry = plan.cell_type != "granule"
    sublayers = []
    for (y_low, y_high), sublayer_seed in zip(
        plan.y_ranges, seed.spawn(plan.n_sublayers), strict=True
    ):
        near = obstacles[
            (obstacles[:, 1] + obstacles[:, 3] > y_low)
            & (obstacles[:, 1] - obstacles[:, 3] < y_high)
        ]
        best = np.empty((0, 3))
        for attempt_seed in sublayer_seed.generate_state(WALK_ATTEMPTS if retry else 1):
            cells = walk_sublayer(
                int(attempt_seed),
                plan.per_sublayer,
                plan.radius,
                *plan.eps_range,
                *plan.xz_range,
                y_low,
                y_high,
                np.ascontiguousarray(near),
                rules.WALK_CANDIDATES,
            )
            if len(cells) > len(best):
                best = cells
            if len(best) == plan.per_sublayer:
                break
        sublayers.append(best)
    return np.concatenate(sublayers)


def place_purkinje(size: float, rng: np.random.Generator) -> np.ndarray:
    """Purkinje cells on the grid of ``purkinje_grid``, row by row along z; y uniform in the layer."""
    x, z = purkinje_grid(size)
    xx, zz = np.meshgrid(x, z)  # rows along z, cells of a row along x
    layer = rules.LAYERS["purkinje"]
    radius = rules.SOMA_RADIUS["purkinje"]
    y = rng.uniform(layer.bottom + radius, layer.top - radius, xx.size)
    return np.column_stack([xx.ravel(), y, zz.ravel()])
