"""Least-squares cost models: time = sum of coefficient x feature (+ an optional constant).

The pipeline benchmark fits ``time = a*N + b*N*T/1000`` (``a``: seconds per cell, ``b``:
seconds per cell and second of model time); the cerebellum benchmark fits
``time = a*cells + b*synapses``. R^2 is ``1 - SS_res / SS_tot`` with ``SS_tot`` taken about
the mean of the measured times, with or without a constant term, so the two variants are
judged on the same scale (without a constant R^2 can then be negative for a bad model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinearFit:
    """Fitted coefficients (per feature), the constant term (0 without one) and R^2."""

    coefficients: dict[str, float]
    intercept: float
    r2: float
    n_points: int

    def predict(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """The fitted times for the given feature values."""
        total = np.full(np.shape(next(iter(features.values()))), self.intercept, dtype=float)
        for name, coefficient in self.coefficients.items():
            total = total + coefficient * np.asarray(features[name], dtype=float)
        return total


def fit_linear(
    features: Mapping[str, np.ndarray], times: np.ndarray, intercept: bool = False
) -> LinearFit:
    """Least-squares fit of ``times`` to the named features.

    Example:
        >>> n = np.array([1.0, 2.0, 3.0]); nt = np.array([1.0, 5.0, 2.0])
        >>> fit = fit_linear({"N": n, "NT": nt}, 2 * n + 3 * nt)
        >>> round(fit.coefficients["N"], 6), round(fit.coefficients["NT"], 6)
        (2.0, 3.0)
    """
    names = list(features)
    y = np.asarray(times, dtype=float)
    columns = [np.asarray(features[name], dtype=float) for name in names]
    if intercept:
        columns.append(np.ones_like(y))
    design = np.column_stack(columns)
    if y.size < design.shape[1]:
        raise ValueError(f"{y.size} points cannot fit {design.shape[1]} parameters")
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ solution
    return LinearFit(
        coefficients={name: float(c) for name, c in zip(names, solution, strict=False)},
        intercept=float(solution[-1]) if intercept else 0.0,
        r2=r_squared(y, fitted),
        n_points=int(y.size),
    )


def r_squared(measured: np.ndarray, fitted: np.ndarray) -> float:
    """``1 - SS_res / SS_tot`` about the mean of ``measured``; NaN if they are all equal."""
    measured = np.asarray(measured, dtype=float)
    total = float(np.sum((measured - measured.mean()) ** 2))
    if total == 0.0:
        return float("nan")
    return 1.0 - float(np.sum((measured - np.asarray(fitted, dtype=float)) ** 2)) / total
