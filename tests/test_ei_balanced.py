"""The E-I balanced network as data, its connection lists, statistics and reference checks (no simulator)."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from cerebrepro.analysis.ei_balanced import ei_statistics, population_rate, rate_spectrum
from cerebrepro.model.ei_balanced import (
    DELAY_RANGE,
    ONE_TO_ONE,
    POPULATIONS,
    PROJECTIONS,
    SIZES,
    connectivity_digest,
    draw_network,
    initial_potentials,
)
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.verify.ei_balanced import (
    Check,
    build_reference,
    check_statistics,
    load_reference,
    tolerances,
    truncated,
)
from cerebrepro.verify.tolerances import MARGIN


def test_population_sizes_are_the_tutorials():
    assert dict(SIZES) == {"excitatory": 500, "inhibitory": 125, "poisson": 250, "pulse": 250}


@pytest.mark.parametrize("timestep", [0.1, 1.0])
def test_connection_counts_match_the_probabilities(timestep):
    connections = draw_network(seed=1, timestep=timestep)
    for projection in PROJECTIONS:
        rows = connections[projection.name]
        n_pre, n_post = SIZES[projection.pre], SIZES[projection.post]
        if projection.probability == ONE_TO_ONE:
            np.testing.assert_array_equal(rows.pre, rows.post)
            assert len(rows) == min(n_pre, n_post)
            continue
        p, pairs = float(projection.probability), n_pre * n_post
        sigma = math.sqrt(pairs * p * (1 - p))
        assert abs(len(rows) - p * pairs) < 5 * sigma, projection.name
        assert rows.pre.max() < n_pre and rows.post.max() < n_post


def test_delays_are_uniform_on_the_time_grid():
    delays = np.concatenate([c.delay for c in draw_network(seed=2, timestep=0.1).values()])
    assert delays.min() >= DELAY_RANGE[0] and delays.max() <= DELAY_RANGE[1]
    np.testing.assert_allclose(delays / 0.1, np.round(delays / 0.1), atol=1e-6)
    assert abs(delays.mean() - sum(DELAY_RANGE) / 2) < 0.1


def test_the_seed_fixes_the_network():
    assert connectivity_digest(draw_network(3, 0.1)) == connectivity_digest(draw_network(3, 0.1))
    assert connectivity_digest(draw_network(3, 0.1)) != connectivity_digest(draw_network(4, 0.1))


def test_only_excitatory_membranes_start_at_random():
    by_name = {p.name: p for p in POPULATIONS}
    v = initial_potentials(by_name["excitatory"], seed=1)
    assert v.shape == (500,) and v.min() >= -65.0 and v.max() <= -50.0 and v.std() > 3.0
    assert initial_potentials(by_name["inhibitory"], seed=1) is None


def test_inhibitory_weights_are_negative():
    for projection in PROJECTIONS:
        assert (projection.weight < 0) == (projection.receptor == "inhibitory"), projection.name


def oscillating_run(frequency: float, duration: float = 3000.0, seed: int = 0) -> RunResult:
    """Both cell populations firing as Poisson processes whose rate is modulated at ``frequency``."""
    rng = np.random.default_rng(seed)
    steps = np.arange(0.0, duration, 0.1)
    rate = 10.0 * (1.0 + np.sin(2 * np.pi * frequency * steps / 1000.0))  # Hz
    spikes = {}
    for name, size in SIZES.items():
        counts = rng.binomial(size, rate * 1e-4)  # spikes per 0.1 ms step
        times = np.repeat(steps, counts)
        spikes[name] = PopulationSpikes(size, times, rng.integers(0, size, times.size))
    return RunResult(spikes, 0.1, duration)


def test_population_rate_counts_spikes_per_bin_per_cell():
    rate = population_rate(np.array([0.5, 0.7, 2.2, 9.9]), size=2, start=0.0, stop=10.0)
    np.testing.assert_allclose(rate[:3], [1000.0, 0.0, 500.0])
    assert rate.size == 10 and rate[9] == 500.0


def test_spectrum_finds_the_modulation_frequency():
    t = np.arange(4000) / 1000.0
    spectrum = rate_spectrum(5.0 + np.sin(2 * np.pi * 15.0 * t))
    assert abs(spectrum.dominant_frequency() - 15.0) <= 1000.0 / 512


def test_statistics_of_an_oscillating_run():
    stats = ei_statistics(oscillating_run(20.0))
    assert stats["excitatory.rate"] == pytest.approx(10.0, rel=0.05)
    assert stats["inhibitory.rate"] == pytest.approx(10.0, rel=0.1)
    for name in ("excitatory", "inhibitory", "network"):
        assert abs(stats[f"{name}.frequency"] - 20.0) <= 1000.0 / 512


def test_tolerance_is_the_largest_deviation_times_the_margin_with_a_floor():
    stored = tolerances(
        {"excitatory.rate": 8.0, "excitatory.cv_isi": 0.5},
        [{"excitatory.rate": 9.0, "excitatory.cv_isi": 0.5}],
        1.5,
        5000.0,
    )
    assert stored["excitatory.rate"]["tolerance"] == pytest.approx(1.5)
    assert stored["excitatory.cv_isi"]["tolerance"] == pytest.approx(0.01)
    assert Check("x", 9.4, 8.0, 1.5).passed and not Check("x", 9.6, 8.0, 1.5).passed


def test_truncation_keeps_the_first_part():
    run = oscillating_run(10.0, duration=2000.0)
    short = truncated(run, 1000.0)
    assert short.duration == 1000.0
    assert all(s.times.max() < 1000.0 for s in short.spikes.values())


def test_stored_reference_has_an_ensemble_and_both_durations():
    reference = load_reference()
    assert len(reference["ensemble_seeds"]) >= 5
    assert {"5000", "1000"} <= set(reference["runs"])
    for run in reference["runs"].values():
        assert all(entry["tolerance"] > 0 for entry in run["statistics"].values())
    with pytest.raises(Exception, match="not 123 ms"):
        check_statistics({}, reference, 123.0)


def test_the_reference_uses_the_cerebellums_margin():
    """One margin for every stored reference; the stored E-I file was made with it."""
    assert inspect.signature(build_reference).parameters["margin"].default == MARGIN == 1.5
    assert load_reference()["margin"] == MARGIN


def test_figure_of_a_run_is_written(tmp_path):
    from cerebrepro.figures.ei_balanced import plot_ei_run

    path = plot_ei_run(oscillating_run(20.0, duration=1500.0), tmp_path / "ei.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
