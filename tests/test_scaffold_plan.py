"""Cell counts of the scaffold rules, computed without placing anything."""

import numpy as np
import pytest

from cerebrepro.model.cerebellum import PUBLISHED_400_CELLS
from cerebrepro.scaffold.plan import (
    dcn_base_count,
    dcn_footprint,
    planned_counts,
    purkinje_grid,
    sublayer_plans,
)

PUBLISHED_400 = {name: n for name, n in PUBLISHED_400_CELLS.items() if name != "granule"}


def test_counts_at_400_match_the_published_network():
    counts = planned_counts(400.0)
    assert {name: counts[name] for name in PUBLISHED_400} == PUBLISHED_400
    assert counts["granule"] == 91_425  # capacity: 25 x (3656 + 1)


@pytest.mark.parametrize(
    ("cell_type", "n_sublayers", "per_sublayer"),
    [
        ("golgi", 3, 73),
        ("glomerulus", 11, 643),
        ("granule", 25, 3657),
        ("basket", 3, 201),
        ("stellate", 3, 201),
        ("dcn", 4, 3),
    ],
)
def test_sublayer_partition_at_400(cell_type, n_sublayers, per_sublayer):
    plan = sublayer_plans(400.0)[cell_type]
    assert (plan.n_sublayers, plan.per_sublayer) == (n_sublayers, per_sublayer)
    assert len(plan.y_ranges) == n_sublayers


def test_volume_taken_by_earlier_types_is_subtracted():
    plans = sublayer_plans(400.0)
    assert plans["golgi"].expected == pytest.approx(216.0)
    assert plans["glomerulus"].expected == pytest.approx(7061.03, abs=0.01)
    assert plans["granule"].expected == pytest.approx(91404.03, abs=0.01)


def test_granule_walk_steps_have_a_fixed_eps():
    low, high = sublayer_plans(400.0)["granule"].eps_range
    assert low == high == pytest.approx(0.7205, abs=1e-4)


def test_dcn_count_is_at_least_one_and_uses_the_footprint():
    assert dcn_base_count(400.0) == 6
    assert dcn_base_count(100.0) == 1
    assert dcn_footprint(400.0) == (100.0, 300.0)
    plan = sublayer_plans(400.0)["dcn"]
    assert plan.xz_range == (110.0, 290.0)
    assert plan.y_ranges[0][0] == 10.0 and plan.y_ranges[-1][1] == 590.0


def test_purkinje_grid():
    x, z = purkinje_grid(400.0)
    assert x.tolist() == [72.5, 201.5, 330.5]
    assert z.size == 23
    assert np.allclose(np.diff(z), 16.9)
    assert z.min() >= 7.5 and z.max() <= 392.5
    x100, z100 = purkinje_grid(100.0)
    assert (x100.size, z100.size) == (1, 6)
    assert 7.5 <= x100[0] <= 92.5


@pytest.mark.parametrize("size", [100.0, 150.0, 400.0, 800.0])
def test_sublayers_stay_inside_their_layer(size):
    for plan in sublayer_plans(size).values():
        lows = [low for low, _ in plan.y_ranges]
        highs = [high for _, high in plan.y_ranges]
        assert all(low <= high for low, high in plan.y_ranges)
        assert np.all(np.diff(lows) > 0) and np.all(np.diff(highs) > 0)
        assert plan.xz_range[0] >= plan.radius and plan.xz_range[1] <= size - plan.radius
