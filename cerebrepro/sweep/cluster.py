"""Where a sweep's points run: a local Dask cluster, an existing scheduler, or SLURM/PBS jobs.

By default a ``LocalCluster`` with one single-threaded worker process per core: a point is
one simulator process, so more threads per worker would only oversubscribe the cores.
``scheduler`` connects to a running Dask scheduler instead. ``jobqueue`` (slurm | pbs) starts
workers as batch jobs through dask-jobqueue, one single-core worker per job; with ``image``
every worker runs as ``apptainer exec IMAGE python``, so the points run in the project's
container. Workers of a jobqueue or a remote scheduler must see the same data directory
(a shared file system): each point's result is written there by the worker that ran it.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cerebrepro.data.cache import DATA_DIR_ENV, data_dir
from cerebrepro.errors import CerebreproError

JOBQUEUES = ("slurm", "pbs")
_FORWARDED = (DATA_DIR_ENV, "PYTHONPATH", "PYNEST_QUIET", "MPLBACKEND", "CEREBREPRO_BRIAN2_DIR")


@dataclass(frozen=True)
class ClusterOptions:
    """The scheduler options of ``cerebrepro sweep`` and ``reproduce``."""

    workers: int | None = None  # local: worker processes (default: one per core); jobqueue: jobs
    scheduler: str | None = None  # address of a running Dask scheduler
    jobqueue: str | None = None  # slurm | pbs
    queue: str | None = None  # the batch queue (partition)
    walltime: str = "01:00:00"  # of each worker job
    memory: str = "4GB"  # of each worker job
    image: str | None = None  # Apptainer image the workers run in
    account: str | None = None  # the batch account to charge

    def __post_init__(self) -> None:
        if self.jobqueue is not None and self.jobqueue not in JOBQUEUES:
            raise CerebreproError(
                f"unknown job queue {self.jobqueue!r}: choose {', '.join(JOBQUEUES)}"
            )
        if self.jobqueue is not None and self.scheduler is not None:
            raise CerebreproError("--scheduler and --slurm/--pbs exclude each other: choose one")
        if self.workers is not None and self.workers < 1:
            raise CerebreproError(f"--workers {self.workers}: give at least 1")

    def describe(self) -> str:
        if self.scheduler:
            return f"the Dask scheduler at {self.scheduler}"
        if self.jobqueue:
            where = f" in {self.image}" if self.image else ""
            jobs = self.jobs()
            return f"{jobs} {self.jobqueue.upper()} worker job{'s' if jobs != 1 else ''}{where}"
        workers = self.local_workers()
        return f"a local cluster of {workers} single-threaded worker{'s' if workers != 1 else ''}"

    def local_workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    def jobs(self) -> int:
        return self.workers or 1


def worker_python(options: ClusterOptions) -> str:
    """The worker command's interpreter: this Python, or the container's through Apptainer."""
    if options.image:
        return f"apptainer exec {shlex.quote(options.image)} python"
    return sys.executable


def jobqueue_cluster(options: ClusterOptions, log_directory: str) -> Any:
    """A dask-jobqueue cluster (no jobs submitted yet) for ``options.jobqueue``."""
    try:
        from dask_jobqueue import PBSCluster, SLURMCluster
    except ImportError:
        raise CerebreproError(
            "--slurm/--pbs need dask-jobqueue: pip install -e '.[sweep]'"
        ) from None
    environment = {DATA_DIR_ENV: str(data_dir()), **_environment()}
    kind = SLURMCluster if options.jobqueue == "slurm" else PBSCluster
    return kind(
        cores=1,
        processes=1,
        memory=options.memory,
        queue=options.queue,
        account=options.account,
        walltime=options.walltime,
        python=worker_python(options),
        log_directory=log_directory,
        job_script_prologue=[f"export {k}={shlex.quote(v)}" for k, v in environment.items()],
        scheduler_options={"dashboard_address": ":0"},  # any free port
    )


def _environment() -> dict[str, str]:
    return {name: os.environ[name] for name in _FORWARDED if name in os.environ}


@contextmanager
def connect(options: ClusterOptions, log_directory: str) -> Iterator[Any]:
    """A Dask client on the cluster ``options`` names; a cluster started here is closed after."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CerebreproError("sweeps need Dask: pip install -e '.[sweep]'") from None
    if options.scheduler:
        with Client(options.scheduler) as client:
            yield client
        return
    if options.jobqueue:
        cluster = jobqueue_cluster(options, log_directory)
        cluster.scale(jobs=options.jobs())
    else:
        cluster = LocalCluster(
            n_workers=options.local_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: several clusters may run at once
            silence_logs=logging.ERROR,
        )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()
