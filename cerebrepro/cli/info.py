"""`cerebrepro info`: versions, NEST capabilities, the data cache and what it holds."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cerebrepro.cli.app import app
from cerebrepro.data.cache import DATA_DIR_ENV, data_dir
from cerebrepro.data.fetch import cache_status
from cerebrepro.results.provenance import machine, package_versions


def nest_capabilities() -> dict[str, Any]:
    """NEST's build facts (threads, MPI, GSL) and available cores, or why NEST is unavailable."""
    try:
        from cerebrepro.simulate.nest import kernel_facts

        os.environ.setdefault("PYNEST_QUIET", "1")
        return {"available": True, **kernel_facts()}
    except Exception as exc:  # any import or kernel failure is a fact to report
        return {"available": False, "error": f"{type(exc).__name__}: {exc}"}


def spinnaker_settings() -> dict[str, Any] | None:
    """The SpiNNaker machine settings a run would use (None when sPyNNaker is not installed).

    The settings module imports without sPyNNaker, so its installed version decides.
    """
    from cerebrepro.simulate.spinnaker_config import describe_settings, spynnaker_version

    if spynnaker_version() is None:
        return None
    return describe_settings()


def gather_info() -> dict[str, Any]:
    """Everything `cerebrepro info` reports, as plain data."""
    return {
        "versions": package_versions(),
        "nest": nest_capabilities(),
        "spinnaker": spinnaker_settings(),
        "machine": machine(),
        "data_dir": str(data_dir()),
        "data_dir_from": DATA_DIR_ENV if os.environ.get(DATA_DIR_ENV) else "platform cache directory",
        "cache": [
            {k: (str(v) if k == "path" else v) for k, v in row.items() if k != "sha256_expected"}
            for row in cache_status()
        ],
    }


@app.command()
def info(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Versions, NEST threads/MPI capability, the data cache and which files are cached and verified."""
    facts = gather_info()
    if as_json:
        typer.echo(json.dumps(facts, indent=2, default=str))
        return
    console = Console()
    versions = Table(title="software", title_justify="left", show_header=False)
    for name, version in facts["versions"].items():
        versions.add_row(name, version or "[dim]not installed[/]")
    console.print(versions)
    nest = facts["nest"]
    if nest["available"]:
        console.print(
            f"NEST {nest['version']}: threads {'yes (' + str(nest['threads_model']) + ')' if nest['have_threads'] else 'no'}, "
            f"MPI {'yes' if nest['have_mpi'] else 'no (the PyPI wheel has none; see docs/hpc.md)'}, "
            f"GSL {'yes' if nest['have_gsl'] else 'no'}; cores here: {facts['machine']['cpu_count']}"
        )
    else:
        console.print(f"NEST unavailable: {nest['error']}")
    if facts["spinnaker"] is not None:
        console.print(f"SpiNNaker: {facts['spinnaker']}")
    console.print(f"data directory: {facts['data_dir']} (from {facts['data_dir_from']})")
    cache = Table(title="data files", title_justify="left")
    for column in ("name", "kind", "cached", "verified", "trust"):
        cache.add_column(column)
    for row in facts["cache"]:
        cache.add_row(
            row["name"],
            row["kind"],
            "yes" if row["present"] else "no",
            "[green]yes[/]" if row["verified"] else ("[red]NO[/]" if row["present"] else "-"),
            row["trust"],
        )
    console.print(cache)
