"""Hostile spike-train archives: every malformed array is refused, naming the file.

``read_trains_file`` (the reader of ``run --stimulus FILE``) and ``checked_trains`` (every
train the model simulates) are driven by a table of bad arrays, by hypothesis-generated
valid and damaged trains, and through the CLI for the issue's examples.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from bad_inputs_support import assert_refused, cli, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cerebrepro.errors import StimulusError
from cerebrepro.model.spike_trains import SpikeTrains, checked_trains
from cerebrepro.pipeline.resolve import read_trains_file

GOOD_TIMES = np.array([1.0, 5.0, 2.0, 3.0, 9.0])
GOOD_OFFSETS = np.array([0, 2, 5])


def _archive(path: Path, **arrays: object) -> Path:
    np.savez(path, **arrays)
    return path


BAD_ARRAYS = {
    # (arrays in the archive, words the message must contain)
    "spike-at-1e20-ms": (
        {"times": np.array([1.0, 1e20, 2.0, 3.0, 9.0]), "offsets": GOOD_OFFSETS},
        "outside 0",
    ),
    "unsorted-train": (
        {"times": np.array([5.0, 1.0, 2.0, 3.0, 9.0]), "offsets": GOOD_OFFSETS},
        "not sorted",
    ),
    "times-2d": ({"times": GOOD_TIMES.reshape(5, 1), "offsets": GOOD_OFFSETS}, "1-D"),
    "times-nan": (
        {"times": np.array([1.0, np.nan, 2.0, 3.0, 9.0]), "offsets": GOOD_OFFSETS},
        "not finite",
    ),
    "times-inf": (
        {"times": np.array([1.0, 5.0, 2.0, 3.0, np.inf]), "offsets": GOOD_OFFSETS},
        "not finite",
    ),
    "times-negative": (
        {"times": np.array([-1.0, 5.0, 2.0, 3.0, 9.0]), "offsets": GOOD_OFFSETS},
        "outside 0",
    ),
    "times-strings": ({"times": np.array(["1", "2"]), "offsets": np.array([0, 2])}, "numbers"),
    "offsets-negative": ({"times": GOOD_TIMES, "offsets": np.array([0, -1, 5])}, "decrease"),
    "offsets-not-monotone": ({"times": GOOD_TIMES, "offsets": np.array([0, 4, 2, 5])}, "decrease"),
    "offsets-not-ending-at-len": (
        {"times": GOOD_TIMES, "offsets": np.array([0, 2, 4])},
        "end at len(times)",
    ),
    "offsets-past-len": (
        {"times": GOOD_TIMES, "offsets": np.array([0, 2, 9])},
        "end at len(times)",
    ),
    "offsets-not-starting-at-0": (
        {"times": GOOD_TIMES, "offsets": np.array([1, 2, 5])},
        "start at 0",
    ),
    "offsets-2d": (
        {"times": GOOD_TIMES, "offsets": np.array([[0, 2, 5]])},
        "'offsets' must be a 1-D",
    ),
    "offsets-empty": (
        {"times": GOOD_TIMES, "offsets": np.zeros(0, np.int64)},
        "'offsets' must be a 1-D",
    ),
    "offsets-fractional": ({"times": GOOD_TIMES, "offsets": np.array([0.0, 2.5, 5.0])}, "integers"),
    "offsets-huge": ({"times": GOOD_TIMES, "offsets": np.array([0, 2, 1e30])}, "integers"),
    "no-offsets": ({"times": GOOD_TIMES}, "spike-train archive"),
    "pickled-object-array": (
        {"times": np.array([GOOD_TIMES], dtype=object), "offsets": GOOD_OFFSETS},
        "no pickles",
    ),
}


@pytest.mark.parametrize("arrays, words", BAD_ARRAYS.values(), ids=BAD_ARRAYS.keys())
def test_bad_trains_archive_is_refused_naming_the_file(tmp_path, arrays, words):
    path = _archive(tmp_path / "trains.npz", **arrays)
    with pytest.raises(StimulusError, match=str(path)) as error:
        read_trains_file(path)
    assert words in str(error.value)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip archive", b"PK\x03\x04truncated"],
    ids=["empty", "text", "truncated-zip"],
)
def test_file_that_is_no_archive_is_refused(tmp_path, content):
    path = tmp_path / "trains.npz"
    path.write_bytes(content)
    with pytest.raises(StimulusError, match=str(path)):
        read_trains_file(path)


def test_grid_refuses_a_time_beyond_int64():
    trains = SpikeTrains(np.array([1e20]), np.array([0, 1]))
    with pytest.raises(StimulusError, match="does not fit"):
        trains.on_grid(0.1, 0.2)


@pytest.fixture(scope="module")
def glomeruli_scaffold(tmp_path_factory) -> tuple[Path, int]:
    """A small scaffold file and its glomerulus count (built once for this module)."""
    from cerebrepro.scaffold.build import build_scaffold
    from cerebrepro.scaffold.write import write_scaffold

    scaffold = build_scaffold(50.0, 11)
    path = write_scaffold(scaffold, tmp_path_factory.mktemp("scaffold") / "s.hdf5")
    return path, scaffold.size("glomerulus")


CLI_CASES = {
    "spike-at-1e20-ms": lambda n: (
        np.r_[np.full(n, 5.0), 1e20],
        np.r_[np.arange(n + 1)[:-1], n + 1],
    ),
    "unsorted": lambda n: (np.r_[9.0, 1.0, np.full(n - 1, 5.0)], np.r_[0, 2, np.arange(3, n + 2)]),
    "two-d": lambda n: (np.full((n, 1), 5.0), np.arange(n + 1)),
}


@pytest.mark.parametrize("make", CLI_CASES.values(), ids=CLI_CASES.keys())
def test_run_refuses_a_bad_stimulus_before_building(
    tmp_path, monkeypatch, glomeruli_scaffold, make
):
    scaffold, n = glomeruli_scaffold
    times, offsets = make(n)
    stimulus = _archive(tmp_path / "bad.npz", times=times, offsets=offsets)
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    before = snapshot(tmp_path)
    outcome = cli(
        "run",
        "--scaffold",
        scaffold,
        "--stimulus",
        stimulus,
        "--duration",
        "10",
        "-o",
        tmp_path / "o.h5",
    )
    assert_refused(outcome, stimulus)
    assert snapshot(tmp_path) == before


def test_hdf5_named_npz_is_refused(tmp_path):
    path = tmp_path / "trains.npz"
    with h5py.File(path, "w") as f:
        f["times"] = GOOD_TIMES
    with pytest.raises(StimulusError, match=str(path)):
        read_trains_file(path)


@st.composite
def valid_trains(draw) -> tuple[np.ndarray, np.ndarray]:
    """Sorted trains of 0-20 spikes each, times in 0..2000 ms."""
    trains = draw(
        st.lists(
            st.lists(st.floats(0, 2000, allow_nan=False, allow_infinity=False), max_size=20),
            min_size=1,
            max_size=12,
        )
    )
    lengths = np.array([len(t) for t in trains], dtype=np.int64)
    times = (
        np.concatenate([np.sort(np.asarray(t, dtype=np.float64)) for t in trains])
        if lengths.sum()
        else np.zeros(0)
    )
    return times, np.r_[0, np.cumsum(lengths)].astype(np.int64)


_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(trains=valid_trains())
def test_any_valid_archive_reads_back_equal(tmp_path, trains):
    times, offsets = trains
    back = read_trains_file(_archive(tmp_path / "t.npz", times=times, offsets=offsets))
    np.testing.assert_array_equal(back.times, times)
    np.testing.assert_array_equal(back.offsets, offsets)


DAMAGE = ["nan", "negative", "huge", "swap", "offset-last", "offset-middle"]


@_SETTINGS
@given(trains=valid_trains(), damage=st.sampled_from(DAMAGE), data=st.data())
def test_any_damaged_trains_are_refused(trains, damage, data):
    times, offsets = (a.copy() for a in trains)
    if damage in ("nan", "negative", "huge"):
        if not times.size:
            return
        i = data.draw(st.integers(0, times.size - 1))
        times[i] = {"nan": np.nan, "negative": -0.5, "huge": 1e20}[damage]
    elif damage == "swap":
        lengths = np.diff(offsets)
        candidates = [
            k
            for k in range(lengths.size)
            if lengths[k] >= 2 and len(set(times[offsets[k] : offsets[k + 1]])) > 1
        ]
        if not candidates:
            return
        k = data.draw(st.sampled_from(candidates))
        train = times[offsets[k] : offsets[k + 1]]
        train[:] = train[::-1]  # strictly decreasing somewhere
    elif damage == "offset-last":
        offsets[-1] += data.draw(st.sampled_from([-1, 1])) if times.size else 1
    else:
        if offsets.size < 3 or offsets[-1] == 0:
            return
        offsets[1] = offsets[-1] + 1  # jumps past the end, then decreases
    with pytest.raises(StimulusError, match="stimulus probe"):
        checked_trains(times, offsets, "probe")
