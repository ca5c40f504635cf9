"""The memory a scaffold build needs, estimated from its size before anything is placed.

Measured (``build_scaffold(size, 11)``, peak resident memory above the interpreter's):
100 um: 116,605 rows, +53 MiB; 200 um: 573,098 rows, +64 MiB; 400 um: 4,271,949 rows,
+152 MiB (about 37 bytes per connection row). Writing the file adds a float64 table of
24 bytes per row. Rows grow with the base area, a little faster while edge effects fade,
hence the margin. The estimate refuses a build that cannot fit (``--size 100000`` asks
for terabytes) with the number, instead of a MemoryError after minutes of placement.
"""

from __future__ import annotations

import math

from cerebrepro.errors import ScaffoldError
from cerebrepro.memory import available_bytes, describe, fits

MIN_SIZE = 50.0  # um; below this the purkinje grid and dcn footprint stop making sense
ROWS_AT_400 = 4_271_949  # connection rows of the 400 x 400 um rebuild
ROW_BYTES = 64  # build intermediates (~37 B/row measured) plus the written table (24 B/row)
EDGE_MARGIN = 1.5  # rows per area still grow above 400 um as the border's share shrinks
FIXED_BYTES = 64 * 2**20  # placement arrays and numba's working set at small sizes


def estimated_rows(size: float) -> float:
    """Connection rows of a ``size`` x ``size`` um rebuild, on the safe side."""
    return ROWS_AT_400 * (size / 400.0) ** 2 * EDGE_MARGIN


def estimated_build_bytes(size: float) -> float:
    """Peak memory of building and writing a ``size`` x ``size`` um scaffold (bytes)."""
    return FIXED_BYTES + ROW_BYTES * estimated_rows(size)


def check_build(size: float, seed: int | None = None) -> None:
    """Refuse a size or seed no build accepts, and, with the estimate, one that does not fit
    in the memory available now."""
    if not (math.isfinite(size) and size >= MIN_SIZE):
        raise ScaffoldError(
            f"--size {size}: cannot build a scaffold with a {size} um base: the smallest is {MIN_SIZE:g} um"
        )
    if seed is not None and (isinstance(seed, bool) or int(seed) != seed or seed < 0):
        raise ScaffoldError(f"--seed {seed!r}: the scaffold seed must be a non-negative integer")
    need = estimated_build_bytes(size)
    if not fits(need):
        raise ScaffoldError(
            f"--size {size:g}: building a {size:g} x {size:g} um scaffold needs about {describe(need)} "
            f"(about {estimated_rows(size):.3g} connection rows), but only {describe(available_bytes())} "
            "of memory is available"
        )
