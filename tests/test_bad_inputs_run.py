"""Careless and hostile run values, outputs and data directories: refused before any work.

Every case runs ``cerebrepro run`` (or ``scaffold build``, ``verify``, ``fetch``) in this
process and checks exit code 2, no traceback, the option or file named, and that nothing
was written anywhere under the test's directory (the data directory included).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from bad_inputs_support import assert_refused, cli, snapshot

from cerebrepro.pipeline import cache
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.pipeline.validate import RunValueError, check_run
from cerebrepro.results.io import read_result, write_result


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory and working directory inside ``tmp_path``."""
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def read_only_directory(tmp_path: Path) -> Path:
    """A directory this process cannot write: chmod 0555, or (as root) a read-only mount."""
    if os.geteuid() != 0:
        directory = tmp_path / "read-only"
        directory.mkdir()
        directory.chmod(0o555)
        return directory
    for candidate in (Path("/proc/sys"), Path("/sys/fs/cgroup")):
        if candidate.is_dir() and not os.access(candidate, os.W_OK):
            return candidate
    pytest.skip("no directory that root cannot write")


RUN_VALUES = {
    # (options after `run`, words the message must contain)
    "duration-zero": (["--duration", "0"], "--duration 0"),
    "duration-negative": (["--duration", "-5"], "--duration -5"),
    "duration-nan": (["--duration", "nan"], "--duration nan"),
    "duration-inf": (["--duration", "inf"], "--duration inf"),
    "duration-off-grid": (["--duration", "10.05"], "not a multiple of the timestep"),
    "threads-zero": (["--threads", "0"], "--threads 0"),
    "threads-negative": (["--threads", "-2"], "--threads -2"),
    "threads-huge": (["--threads", "100000"], "--threads 100000"),
    "seed-negative": (["--seed", "-1"], "--seed -1"),
    "seed-beyond-32-bits": (["--seed", str(2**40)], f"--seed {2**40}"),
    "scaffold-seed-negative": (["--scaffold-seed", "-3"], "--scaffold-seed -3"),
    "record-v-unknown": (["--record-v", "some"], "--record-v 'some'"),
    "size-zero": (["--size", "0"], "--size 0"),
    "size-below-minimum": (["--size", "10"], "--size 10"),
    "size-nan": (["--size", "nan"], "--size nan"),
    "size-100000-memory": (["--size", "100000"], "needs about"),
    "f-peak-negative": (["--f-peak", "-1"], "--f-peak -1"),
    "f-peak-nan": (["--f-peak", "nan"], "--f-peak nan"),
    "radius-zero": (["--radius", "0"], "--radius 0"),
    "burst-unknown": (["--burst", "square"], "--burst 'square'"),
}


@pytest.mark.parametrize("options, words", RUN_VALUES.values(), ids=RUN_VALUES.keys())
def test_bad_run_value_is_refused_before_anything_is_written(workdir, options, words):
    before = snapshot(workdir)
    assert_refused(cli("run", *options, "-o", workdir / "out.h5"), words)
    assert snapshot(workdir) == before  # no result, no data directory, no scaffold


def test_size_100000_names_the_estimate(workdir):
    outcome = cli("scaffold", "build", "--size", "100000")
    assert_refused(outcome, "--size 100000", "needs about", "GiB", "available")
    assert not (workdir / "data").exists()


LIBRARY_VALUES = {
    "timestep-zero": ({"timestep": 0.0}, "--timestep"),
    "timestep-nan": ({"timestep": float("nan")}, "--timestep"),
    "timestep-too-fine": ({"timestep": 1e-6}, "--timestep"),
    "kernel-seed-zero": ({"kernel_seed": 0}, "--kernel-seed"),
    "threads-float": ({"threads": 1.5}, "--threads"),
    "threads-bool": ({"threads": True}, "--threads"),
}


@pytest.mark.parametrize("change, option", LIBRARY_VALUES.values(), ids=LIBRARY_VALUES.keys())
def test_values_without_a_cli_option_are_checked_too(change, option):
    with pytest.raises(RunValueError, match=option):
        check_run(RunSpec(**change))


def _directory_at_output(tmp: Path) -> list[str]:
    (tmp / "out.h5").mkdir()
    return ["-o", str(tmp / "out.h5")]


def _output_is_scaffold_input(tmp: Path) -> list[str]:
    (tmp / "scaffold.h5").write_bytes(b"a scaffold")
    return ["--scaffold", str(tmp / "scaffold.h5"), "-o", str(tmp / "scaffold.h5")]


def _output_is_stimulus_input(tmp: Path) -> list[str]:
    (tmp / "trains.h5").write_bytes(b"trains")
    return ["--stimulus", str(tmp / "trains.h5"), "-o", str(tmp / "./trains.h5")]


def _parent_is_a_file(tmp: Path) -> list[str]:
    (tmp / "notes.txt").write_text("x")
    return ["-o", str(tmp / "notes.txt" / "out.h5")]


def _output_directory_is_a_file(tmp: Path) -> list[str]:
    (tmp / "results").write_text("x")
    return ["-o", str(tmp / "results")]


def _unwritable_parent(tmp: Path) -> list[str]:
    return ["-o", str(read_only_directory(tmp) / "out.h5")]


OUTPUTS = {
    "directory-at-output": (_directory_at_output, "is a directory"),
    "output-is-the-scaffold": (_output_is_scaffold_input, "is also an input"),
    "output-is-the-stimulus": (_output_is_stimulus_input, "is also an input"),
    "parent-is-a-file": (_parent_is_a_file, "is not a directory"),
    "output-dir-is-a-file": (_output_directory_is_a_file, "is not a directory"),
    "unwritable-parent": (_unwritable_parent, "is not writable"),
}


@pytest.mark.parametrize("arrange, words", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_bad_output_is_refused_before_building(workdir, arrange, words):
    options = arrange(workdir)
    before = snapshot(workdir)
    assert_refused(cli("run", "--duration", "10", *options), "--output", words)
    assert snapshot(workdir) == before


def test_scaffold_build_output_directory_is_refused(workdir):
    (workdir / "s.hdf5").mkdir()
    before = snapshot(workdir)
    assert_refused(
        cli("scaffold", "build", "--size", "50", "-o", workdir / "s.hdf5"),
        "--output",
        "is a directory",
    )
    assert snapshot(workdir) == before


READ_ONLY_DATA = {
    "scaffold-build": ["scaffold", "build", "--size", "50"],
    "uncached-run": ["run", "--size", "50", "--duration", "10", "-o", "{tmp}/out.h5"],
    "verify": ["verify", "--quick"],
    "fetch": ["fetch", "400x400_stimulus_3.npz", "--from", "{tmp}"],
}


@pytest.mark.parametrize("args", READ_ONLY_DATA.values(), ids=READ_ONLY_DATA.keys())
def test_read_only_data_directory_is_one_clear_error(tmp_path, monkeypatch, args):
    data = read_only_directory(tmp_path)
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(data))
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    outcome = cli(*(a.format(tmp=tmp_path) for a in args))
    assert_refused(outcome, str(data), "not writable")
    assert snapshot(tmp_path) == before


def test_files_honour_the_umask(tmp_path):
    from test_bad_inputs_results import make_result

    old = os.umask(0o027)
    try:
        path = write_result(make_result(), tmp_path / "r.h5")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640
    old = os.umask(0o022)
    try:
        path = write_result(make_result(), tmp_path / "s.h5")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def _fake_run(spec: RunSpec, output: Path, events=None):
    """What run_experiment would write for ``spec``, without a simulator."""
    import dataclasses

    from test_bad_inputs_results import make_result

    result = make_result()
    result.provenance["spec"] = {
        k: v for k, v in dataclasses.asdict(spec).items() if k != "protocol"
    }
    write_result(result, output)
    return result, output


def test_tampered_cached_run_is_run_again_and_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    spec = RunSpec(size=100.0, duration=10.0, record_v="none")
    calls = []
    monkeypatch.setattr(cache, "run_experiment", lambda *a: calls.append(a) or _fake_run(*a))
    path, reused = cache.cached_run(spec)
    assert (reused, len(calls)) == (False, 1)
    assert cache.cached_run(spec) == (path, True) and len(calls) == 1

    import h5py

    with h5py.File(path, "a") as f:  # one spike moved by 0.1 ms, as in the probe
        times = f["spikes/granule/times"][()]
        times[2] += 0.1
        f["spikes/granule/times"][...] = times
    stale = path.with_name(f".{path.name}.abc123.h5.part")
    stale.write_bytes(b"left by a killed run")
    with pytest.warns(UserWarning, match=str(path)):
        again, reused = cache.cached_run(spec)
    assert (again, reused, len(calls)) == (path, False, 2)
    assert read_result(path).spikes["granule"].times[2] == 2.5  # replaced by a verified file
    assert not stale.exists()  # cleaned under the lock


def test_cached_run_recording_another_spec_is_not_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    spec = RunSpec(size=100.0, duration=10.0, record_v="none")
    other = RunSpec(size=100.0, duration=10.0, record_v="none", threads=2)
    path = cache.cached_run_path(spec)
    _fake_run(other, path)  # a valid file under the wrong name
    calls = []
    monkeypatch.setattr(cache, "run_experiment", lambda *a: calls.append(a) or _fake_run(*a))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache.cached_run(spec) == (path, False)
    assert len(calls) == 1 and "threads 2, not 1" in str(caught[0].message)
