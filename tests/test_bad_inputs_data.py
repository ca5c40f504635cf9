"""Hostile data files and manifests: no unvouched pickle, no forged conversion, no oversize download.

Uses the real HTTP server of ``fetch_server``. Each refusal checks the exception or the
CLI's exit code 2 and message, and that nothing was left in the cache.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from bad_inputs_support import assert_refused, cli, snapshot
from fetch_server import STIMULUS, STIMULUS_SHA256, Route, leftovers, manifest_entry, sha256_of

from cerebrepro.data import published_stimulus as module
from cerebrepro.data.accepted import record_accepted_hash
from cerebrepro.data.fetch import fetch
from cerebrepro.data.published_stimulus import (
    converted_path,
    load_published_stimulus,
    trains_sha256,
)
from cerebrepro.errors import FetchError

pytest_plugins = ["fetch_server"]


@pytest.fixture
def no_pickle(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records every np.load's allow_pickle; the tests assert it was never True."""
    seen: list[bool] = []
    real = np.load

    def load(*args, **kwargs):
        seen.append(bool(kwargs.get("allow_pickle", False)))
        return real(*args, **kwargs)

    monkeypatch.setattr(np, "load", load)
    return seen


def _unpublished_stimulus(use_manifest, cache_dir: Path, stimulus_bytes: bytes) -> None:
    """A user's manifest with no sha256 for the stimulus, its bytes accepted on first use."""
    use_manifest(manifest_entry(STIMULUS, ["https://example.org/x.npz"], "unpublished"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / STIMULUS).write_bytes(stimulus_bytes)
    record_accepted_hash(STIMULUS, sha256_of(stimulus_bytes), "test")


def test_hash_accepted_on_first_use_does_not_reach_the_unpickler(
    use_manifest, cache_dir, stimulus_bytes, no_pickle
):
    _unpublished_stimulus(use_manifest, cache_dir, stimulus_bytes)
    with pytest.raises(FetchError, match="accepted on first use"):
        load_published_stimulus()
    assert not any(no_pickle)
    assert not converted_path().exists()


def test_checksum_typed_for_the_command_opens_it(use_manifest, cache_dir, stimulus_bytes):
    _unpublished_stimulus(use_manifest, cache_dir, stimulus_bytes)
    assert load_published_stimulus(sha256=STIMULUS_SHA256.upper()).trains.n_spikes == 29040


def test_typed_checksum_differing_from_the_manifest_is_refused(cache_dir, no_pickle):
    with pytest.raises(FetchError, match="differs from the manifest"):
        load_published_stimulus(sha256="0" * 64)
    assert not any(no_pickle)


def test_run_with_published_stimulus_refuses_the_unvouched_pickle(
    use_manifest, cache_dir, stimulus_bytes, small_scaffold_file, tmp_path, no_pickle
):
    """The issue's probe: an edited manifest, `fetch --accept-new`, then `run --stimulus published`."""
    import shutil

    import h5py

    _unpublished_stimulus(use_manifest, cache_dir, stimulus_bytes)
    scaffold = Path(shutil.copy(small_scaffold_file, tmp_path / "layout.hdf5"))
    with h5py.File(scaffold, "a") as f:  # not a rebuild: the published stimulus may pair with it
        del f.attrs["builder_version"]
    before = snapshot(tmp_path)
    outcome = cli(
        "run",
        "--scaffold",
        scaffold,
        "--stimulus",
        "published",
        "--duration",
        "10",
        "-o",
        tmp_path / "o.h5",
    )
    assert_refused(outcome, STIMULUS, "accepted on first use")
    assert not any(no_pickle)
    assert snapshot(tmp_path) == before


def _forge(destination: Path, times: np.ndarray, offsets: np.ndarray, trains_digest: str) -> None:
    np.savez(
        destination,
        format=np.array(2),
        source_sha256=np.array(STIMULUS_SHA256),
        trains_sha256=np.array(trains_digest),
        times=times,
        offsets=offsets,
        details=np.array("{}"),
    )


@pytest.mark.parametrize(
    "self_consistent", [False, True], ids=["digest-stale", "digest-recomputed"]
)
def test_forged_converted_file_is_not_used(cache_dir, staged_stimulus, self_consistent):
    true = load_published_stimulus(from_dir=staged_stimulus, progress=False).trains
    times, offsets = np.full(true.n_sources, 1.0), np.arange(true.n_sources + 1)
    from cerebrepro.model.spike_trains import SpikeTrains

    digest = trains_sha256(SpikeTrains(times, offsets)) if self_consistent else trains_sha256(true)
    _forge(converted_path(), times, offsets, digest)
    again = load_published_stimulus(from_dir=staged_stimulus, progress=False)
    np.testing.assert_array_equal(
        again.trains.times, true.times
    )  # reconverted from the verified source
    with np.load(converted_path()) as archive:
        assert archive["times"].size == true.n_spikes  # the forgery was replaced


@pytest.fixture
def staged_stimulus(tmp_path, stimulus_bytes) -> Path:
    directory = tmp_path / "staged"
    directory.mkdir()
    (directory / STIMULUS).write_bytes(stimulus_bytes)
    return directory


def test_bound_converted_file_is_reused_without_the_source(cache_dir, staged_stimulus, monkeypatch):
    load_published_stimulus(from_dir=staged_stimulus, progress=False)
    (cache_dir / STIMULUS).unlink()
    monkeypatch.setattr(module, "fetch", lambda *a, **k: pytest.fail("fetched again"))
    assert load_published_stimulus().trains.n_spikes == 29040


def test_download_stops_at_the_declared_size(file_server, use_manifest, cache_dir):
    """The issue's probe: a mirror serving 31 MB for a file the manifest declares at 0.9 MB."""
    body = b"\0" * (31 * 2**20)
    url = file_server.add("big.npz", Route(body=body, chunk_delay=0.01))
    entry = manifest_entry("big.npz", [url], "unpublished")
    entry["size"] = 875_538
    use_manifest(entry)
    started = time.perf_counter()
    with pytest.raises(FetchError, match="more than the 875,538 bytes"):
        fetch("big.npz", accept_new=True, progress=False, retries=0)
    assert time.perf_counter() - started < 5  # the whole body would take more than 5 s
    assert leftovers(cache_dir) == []


def test_copy_of_another_size_is_refused(use_manifest, cache_dir, tmp_path):
    entry = manifest_entry("small.bin", ["https://example.org/small.bin"], sha256_of(b"abc"))
    entry["size"] = 3
    use_manifest(entry)
    (tmp_path / "from").mkdir()
    (tmp_path / "from" / "small.bin").write_bytes(b"abcd")
    outcome = cli("fetch", "small.bin", "--from", tmp_path / "from")
    assert_refused(outcome, "small.bin", "the manifest declares 3")
    assert leftovers(cache_dir) == []


MANIFESTS = {
    "latin-1": ("# Manifest f\xfcr Daten\nversion: 1\n".encode("latin-1"), "not UTF-8"),
    "utf-16": ("version: 1\nfiles: []\n".encode("utf-16"), "not UTF-8"),
    "binary": (bytes(range(256)), "not UTF-8"),
}


@pytest.mark.parametrize("content, words", MANIFESTS.values(), ids=MANIFESTS.keys())
def test_manifest_that_is_not_utf8_is_one_clear_error(
    tmp_path, monkeypatch, cache_dir, content, words
):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_bytes(content)
    monkeypatch.setenv("CEREBREPRO_MANIFEST", str(manifest))
    before = snapshot(tmp_path)
    assert_refused(cli("fetch", "--all"), manifest, words)
    assert snapshot(tmp_path) == before


def test_valid_manifest_still_reads(use_manifest):
    from cerebrepro.data.manifest import load_manifest

    path = use_manifest(manifest_entry("a.bin", ["https://example.org/a"], "0" * 64))
    assert yaml.safe_load(path.read_text())["version"] == 1
    assert load_manifest().names == ("a.bin",)
