"""The SLURM path: the generated worker job script, and a 2-point sweep on a real one-node SLURM.

The cluster is Debian's slurm-wlm and munge, configured here in a temporary directory: a
private munge daemon (own key and socket), slurmctld and slurmd in the foreground on free
ports, no cgroup plugins (proctrack/linuxproc, task/none). Every daemon started is stopped
by its pid, also when the test fails. Skipped, saying why, without slurm-wlm and munge or
when not root (SlurmUser=root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cerebrepro.sweep.cluster import ClusterOptions, jobqueue_cluster
from cerebrepro.sweep.run import sweep

DAEMONS = ("munged", "munge", "slurmctld", "slurmd", "sbatch", "sinfo")


def test_the_worker_job_script_runs_one_single_core_worker_in_the_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    options = ClusterOptions(
        workers=3,
        jobqueue="slurm",
        queue="debug",
        walltime="00:30:00",
        memory="3GB",
        image="/images/cerebrepro.sif",
        account="proj42",
    )
    cluster = jobqueue_cluster(options, str(tmp_path / "jobs"))
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    lines = script.splitlines()
    for directive in (
        "-p debug",
        "-A proj42",
        "-n 1",
        "--cpus-per-task=1",
        "--mem=3G",
        "-t 00:30:00",
    ):
        assert f"#SBATCH {directive}" in lines, script
    assert f"export CEREBREPRO_DATA_DIR={tmp_path / 'data'}" in lines
    (command,) = [line for line in lines if "distributed.cli.dask_worker" in line]
    assert command.startswith(
        "apptainer exec /images/cerebrepro.sif python -m distributed.cli.dask_worker"
    )
    assert "--nthreads 1 " in command and "--nanny" in command  # one single-threaded worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


def _slurm_missing() -> str | None:
    absent = [name for name in DAEMONS if shutil.which(name) is None]
    if absent:
        return f"needs slurm-wlm and munge ({', '.join(absent)} not found): apt-get install -y slurm-wlm munge"
    if os.geteuid() != 0:
        return "the one-node SLURM runs its daemons as root (SlurmUser=root)"
    return None


def _slurm_conf(folder: Path, host: str, munge_socket: Path) -> str:
    return "\n".join(
        [
            f"ClusterName=sweeptest{os.getpid()}",
            f"SlurmctldHost={host}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={munge_socket}",
            f"SlurmctldPort={_free_port()}",
            f"SlurmdPort={_free_port()}",
            f"StateSaveLocation={folder / 'state'}",
            f"SlurmdSpoolDir={folder / 'spool'}",
            f"SlurmctldPidFile={folder / 'slurmctld.pid'}",
            f"SlurmdPidFile={folder / 'slurmd.pid'}",
            f"SlurmctldLogFile={folder / 'slurmctld.log'}",
            f"SlurmdLogFile={folder / 'slurmd.log'}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "MpiDefault=none",
            "ReturnToService=2",
            f"NodeName={host} CPUs=2 RealMemory=20000 State=UNKNOWN",
            f"PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP",
            "",
        ]
    )


@pytest.fixture
def one_node_slurm(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A running one-node SLURM (its own munge, slurmctld and slurmd); stopped by pid after."""
    reason = _slurm_missing()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("slurm")
    folder.chmod(0o700)
    for sub in ("state", "spool"):
        (folder / sub).mkdir()
    key = folder / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    munge_socket = folder / "munge.sock"
    host = socket.gethostname().split(".")[0]
    conf = folder / "slurm.conf"
    conf.write_text(_slurm_conf(folder, host, munge_socket))
    monkeypatch.setenv("SLURM_CONF", str(conf))
    started: list[subprocess.Popen] = []
    try:
        started.append(_start(folder, "munged", "munged", "-F", "--force", f"--socket={munge_socket}",
                              f"--key-file={key}", f"--log-file={folder / 'munged.log'}",
                              f"--pid-file={folder / 'munged.pid'}", f"--seed-file={folder / 'munged.seed'}"))  # fmt: skip
        _wait_for(lambda: munge_socket.exists(), "munged's socket", folder)
        started.append(_start(folder, "slurmctld", "slurmctld", "-D", "-f", str(conf)))
        started.append(_start(folder, "slurmd", "slurmd", "-D", "-f", str(conf)))
        _wait_for(lambda: _idle(host), f"node {host} idle in sinfo", folder)
        yield folder
    finally:
        subprocess.run(["scancel", "--user", "root"], capture_output=True, check=False)
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _start(folder: Path, name: str, *command: str) -> subprocess.Popen:
    with (folder / f"{name}.out").open("w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _idle(host: str) -> bool:
    shown = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %t"], capture_output=True, text=True)
    return shown.returncode == 0 and f"{host} idle" in shown.stdout


def _wait_for(condition, what: str, folder: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    logs = {p.name: p.read_text()[-600:] for p in folder.glob("*.log")}
    logs.update({p.name: p.read_text()[-600:] for p in folder.glob("*.out")})
    raise AssertionError(f"no {what} after {timeout:g} s: {logs}")


@pytest.mark.slow
@pytest.mark.nest
def test_a_two_point_sweep_runs_as_slurm_jobs(
    one_node_slurm: Path, data_dir: Path, tmp_path: Path
) -> None:
    spec_file = tmp_path / "slurm.yaml"
    spec_file.write_text(
        "base: {simulator: nest, size: 100, duration: 150, start: 50, stop: 100, record_v: none}\n"
        "grid: {stimulus_seed: [201, 202]}\n"
    )
    options = ClusterOptions(
        workers=2, jobqueue="slurm", queue="debug", walltime="00:20:00", memory="2GB"
    )
    result = sweep(spec_file, tmp_path / "out", options)
    assert [o.status for o in result.outcomes] == ["ran", "ran"], [o.error for o in result.outcomes]
    assert len({o.spike_digest for o in result.outcomes}) == 2
    jobs = list((tmp_path / "out" / "logs" / "jobs").glob("*.err"))
    assert jobs, "the workers' SLURM job logs"
