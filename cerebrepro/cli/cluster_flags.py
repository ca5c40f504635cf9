"""The scheduler flags of every command that runs many runs on Dask (sweep, reproduce, verify power).

A command decorated with :func:`with_cluster_flags` takes ``cluster: ClusterOptions``; the
decorator gives it the flags ``--workers``, ``--scheduler``, ``--slurm``, ``--pbs``,
``--queue``, ``--walltime``, ``--memory``, ``--image`` and ``--account``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

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


_FLAGS: dict[str, tuple[object, object]] = {  # parameter -> (annotation, default)
    "workers": (Workers, None),
    "scheduler": (Scheduler, None),
    "slurm": (Slurm, False),
    "pbs": (Pbs, False),
    "queue": (Queue, None),
    "walltime": (Walltime, "01:00:00"),
    "memory": (Memory, "4GB"),
    "image": (Image, None),
    "account": (Account, None),
}


def with_cluster_flags(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the scheduler flags added; it receives them as ``cluster``."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "cluster"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, (kind, default) in _FLAGS.items()
    ]

    def wrapper(**kwargs: Any) -> None:
        given = {name: kwargs.pop(name) for name in _FLAGS}
        command(**kwargs, cluster=cluster_options(**given))

    wrapper.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    wrapper.__doc__ = command.__doc__
    wrapper.__name__ = command.__name__
    return wrapper


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
