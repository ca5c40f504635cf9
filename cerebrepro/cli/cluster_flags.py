"""The scheduler flags of every command that runs many runs on Dask (sweep, reproduce, verify power).

A command decorated with :func:`with_cluster_flags` takes ``cluster: ClusterOptions``; the
decorator gives it the flags ``--workers``, ``--scheduler``, ``--slurm``, ``--pbs``,
``--queue``, ``--walltime``, ``--memory``, ``--image`` and ``--account``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cerebrepro.cli.flag_groups import Flag, with_flags
from cerebrepro.errors import CerebreproError
from cerebrepro.sweep.cluster import ClusterOptions

_PANEL = "Scheduler (Dask)"
Workers = Annotated[
    int | None,
    typer.Option(
        help="Workers: local processes (default one per core) or, with --slurm/--pbs, batch jobs (default 1).",
        rich_help_panel=_PANEL,
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Address of a running Dask scheduler (tcp://host:8786).", rich_help_panel=_PANEL
    ),
]
Slurm = Annotated[
    bool, typer.Option("--slurm", help="Start the workers as SLURM jobs.", rich_help_panel=_PANEL)
]
Pbs = Annotated[
    bool, typer.Option("--pbs", help="Start the workers as PBS jobs.", rich_help_panel=_PANEL)
]
Queue = Annotated[
    str | None,
    typer.Option(help="Batch queue (partition) of the worker jobs.", rich_help_panel=_PANEL),
]
Walltime = Annotated[
    str, typer.Option(help="Wall time of each worker job (HH:MM:SS).", rich_help_panel=_PANEL)
]
Memory = Annotated[str, typer.Option(help="Memory of each worker job.", rich_help_panel=_PANEL)]
Image = Annotated[
    str | None,
    typer.Option(
        help="Apptainer image the worker jobs run in (apptainer exec IMAGE python).",
        rich_help_panel=_PANEL,
    ),
]
Account = Annotated[
    str | None, typer.Option(help="Batch account of the worker jobs.", rich_help_panel=_PANEL)
]


def cluster_options(
    workers: int | None,
    scheduler: str | None,
    slurm: bool,
    pbs: bool,
    queue: str | None,
    walltime: str,
    memory: str,
    image: str | None,
    account: str | None,
) -> ClusterOptions:
    """The flags as :class:`ClusterOptions` (refusing --slurm with --pbs)."""
    if slurm and pbs:
        raise CerebreproError("--slurm and --pbs exclude each other: choose one")
    jobqueue = "slurm" if slurm else "pbs" if pbs else None
    return ClusterOptions(workers, scheduler, jobqueue, queue, walltime, memory, image, account)


CLUSTER_FLAGS = (
    Flag("workers", Workers),
    Flag("scheduler", Scheduler),
    Flag("slurm", Slurm, False),
    Flag("pbs", Pbs, False),
    Flag("queue", Queue),
    Flag("walltime", Walltime, "01:00:00"),
    Flag("memory", Memory, "4GB"),
    Flag("image", Image),
    Flag("account", Account),
)
with_cluster_flags = with_flags(CLUSTER_FLAGS, "cluster", cluster_options)
