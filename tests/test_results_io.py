"""The results file: round trip, refusal of anything incomplete or foreign, NIX export."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from cerebrepro.errors import ResultError
from cerebrepro.results import io
from cerebrepro.results.export import export_result
from cerebrepro.results.io import read_result, write_result
from cerebrepro.results.types import AnalogSignals, PopulationSpikes, RunResult


def make_result() -> RunResult:
    spikes = {
        "granule": PopulationSpikes(5, np.array([1.0, 1.0, 2.5, 7.2]), np.array([0, 3, 3, 4])),
        "glomerulus": PopulationSpikes(2, np.array([0.2]), np.array([1])),
    }
    v = np.linspace(-70, -60, 20, dtype=np.float32).reshape(10, 2)
    analog = {
        "granule": AnalogSignals(
            np.array([0, 4]), 0.1, {"v": v, "gsyn_exc": v * 0, "gsyn_inh": v * 0}
        )
    }
    return RunResult(spikes, 0.1, 10.0, analog, {"simulator": "nest", "seeds": {"stimulus": 3}})


def test_round_trip_keeps_everything(tmp_path):
    result = make_result()
    path = write_result(result, tmp_path / "r.h5")
    back = read_result(path)
    assert back.spike_digest() == result.spike_digest()
    assert back.sizes == {"granule": 5, "glomerulus": 2}
    assert back.provenance["seeds"] == {"stimulus": 3}
    assert back.provenance["timings"]["write_s"] >= 0
    np.testing.assert_array_equal(
        back.analog["granule"].signals["v"], result.analog["granule"].signals["v"]
    )
    assert list(tmp_path.iterdir()) == [path]


def test_spike_digest_sees_one_moved_spike():
    result = make_result()
    moved = make_result()
    moved.spikes["granule"].times[2] += 0.1
    assert moved.spike_digest() != result.spike_digest()


def test_failure_while_writing_leaves_no_file(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(io, "_compress", explode)
    with pytest.raises(RuntimeError):
        write_result(make_result(), tmp_path / "r.h5")
    assert list(tmp_path.iterdir()) == []


def test_incomplete_file_is_refused(tmp_path):
    path = write_result(make_result(), tmp_path / "r.h5")
    with h5py.File(path, "a") as f:
        f.attrs["complete"] = False
    with pytest.raises(ResultError, match="did not finish"):
        read_result(path)


@pytest.mark.parametrize(
    "content, message",
    [(b"not hdf5 at all", "not an HDF5 results file"), (None, "not a cerebrepro results file")],
)
def test_foreign_files_are_refused(tmp_path, content, message):
    path = tmp_path / "x.h5"
    if content is None:
        with h5py.File(path, "w") as f:
            f.create_dataset("spikes", data=[1, 2])
    else:
        path.write_bytes(content)
    with pytest.raises(ResultError, match=message):
        read_result(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ResultError, match="no such results file"):
        read_result(tmp_path / "absent.h5")


@pytest.mark.parametrize("per_cell", [False, True])
def test_nix_export_is_readable_by_neo(tmp_path, per_cell):
    from neo.io import NixIO

    path = export_result(make_result(), tmp_path / "r.nix", per_cell=per_cell)
    io_ = NixIO(str(path), mode="ro")
    try:
        block = io_.read_block()
    finally:
        io_.close()
    trains = [t for t in block.segments[0].spiketrains if t.annotations["population"] == "granule"]
    times = np.sort(np.concatenate([t.magnitude for t in trains]))
    np.testing.assert_allclose(times, [1.0, 1.0, 2.5, 7.2])
    assert len(trains) == (5 if per_cell else 1)
    signals = {s.name: s for s in block.segments[0].analogsignals}
    assert signals["granule.v"].shape == (10, 2)
