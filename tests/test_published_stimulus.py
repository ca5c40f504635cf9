"""The published stimulus: verified before unpickling, converted once, with its known facts."""

from __future__ import annotations

import numpy as np
import pytest
from fetch_server import SHARED_DATA, STIMULUS, STIMULUS_SHA256

from cerebrepro.data import published_stimulus as module
from cerebrepro.data.published_stimulus import (
    converted_path,
    load_published_stimulus,
    published_stimulus,
)
from cerebrepro.errors import FetchError

pytest_plugins = ["fetch_server"]


@pytest.fixture
def staged(tmp_path, stimulus_bytes):
    """A directory holding a copy of the published npz, for ``from_dir``."""
    directory = tmp_path / "staged"
    directory.mkdir()
    (directory / STIMULUS).write_bytes(stimulus_bytes)
    return directory


def test_published_stimulus_facts(cache_dir, staged):
    trains = published_stimulus(from_dir=staged, progress=False)

    assert trains.n_sources == 7073
    assert trains.n_spikes == 29040
    times = trains.times  # the file's own times, not moved onto any grid
    counts = [
        np.count_nonzero((times >= lo) & (times < hi))
        for lo, hi in [(0, 300), (300, 350), (350, 1000)]
    ]
    assert counts == [2049, 22429, 4562]
    assert 0 < times.min() and times.max() < 1000


def test_details_are_json_safe(cache_dir, staged):
    details = load_published_stimulus(from_dir=staged, progress=False).details

    settings = details["argparser"]
    assert settings["dataset"] == "scaffold_full_dcn_400.0x400.0_v3.hdf5"
    assert (settings["f_base"], settings["f_peak"], settings["stim_radius"]) == (1.0, 150.0, 140)
    assert settings["simulator"] == "spinnaker" and settings["timestep"] == 0.1
    assert isinstance(details["git_hash"], str)


def test_conversion_happens_once_into_a_pickle_free_file(cache_dir, staged, monkeypatch):
    first = published_stimulus(from_dir=staged, progress=False)
    with np.load(converted_path(), allow_pickle=False) as archive:
        assert str(archive["source_sha256"]) == STIMULUS_SHA256
        assert archive["times"].dtype == np.float64 and archive["offsets"].dtype == np.int64

    (cache_dir / STIMULUS).unlink()
    monkeypatch.setattr(module, "fetch", lambda *args, **kwargs: pytest.fail("fetched again"))
    second = published_stimulus()

    np.testing.assert_array_equal(second.times, first.times)
    np.testing.assert_array_equal(second.offsets, first.offsets)


def test_damaged_converted_file_is_rebuilt(cache_dir, staged):
    published_stimulus(from_dir=staged, progress=False)
    converted_path().write_bytes(b"not an npz")

    assert published_stimulus(from_dir=staged, progress=False).n_spikes == 29040
    with np.load(converted_path(), allow_pickle=False) as archive:
        assert archive["times"].size == 29040


def test_unverified_file_is_never_unpickled(cache_dir, tmp_path, stimulus_bytes, monkeypatch):
    tampered = tmp_path / STIMULUS
    tampered.write_bytes(stimulus_bytes[:-1] + bytes([stimulus_bytes[-1] ^ 1]))
    opened_with_pickle = []
    real_load = np.load

    def watching_load(*args, **kwargs):
        opened_with_pickle.append(kwargs.get("allow_pickle", False))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", watching_load)
    with pytest.raises(FetchError, match="was not opened"):
        published_stimulus(tampered)

    assert not any(opened_with_pickle)
    assert not converted_path().exists()


def test_local_copy_converts_without_fetching(cache_dir, monkeypatch, stimulus_bytes):
    monkeypatch.setattr(module, "fetch", lambda *args, **kwargs: pytest.fail("fetched"))
    assert published_stimulus(SHARED_DATA / STIMULUS).n_sources == 7073
