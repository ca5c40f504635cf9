"""`cerebrepro fetch`: download the manifest's data files into the cache and verify them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cerebrepro.cli.app import app
from cerebrepro.data.fetch import cache_status, fetch, trusted_sha256
from cerebrepro.data.manifest import Entry, load_manifest
from cerebrepro.errors import FetchError


@app.command(
    "fetch",
    help="Download data files into the cache, verify their sha256 and show what the cache holds."
    "\n\nFiles land in the data directory ($CEREBREPRO_DATA_DIR or the user cache) under their "
    "manifest name, only after their checksum matched. A file with no published checksum "
    "(the scaffold) needs --accept-new once; its sha256 is then recorded and enforced.",
)
def fetch_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME",
            help="Files to fetch, by manifest name. Default: every file with a known checksum.",
            show_default=False,
        ),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            metavar="URL",
            help="Fetch from URL/NAME instead of the manifest's URLs (which are then not tried).",
        ),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="DIR",
            help="Copy DIR/NAME (a copy obtained elsewhere) instead of downloading; it is verified.",
            file_okay=False,
        ),
    ] = None,
    accept_new: Annotated[
        bool,
        typer.Option(
            "--accept-new",
            help="Accept a file with no published checksum; its sha256 is recorded and enforced later.",
        ),
    ] = False,
    all_files: Annotated[
        bool, typer.Option("--all", help="Fetch every file of the manifest.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a server before giving up on it.")
    ] = 30.0,
    retries: Annotated[int, typer.Option(help="Further attempts per URL after a failure.")] = 2,
) -> None:
    """Fetch the selected files, then print the cache status; failures are raised together."""
    console = Console()
    selected = _select(names or [], all_files, accept_new, console)
    failures = []
    for entry in selected:
        try:
            fetch(
                entry.name,
                mirror=mirror,
                from_dir=from_dir,
                accept_new=accept_new,
                timeout=timeout,
                retries=retries,
            )
        except FetchError as exc:
            failures.append(str(exc))
    console.print(_status_table({entry.name for entry in selected}))
    if failures:
        raise FetchError("\n".join(failures))


def _select(names: list[str], all_files: bool, accept_new: bool, console: Console) -> list[Entry]:
    """The entries to fetch; without NAMEs, those with a known checksum (others are reported)."""
    manifest = load_manifest()
    if names and all_files:
        raise FetchError("give NAMEs or --all, not both")
    if names:
        return [manifest.get(name) for name in names]
    if all_files:
        return list(manifest)
    selected = []
    for entry in manifest:
        if accept_new or trusted_sha256(entry) is not None:
            selected.append(entry)
        else:
            rebuild = (
                " or rebuild it offline (`cerebrepro scaffold build`)"
                if entry.kind == "scaffold"
                else ""
            )
            console.print(
                f"skipped {entry.name}: no published checksum; fetch it with "
                f"`cerebrepro fetch {entry.name} --accept-new`{rebuild}",
                highlight=False,
            )
    return selected


def _status_table(names: set[str]) -> Table:
    table = Table("name", "sha256")
    table.add_column("path", overflow="fold")
    for row in cache_status():
        if row["name"] in names:
            table.add_row(row["name"], _sha256_status(row), str(row["path"]))
    return table


def _sha256_status(row: dict) -> str:
    if not row["present"]:
        return "[red]missing[/]"
    if row["verified"]:
        return f"[green]verified[/] ({row['trust']}) {row['sha256_actual'][:12]}…"
    return f"[red]does not match[/] {row['sha256_actual'][:12]}…"
