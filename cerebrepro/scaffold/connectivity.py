"""The connectivity rules of the 2019 scaffold, one function per projection.

Every function takes positions ((n, 3) arrays [x, y, z], um) and returns population-local
rows. Neighbour searches use k-d trees or sorted coordinates; Python loops run only over
the small populations (golgi, purkinje, basket, stellate, dcn).

Where the published description only says "probability falling with distance", the
acceptance probability falls linearly from 1 at the soma to 0 at the edge of the search
region (``selection.linear_falloff``). Rules that pick an exact number of partners
(bc_pc, sc_pc, gj_bc, gj_sc) revisit the candidates they did not accept until the number
is reached or no candidate is left.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from cerebrepro.scaffold import rules
from cerebrepro.scaffold.selection import (
    accept_in_random_order,
    linear_falloff,
    rows_from_lists,
    sample_without_replacement,
)
from cerebrepro.scaffold.types import Connections

X, Y, Z = 0, 1, 2
_XZ = [X, Z]


def _box_neighbours(
    sources: np.ndarray, targets: np.ndarray, half_box: tuple[float, float, float]
) -> list:
    """For each source, the targets with abs(d_axis) <= half_box[axis] on all three axes."""
    scale = np.asarray(half_box, dtype=np.float64)
    tree = cKDTree(targets / scale)
    return tree.query_ball_point(sources / scale, r=1.0, p=np.inf, return_sorted=True)


class _StripFinder:
    """Cells sorted along x, to find those with abs(x - x0) <= half quickly."""

    def __init__(self, cells: np.ndarray) -> None:
        self.order = np.argsort(cells[:, X], kind="stable")
        self.x = cells[self.order, X]

    def within(self, x0: float, half: float) -> np.ndarray:
        """Indices (ascending) of the cells in the strip."""
        low = np.searchsorted(self.x, x0 - half, side="left")
        high = np.searchsorted(self.x, x0 + half, side="right")
        return np.sort(self.order[low:high])


def _exclusive_claims(
    rng: np.random.Generator,
    golgi: np.ndarray,
    targets: np.ndarray,
    candidates: list,
    reach: float,
    cap: int,
) -> list[np.ndarray]:
    """Golgi cells in random order each claim up to ``cap`` of their ``candidates`` not yet
    claimed, accepted with probability 1 - d_xz / reach; a target is claimed once at most."""
    claimed = np.zeros(len(targets), dtype=bool)
    claims: list[np.ndarray] = [np.empty(0, np.int64)] * len(golgi)
    for cell in rng.permutation(len(golgi)):
        near = np.asarray(candidates[cell], dtype=np.int64)
        near = near[~claimed[near]]
        d_xz = np.linalg.norm(targets[near][:, _XZ] - golgi[cell, _XZ], axis=1)
        chosen = accept_in_random_order(rng, near, linear_falloff(d_xz, reach), cap)
        claimed[chosen] = True
        claims[cell] = chosen
    return claims


def glom_grc(glomeruli: np.ndarray, granules: np.ndarray) -> Connections:
    """Each granule: its 4 nearest glomeruli within 40 um (3D); fewer if fewer exist."""
    if len(glomeruli) == 0 or len(granules) == 0:
        return rows_from_lists([], cells_are_post=True)
    _, nearest = cKDTree(glomeruli).query(
        granules, k=rules.GLOMERULI_PER_GRANULE, distance_upper_bound=rules.GRANULE_DENDRITE_LENGTH
    )
    nearest = nearest.reshape(len(granules), -1)
    found = nearest < len(glomeruli)
    post = np.repeat(np.arange(len(granules), dtype=np.int64), found.sum(axis=1))
    return Connections(pre=nearest[found].astype(np.int64), post=post)


def glom_goc(glomeruli: np.ndarray, golgi: np.ndarray) -> Connections:
    """Each golgi: every glomerulus within 50 um (3D) and not above the golgi soma."""
    tree = cKDTree(glomeruli)
    partners = []
    for cell, near in zip(
        golgi,
        tree.query_ball_point(golgi, rules.GOLGI_DENDRITE_RADIUS, return_sorted=True),
        strict=True,
    ):
        near = np.asarray(near, dtype=np.int64)
        partners.append(near[glomeruli[near, Y] <= cell[Y]])
    return rows_from_lists(partners, cells_are_post=True)


def goc_glom(golgi: np.ndarray, glomeruli: np.ndarray, rng: np.random.Generator) -> Connections:
    """Golgi axons onto glomeruli (not simulated; it defines goc_grc).

    Golgi cells in random order; candidates are the glomeruli not yet taken inside the
    axon box (+-75 x, +-75 y, +-15 z around the soma), accepted with probability
    1 - d_xz / sqrt(75^2 + 15^2); at most 40 per golgi, each glomerulus to one golgi.
    """
    half_x, _, half_z = rules.GOLGI_AXON_HALF_BOX
    candidates = _box_neighbours(golgi, glomeruli, rules.GOLGI_AXON_HALF_BOX)
    claims = _exclusive_claims(
        rng,
        golgi,
        glomeruli,
        candidates,
        float(np.hypot(half_x, half_z)),
        rules.GOLGI_AXON_MAX_GLOMERULI,
    )
    return rows_from_lists(claims, cells_are_post=False)


def goc_grc(
    goc_glom_rows: Connections, glom_grc_rows: Connections, n_glomeruli: int, n_granules: int
) -> Connections:
    """Each golgi inhibits every granule fed by one of its goc_glom glomeruli (unique pairs)."""
    owner = np.full(n_glomeruli, -1, dtype=np.int64)
    owner[goc_glom_rows.post] = goc_glom_rows.pre
    golgi_of_row = owner[glom_grc_rows.pre]
    owned = golgi_of_row >= 0
    pairs = np.unique(golgi_of_row[owned] * n_granules + glom_grc_rows.post[owned])
    return Connections(pre=pairs // n_granules, post=pairs % n_granules)


def aa_goc(granules: np.ndarray, golgi: np.ndarray, rng: np.random.Generator) -> Connections:
    """Ascending axons onto golgi cells.

    Golgi cells in random order; candidates are the granules whose ascending axon is still
    unused within 50 um of the soma in the x-z plane, accepted with probability
    1 - d_xz / 50; at most 400 per golgi; every ascending axon contacts one golgi at most.
    """
    reach = rules.GOLGI_DENDRITE_RADIUS
    candidates = cKDTree(granules[:, _XZ]).query_ball_point(
        golgi[:, _XZ], reach, return_sorted=True
    )
    claims = _exclusive_claims(
        rng, golgi, granules, candidates, reach, rules.ASCENDING_AXONS_PER_GOLGI_MAX
    )
    return rows_from_lists(claims, cells_are_post=True)


def pf_goc(
    granules: np.ndarray, golgi: np.ndarray, aa_goc_rows: Connections, rng: np.random.Generator
) -> Connections:
    """1600 granules per golgi: its aa_goc granules, then a random sample (no replacement)
    of the other granules with abs(x_grc - x_goc) <= 50 (all of them if fewer)."""
    strip = _StripFinder(granules)
    own_axons = np.split(
        aa_goc_rows.pre[np.argsort(aa_goc_rows.post, kind="stable")],
        np.cumsum(np.bincount(aa_goc_rows.post, minlength=len(golgi)))[:-1],
    )
    partners = []
    for cell, axons in zip(golgi, own_axons, strict=True):
        others = np.setdiff1d(
            strip.within(cell[X], rules.GOLGI_DENDRITE_RADIUS), axons, assume_unique=True
        )
        fibres = sample_without_replacement(
            rng, others, rules.PARALLEL_FIBRES_PER_GOLGI - axons.size
        )
        partners.append(np.concatenate([axons, fibres]))
    return rows_from_lists(partners, cells_are_post=True)


def aa_pc(granules: np.ndarray, purkinje: np.ndarray) -> Connections:
    """Each purkinje in turn: the granules not taken by an earlier purkinje with
    abs(z - z_pc) <= 1.75 and abs(x - x_pc) <= 65."""
    strip = _StripFinder(granules)
    taken = np.zeros(len(granules), dtype=bool)
    partners = []
    for cell in purkinje:
        near = strip.within(cell[X], rules.PURKINJE_DENDRITE_HALF_X)
        near = near[
            ~taken[near]
            & (np.abs(granules[near, Z] - cell[Z]) <= rules.PURKINJE_ASCENDING_AXON_HALF_Z)
        ]
        taken[near] = True
        partners.append(near)
    return rows_from_lists(partners, cells_are_post=True)


def pf_pc(granules: np.ndarray, purkinje: np.ndarray) -> Connections:
    """Each purkinje: every granule with abs(x - x_pc) <= 65 (parallel fibres span the whole
    z extent), the purkinje's aa_pc granules included."""
    strip = _StripFinder(granules)
    partners = [strip.within(cell[X], rules.PURKINJE_DENDRITE_HALF_X) for cell in purkinje]
    return rows_from_lists(partners, cells_are_post=True)


def parallel_fibre_heights(granules: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Height of each granule's parallel fibre: uniform in [y + 115, y + 247], redrawn
    until it lies inside the molecular layer (a truncated draw, not a clamp)."""
    low, high = rules.PF_HEIGHT_OFFSET
    layer = rules.LAYERS["molecular"]
    y = granules[:, Y]
    heights = y + rng.uniform(low, high, len(y))
    outside = np.flatnonzero((heights < layer.bottom) | (heights > layer.top))
    while outside.size:
        heights[outside] = y[outside] + rng.uniform(low, high, outside.size)
        outside = outside[(heights[outside] < layer.bottom) | (heights[outside] > layer.top)]
    return heights


def pf_interneuron(
    granules: np.ndarray, fibre_heights: np.ndarray, cells: np.ndarray
) -> Connections:
    """pf_bc / pf_sc: every granule with (x_grc - x)^2 + (h_pf - y)^2 <= 15^2."""
    tree = cKDTree(np.column_stack([granules[:, X], fibre_heights]))
    found = tree.query_ball_point(
        cells[:, [X, Y]], rules.INTERNEURON_DENDRITE_RADIUS, return_sorted=True
    )
    return rows_from_lists([np.asarray(f, dtype=np.int64) for f in found], cells_are_post=True)


def interneuron_pc(
    cells: np.ndarray,
    purkinje: np.ndarray,
    half_dz_dx: tuple[float, float],
    rng: np.random.Generator,
) -> Connections:
    """bc_pc / sc_pc: 20 interneurons per purkinje among those with abs(dz) < half_dz and
    abs(dx) < half_dx, accepted with probability min(1 - |dz| / half_dz, 1 - |dx| / half_dx)
    (one uniform draw against both limits)."""
    half_dz, half_dx = half_dz_dx
    partners = []
    for cell in purkinje:
        dz = np.abs(cells[:, Z] - cell[Z])
        dx = np.abs(cells[:, X] - cell[X])
        near = np.flatnonzero((dz < half_dz) & (dx < half_dx))
        probability = np.minimum(
            linear_falloff(dz[near], half_dz), linear_falloff(dx[near], half_dx)
        )
        partners.append(
            accept_in_random_order(
                rng, near, probability, rules.INTERNEURONS_PER_PURKINJE, until_full=True
            )
        )
    return rows_from_lists(partners, cells_are_post=True)


def gj_interneuron(cells: np.ndarray, rng: np.random.Generator) -> Connections:
    """gj_bc / gj_sc: 4 partners per cell among those with 0 < abs(dz) < 50 and x-y distance
    < 150, accepted with probability min(1 - |dz| / 50, 1 - d_xy / 150)."""
    dz_max, dxy_max = rules.INTERNEURON_GAP_DZ, rules.INTERNEURON_GAP_DXY
    boxes = _box_neighbours(cells, cells, (dxy_max, dxy_max, dz_max))
    partners = []
    for cell, near in zip(cells, boxes, strict=True):
        near = np.asarray(near, dtype=np.int64)
        dz = np.abs(cells[near, Z] - cell[Z])
        dxy = np.linalg.norm(cells[near][:, [X, Y]] - cell[[X, Y]], axis=1)
        inside = (dz > 0) & (dz < dz_max) & (dxy < dxy_max)
        near, dz, dxy = near[inside], dz[inside], dxy[inside]
        probability = np.minimum(linear_falloff(dz, dz_max), linear_falloff(dxy, dxy_max))
        partners.append(
            accept_in_random_order(
                rng, near, probability, rules.INTERNEURON_GAP_PARTNERS, until_full=True
            )
        )
    return rows_from_lists(partners, cells_are_post=False)


def gj_goc(golgi: np.ndarray) -> Connections:
    """Each golgi to every other golgi with abs(dx), abs(dy) <= 125 and abs(dz) <= 65."""
    boxes = _box_neighbours(golgi, golgi, rules.GOLGI_GAP_HALF_BOX)
    partners = [
        np.asarray([j for j in near if j != i], dtype=np.int64) for i, near in enumerate(boxes)
    ]
    return rows_from_lists(partners, cells_are_post=False)


def pc_dcn(n_purkinje: int, n_dcn: int, rng: np.random.Generator) -> Connections:
    """Each purkinje to 4 or 5 (equal odds) distinct random dcn cells (all if fewer)."""
    counts = rng.choice(rules.PURKINJE_DCN_TARGETS, size=n_purkinje)
    dcn = np.arange(n_dcn, dtype=np.int64)
    return rows_from_lists(
        [sample_without_replacement(rng, dcn, int(k)) for k in counts], cells_are_post=False
    )


def glom_dcn(n_glomeruli: int, n_dcn: int, rng: np.random.Generator) -> Connections:
    """Each dcn receives 147 distinct random glomeruli (all if fewer)."""
    glomeruli = np.arange(n_glomeruli, dtype=np.int64)
    return rows_from_lists(
        [sample_without_replacement(rng, glomeruli, rules.GLOMERULI_PER_DCN) for _ in range(n_dcn)],
        cells_are_post=True,
    )
