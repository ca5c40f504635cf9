"""The cost-model fit and the pipeline benchmark's medians, on synthetic timings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cerebrepro.studies.fit import fit_linear, r_squared
from cerebrepro.studies.pipeline_bench import (
    Measurement,
    PipelineBench,
    SweepConfig,
    cost_features,
    medians,
)

SIZES = np.array([250, 500, 1000, 2000, 4000] * 4, dtype=float)
DURATIONS = np.repeat([250.0, 500.0, 1000.0, 2000.0], 5)


def synthetic_times(
    a: float, b: float, c: float = 0.0, noise: float = 0.0, seed: int = 0
) -> np.ndarray:
    features = cost_features(SIZES, DURATIONS)
    exact = a * features["N"] + b * features["N*T"] + c
    return exact * (1.0 + noise * np.random.default_rng(seed).standard_normal(exact.size))


def test_fit_recovers_known_coefficients_without_intercept():
    fit = fit_linear(cost_features(SIZES, DURATIONS), synthetic_times(2e-5, 3e-4))
    assert fit.coefficients["N"] == pytest.approx(2e-5, rel=1e-9)
    assert fit.coefficients["N*T"] == pytest.approx(3e-4, rel=1e-9)
    assert fit.intercept == 0.0
    assert fit.r2 == pytest.approx(1.0)


def test_fit_recovers_known_coefficients_with_intercept_and_noise():
    times = synthetic_times(2e-4, 3e-4, c=0.5, noise=0.002)
    fit = fit_linear(cost_features(SIZES, DURATIONS), times, intercept=True)
    assert fit.coefficients["N"] == pytest.approx(2e-4, rel=0.1)
    assert fit.coefficients["N*T"] == pytest.approx(3e-4, rel=0.02)
    assert fit.intercept == pytest.approx(0.5, abs=0.05)
    assert 0.99 < fit.r2 <= 1.0


def test_predict_gives_the_fitted_values():
    features = cost_features(SIZES, DURATIONS)
    times = synthetic_times(1e-5, 2e-4, c=0.1)
    fit = fit_linear(features, times, intercept=True)
    np.testing.assert_allclose(fit.predict(features), times, rtol=1e-9)


def test_r_squared_of_constant_data_is_undefined():
    assert math.isnan(r_squared(np.ones(3), np.ones(3)))


def test_too_few_points_are_refused():
    with pytest.raises(ValueError, match="cannot fit"):
        fit_linear({"N": np.array([1.0])}, np.array([1.0]), intercept=True)


def test_medians_over_repeats_discard_one_slow_outlier():
    config = SweepConfig(sizes=(250, 1000, 4000), durations=(250.0, 2000.0), repeats=3, formats=())
    rows = []
    for repeat in range(3):
        for n in config.sizes:
            for t in config.durations:
                seconds = 1e-5 * n + 2e-4 * n * t / 1000.0 + 0.2
                slow = 10.0 if (repeat, n, t) == (1, 4000, 2000.0) else 1.0
                rows.append(Measurement(n, t, repeat, "simulate", "", seconds * slow, seconds, 0))
    assert {p.repeats for p in medians(rows)} == {3}
    fit = PipelineBench(config, rows).fits["wall"]["with_intercept"]["simulate"]
    assert fit.coefficients["N"] == pytest.approx(1e-5, rel=1e-6)
    assert fit.coefficients["N*T"] == pytest.approx(2e-4, rel=1e-6)
    assert fit.intercept == pytest.approx(0.2, rel=1e-6)
