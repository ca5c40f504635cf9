"""Rendering of scaffolds: the build's progress and the summary of a scaffold file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cerebrepro.cli.render.console import err_console, safe_text, wide_console


@contextmanager
def build_progress(total: int) -> Iterator[Callable[[str, int, int], None]]:
    """A transient bar over the build's stages on stderr; yields the builder's progress callback."""
    columns = (
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("building", total=total)

        def progress(stage: str, completed: int, total: int) -> None:
            bar.update(
                task,
                completed=completed,
                description="writing" if stage == "done" else safe_text(stage),
            )

        yield progress


def print_built(path: Path, built: bool, size: float, seed: int, elapsed: float) -> None:
    """How the scaffold came to be (built now, or already there), on stderr: stdout gets only its path."""
    if built:
        err_console.print(
            f"built {size:g} x {size:g} um, seed {seed} in {elapsed:.1f} s", highlight=False
        )
    else:
        err_console.print(f"already built: {safe_text(path)}", highlight=False)


def summary_tables(summary: Mapping[str, Any]) -> tuple[Table, Table]:
    """Cells per population; rows, pre -> post and degrees per projection."""
    cells = Table("population", "cells", title="populations")
    for name, n in summary["populations"].items():
        cells.add_row(safe_text(name), f"{n:,}")
    cells.add_row("total", f"{summary['n_cells']:,}", style="bold")
    rows = Table(
        "projection",
        "pre -> post",
        "rows",
        "out-degree",
        "in-degree",
        title="projections (* not simulated)",
        caption=safe_text(
            "degree: rows per cell, mean [min, max] over every cell of the population"
        ),
    )

    def degree(d: Mapping[str, Any]) -> str:
        return safe_text(f"{d['mean']:.2f} [{d['min']}, {d['max']}]")

    for name, p in summary["projections"].items():
        rows.add_row(
            safe_text(name if p["simulated"] else f"{name}*"),
            safe_text(f"{p['pre']} -> {p['post']}"),
            f"{p['rows']:,}",
            degree(p["out_degree"]),
            degree(p["in_degree"]),
        )
    rows.add_row("total", "", f"{summary['n_connections']:,}", style="bold")
    return cells, rows


def print_summary(summary: Mapping[str, Any]) -> None:
    """The tables, the file's and the connectivity's digests, and the file's attributes."""
    console = wide_console()
    for table in summary_tables(summary):
        console.print(table)
    console.print(f"file sha256:          {safe_text(summary['sha256'])}", highlight=False)
    console.print(
        f"connectivity digest:  {safe_text(summary['connectivity_digest'])}", highlight=False
    )
    for key, value in summary["attrs"].items():
        console.print(f"{safe_text(key)}: {safe_text(value)}", highlight=False)
