"""Tolerances from a seed ensemble: how far a figure strays when only the seeds change.

For each figure, with x_ref the reference run's value and x_i the ensemble's values
(stimulus seeds on the reference scaffold, the reference stimulus seed on other scaffold
seeds)::

    tolerance = max(MARGIN * max_i |x_i - x_ref|, FLOOR_COUNTS * resolution)

The margin covers seeds the ensemble did not draw. The floor keeps a figure that did not
move at all (e.g. no inhibited purkinje cell on any seed) from getting a zero tolerance:
its resolution is what one spike, cell or packet changes (for a rate, 1 spike / window /
population size), so a run may differ from the reference by one count. Tolerances are
rounded up to three significant digits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MARGIN = 1.5
FLOOR_COUNTS = 1.0
SIGNIFICANT_DIGITS = 3


@dataclass(frozen=True)
class Spread:
    """How a figure varied over the ensemble, and the tolerance derived from it."""

    n: int  # ensemble runs, the reference included
    min: float
    max: float
    std: float  # sample standard deviation over the ensemble
    max_deviation: float  # max |x_i - x_ref|
    floor: float
    tolerance: float
    floored: bool  # the floor, not the spread, set the tolerance


@dataclass(frozen=True)
class ToleranceRule:
    """How a tolerance follows from an ensemble: a margin on the spread, a floor in counts."""

    margin: float = MARGIN
    floor_counts: float = FLOOR_COUNTS

    def describe(self) -> dict[str, object]:
        """The rule as stored in a reference file."""
        return {
            "margin": self.margin,
            "floor_counts": self.floor_counts,
            "rule": "tolerance = max(margin * max |x_i - x_ref| over the ensemble, "
            f"floor_counts * resolution), rounded up to {SIGNIFICANT_DIGITS} significant digits",
        }


DEFAULT_RULE = ToleranceRule()


def derive_tolerance(
    reference: float,
    values: Sequence[float],
    resolution: float,
    rule: ToleranceRule = DEFAULT_RULE,
) -> Spread:
    """The spread of ``values`` around ``reference`` and the tolerance ``rule`` gives it."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("an ensemble needs at least one value")
    max_deviation = float(np.max(np.abs(x - reference)))
    floor = rule.floor_counts * resolution if math.isfinite(resolution) else 0.0
    floored = rule.margin * max_deviation < floor
    return Spread(
        n=int(x.size),
        min=float(x.min()),
        max=float(x.max()),
        std=float(x.std(ddof=1)) if x.size > 1 else 0.0,
        max_deviation=max_deviation,
        floor=floor,
        tolerance=round_up(floor if floored else rule.margin * max_deviation),
        floored=floored,
    )


def round_up(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded up (away from zero) to ``digits`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return value
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(abs(value))))
    return float(f"{math.ceil(value * scale - 1e-9) / scale:.{digits}g}")
