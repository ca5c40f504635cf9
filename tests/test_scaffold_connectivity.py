"""Each connectivity rule, checked on a small rebuilt volume against brute force."""

import numpy as np
import pytest

from cerebrepro.model.cerebellum import PROJECTIONS
from cerebrepro.scaffold import connectivity, rules
from cerebrepro.scaffold.build import build_scaffold
from cerebrepro.scaffold.selection import accept_in_random_order

SIZE = 150.0


@pytest.fixture(scope="module")
def scaffold():
    return build_scaffold(SIZE, seed=5)


@pytest.fixture(scope="module")
def pos(scaffold):
    return scaffold.positions


def _per_cell(rows_side: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rows_side, minlength=n)


def _pairs(conn) -> set[tuple[int, int]]:
    return set(zip(conn.pre.tolist(), conn.post.tolist(), strict=True))


def test_every_projection_is_built(scaffold):
    assert set(scaffold.connections) == set(PROJECTIONS) | {"goc_glom"}
    for name, conn in scaffold.connections.items():
        assert len(conn) > 0, name


def test_glom_grc_takes_the_nearest_four_within_40(scaffold, pos):
    conn = scaffold.connections["glom_grc"]
    glom, grc = pos["glomerulus"], pos["granule"]
    per_granule = _per_cell(conn.post, len(grc))
    assert per_granule.max() <= 4
    assert np.linalg.norm(glom[conn.pre] - grc[conn.post], axis=1).max() <= 40.0
    for g in np.random.default_rng(0).choice(len(grc), 200, replace=False):
        d = np.linalg.norm(glom - grc[g], axis=1)
        within = np.flatnonzero(d <= 40.0)
        expected = set(within[np.argsort(d[within])][:4].tolist())
        assert set(conn.pre[conn.post == g].tolist()) == expected


def test_glom_goc_is_every_glomerulus_within_50_not_above_the_soma(scaffold, pos):
    glom, goc = pos["glomerulus"], pos["golgi"]
    expected = {
        (j, i)
        for i in range(len(goc))
        for j in np.flatnonzero(
            (np.linalg.norm(glom - goc[i], axis=1) <= 50.0) & (glom[:, 1] <= goc[i, 1])
        ).tolist()
    }
    assert _pairs(scaffold.connections["glom_goc"]) == expected


def test_goc_glom_boxes_caps_and_unique_glomeruli(scaffold, pos):
    conn = scaffold.connections["goc_glom"]
    assert np.unique(conn.post).size == len(conn)  # each glomerulus to one golgi at most
    assert _per_cell(conn.pre, len(pos["golgi"])).max() <= 40
    offset = np.abs(pos["glomerulus"][conn.post] - pos["golgi"][conn.pre])
    assert np.all(offset <= np.array([75.0, 75.0, 15.0]))


def test_goc_grc_follows_goc_glom_and_glom_grc(scaffold):
    owner = dict(
        zip(
            scaffold.connections["goc_glom"].post.tolist(),
            scaffold.connections["goc_glom"].pre.tolist(),
            strict=True,
        )
    )
    glom_grc = scaffold.connections["glom_grc"]
    expected = {
        (owner[glom], grc)
        for glom, grc in zip(glom_grc.pre.tolist(), glom_grc.post.tolist(), strict=True)
        if glom in owner
    }
    goc_grc = scaffold.connections["goc_grc"]
    assert _pairs(goc_grc) == expected
    assert len(goc_grc) == len(expected)  # unique pairs


def test_aa_goc_caps_and_single_use(scaffold, pos):
    conn = scaffold.connections["aa_goc"]
    assert _per_cell(conn.post, len(pos["golgi"])).max() <= 400
    assert np.unique(conn.pre).size == len(conn)  # each ascending axon once
    d_xz = np.linalg.norm(
        pos["granule"][conn.pre][:, [0, 2]] - pos["golgi"][conn.post][:, [0, 2]], axis=1
    )
    assert d_xz.max() <= 50.0


def test_pf_goc_is_1600_per_golgi_including_its_ascending_axons(scaffold, pos):
    pf, aa = scaffold.connections["pf_goc"], scaffold.connections["aa_goc"]
    grc, goc = pos["granule"], pos["golgi"]
    for i in range(len(goc)):
        fibres = pf.pre[pf.post == i]
        axons = aa.pre[aa.post == i]
        near = np.abs(grc[:, 0] - goc[i, 0]) <= 50.0
        if near.sum() + axons.size >= 1600:
            assert fibres.size == 1600
        assert np.unique(fibres).size == fibres.size
        assert set(axons.tolist()) <= set(fibres.tolist())
        others = np.setdiff1d(fibres, axons)
        assert np.all(near[others])


def test_aa_pc_and_pf_pc(scaffold, pos):
    grc, pc = pos["granule"], pos["purkinje"]
    aa, pf = scaffold.connections["aa_pc"], scaffold.connections["pf_pc"]
    assert np.unique(aa.pre).size == len(aa)
    d = np.abs(grc[aa.pre] - pc[aa.post])
    assert np.all(d[:, 2] <= 1.75) and np.all(d[:, 0] <= 65.0)
    for i in range(len(pc)):
        expected = np.flatnonzero(np.abs(grc[:, 0] - pc[i, 0]) <= 65.0)
        assert np.array_equal(np.sort(pf.pre[pf.post == i]), expected)
    assert _pairs(aa) <= _pairs(pf)


def test_parallel_fibre_heights_are_truncated_to_the_molecular_layer(pos):
    grc = pos["granule"]
    heights = connectivity.parallel_fibre_heights(grc, np.random.default_rng(1))
    assert np.all((heights >= 780.0) & (heights <= 930.0))
    offset = heights - grc[:, 1]
    assert np.all((offset >= 115.0) & (offset <= 247.0))


def test_pf_interneuron_rule():
    # (x_grc - x)^2 + (h_pf - y)^2 <= 15^2, whatever the granule's own height and z
    granules = np.array(
        [[10.0, 600.0, 5.0], [20.0, 610.0, 90.0], [40.0, 600.0, 5.0], [19.0, 650.0, 0.0]]
    )
    heights = np.array([800.0, 812.0, 800.0, 812.0])  # 0; 100 + 144; 900; 81 + 144 = 225
    cells = np.array([[10.0, 800.0, 50.0]])
    conn = connectivity.pf_interneuron(granules, heights, cells)
    assert conn.pre.tolist() == [0, 3] and conn.post.tolist() == [0, 0]


@pytest.mark.parametrize("name", ["pf_bc", "pf_sc"])
def test_pf_interneuron_rows_are_within_15_um_in_x(scaffold, pos, name):
    post = "basket" if name == "pf_bc" else "stellate"
    conn = scaffold.connections[name]
    assert np.abs(pos["granule"][conn.pre, 0] - pos[post][conn.post, 0]).max() <= 15.0


@pytest.mark.parametrize(
    ("name", "pre", "limits"),
    [("bc_pc", "basket", (500.0, 100.0)), ("sc_pc", "stellate", (100.0, 500.0))],
)
def test_interneurons_per_purkinje(scaffold, pos, name, pre, limits):
    conn = scaffold.connections[name]
    assert np.all(_per_cell(conn.post, len(pos["purkinje"])) == 20)
    d = np.abs(pos[pre][conn.pre] - pos["purkinje"][conn.post])
    assert np.all(d[:, 2] < limits[0]) and np.all(d[:, 0] < limits[1])
    for i in range(len(pos["purkinje"])):
        assert np.unique(conn.pre[conn.post == i]).size == 20


@pytest.mark.parametrize(("name", "cells"), [("gj_bc", "basket"), ("gj_sc", "stellate")])
def test_interneuron_gap_junction_partners(scaffold, pos, name, cells):
    conn = scaffold.connections[name]
    xyz = pos[cells]
    out = _per_cell(conn.pre, len(xyz))
    dz = np.abs(xyz[:, None, 2] - xyz[None, :, 2])
    dxy = np.linalg.norm(xyz[:, None, :2] - xyz[None, :, :2], axis=2)
    eligible = ((dz > 0) & (dz < 50) & (dxy < 150)).sum(axis=1)
    assert np.all(out == np.minimum(eligible, 4))
    assert np.all(conn.pre != conn.post)
    assert np.all(dz[conn.pre, conn.post] < 50) and np.all(dxy[conn.pre, conn.post] < 150)


def test_gj_goc_is_every_golgi_in_the_box(scaffold, pos):
    goc = pos["golgi"]
    d = np.abs(goc[:, None, :] - goc[None, :, :])
    inside = (d[..., 0] <= 125) & (d[..., 1] <= 125) & (d[..., 2] <= 65)
    np.fill_diagonal(inside, False)
    assert _pairs(scaffold.connections["gj_goc"]) == set(
        zip(*map(np.ndarray.tolist, np.nonzero(inside)), strict=True)
    )


def test_pc_dcn_four_or_five_distinct_targets():
    conn = connectivity.pc_dcn(200, 12, np.random.default_rng(3))
    out = _per_cell(conn.pre, 200)
    assert set(out.tolist()) == {4, 5}
    assert len(_pairs(conn)) == len(conn)
    few = connectivity.pc_dcn(10, 3, np.random.default_rng(3))
    assert np.all(_per_cell(few.pre, 10) == 3)


def test_pc_dcn_in_the_scaffold(scaffold, pos):
    out = _per_cell(scaffold.connections["pc_dcn"].pre, len(pos["purkinje"]))
    allowed = {min(k, len(pos["dcn"])) for k in rules.PURKINJE_DCN_TARGETS}
    assert set(out.tolist()) <= allowed


def test_glom_dcn_147_distinct_per_dcn(scaffold, pos):
    conn = scaffold.connections["glom_dcn"]
    assert np.all(_per_cell(conn.post, len(pos["dcn"])) == min(147, len(pos["glomerulus"])))
    assert len(_pairs(conn)) == len(conn)
    few = connectivity.glom_dcn(100, 2, np.random.default_rng(0))
    assert np.all(_per_cell(few.post, 2) == 100)


def test_acceptance_until_full_reaches_the_cap():
    rng = np.random.default_rng(0)
    candidates = np.arange(30)
    probability = np.full(30, 0.05)
    assert accept_in_random_order(rng, candidates, probability, 20, until_full=True).size == 20
    assert accept_in_random_order(rng, candidates, probability, 20).size < 20
    zero = accept_in_random_order(rng, candidates, np.zeros(30), 5, until_full=True)
    assert zero.size == 0
