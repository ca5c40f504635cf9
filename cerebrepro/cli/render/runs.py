"""Rendering of a run: its progress, its summary table, a mapping report, backend facts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cerebrepro.cli.render.console import console, safe_text
from cerebrepro.pipeline.spec import RunEvents
from cerebrepro.results.types import RunResult

if TYPE_CHECKING:
    from cerebrepro.pipeline.spinncer_archive import ImportedArchive


def phase_printer() -> RunEvents:
    """Progress that prints each phase on its own line."""
    return RunEvents(phase=lambda name: console.print(f"[dim]{safe_text(name)}[/]"))


def new_progress() -> Progress:
    """A transient progress display of bars over model time (ms); add one per run."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} ms"),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=console, transient=True)


def progress_events(progress: Progress, label: str | None, duration: float) -> RunEvents:
    """RunEvents that show a bar over model time labelled ``label: phase`` (the phase alone without a label)."""
    prefix = f"{safe_text(label)}: " if label else ""
    task = progress.add_task(safe_text(label) if label else "preparing", total=duration)

    def phase(name: str) -> None:
        progress.update(task, description=prefix + safe_text(name))

    def model_time(t: float, total: float) -> None:
        progress.update(task, completed=t, description=prefix + "simulate")

    return RunEvents(phase, model_time)


@contextmanager
def run_progress(duration: float, label: str | None = None) -> Iterator[RunEvents]:
    """One transient bar over model time while a run goes, with the current phase as its label."""
    with new_progress() as progress:
        yield progress_events(progress, label, duration)


def run_summary(result: RunResult, path: Path) -> None:
    """Cells, spikes and mean rate per population; synapses, wall times, digest and path."""
    p = result.provenance
    table = Table(
        title=f"{safe_text(p['simulator'])} run, {result.duration:g} ms", title_justify="left"
    )
    for column in ("population", "cells", "spikes", "mean rate (Hz)"):
        table.add_column(column, justify="right" if column != "population" else "left")
    for name, s in result.spikes.items():
        rate = s.n_spikes / s.size / (result.duration / 1000.0) if s.size else 0.0
        table.add_row(safe_text(name), f"{s.size:,}", f"{s.n_spikes:,}", f"{rate:.2f}")
    console.print(table)
    t = p["timings"]
    synapses = p.get("n_synapses")
    console.print(
        f"synapses {synapses:,}  " if synapses else "",
        f"build {t['build_s']:.1f} s  simulate {t['simulate_s']:.1f} s  write {t.get('write_s', 0.0):.1f} s  "
        f"peak memory {p['peak_memory_bytes'] / 2**30:.2f} GiB",
        sep="",
    )
    console.print(
        f"spike digest {safe_text(p['spike_digest'][:16])}  result [bold]{safe_text(path)}[/]"
    )


def mapping(report: dict) -> None:  # type: ignore[type-arg]
    """Cores and chips per population of a mapping report, the machine, and what it was."""
    table = Table(title="mapping", title_justify="left")
    for column in ("population", "cells", "neurons/core", "cores", "slices", "expected", "chips"):
        table.add_column(column, justify="left" if column == "population" else "right")
    for name, row in report.get("populations", {}).items():
        table.add_row(
            safe_text(name), f"{row['cells']:,}", safe_text(row["neurons_per_core"]), f"{row['cores']:,}",
            f"{row['slices']:,}", f"{row['expected_slices']:,}", safe_text(row["chips"]),
        )  # fmt: skip
    console.print(table)
    machine = report.get("machine")
    if isinstance(machine, dict):
        console.print(
            f"machine {safe_text(machine['width'])}x{safe_text(machine['height'])} ({safe_text(machine['boards'])} "
            f"boards, {safe_text(machine['chips'])} chips); chips with population cores {safe_text(report['chips_used'])}, "
            f"population cores {report['application_cores']:,}, all cores in use {report['cores_used']:,}; "
            f"system cores {safe_text(report['other_cores'])}",
            highlight=False,
        )
    if "note" in report:
        console.print(f"[bold]{safe_text(report['note'])}.[/]")


def facts_table(title: str, facts: dict) -> Table:  # type: ignore[type-arg]
    """Facts as a two-column table; nested values one line each, as ``key: value``."""
    table = Table(title=safe_text(title), title_justify="left", show_header=False)
    for key, value in facts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        table.add_row(safe_text(key), safe_text("" if value is None else value))
    return table


def print_import(imported: ImportedArchive, archive: Path, output: Path) -> None:
    """Warnings on the archive's order, cells and spikes per population, the order reverted, checksums."""
    loaded, result = imported.archive, imported.result
    for warning in imported.warnings:
        console.print(f"[yellow]warning:[/] {safe_text(warning)}")
    table = Table(
        title=f"imported {safe_text(archive.name)} ({safe_text(loaded.simulator)}, {loaded.duration:g} ms)",
        title_justify="left",
    )
    for column in ("population", "cells", "spikes"):
        table.add_column(column, justify="left" if column == "population" else "right")
    for name, spikes in result.spikes.items():
        table.add_row(safe_text(name), f"{spikes.size:,}", f"{spikes.n_spikes:,}")
    console.print(table)
    order = result.provenance["neuron_order"]
    seed = f", seed {safe_text(order['seed'])}" if order["seed"] is not None else ""
    console.print(
        f"ids reverted from the {safe_text(order['mode'])} order{seed} to scaffold indices "
        f"(order {safe_text(order['sha256'][:16])})"
    )
    console.print(
        f"archive sha256 {safe_text(loaded.sha256[:16])} ({safe_text(loaded.trust)}); result [bold]{safe_text(output)}[/]"
    )
