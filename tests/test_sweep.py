"""Sweeps on a local Dask cluster of 2 workers: same spikes as runs alone, nothing lost or rerun.

Small NEST networks (100 um scaffold) with the burst moved early (50-100 ms of 150 ms runs),
so that each point differs and costs seconds. Each "run alone" is a fresh interpreter that
calls ``run_experiment`` directly (no cache, no Dask).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from cerebrepro.cli.main import typer_app
from cerebrepro.results.io import read_result
from cerebrepro.sweep.cluster import ClusterOptions
from cerebrepro.sweep.run import sweep
from cerebrepro.sweep.spec import read_sweep, spec_to_json
from cerebrepro.sweep.table import read_table

pytestmark = [pytest.mark.nest, pytest.mark.slow]

BASE = "base: {simulator: nest, size: 100, duration: 150, start: 50, stop: 100, record_v: none}\n"
TWO = ClusterOptions(workers=2)
ALONE = (
    "import sys; from pathlib import Path; from cerebrepro.pipeline.run import run_experiment; "
    "from cerebrepro.sweep.spec import spec_from_json; "
    "run_experiment(spec_from_json(sys.argv[1]), Path(sys.argv[2]))"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def digests_alone(specs: list, directory: Path) -> list[str]:
    """The spike digest of each spec run alone, two interpreters at a time."""
    paths = [directory / f"alone-{i}.h5" for i in range(len(specs))]
    for pair in range(0, len(specs), 2):
        children = [
            subprocess.Popen([sys.executable, "-c", ALONE, spec_to_json(s), str(p)])
            for s, p in zip(specs[pair : pair + 2], paths[pair : pair + 2], strict=True)
        ]
        assert [c.wait() for c in children] == [0] * len(children)
    return [read_result(p, analog=False).spike_digest() for p in paths]


def test_a_2x2_sweep_gives_the_runs_alone_and_a_second_one_reruns_nothing(
    data_dir: Path, tmp_path: Path
) -> None:
    spec_file = write(
        tmp_path / "grid.yaml", BASE + "grid: {f_peak: [50, 150], radius: [40, 70]}\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        typer_app, ["sweep", str(spec_file), "-o", str(out), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "4 points (4 ran, 0 reused, 0 failed)" in result.output
    table = read_table(out / "sweep.csv")
    assert len(table) == 4 * 7  # 4 points x 7 populations (the glomeruli too)
    by_point = {int(r["point"]): r["spike_digest"] for r in table}
    alone = digests_alone([p.spec for p in read_sweep(spec_file)], tmp_path)
    assert [by_point[i] for i in range(4)] == alone
    assert len(set(alone)) == 4  # every point's stimulus differs

    files = {Path(r["path"]): Path(r["path"]).stat().st_mtime_ns for r in table}
    again = sweep(spec_file, out, TWO)
    assert [o.status for o in again.outcomes] == ["reused"] * 4
    assert [o.spike_digest for o in again.outcomes] == alone
    assert {p: p.stat().st_mtime_ns for p in files} == files  # no result rewritten
    assert read_table(out / "sweep.csv") == [
        {**row, "status": "reused", "seconds": "0.0"} for row in table
    ]


class KillOneWorker:
    """Kill (SIGKILL) the Dask worker running the first point process seen, once."""

    def __init__(self) -> None:
        self.killed: list[int] = []
        self.orphans: list[psutil.Process] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self) -> None:
        me = psutil.Process()
        while not self.stop.is_set() and not self.killed:
            for child in me.children(recursive=True):
                try:
                    if "cerebrepro.sweep.point" in " ".join(child.cmdline()):
                        time.sleep(2.0)  # mid-run: past start-up, inside the build
                        self.orphans.append(child)
                        worker = child.parent()
                        os.kill(worker.pid, signal.SIGKILL)
                        self.killed.append(worker.pid)
                        return
                except psutil.Error:
                    continue
            time.sleep(0.2)


def test_a_worker_killed_mid_sweep_loses_no_point(data_dir: Path, tmp_path: Path) -> None:
    spec_file = write(tmp_path / "seeds.yaml", BASE + "grid: {stimulus_seed: [101, 102]}\n")
    killer = KillOneWorker()
    killer.thread.start()
    try:
        result = sweep(spec_file, tmp_path / "out", TWO)
    finally:
        killer.stop.set()
        killer.thread.join()
    assert len(killer.killed) == 1
    assert [o.status for o in result.outcomes] == ["ran", "ran"]
    # the killed worker's point process died with it, and its point ran a second time
    assert all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in killer.orphans)
    logs = sorted(p.name for p in (tmp_path / "out" / "logs").glob("point-*.log"))
    assert len(logs) == 3 and sum(".attempt-2." in name for name in logs) == 1
    assert [o.spike_digest for o in result.outcomes] == digests_alone(
        [p.spec for p in result.points], tmp_path
    )


def test_a_failing_point_is_retried_once_and_reported_while_the_others_finish(
    data_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-scaffold.hdf5"
    spec_file = write(
        tmp_path / "points.yaml",
        BASE + f"points:\n  - {{stimulus_seed: 103}}\n  - {{scaffold: '{missing}'}}\n",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        typer_app, ["sweep", str(spec_file), "-o", str(out), "--workers", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "2 points (1 ran, 0 reused, 1 failed)" in result.output
    rows = read_table(out / "sweep.csv")
    assert {r["status"] for r in rows if r["point"] == "0"} == {"ran"}
    (failed,) = [r for r in rows if r["point"] == "1"]
    assert failed["status"] == "failed" and failed["population"] == ""
    assert failed["error"].startswith("PointError: point 1 exited with 1")
    assert "no-such-scaffold.hdf5" in failed["error"]
    attempts = sorted(p.name for p in (out / "logs").glob("point-0001.attempt-*.log"))
    assert attempts == ["point-0001.attempt-1.log", "point-0001.attempt-2.log"]
