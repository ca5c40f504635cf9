"""The generated stimulus protocol and the spike-train container."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cerebrepro.errors import StimulusError
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.model.stimulus import (
    check_stimulus_fits,
    generate_stimulus,
    periodic_burst_times,
    stimulated_glomeruli,
)


@pytest.fixture(scope="module")
def positions() -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 400, size=(7073, 3))


def test_sphere_is_strict_and_centred_on_the_median():
    points = np.array([[0.0, 0, 0], [10, 0, 0], [20, 0, 0], [30, 0, 0], [40, 0, 0]])
    assert list(stimulated_glomeruli(points, 20.0)) == [1, 2, 3]  # 0 and 40 lie exactly at 20


def test_same_seed_same_trains_other_seed_other_trains(positions):
    a = generate_stimulus(positions, REFERENCE_PROTOCOL, seed=3)
    b = generate_stimulus(positions, REFERENCE_PROTOCOL, seed=3)
    c = generate_stimulus(positions, REFERENCE_PROTOCOL, seed=4)
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    assert a.n_spikes != c.n_spikes or not np.array_equal(a.times, c.times)


def test_rates_follow_the_protocol(positions):
    trains = generate_stimulus(positions, REFERENCE_PROTOCOL, seed=1)
    inside = np.zeros(trains.n_sources, bool)
    inside[stimulated_glomeruli(positions, REFERENCE_PROTOCOL.radius)] = True
    cells = trains.sources()
    burst = (trains.times >= 300) & (trains.times < 350)
    outside_rate = np.count_nonzero(~burst & ~inside[cells]) / np.count_nonzero(~inside) / 0.95
    inside_burst_rate = np.count_nonzero(burst & inside[cells]) / np.count_nonzero(inside) / 0.05
    assert outside_rate == pytest.approx(1.0, rel=0.1)
    assert inside_burst_rate == pytest.approx(151.0, rel=0.05)


def test_times_are_on_the_grid_sorted_and_clamped(positions):
    trains = generate_stimulus(positions, REFERENCE_PROTOCOL, seed=2)
    steps = trains.times / 0.1
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert trains.times.min() >= 0.2
    for i in range(0, trains.n_sources, 97):
        assert np.all(np.diff(trains.train(i)) >= 0)


def original_periodic_burst(f_base, f_peak, start=300.0, stop=350.0):
    """The original study's construction, written out as it reads there."""
    rate = f_base + f_peak
    n = int(np.round(rate * (stop - start) / 1000.0))
    return np.round(np.linspace(start, stop, n))


@pytest.mark.parametrize("f_peak", [30.0, 50.0, 70.0, 110.0, 150.0, 190.0])
def test_periodic_burst_times_are_the_originals(f_peak):
    np.testing.assert_array_equal(
        periodic_burst_times(1.0 + f_peak, 300.0, 350.0), original_periodic_burst(1.0, f_peak)
    )


def test_periodic_burst_at_151_hz_worked_by_hand():
    expected = [300, 307, 314, 321, 329, 336, 343, 350]
    assert periodic_burst_times(151.0, 300.0, 350.0).tolist() == expected


def test_periodic_burst_replaces_the_background_inside_the_sphere(positions):
    protocol = dataclasses.replace(REFERENCE_PROTOCOL, kind="periodic")
    trains = generate_stimulus(positions, protocol, seed=0)
    poisson = generate_stimulus(positions, REFERENCE_PROTOCOL, seed=0)
    inside = np.zeros(trains.n_sources, bool)
    inside[stimulated_glomeruli(positions, protocol.radius)] = True
    for cell in np.flatnonzero(inside)[:50]:
        train = trains.train(int(cell))
        window = train[(train >= 300) & (train <= 350)]
        assert window.tolist() == [300, 307, 314, 321, 329, 336, 343, 350]
        background = poisson.train(int(cell))  # the same background draw, outside the burst
        outside = background[(background < 300) | (background >= 350)]
        np.testing.assert_array_equal(train[(train < 300) | (train > 350)], outside[outside != 350])
    for cell in np.flatnonzero(~inside)[:50]:  # outside the sphere: the same background only
        np.testing.assert_array_equal(trains.train(int(cell)), poisson.train(int(cell)))


def test_periodic_burst_without_a_peak_keeps_the_background(positions):
    protocol = dataclasses.replace(REFERENCE_PROTOCOL, kind="periodic", f_peak=0.0)
    base = dataclasses.replace(REFERENCE_PROTOCOL, f_peak=0.0)
    a, b = (
        generate_stimulus(positions, protocol, seed=5),
        generate_stimulus(positions, base, seed=5),
    )
    np.testing.assert_array_equal(a.times, b.times)


def test_floor_not_round_and_clamp():
    trains = SpikeTrains.from_lists([np.array([0.05, 0.19, 5.37, 5.39]), np.array([])])
    grid = trains.on_grid(0.1, 0.2)
    np.testing.assert_allclose(grid.times, [0.2, 0.2, 5.3, 5.3])
    assert list(grid.offsets) == [0, 4, 4]


def test_before_cuts_every_train():
    trains = SpikeTrains.from_lists(
        [np.array([1.0, 9.0]), np.array([]), np.array([2.0, 3.0, 12.0])]
    )
    cut = trains.before(5.0)
    assert [list(t) for t in cut.to_lists()] == [[1.0], [], [2.0, 3.0]]


def test_wrong_number_of_trains_is_refused():
    trains = SpikeTrains.from_lists([np.array([1.0])] * 3)
    with pytest.raises(StimulusError, match="3 spike trains but the scaffold has 4 glomeruli"):
        check_stimulus_fits(trains, 4, "x.npz")
