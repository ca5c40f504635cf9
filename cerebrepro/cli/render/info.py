"""Rendering of ``cerebrepro info``: software versions, each backend's facts, the data cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from cerebrepro.cli.render.console import console, safe_text
from cerebrepro.cli.render.data import cache_table
from cerebrepro.cli.render.runs import facts_table


def versions_table(versions: Mapping[str, str | None]) -> Table:
    table = Table(title="software", title_justify="left", show_header=False)
    for name, version in versions.items():
        table.add_row(safe_text(name), safe_text(version) if version else "[dim]not installed[/]")
    return table


def print_info(facts: Mapping[str, Any]) -> None:
    """The tables of :func:`cerebrepro.pipeline.info.gather_info`'s facts, one after another."""
    console.print(versions_table(facts["versions"]))
    for name, entry in facts["backends"].items():
        console.print(facts_table(f"{name} backend", entry))
    console.print(
        f"data directory: {safe_text(facts['data_dir'])} (from {safe_text(facts['data_dir_from'])})"
    )
    console.print(cache_table(facts["cache"]))
