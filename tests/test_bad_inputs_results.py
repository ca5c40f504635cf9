"""Hostile and damaged result files: every command that reads one refuses it, naming the file.

Each case edits a freshly written result in one way (h5py, as a careless or hostile user
would), then runs ``export`` (or ``verify``) on it and checks: exit code 2, no traceback,
the file named, nothing written beside it.
"""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from bad_inputs_support import assert_refused, cli, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cerebrepro.errors import ResultError
from cerebrepro.results.io import read_result, write_result
from cerebrepro.results.types import AnalogSignals, PopulationSpikes, RunResult


def make_result(n_samples: int = 10) -> RunResult:
    spikes = {
        "granule": PopulationSpikes(5, np.array([1.0, 1.0, 2.5, 7.2]), np.array([0, 3, 3, 4])),
        "glomerulus": PopulationSpikes(2, np.array([0.2]), np.array([1])),
    }
    v = np.linspace(-70, -60, 2 * n_samples, dtype=np.float32).reshape(n_samples, 2)
    analog = {
        "granule": AnalogSignals(
            np.array([0, 4]), 0.1, {"v": v, "gsyn_exc": v * 0, "gsyn_inh": v * 0}
        )
    }
    return RunResult(
        spikes, 0.1, 10.0, analog, {"simulator": "nest", "threads": 1, "seeds": {"stimulus": 3}}
    )


def _set(dataset: str, index: int, value: float):
    def edit(f: h5py.File) -> None:
        data = f[dataset][()]
        data[index] = value
        f[dataset][...] = data

    return edit


def _replace(dataset: str, values: np.ndarray, **kwargs):
    def edit(f: h5py.File) -> None:
        del f[dataset]
        f.create_dataset(dataset, data=values, **kwargs)

    return edit


def _provenance(change):
    def edit(f: h5py.File) -> None:
        document = json.loads(f["provenance"].attrs["json"])
        f["provenance"].attrs["json"] = json.dumps(change(document))

    return edit


def _attr(node: str, name: str, value: object):
    def edit(f: h5py.File) -> None:
        if value is None:
            del f[node].attrs[name]
        else:
            f[node].attrs[name] = value

    return edit


def _legacy_moved_spike(f: h5py.File) -> None:
    """A version-1 file (no record of digests) whose spikes no longer match the spike digest."""
    del f.attrs["digests"]
    f.attrs["format_version"] = 1
    _set("spikes/granule/times", 2, 2.6)(f)


def _huge_declared(f: h5py.File) -> None:
    """A few kB on disk that declare 80 GB of spike times and 40 GB of cells."""
    del f["spikes/granule/times"], f["spikes/granule/cells"]
    f.create_dataset("spikes/granule/times", shape=(10**10,), dtype="f8", chunks=(2**16,))
    f.create_dataset("spikes/granule/cells", shape=(10**10,), dtype="i4", chunks=(2**16,))


def _threads(document: dict) -> dict:
    return {**document, "threads": 2}


CASES = {
    # (edit, words the message must contain)
    "spike-moved-0.1ms": (_set("spikes/granule/times", 2, 2.6), "spikes/granule/times"),
    "spike-moved-0.01ms": (_set("spikes/granule/times", 2, 2.51), "spikes/granule/times"),
    "cell-changed": (_set("spikes/granule/cells", 0, 1), "spikes/granule/cells"),
    "provenance-threads-edited": (_provenance(_threads), "provenance"),
    "provenance-not-a-mapping": (_provenance(lambda d: [1, 2]), "not a mapping"),
    "provenance-not-json": (_attr("provenance", "json", "{threads: 2"), "malformed"),
    "time-nan": (_set("spikes/granule/times", 0, np.nan), "not finite"),
    "time-inf": (_set("spikes/granule/times", 3, np.inf), "not finite"),
    "time-negative": (_set("spikes/granule/times", 0, -1.0), "outside"),
    "time-after-duration": (_set("spikes/granule/times", 3, 500.0), "outside"),
    "times-unordered": (_set("spikes/granule/times", 0, 5.0), "not in order"),
    "cell-index-1e9": (_set("spikes/granule/cells", 3, 10**9), "cell index 1000000000"),
    "cell-index-negative": (_set("spikes/granule/cells", 0, -1), "cell index -1"),
    "lengths-differ": (_replace("spikes/granule/times", np.array([1.0, 2.0])), "one length"),
    "times-2d": (_replace("spikes/granule/times", np.ones((2, 2))), "1-D"),
    "times-are-strings": (
        _replace("spikes/granule/times", np.array([b"a", b"b", b"c", b"d"])),
        "floats",
    ),
    "declares-120-GB": (_huge_declared, "more than the memory available"),
    "timestep-zero": (_attr("/", "timestep", 0.0), "timestep"),
    "duration-negative": (_attr("/", "duration", -10.0), "duration"),
    "duration-nan": (_attr("/", "duration", np.nan), "duration"),
    "size-edited": (_attr("spikes/granule", "size", 50), "header"),
    "size-negative": (_attr("spikes/granule", "size", -5), "declares -5 cells"),
    "digests-removed": (_attr("/", "digests", None), "record of digests is missing"),
    "digests-not-json": (_attr("/", "digests", "{"), "not JSON"),
    "population-deleted": (lambda f: f.__delitem__("spikes/glomerulus"), "spikes/glomerulus"),
    "analog-cell-out-of-range": (_set("analog/granule/cells", 1, 99), "analog/granule/cells"),
    "analog-shape-wrong": (
        _replace("analog/granule/v", np.zeros((10, 3), np.float32)),
        "analog/granule/v",
    ),
    "sampling-interval-zero": (
        _attr("analog/granule", "sampling_interval", 0.0),
        "sampling interval",
    ),
    "legacy-file-spike-moved": (_legacy_moved_spike, "spike digest"),
}


@pytest.mark.parametrize("edit, words", CASES.values(), ids=CASES.keys())
def test_damaged_result_is_refused_by_export(tmp_path, edit, words):
    path = write_result(make_result(), tmp_path / "run.h5")
    with h5py.File(path, "a") as f:
        edit(f)
    before = snapshot(tmp_path)
    outcome = cli("export", path)
    assert_refused(outcome, path, words)
    assert snapshot(tmp_path) == before  # no .nix beside it, the result untouched


def test_corrupt_compressed_chunk_is_a_result_error(tmp_path):
    path = write_result(make_result(n_samples=4000), tmp_path / "run.h5")  # 8000 values: gzip
    with h5py.File(path, "r") as f:
        chunk = f["analog/granule/v"].id.get_chunk_info(0)
    with path.open("r+b") as handle:
        handle.seek(chunk.byte_offset + 8)
        handle.write(b"\xff" * 64)
    before = snapshot(tmp_path)
    assert_refused(cli("export", path), path, "/analog/granule/v cannot be read")
    assert snapshot(tmp_path) == before


def test_verify_is_not_passed_by_editing_the_thread_count(tmp_path):
    path = write_result(make_result(), tmp_path / "run.h5")
    with h5py.File(path, "a") as f:
        _provenance(_threads)(f)
    before = snapshot(tmp_path)
    assert_refused(cli("verify", "check", path), path, "provenance")
    assert snapshot(tmp_path) == before


def test_version_1_files_without_digests_still_read(tmp_path):
    """Files written before the record of digests existed: spike digest and structure only."""
    path = write_result(make_result(), tmp_path / "run.h5")
    with h5py.File(path, "a") as f:
        del f.attrs["digests"]
        f.attrs["format_version"] = 1
    assert read_result(path).spike_digest() == make_result().spike_digest()


@st.composite
def results(draw) -> RunResult:
    """A valid result: 1-3 populations, spikes on a 0.1 ms grid in time order."""
    spikes = {}
    for name in draw(
        st.lists(
            st.sampled_from(["granule", "golgi", "purkinje"]), min_size=1, max_size=3, unique=True
        )
    ):
        size = draw(st.integers(1, 50))
        n = draw(st.integers(0, 60))
        steps = np.sort(
            np.asarray(draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n)), dtype=np.int64)
        )
        cells = np.asarray(
            draw(st.lists(st.integers(0, size - 1), min_size=n, max_size=n)), dtype=np.int64
        )
        spikes[name] = PopulationSpikes(size, steps * 0.1, cells)
    return RunResult(spikes, 0.1, 100.0, {}, {"threads": draw(st.integers(1, 8))})


_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(result=results())
def test_any_valid_result_reads_back_equal(tmp_path, result):
    path = write_result(result, tmp_path / "r.h5")
    back = read_result(path)
    assert back.spike_digest() == result.spike_digest()
    for name, s in result.spikes.items():
        np.testing.assert_array_equal(back.spikes[name].times, s.times)
        np.testing.assert_array_equal(back.spikes[name].cells, s.cells)


@_SETTINGS
@given(result=results(), data=st.data())
def test_any_changed_spike_value_is_refused(tmp_path, result, data):
    populated = [name for name, s in result.spikes.items() if s.n_spikes]
    if not populated:
        return
    name = data.draw(st.sampled_from(populated))
    field = data.draw(st.sampled_from(["times", "cells"]))
    index = data.draw(st.integers(0, result.spikes[name].n_spikes - 1))
    path = write_result(result, tmp_path / "r.h5")
    with h5py.File(path, "a") as f:
        values = f[f"spikes/{name}/{field}"][()]
        values[index] = values[index] + (0.05 if field == "times" else 1)
        f[f"spikes/{name}/{field}"][...] = values
    with pytest.raises(ResultError, match=str(path)):
        read_result(path)
