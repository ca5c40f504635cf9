"""Placement of a small rebuilt volume: counts, layer bounds, minimum soma distances."""

import numpy as np
import pytest
from scipy.spatial import cKDTree

from cerebrepro.scaffold import rules
from cerebrepro.scaffold.build import build_scaffold
from cerebrepro.scaffold.plan import dcn_footprint, planned_counts, purkinje_grid, sublayer_plans
from cerebrepro.scaffold.walk import walk_sublayer

SIZE = 150.0


@pytest.fixture(scope="module")
def scaffold():
    return build_scaffold(SIZE, seed=11)


def test_counts_follow_the_plan(scaffold):
    planned = planned_counts(SIZE)
    for name, n in scaffold.sizes.items():
        if name == "granule":
            assert 0.85 * planned[name] <= n <= planned[name]
        else:
            assert n == planned[name], name


@pytest.mark.parametrize(
    "cell_type", ["golgi", "glomerulus", "granule", "basket", "stellate", "dcn"]
)
def test_walk_placed_cells_stay_in_their_sublayers(scaffold, cell_type):
    plan = sublayer_plans(SIZE)[cell_type]
    xyz = scaffold.positions[cell_type]
    low, high = plan.xz_range
    assert np.all((xyz[:, [0, 2]] >= low) & (xyz[:, [0, 2]] <= high))
    in_some_sublayer = np.zeros(len(xyz), dtype=bool)
    for y_low, y_high in plan.y_ranges:
        in_some_sublayer |= (xyz[:, 1] >= y_low) & (xyz[:, 1] <= y_high)
    assert in_some_sublayer.all()
    layer = rules.PLACEMENT_LAYER[cell_type]
    radius = rules.SOMA_RADIUS[cell_type]
    assert xyz[:, 1].min() >= layer.bottom + radius and xyz[:, 1].max() <= layer.top - radius


def test_dcn_sit_in_the_centred_footprint(scaffold):
    low, high = dcn_footprint(SIZE)
    xz = scaffold.positions["dcn"][:, [0, 2]]
    assert np.all((xz >= low + 10) & (xz <= high - 10))


def test_purkinje_cells_form_the_grid(scaffold):
    x, z = purkinje_grid(SIZE)
    pc = scaffold.positions["purkinje"]
    assert set(np.round(pc[:, 0], 6)) == set(np.round(x, 6))
    assert set(np.round(pc[:, 2], 6)) == set(np.round(z, 6))
    assert np.all((pc[:, 1] >= 757.5) & (pc[:, 1] <= 772.5))


def _min_distance(a: np.ndarray, b: np.ndarray | None = None) -> float:
    if b is None:
        d, _ = cKDTree(a).query(a, k=2)
        return float(d[:, 1].min())
    d, _ = cKDTree(b).query(a, k=1)
    return float(d.min())


@pytest.mark.parametrize(
    "cell_type", ["golgi", "glomerulus", "granule", "basket", "stellate", "dcn"]
)
def test_same_type_somata_do_not_overlap(scaffold, cell_type):
    plan = sublayer_plans(SIZE)[cell_type]
    xyz = scaffold.positions[cell_type]
    assert _min_distance(xyz) >= 2 * plan.radius
    # within one sublayer the planar distance is at least 2r + the smallest eps
    sublayer = np.searchsorted([high for _, high in plan.y_ranges], xyz[:, 1])
    for k in np.unique(sublayer):
        planar = xyz[sublayer == k][:, [0, 2]]
        if len(planar) > 1:
            assert _min_distance(planar) >= (2 * plan.radius + plan.eps_range[0]) * (1 - 1e-9)


@pytest.mark.parametrize(
    ("cell_type", "other"),
    [("glomerulus", "golgi"), ("granule", "golgi"), ("granule", "glomerulus")],
)
def test_cells_keep_clear_of_earlier_types(scaffold, cell_type, other):
    reach = rules.SOMA_RADIUS[cell_type] + rules.SOMA_RADIUS[other]
    assert _min_distance(scaffold.positions[cell_type], scaffold.positions[other]) >= reach


def test_walk_is_reproducible_and_respects_obstacles():
    obstacles = np.array([[50.0, 5.0, 50.0, 20.0]])
    args = (40, 2.0, 1.0, 2.0, 2.0, 98.0, 4.0, 6.0, obstacles, 50)
    first = walk_sublayer(3, *args)
    assert np.array_equal(first, walk_sublayer(3, *args))
    assert not np.array_equal(first, walk_sublayer(4, *args))
    assert len(first) == 40
    assert np.linalg.norm(first - obstacles[0, :3], axis=1).min() >= 20.0


def test_walk_ends_early_when_the_sublayer_is_full():
    cells = walk_sublayer(1, 500, 5.0, 1.0, 1.0, 5.0, 45.0, 0.0, 1.0, np.empty((0, 4)), 50)
    assert 5 < len(cells) < 500
    assert _min_distance(cells[:, [0, 2]]) >= 11.0 * (1 - 1e-9)
