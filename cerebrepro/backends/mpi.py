"""Running under ``mpirun``/``srun``: one rank prepares data, all simulate, rank 0 writes.

NEST distributes neurons over MPI processes when it was built with MPI (the PyPI wheel was
not; see docs/hpc.md). mpi4py is optional: without it, or with one process, every helper
here is a no-op.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from cerebrepro.errors import SimulatorError


@functools.cache
def world() -> Any | None:
    """The MPI world communicator when this process is one of several, else None."""
    try:
        from mpi4py import MPI
    except ImportError:
        return None
    comm = MPI.COMM_WORLD
    return comm if comm.Get_size() > 1 else None


def rank() -> int:
    comm = world()
    return comm.Get_rank() if comm is not None else 0


def size() -> int:
    comm = world()
    return comm.Get_size() if comm is not None else 1


def is_root() -> bool:
    return rank() == 0


@contextlib.contextmanager
def root_first() -> Iterator[None]:
    """Rank 0 runs the body first (fetching, building caches); the others wait, then run it."""
    comm = world()
    if comm is None:
        yield
        return
    if comm.Get_rank() != 0:
        comm.Barrier()
    try:
        yield
    finally:
        if comm.Get_rank() == 0:
            comm.Barrier()


def launched_processes() -> int:
    """How many processes the launcher started (from mpi4py, or OpenMPI/PMI variables without it)."""
    if world() is not None:
        return size()
    for variable in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"):
        value = os.environ.get(variable, "")
        if value.isdigit():
            return int(value)
    return 1


def check_simulator_processes(simulator_processes: int) -> None:
    """Refuse to run K independent copies when the simulator itself is not MPI-parallel."""
    launched = launched_processes()
    if launched > 1 and simulator_processes != launched:
        raise SimulatorError(
            f"started as {launched} MPI processes, but the simulator sees {simulator_processes}: this "
            "NEST was built without MPI (the PyPI wheel never has it). Use the Apptainer image "
            "(apptainer.def builds NEST with MPI) or run without mpirun and use --threads."
        )


def gather_concatenated(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Concatenate each array over all ranks; the full arrays on rank 0, empty ones elsewhere."""
    comm = world()
    if comm is None:
        return arrays
    gathered = comm.gather(arrays, root=0)
    if comm.Get_rank() != 0:
        return tuple(a[:0] for a in arrays)
    return tuple(np.concatenate([part[i] for part in gathered]) for i in range(len(arrays)))
