"""The published ("old style") scaffold HDF5 layout, shared by the reader and the writer.

- ``/positions``: float N x 5, ``[gid, type_id, x, y, z]``; gids 0..N-1, contiguous
  blocks in type-id order.
- ``/connections/<projection>``: float M x 3, ``[pre_gid, post_gid, soma_distance]``
  (2 columns accepted); only the ids are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cerebrepro.model.cerebellum import PROJECTIONS, UNSIMULATED_PROJECTIONS

POSITIONS = "positions"
CONNECTIONS = "connections"
POSITION_COLUMNS = ("gid", "type_id", "x", "y", "z")
CONNECTION_COLUMNS = (2, 3)  # accepted column counts: [pre, post] or [pre, post, distance]

# Every projection a scaffold file may hold: name -> (pre population, post population).
ENDPOINTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {**{p.name: (p.pre, p.post) for p in PROJECTIONS.values()}, **UNSIMULATED_PROJECTIONS}
)


def is_simulated(projection: str) -> bool:
    """True for the projections the network builder instantiates (goc_glom is not one)."""
    return projection in PROJECTIONS
