"""Starting NEST through PyNN, quietly, and what the NEST kernel says about itself.

Two library notices used to print at every start, neither of which a user can act on:

- PyNN tries to compile its own NEST extensions (native models this project never uses)
  whenever ``nest.Install("pynn_extensions")`` fails: with ``nest-config`` on ``PATH`` (an
  activated virtual environment) it runs cmake on every start (~8 s, and fails against the
  PyPI wheel); without it, it warns "Cannot find nest-config". Hiding ``nest-config`` from
  PyNN while it is imported skips both.
- NEST 3.10 marks calls PyNN 0.13 makes (``set_verbosity`` at import, ``SetStatus`` while
  building) as deprecated. Those notices (all from ``nest.lib.hl_api_helper``) are ignored
  from the moment the backend starts NEST.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
import warnings
from collections.abc import Iterator
from types import ModuleType

from cerebrepro.backends import mpi
from cerebrepro.backends.contract import Facts

MAX_DELAY = 20.0  # ms, the longest delay a network may use (NEST's delay buffers are sized for it)
BUILD_FACTS = ("version", "have_mpi", "have_threads", "threads_model", "have_gsl")


@contextlib.contextmanager
def _quiet_start() -> Iterator[None]:
    """Import PyNN's NEST without its extension build and NEST's deprecation notices."""
    os.environ.setdefault("PYNEST_QUIET", "1")  # no NEST banner
    warnings.filterwarnings("ignore", category=UserWarning, module=r"nest\.lib\.hl_api_helper")
    import pyNN.core

    find = pyNN.core.find
    pyNN.core.find = lambda command: "" if command == "nest-config" else find(command)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Cannot find nest-config", category=UserWarning
            )
            yield
    finally:
        pyNN.core.find = find


def import_nest() -> ModuleType:
    """The ``nest`` module, imported without its banner."""
    os.environ.setdefault("PYNEST_QUIET", "1")
    return importlib.import_module("nest")


def setup(timestep: float, threads: int, seed: int) -> ModuleType:
    """Reset NEST and set it up through PyNN: spikes on the grid, fixed seed and threads.

    ``min_delay`` is one time step (the shortest delay a description may use), ``max_delay``
    :data:`MAX_DELAY`. Returns ``pyNN.nest``.
    """
    refuse_launcher_without_mpi()
    with _quiet_start():
        sim = importlib.import_module("pyNN.nest")
        sim.setup(
            timestep=timestep,
            min_delay=timestep,
            max_delay=MAX_DELAY,
            spike_precision="on_grid",
            threads=threads,
            rng_seed=seed,
            verbosity="error",
        )
    return sim


def refuse_launcher_without_mpi() -> None:
    """Under mpirun, stop before importing a NEST that cannot use MPI (NEST would abort)."""
    try:
        importlib.metadata.version("nest-simulator")  # only the PyPI wheel registers itself
    except importlib.metadata.PackageNotFoundError:
        return
    mpi.check_simulator_processes(1)


def build_facts() -> Facts:
    """Version and build capabilities (MPI, OpenMP, GSL) of the installed NEST (no network is made)."""
    refuse_launcher_without_mpi()
    build = import_nest().GetKernelStatus().get("build_info", {})
    return {key: build.get(key) for key in BUILD_FACTS}


def kernel_facts() -> Facts:
    """Build capabilities plus what this run's kernel uses: threads, processes, this rank."""
    status = import_nest().GetKernelStatus()
    build = status.get("build_info", {})
    return {
        "version": build.get("version"),
        "local_num_threads": status.get("local_num_threads"),
        "num_processes": status.get("num_processes"),
        "mpi_rank": status.get("mpi_rank"),
        **{key: build.get(key) for key in BUILD_FACTS if key != "version"},
    }
