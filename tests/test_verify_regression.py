"""The regression figures of one small fixed NEST run, guarded by a stored YAML file.

A 100 x 100 um rebuilt scaffold (seed 11), the generated stimulus with seed 3 and its
burst moved to 150-200 ms so that all three windows fit in 300 ms, one thread. With the
same NEST version the spikes, hence the figures, are the same on every run; the values
are rounded to 6 significant digits only to keep the file short. If a deliberate model
change moves them, regenerate with ``pytest tests/test_verify_regression.py
--force-regen`` and say so in the commit.
"""

from __future__ import annotations

import dataclasses

import pytest

from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.pipeline.run import run_experiment
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.verify.measure import measure_metrics
from cerebrepro.verify.metrics import values_of

pytestmark = [pytest.mark.nest, pytest.mark.slow]

DURATION = 300.0
PROTOCOL = dataclasses.replace(REFERENCE_PROTOCOL, start=150.0, stop=200.0, duration=DURATION)


def rounded(values: dict[str, float], digits: int = 6) -> dict[str, float]:
    return {name: float(f"{value:.{digits}g}") for name, value in values.items()}


def test_figures_of_a_fixed_small_run(
    small_scaffold, small_scaffold_file, tmp_path, data_regression
):
    spec = RunSpec(
        scaffold=str(small_scaffold_file),
        stimulus_seed=3,
        protocol=PROTOCOL,
        duration=DURATION,
        threads=1,
        record_v="none",
    )
    result, _ = run_experiment(spec, tmp_path / "run.h5")
    figures = measure_metrics(result, small_scaffold, PROTOCOL)
    data_regression.check(rounded(values_of(figures)))
