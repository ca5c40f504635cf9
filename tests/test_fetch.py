"""fetch() against a real HTTP server on 127.0.0.1: good files, broken servers, bad input."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
import yaml
from fetch_server import (
    REPO,
    STIMULUS,
    STIMULUS_SHA256,
    Route,
    leftovers,
    manifest_entry,
    sha256_of,
)
from typer.testing import CliRunner

from cerebrepro.cli.fetch import fetch_command
from cerebrepro.data.accepted import accepted_hash
from cerebrepro.data.fetch import cache_status, cached_path, fetch
from cerebrepro.errors import CerebreproError, FetchError, ManifestError

pytest_plugins = ["fetch_server"]


def corrupted(content: bytes) -> bytes:
    return content[:1000] + bytes([content[1000] ^ 0xFF]) + content[1001:]


def test_download_lands_verified_and_is_reused(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))

    path = fetch(STIMULUS, mirror=file_server.base_url, progress=False)

    assert path == cache_dir / STIMULUS
    assert sha256_of(path.read_bytes()) == STIMULUS_SHA256
    assert cached_path(STIMULUS) == path
    assert fetch(STIMULUS, mirror=file_server.base_url, progress=False) == path
    assert file_server.requests == [f"/{STIMULUS}"]
    assert leftovers(cache_dir) == [STIMULUS]


def test_manifest_urls_are_tried_in_order(file_server, cache_dir, use_manifest, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))
    missing = f"{file_server.base_url}/gone/{STIMULUS}"
    use_manifest(
        manifest_entry(STIMULUS, [missing, f"{file_server.base_url}/{STIMULUS}"], STIMULUS_SHA256)
    )

    path = fetch(STIMULUS, retries=0, progress=False)

    assert file_server.requests == [f"/gone/{STIMULUS}", f"/{STIMULUS}"]
    assert sha256_of(path.read_bytes()) == STIMULUS_SHA256


def test_progress_bar_follows_a_download(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))
    assert fetch(STIMULUS, mirror=file_server.base_url, progress=True).is_file()


def test_wrong_checksum_is_deleted_and_reported(file_server, cache_dir, stimulus_bytes):
    bad = corrupted(stimulus_bytes)
    url = file_server.add(STIMULUS, Route(body=bad))

    with pytest.raises(FetchError) as error:
        fetch(STIMULUS, mirror=file_server.base_url, retries=0, progress=False)

    message = str(error.value)
    assert STIMULUS_SHA256 in message and sha256_of(bad) in message and url in message
    assert leftovers(cache_dir) == []


def test_truncated_download_leaves_nothing(file_server, cache_dir, stimulus_bytes):
    half = stimulus_bytes[: len(stimulus_bytes) // 2]
    file_server.add(STIMULUS, Route(body=half, declared_length=len(stimulus_bytes)))

    with pytest.raises(FetchError, match="truncated"):
        fetch(STIMULUS, mirror=file_server.base_url, retries=0, progress=False)

    assert leftovers(cache_dir) == []


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_names_the_url_and_status(file_server, cache_dir, status):
    url = file_server.add(STIMULUS, Route(status=status))

    with pytest.raises(FetchError) as error:
        fetch(STIMULUS, mirror=file_server.base_url, retries=0, progress=False)

    assert f"{url}: HTTP {status}" in str(error.value)
    assert leftovers(cache_dir) == []


def test_stalled_server_times_out_after_retries(file_server, cache_dir):
    url = file_server.add(STIMULUS, Route(stall=30))

    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetch(STIMULUS, mirror=file_server.base_url, timeout=0.5, retries=1, progress=False)

    assert time.monotonic() - started < 8
    assert f"{url}: no answer within 0.5 s" in str(error.value)
    assert "2 attempts" in str(error.value)
    assert file_server.requests == [f"/{STIMULUS}"] * 2
    assert leftovers(cache_dir) == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_host_suggests_alternatives(cache_dir, use_manifest):
    url = f"http://127.0.0.1:{closed_port()}/scaffold.hdf5"
    use_manifest(manifest_entry("scaffold.hdf5", [url], STIMULUS_SHA256, kind="scaffold"))

    with pytest.raises(FetchError) as error:
        fetch("scaffold.hdf5", retries=0, progress=False)

    message = str(error.value)
    assert f"{url}: cannot connect" in message
    assert "--mirror" in message and "--from" in message and "cerebrepro scaffold build" in message
    assert leftovers(cache_dir) == []


def test_unknown_name_lists_the_valid_ones(cache_dir):
    with pytest.raises(FetchError) as error:
        fetch("no-such-file.npz", progress=False)
    assert "no-such-file.npz" in str(error.value)
    assert STIMULUS in str(error.value) and "scaffold_full_dcn_400.0x400.0_v3.hdf5" in str(
        error.value
    )


def test_read_only_cache_is_refused_clearly(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    try:
        if os.access(cache_dir, os.W_OK):
            pytest.skip("running as a user (root) whom chmod does not stop from writing")
        with pytest.raises(FetchError, match="not writable"):
            fetch(STIMULUS, mirror=file_server.base_url, progress=False)
        assert leftovers(cache_dir) == []
        assert file_server.requests == []
    finally:
        cache_dir.chmod(0o755)


def test_cache_that_cannot_be_created_is_refused_clearly(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(blocker / "cache"))

    with pytest.raises(CerebreproError, match="CEREBREPRO_DATA_DIR"):
        fetch(STIMULUS, mirror="http://127.0.0.1:9", progress=False)


def test_malformed_manifest_stops_before_any_download(tmp_path, cache_dir, monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nfiles: [{name: x\n")
    monkeypatch.setenv("CEREBREPRO_MANIFEST", str(broken))

    with pytest.raises(ManifestError, match="broken.yaml"):
        fetch(STIMULUS, progress=False)
    assert leftovers(cache_dir) == []


def test_corrupt_cached_copy_is_replaced(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))
    cache_dir.mkdir()
    (cache_dir / STIMULUS).write_bytes(corrupted(stimulus_bytes))
    assert cached_path(STIMULUS) is None

    path = fetch(STIMULUS, mirror=file_server.base_url, progress=False)

    assert sha256_of(path.read_bytes()) == STIMULUS_SHA256


def test_failed_fetch_removes_an_unverified_cached_copy(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(status=404))
    cache_dir.mkdir()
    (cache_dir / STIMULUS).write_bytes(b"stale")

    with pytest.raises(FetchError):
        fetch(STIMULUS, mirror=file_server.base_url, retries=0, progress=False)
    assert leftovers(cache_dir) == []


def test_from_dir_copies_after_verifying(tmp_path, cache_dir, stimulus_bytes):
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / STIMULUS).write_bytes(stimulus_bytes)

    path = fetch(STIMULUS, from_dir=staged, progress=False)

    assert sha256_of(path.read_bytes()) == STIMULUS_SHA256


def test_from_dir_with_a_wrong_copy_leaves_nothing(tmp_path, cache_dir, stimulus_bytes):
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / STIMULUS).write_bytes(corrupted(stimulus_bytes))

    with pytest.raises(FetchError, match=STIMULUS_SHA256):
        fetch(STIMULUS, from_dir=staged, progress=False)
    assert leftovers(cache_dir) == []


def test_from_dir_without_the_file(tmp_path, cache_dir):
    with pytest.raises(FetchError, match=f"no file {STIMULUS}"):
        fetch(STIMULUS, from_dir=tmp_path, progress=False)


def test_mirror_must_be_http(cache_dir, tmp_path):
    with pytest.raises(FetchError, match="--from"):
        fetch(STIMULUS, mirror=str(tmp_path), progress=False)


def test_unpublished_checksum_is_accepted_once_then_enforced(
    file_server, cache_dir, use_manifest, stimulus_bytes
):
    use_manifest(manifest_entry(STIMULUS, [f"{file_server.base_url}/{STIMULUS}"], "unpublished"))
    file_server.add(STIMULUS, Route(body=stimulus_bytes))

    with pytest.raises(FetchError, match="--accept-new"):
        fetch(STIMULUS, progress=False)
    assert file_server.requests == []

    path = fetch(STIMULUS, accept_new=True, progress=False)
    assert accepted_hash(STIMULUS) == STIMULUS_SHA256
    assert cached_path(STIMULUS) == path
    assert fetch(STIMULUS, progress=False) == path  # accepted: no flag needed any more

    path.unlink()
    file_server.add(STIMULUS, Route(body=corrupted(stimulus_bytes)))
    with pytest.raises(FetchError, match="accepted earlier"):
        fetch(STIMULUS, accept_new=True, retries=0, progress=False)
    assert leftovers(cache_dir) == ["accepted-hashes.yaml"]
    assert accepted_hash(STIMULUS) == STIMULUS_SHA256


def test_cache_status_reports_each_file(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))
    fetch(STIMULUS, mirror=file_server.base_url, progress=False)

    rows = {row["name"]: row for row in cache_status()}

    assert rows[STIMULUS]["verified"] and rows[STIMULUS]["trust"] == "manifest"
    assert rows[STIMULUS]["sha256_actual"] == STIMULUS_SHA256
    scaffold = rows["scaffold_full_dcn_400.0x400.0_v3.hdf5"]
    assert not scaffold["present"] and not scaffold["verified"]
    assert scaffold["trust"] == "unaccepted" and scaffold["sha256_expected"] is None


CONCURRENT_FETCH = """
import sys
from cerebrepro.data.fetch import fetch
print("ready", flush=True)
sys.stdin.readline()
print(fetch(sys.argv[1], mirror=sys.argv[2], progress=False, retries=0))
"""


def test_two_processes_end_with_one_verified_file(file_server, cache_dir, stimulus_bytes):
    file_server.add(STIMULUS, Route(body=stimulus_bytes, chunk_delay=0.05))
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_FETCH, STIMULUS, file_server.base_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:  # release both at once
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=60) for process in processes]

    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == str(cache_dir / STIMULUS)
    assert file_server.requests == [f"/{STIMULUS}"]  # the second waited, then found it verified
    assert sha256_of((cache_dir / STIMULUS).read_bytes()) == STIMULUS_SHA256
    assert leftovers(cache_dir) == [STIMULUS]


@pytest.fixture
def cli() -> typer.Typer:
    """The fetch command in an app of its own (a callback keeps the command name in the line)."""
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("fetch")(fetch_command)
    return app


def test_cli_fetches_published_files_and_reports_the_skipped(
    cli, file_server, cache_dir, stimulus_bytes
):
    file_server.add(STIMULUS, Route(body=stimulus_bytes))

    result = CliRunner().invoke(
        cli, ["fetch", "--mirror", file_server.base_url], terminal_width=200
    )

    assert result.exit_code == 0, result.output
    assert "skipped scaffold_full_dcn_400.0x400.0_v3.hdf5: no published checksum" in result.output
    assert "verified (manifest)" in result.output
    assert cached_path(STIMULUS) == cache_dir / STIMULUS


def test_cli_unknown_name_raises_fetch_error(cli, cache_dir):
    result = CliRunner().invoke(cli, ["fetch", "nope.npz"])
    assert isinstance(result.exception, FetchError)
    assert STIMULUS in str(result.exception)


def test_cli_help_describes_the_options(cli):
    result = CliRunner().invoke(cli, ["fetch", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--mirror", "--from", "--accept-new", "--all"):
        assert option in result.output


def test_accepted_hash_file_is_plain_yaml(file_server, cache_dir, use_manifest, stimulus_bytes):
    use_manifest(manifest_entry(STIMULUS, [f"{file_server.base_url}/{STIMULUS}"], "unpublished"))
    file_server.add(STIMULUS, Route(body=stimulus_bytes))
    fetch(STIMULUS, accept_new=True, progress=False)

    document = yaml.safe_load(Path(cache_dir / "accepted-hashes.yaml").read_text())

    assert document["files"][STIMULUS]["sha256"] == STIMULUS_SHA256
    assert document["files"][STIMULUS]["source"].endswith(f"/{STIMULUS}")
