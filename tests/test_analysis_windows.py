"""Analysis windows: delay shifts, half-open edges, rates per window."""

import numpy as np
import pytest

from cerebrepro.analysis.rates import cell_rates, population_rate, window_counts
from cerebrepro.analysis.windows import EDGE_TOLERANCE, Window, population_windows, shifted_windows


def bounds(windows):
    return [(w.name, w.start, w.stop) for w in windows]


@pytest.mark.parametrize(
    ("population", "shift"),
    [
        ("glomerulus", 0),
        ("granule", 4),
        ("golgi", 4),
        ("purkinje", 6),
        ("stellate", 9),
        ("basket", 9),
        ("dcn", 10),
    ],
)
def test_windows_are_shifted_by_the_input_delay(population, shift):
    assert bounds(population_windows(population, 1000.0)) == [
        ("baseline", 0.0, 300.0 + shift),
        ("stimulus", 300.0 + shift, 350.0 + shift),
        ("post", 350.0 + shift, 1000.0),
    ]


def test_unknown_population_is_not_shifted():
    assert population_windows("mystery", 1000.0)[1].start == 300.0


def test_windows_are_clipped_to_a_short_run():
    baseline, stimulus, post = shifted_windows(10.0, 320.0)
    assert (stimulus.start, stimulus.stop, post.duration) == (310.0, 320.0, 0.0)


def test_edges_are_half_open():
    times = np.array([303.9, 304.0, 353.9, 354.0, 999.9, 1000.0])
    cells = np.zeros(times.size, dtype=np.int64)
    counts = [window_counts(times, cells, 1, w)[0] for w in population_windows("granule", 1000.0)]
    assert counts == [1, 2, 2]


def test_grid_time_just_below_an_edge_belongs_to_the_later_window():
    times = np.array([304.0 - 1e-12])
    stimulus = population_windows("granule", 1000.0)[1]
    assert (
        window_counts(times, np.zeros(1, dtype=np.int64), 1, stimulus, EDGE_TOLERANCE * 0.1)[0] == 1
    )
    assert window_counts(times, np.zeros(1, dtype=np.int64), 1, stimulus)[0] == 0


def test_rates_use_the_window_duration():
    window = Window("stimulus", 300.0, 350.0)
    times = np.array([300.0, 310.0, 320.0, 349.9, 350.0])
    cells = np.array([0, 0, 1, 0, 0])
    np.testing.assert_allclose(cell_rates(times, cells, 3, window), [60.0, 20.0, 0.0])
    assert population_rate(4, 4, window) == pytest.approx(20.0)


def test_empty_window_rate_is_undefined():
    assert np.isnan(population_rate(0, 10, Window("post", 5.0, 5.0)))
