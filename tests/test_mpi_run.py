"""An MPI-parallel NEST run gives the same spikes as a single process (needs an MPI NEST).

Set CEREBREPRO_MPI_PYTHON to the Python of an environment whose NEST was built with MPI
(see docs/hpc.md: the Apptainer image, or a source build) to run it; skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cerebrepro.results.io import read_result

MPI_PYTHON = os.environ.get("CEREBREPRO_MPI_PYTHON")

pytestmark = [
    pytest.mark.nest,
    pytest.mark.skipif(
        not MPI_PYTHON or not shutil.which("mpirun"), reason="no MPI-enabled NEST configured"
    ),
]


def run(arguments: list[str], data_dir: Path) -> None:
    env = dict(os.environ, CEREBREPRO_DATA_DIR=str(data_dir), PYNEST_QUIET="1")
    subprocess.run(arguments, env=env, check=True, capture_output=True, timeout=900)


def test_two_processes_match_one(tmp_path):
    command = [MPI_PYTHON, "-m", "cerebrepro.cli.main", "run", "--size", "100", "--duration", "200"]
    run([*command, "-o", str(tmp_path / "one.h5")], tmp_path)
    mpirun = ["mpirun", "-n", "2", "--oversubscribe"] + (
        ["--allow-run-as-root"] if os.geteuid() == 0 else []
    )
    run([*mpirun, *command, "-o", str(tmp_path / "two.h5")], tmp_path)
    one, two = read_result(tmp_path / "one.h5"), read_result(tmp_path / "two.h5")
    assert two.provenance["backend"]["num_processes"] == 2
    assert one.spike_digest() == two.spike_digest()
    assert list(tmp_path.glob("*.h5")) and not list(tmp_path.glob("*.part"))
