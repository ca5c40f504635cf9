"""Checks a scaffold must pass before it is simulated (the reader checks the file itself)."""

from __future__ import annotations

from cerebrepro.errors import ScaffoldError
from cerebrepro.model.cerebellum import PROJECTIONS
from cerebrepro.scaffold.types import Scaffold


def check_simulable(scaffold: Scaffold) -> None:
    """Refuse a scaffold in which a simulated projection has no rows.

    A projection with no rows is legal in a file but silences its target in a run (with
    no mossy-fibre -> granule rows the granule layer never fires), so a run refuses it,
    naming the projection, instead of producing a result that looks normal.
    """
    where = scaffold.source or "the scaffold"
    empty = [
        name
        for name in PROJECTIONS
        if name not in scaffold.connections or len(scaffold.connections[name]) == 0
    ]
    if empty:
        pre, post = PROJECTIONS[empty[0]].pre, PROJECTIONS[empty[0]].post
        others = f" (also: {', '.join(empty[1:])})" if len(empty) > 1 else ""
        raise ScaffoldError(
            f"{where}: the simulated projection {empty[0]} ({pre} -> {post}) has no rows{others}; "
            "a run of it would silence its targets"
        )
