"""Rendering of the data cache: which files it holds and whether each matched its checksum."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.table import Table

from cerebrepro.cli.render.console import console, safe_text
from cerebrepro.data.manifest import Entry


def print_skipped(entries: Iterable[Entry]) -> None:
    """Why each file with no published checksum was not fetched, and how to fetch (or rebuild) it."""
    for entry in entries:
        rebuild = (
            " or rebuild it offline (`cerebrepro scaffold build`)"
            if entry.kind == "scaffold"
            else ""
        )
        console.print(
            f"skipped {safe_text(entry.name)}: no published checksum; fetch it with "
            f"`cerebrepro fetch {safe_text(entry.name)} --accept-new`{rebuild}",
            highlight=False,
        )


def status_table(rows: Iterable[Mapping[str, Any]], names: set[str]) -> Table:
    """The named files of ``cache_status()``: checksum status and path."""
    table = Table("name", "sha256")
    table.add_column("path", overflow="fold")
    for row in rows:
        if row["name"] in names:
            table.add_row(safe_text(row["name"]), _sha256_status(row), safe_text(row["path"]))
    return table


def print_status(rows: Iterable[Mapping[str, Any]], names: set[str]) -> None:
    console.print(status_table(rows, names))


def _sha256_status(row: Mapping[str, Any]) -> str:
    if not row["present"]:
        return "[red]missing[/]"
    actual = safe_text(row["sha256_actual"][:12])
    if row["verified"]:
        return f"[green]verified[/] ({safe_text(row['trust'])}) {actual}…"
    return f"[red]does not match[/] {actual}…"


def cache_table(rows: Iterable[Mapping[str, Any]]) -> Table:
    """Every manifest file: kind, cached, verified and how it is trusted (``cerebrepro info``)."""
    table = Table(title="data files", title_justify="left")
    for column in ("name", "kind", "cached", "verified", "trust"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            safe_text(row["name"]),
            safe_text(row["kind"]),
            "yes" if row["present"] else "no",
            "[green]yes[/]" if row["verified"] else ("[red]NO[/]" if row["present"] else "-"),
            safe_text(row["trust"]),
        )
    return table
