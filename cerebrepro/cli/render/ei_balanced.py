"""Rendering of the E-I balanced network: a run's statistics against the reference, and a new reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.table import Table

from cerebrepro.cli.render.console import console, safe_text
from cerebrepro.results.types import RunResult
from cerebrepro.verify.ei_balanced import RunCheck


def print_run_check(result: RunResult, path: Path, checked: RunCheck) -> None:
    """Why there is no reference check (if so), the statistics table with verdicts, synapses, times, path."""
    p = result.provenance
    if checked.driven_by_events:
        console.print(
            "driven by an event recording: no reference check (the reference has the pulse)"
        )
    elif checked.unavailable is not None:
        console.print(f"[yellow]no reference check:[/] {safe_text(checked.unavailable)}")
    table = Table(
        title=f"E-I balanced network, {safe_text(p['simulator'])}, seed {safe_text(p['seed'])}, {result.duration:g} ms",
        title_justify="left",
    )
    for column in ("statistic", "value", "reference", "tolerance", "check"):
        table.add_column(column, justify="left" if column == "statistic" else "right")
    for name, value in checked.statistics.items():
        check = checked.checks.get(name)
        verdict = "" if check is None else ("[green]ok[/]" if check.passed else "[red]outside[/]")
        reference = "" if check is None else f"{check.reference:.3f}"
        tolerance = "" if check is None else f"±{check.tolerance:.3f}"
        table.add_row(safe_text(name), f"{value:.3f}", reference, tolerance, verdict)
    console.print(table)
    console.print(
        f"synapses {p['n_synapses']:,}  build {p['timings']['build_s']:.1f} s  simulate {p['timings']['simulate_s']:.1f} s"
    )
    console.print(f"result [bold]{safe_text(path)}[/]")


def print_figure(path: Path) -> None:
    console.print(f"figure [bold]{safe_text(path)}[/]")


def reference_tables(reference: Mapping, seeds: Sequence[int]) -> list[Table]:
    """One table per stored duration: each statistic's value, tolerance and ensemble range."""
    tables = []
    for key, run in reference["runs"].items():
        table = Table(
            title=f"{safe_text(key)} ms, reference seed {seeds[0]}, {len(seeds)} seeds",
            title_justify="left",
        )
        for column in ("statistic", "value", "tolerance", "ensemble min", "ensemble max"):
            table.add_column(column, justify="left" if column == "statistic" else "right")
        for name, entry in run["statistics"].items():
            table.add_row(
                safe_text(name),
                *(
                    f"{entry[k]:.3f}"
                    for k in ("value", "tolerance", "ensemble_min", "ensemble_max")
                ),
            )
        tables.append(table)
    return tables


def print_reference(reference: Mapping, seeds: Sequence[int], path: Path) -> None:
    for table in reference_tables(reference, seeds):
        console.print(table)
    console.print(f"reference [bold]{safe_text(path)}[/]")
