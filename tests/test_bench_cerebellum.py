"""The cerebellum benchmark's fits, ratios and saved points, on synthetic points (no NEST)."""

from __future__ import annotations

import pytest

from cerebrepro.studies.cerebellum_bench import (
    CerebellumBench,
    CerebellumConfig,
    CerebellumPoint,
    read_points,
)
from cerebrepro.studies.cerebellum_bench_output import save_cerebellum

CELLS = (5_900, 23_992, 54_387, 96_942)
SYNAPSES = (116_595, 571_942, 1_836_743, 4_266_445)


def synthetic_points(threads: int = 1) -> list[CerebellumPoint]:
    points = []
    for size, cells, synapses in zip((100.0, 200.0, 300.0, 400.0), CELLS, SYNAPSES, strict=True):
        build = 0.8 + 600e-9 * synapses
        raw = 0.03 + 7.5e-6 * cells + 480e-9 * synapses
        points.append(
            CerebellumPoint(
                size,
                threads,
                cells,
                synapses,
                100,
                build,
                build,
                raw,
                raw,
                5e-4 * cells,
                5e-4 * cells,
                0.1,
                0.2,
                0.2,
            )
        )
    return points


def test_fits_recover_the_costs_and_ratios_are_build_over_raw():
    bench = CerebellumBench(CerebellumConfig(threads=(1,)), synthetic_points())
    variant, fits = bench.preferred(1, "cpu")
    assert variant == "with_intercept"
    assert fits["build"].coefficients["synapses"] == pytest.approx(600e-9, rel=1e-6)
    assert fits["build"].intercept == pytest.approx(0.8, rel=1e-6)
    assert fits["raw_wiring"].coefficients["cells"] == pytest.approx(7.5e-6, rel=1e-6)
    point = bench.points[-1]
    assert point.build_ratio == pytest.approx(point.build_s / point.raw_wiring_s)


@pytest.mark.slow  # draws the cost-model plots (about 4 s)
def test_saved_points_read_back_and_refit(tmp_path):
    bench = CerebellumBench(
        CerebellumConfig(threads=(1, 2)), synthetic_points(1) + synthetic_points(2)
    )
    paths = save_cerebellum(bench, tmp_path, "cpu")
    assert {"csv", "json", "figure"} <= set(paths)
    assert read_points(paths["csv"]) == bench.points
