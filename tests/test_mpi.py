"""MPI helpers without MPI: single-process behaviour and the refusal of unparallel NEST."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.backends import mpi
from cerebrepro.errors import SimulatorError


def test_single_process_helpers_are_no_ops():
    assert mpi.size() == 1 and mpi.rank() == 0 and mpi.is_root()
    a, b = np.arange(3), np.ones(2)
    assert mpi.gather_concatenated(a, b) == (a, b)
    with mpi.root_first():
        pass


def test_mpirun_with_a_nest_without_mpi_is_refused(monkeypatch):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    with pytest.raises(SimulatorError, match="built without MPI"):
        mpi.check_simulator_processes(1)
    mpi.check_simulator_processes(2)
