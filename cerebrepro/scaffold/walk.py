"""The sublayer random walk with backtracking (compiled with numba).

One call fills one sublayer. From the newest cell c, ``n_candidates`` points are tried, one
per evenly spaced direction u in the x-z plane: c + 2r u + eps sign(u), the sign taken per
axis, as the original scaffold projected its candidates (2r + eps from c along the axes,
up to about 2r + 1.4 eps on the diagonals; eps redrawn every step). This geometry sets
the granule count: 96.6 % of the target at 400 um, where candidates on a circle of radius
2r + eps pack the granules tighter (99.6 %, 3 % above the published count). A candidate is free
when it lies inside the x-z bounds, at least 2r + eps (in the plane) from every cell
already in the sublayer, and at least its obstacle's minimum distance (3D) from every
obstacle cell; its y is uniform in the sublayer.
One free point, chosen at random, becomes the next cell; the free points of that step are
kept. When the newest cell has no free point the walk backtracks: the kept candidate sets
are re-checked from the oldest on, each with a fresh eps, and the first set with a free
point supplies the next cell. Sets found empty are dropped at the next forward step (until
then a smaller eps may free them again; with a fixed eps they are skipped at once). The
sublayer ends when the target is reached or no kept set has a free point left.

Distance checks use uniform hash grids (same-type cells and obstacles), so a step costs
O(n_candidates) whatever the number of cells.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Candidates along an axis sit at exactly 2r + eps from the cell they grow from; this
# relative slack keeps rounding from rejecting them against that very cell.
_DISTANCE_SLACK = 1e-9


@njit(cache=True)
def _grid_cell(x: float, z: float, origin: float, width: float, side: int) -> tuple[int, int]:
    gx = min(max(int((x - origin) / width), 0), side - 1)
    gz = min(max(int((z - origin) / width), 0), side - 1)
    return gx, gz


@njit(cache=True)
def _clear_of_cells(x, z, min_d2, pos, head, nxt, origin, width, side) -> bool:
    gx, gz = _grid_cell(x, z, origin, width, side)
    for ix in range(max(gx - 1, 0), min(gx + 2, side)):
        for iz in range(max(gz - 1, 0), min(gz + 2, side)):
            j = head[ix * side + iz]
            while j >= 0:
                dx = pos[j, 0] - x
                dz = pos[j, 2] - z
                if dx * dx + dz * dz < min_d2:
                    return False
                j = nxt[j]
    return True


@njit(cache=True)
def _clear_of_obstacles(x, y, z, obstacles, head, nxt, origin, width, side) -> bool:
    if obstacles.shape[0] == 0:
        return True
    gx, gz = _grid_cell(x, z, origin, width, side)
    for ix in range(max(gx - 1, 0), min(gx + 2, side)):
        for iz in range(max(gz - 1, 0), min(gz + 2, side)):
            j = head[ix * side + iz]
            while j >= 0:
                dx = obstacles[j, 0] - x
                dy = obstacles[j, 1] - y
                dz = obstacles[j, 2] - z
                reach = obstacles[j, 3]
                if dx * dx + dy * dy + dz * dz < reach * reach:
                    return False
                j = nxt[j]
    return True


@njit(cache=True)
def _obstacle_grid(obstacles, origin, width, side):
    head = np.full(side * side, -1, np.int64)
    nxt = np.full(obstacles.shape[0], -1, np.int64)
    for j in range(obstacles.shape[0]):
        gx, gz = _grid_cell(obstacles[j, 0], obstacles[j, 2], origin, width, side)
        g = gx * side + gz
        nxt[j] = head[g]
        head[g] = j
    return head, nxt


@njit(cache=True)
def walk_sublayer(
    seed: int,
    n_target: int,
    radius: float,
    eps_low: float,
    eps_high: float,
    xz_low: float,
    xz_high: float,
    y_low: float,
    y_high: float,
    obstacles: np.ndarray,
    n_candidates: int,
) -> np.ndarray:
    """Place up to ``n_target`` cells; returns their (n, 3) positions [x, y, z].

    ``obstacles`` is (m, 4): x, y, z and the minimum 3D distance a cell must keep from it.
    """
    np.random.seed(seed)
    pos = np.empty((n_target, 3))
    if n_target == 0:
        return pos

    span = xz_high - xz_low
    width = 2.0 * radius + eps_high
    side = int(span / width) + 1
    head = np.full(side * side, -1, np.int64)
    nxt = np.full(n_target, -1, np.int64)

    ob_width = 1.0
    if obstacles.shape[0] > 0:
        ob_width = max(obstacles[:, 3].max(), 1e-6)
    ob_origin = xz_low - ob_width
    ob_side = int((span + 2.0 * ob_width) / ob_width) + 1
    ob_head, ob_nxt = _obstacle_grid(obstacles, ob_origin, ob_width, ob_side)

    angles = 2.0 * np.pi * np.arange(n_candidates) / n_candidates
    cos_a = np.cos(angles)
    sin_a = np.sin(angles)

    kept = np.empty((n_target * n_candidates, 3))  # free candidates of every forward step
    kept_start = np.empty(n_target, np.int64)
    kept_len = np.empty(n_target, np.int64)
    alive = np.zeros(n_target, np.bool_)
    failed = np.zeros(n_target, np.bool_)  # found empty since the last forward step
    n_failed = 0
    failed_sets = np.empty(n_target, np.int64)
    # With a random eps a set found empty may have a free point under a smaller eps.
    recheck_failed = eps_high > eps_low
    n_sets = 0
    n_kept = 0
    first_alive = 0
    free = np.empty(n_candidates, np.int64)

    # The first cell: uniform in the sublayer, clear of obstacles.
    n = 0
    for _ in range(100000):
        x = np.random.uniform(xz_low, xz_high)
        z = np.random.uniform(xz_low, xz_high)
        y = np.random.uniform(y_low, y_high)
        if _clear_of_obstacles(x, y, z, obstacles, ob_head, ob_nxt, ob_origin, ob_width, ob_side):
            pos[0, 0] = x
            pos[0, 1] = y
            pos[0, 2] = z
            n = 1
            break
    if n == 0:
        return pos[:0]
    gx, gz = _grid_cell(pos[0, 0], pos[0, 2], xz_low, width, side)
    head[gx * side + gz] = 0
    current = 0

    while n < n_target:
        eps = np.random.uniform(eps_low, eps_high)
        min_d2 = (2.0 * radius + eps) ** 2 * (1.0 - _DISTANCE_SLACK)
        n_free = 0
        for k in range(n_candidates):
            x = pos[current, 0] + 2.0 * radius * cos_a[k] + eps * np.sign(cos_a[k])
            z = pos[current, 2] + 2.0 * radius * sin_a[k] + eps * np.sign(sin_a[k])
            if x < xz_low or x > xz_high or z < xz_low or z > xz_high:
                continue
            y = np.random.uniform(y_low, y_high)
            if not _clear_of_obstacles(
                x, y, z, obstacles, ob_head, ob_nxt, ob_origin, ob_width, ob_side
            ):
                continue
            if not _clear_of_cells(x, z, min_d2, pos, head, nxt, xz_low, width, side):
                continue
            kept[n_kept + n_free, 0] = x
            kept[n_kept + n_free, 1] = y
            kept[n_kept + n_free, 2] = z
            n_free += 1

        chosen = -1
        if n_free > 0:
            for i in range(n_failed):
                alive[failed_sets[i]] = False
                failed[failed_sets[i]] = False
            n_failed = 0
            while first_alive < n_sets and not alive[first_alive]:
                first_alive += 1
            kept_start[n_sets] = n_kept
            kept_len[n_sets] = n_free
            alive[n_sets] = True
            n_sets += 1
            chosen = n_kept + np.random.randint(n_free)
            n_kept += n_free
        else:
            # Backtrack: the oldest kept set that still has a free point supplies the cell.
            s = first_alive
            while s < n_sets and chosen < 0:
                if alive[s] and (recheck_failed or not failed[s]):
                    eps = np.random.uniform(eps_low, eps_high)
                    min_d2 = (2.0 * radius + eps) ** 2 * (1.0 - _DISTANCE_SLACK)
                    n_free = 0
                    for i in range(kept_start[s], kept_start[s] + kept_len[s]):
                        if _clear_of_cells(
                            kept[i, 0], kept[i, 2], min_d2, pos, head, nxt, xz_low, width, side
                        ):
                            free[n_free] = i
                            n_free += 1
                    if n_free == 0:
                        if not failed[s]:
                            failed[s] = True
                            failed_sets[n_failed] = s
                            n_failed += 1
                    else:
                        chosen = free[np.random.randint(n_free)]
                s += 1
            if chosen < 0:
                break

        pos[n, 0] = kept[chosen, 0]
        pos[n, 1] = kept[chosen, 1]
        pos[n, 2] = kept[chosen, 2]
        gx, gz = _grid_cell(pos[n, 0], pos[n, 2], xz_low, width, side)
        nxt[n] = head[gx * side + gz]
        head[gx * side + gz] = n
        current = n
        n += 1
    return pos[:n]
