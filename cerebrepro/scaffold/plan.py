"""How many cells of each type a base of side L gets, and where (sublayers, bounds).

These are the count formulas of the original scaffold, separate from the random walk so the
counts can be checked without placing anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cerebrepro.scaffold import rules

WALK_PLACED = ("golgi", "glomerulus", "granule", "basket", "stellate", "dcn")


@dataclass(frozen=True)
class SublayerPlan:
    """The sublayer partition of one walk-placed type.

    ``per_sublayer`` is the number of cells each sublayer's walk tries to place
    (round(N / n_sub) + 1); ``y_ranges`` are the absolute soma heights allowed per sublayer.
    """

    cell_type: str
    expected: float  # N, unrounded
    radius: float
    density: float
    n_sublayers: int
    per_sublayer: int
    eps_range: tuple[float, float]
    xz_range: tuple[float, float]  # soma centres, both axes
    y_ranges: tuple[tuple[float, float], ...]

    @property
    def capacity(self) -> int:
        return self.n_sublayers * self.per_sublayer


def soma_volume(cell_type: str) -> float:
    return 4.0 / 3.0 * math.pi * rules.SOMA_RADIUS[cell_type] ** 3


def dcn_base_count(size: float) -> int:
    """N of the dcn: int(int(0.45e-3 * L^2) / 11), at least 1 (0 below L of about 157 um)."""
    return max(1, int(int(rules.PURKINJE_PLANAR_DENSITY * size * size) / rules.DCN_COUNT_DIVISOR))


def dcn_footprint(size: float) -> tuple[float, float]:
    """The x (and z) extent of the dcn block: half the base side, centred (100-300 at 400)."""
    side = size * rules.DCN_FOOTPRINT_FRACTION
    return (size - side) / 2, (size + side) / 2


def _sublayer_plan(
    cell_type: str, expected: float, density: float, xz: tuple[float, float]
) -> SublayerPlan:
    layer = rules.PLACEMENT_LAYER[cell_type]
    radius = rules.SOMA_RADIUS[cell_type]
    r_v = (3.0 / (4.0 * math.pi * density)) ** (1.0 / 3.0)
    n_sub = max(1, round(layer.thickness / (rules.SUBLAYER_THICKNESS_FACTOR * r_v)))
    low, high = rules.EPS_MULTIPLIERS.get(cell_type, rules.DEFAULT_EPS_MULTIPLIERS)
    e = r_v - radius
    step = layer.thickness / n_sub
    y_ranges = tuple(
        (layer.bottom + k * step + radius, layer.bottom + (k + 1) * step - radius)
        for k in range(n_sub)
    )
    return SublayerPlan(
        cell_type=cell_type,
        expected=expected,
        radius=radius,
        density=density,
        n_sublayers=n_sub,
        per_sublayer=int(np.round(expected / n_sub)) + 1,
        eps_range=(e * low / 4, e * high / 4),
        xz_range=(xz[0] + radius, xz[1] - radius),
        y_ranges=y_ranges,
    )


def sublayer_plans(size: float) -> dict[str, SublayerPlan]:
    """The plan of every walk-placed type for a square base of side ``size``.

    N = (layer volume - somata of the types placed earlier in the layer) x density, the
    earlier types counted with their unrounded N. The dcn get N = ``dcn_base_count`` spread
    over their footprint, then the same sublayer rule (4 x (2 + 1) = 12 at 400 um).
    """
    plans: dict[str, SublayerPlan] = {}
    for cell_type in WALK_PLACED:
        layer = rules.PLACEMENT_LAYER[cell_type]
        if cell_type == "dcn":
            low, high = dcn_footprint(size)
            expected = float(dcn_base_count(size))
            density = expected / ((high - low) ** 2 * layer.thickness)
            plans[cell_type] = _sublayer_plan(cell_type, expected, density, (low, high))
            continue
        volume = size * size * layer.thickness
        volume -= sum(
            plans[t].expected * soma_volume(t) for t in rules.VOLUME_TAKEN_BY.get(cell_type, ())
        )
        density = rules.VOLUME_DENSITY[cell_type]
        plans[cell_type] = _sublayer_plan(cell_type, volume * density, density, (0.0, size))
    return plans


def purkinje_grid(size: float) -> tuple[np.ndarray, np.ndarray]:
    """x and z of the purkinje grid: max(1, floor(L / 129)) per row, floor((L - 15) / 16.9) + 1 rows.

    Along x one cell every 129 um from 72.5 um (from L / 2 when the base is narrower than
    145 um); the rows are centred along z, 16.9 um apart (23 x 3 = 69 at 400, 6 x 1 at 100).
    """
    radius = rules.SOMA_RADIUS["purkinje"]
    per_row = max(1, math.floor(size / rules.PURKINJE_X_SPACING))
    n_rows = math.floor((size - 2 * radius) / rules.PURKINJE_Z_SPACING) + 1
    x0 = min(rules.PURKINJE_X_START, size / 2)
    x = x0 + rules.PURKINJE_X_SPACING * np.arange(per_row)
    z0 = (size - rules.PURKINJE_Z_SPACING * (n_rows - 1)) / 2
    z = z0 + rules.PURKINJE_Z_SPACING * np.arange(n_rows)
    return x, z


def planned_counts(size: float) -> dict[str, int]:
    """Cell count per type: exact for every type but granules, whose walk may end early
    (the granule entry is its capacity, n_sub x (round(N / n_sub) + 1))."""
    counts = {name: plan.capacity for name, plan in sublayer_plans(size).items()}
    x, z = purkinje_grid(size)
    counts["purkinje"] = int(x.size * z.size)
    return counts
