"""Rich rendering of a verification: the figure tables, the failures and the exact check.

Names, reasons and messages pass through ``safe_text`` before they go into markup (a reason
can quote a file name or a version holding ``[...]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table

from cerebrepro.cli.render.console import console, safe_text
from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.verify.check import FAIL, PASS, FigureCheck, Verification
from cerebrepro.verify.junit import figure_message, paired_message
from cerebrepro.verify.paired import PairedCheck

if TYPE_CHECKING:  # the ensemble's modules load the pipeline: not needed to print
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.verify.reference import Reference
    from cerebrepro.verify.regenerate import Regeneration

_STATUS_STYLE = {PASS: "green", FAIL: "bold red"}
NETWORK = "network"


def _number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4g}"


def figure_tables(verification: Verification) -> list[Table]:
    """One table per population (and one for the network): reference, measured, tolerance
    and result of each figure."""
    groups: dict[str, list[FigureCheck]] = {}
    for check in verification.figures:
        group, _, _ = check.name.partition(".")
        groups.setdefault(group if group in POPULATIONS else NETWORK, []).append(check)
    return [group_table(group, checks) for group, checks in groups.items()]


def group_table(group: str, checks: list[FigureCheck]) -> Table:
    """The table of one population's (or the network's) figures, narrow enough for 80 columns."""
    table = Table(title=safe_text(group), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("figure", overflow="fold")
    for column in ("reference", "measured", "tolerance", "result"):
        table.add_column(column, justify="right", no_wrap=True)
    for check in checks:
        name = check.name.removeprefix(f"{group}.") if group != NETWORK else check.name
        status = _status(PASS if check.passed else FAIL)
        table.add_row(
            safe_text(name),
            _number(check.reference),
            _number(check.measured),
            _number(check.tolerance),
            status,
        )
    return table


def _status(status: str) -> str:
    style = _STATUS_STYLE.get(status, "yellow")
    return f"[{style}]{safe_text(status)}[/]"


def failure_lines(failures: list[FigureCheck]) -> list[str]:
    return [safe_text(figure_message(check)) for check in failures]


def paired_table(checks: list[PairedCheck]) -> Table:
    """The paired checks: z of each population and window against the threshold."""
    table = Table(
        title="paired with the reference run's cells (z: mean count difference / paired SE)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("figure", overflow="fold")
    for column in ("z", "threshold", "result"):
        table.add_column(column, justify="right", no_wrap=True)
    for check in checks:
        status = _status(PASS if check.passed else FAIL)
        table.add_row(safe_text(check.name), f"{check.z:.4g}", f"{check.threshold:.3g}", status)
    return table


def print_verification(verification: Verification, console: Console = console) -> None:
    """The tables, each failure in words with the tolerance that would have passed it, the
    paired checks, the exact check and the verdict (on the shared console unless given another)."""
    console.print(f"Verification against {safe_text(verification.experiment)}", style="bold")
    for table in figure_tables(verification):
        console.print(table)
    if verification.paired:
        console.print(paired_table(verification.paired))
    else:
        console.print(f"paired checks: none ({safe_text(verification.paired_note)})")
    for line in failure_lines(verification.failures):
        console.print(f"[red]FAIL[/] {line}", highlight=False)
    for check in verification.paired_failures:
        console.print(f"[red]FAIL[/] {safe_text(paired_message(check))}", highlight=False)
    digest = verification.digest
    console.print(
        f"exact spike digest: {_status(digest.status)} ({safe_text(digest.reason)})",
        highlight=False,
    )
    n, failed = len(verification.figures), len(verification.failures)
    n_paired, failed_paired = len(verification.paired), len(verification.paired_failures)
    if verification.passed:
        console.print(
            f"[bold green]verification passed[/]: {n} figures within tolerance, "
            f"{n_paired} paired figures within threshold"
        )
    else:
        digest_note = ", spike digest differs" if digest.status == FAIL else ""
        console.print(
            f"[bold red]verification failed[/]: {failed} of {n} figures out of tolerance, "
            f"{failed_paired} of {n_paired} paired figures over threshold{digest_note}"
        )


def print_reference(path: Path, reference: Reference) -> None:
    """The reference a check compares against: its file, experiment, size and date."""
    console.print(
        f"reference {safe_text(path)} ({safe_text(reference.experiment)}, {len(reference.figures)} figures, "
        f"created {safe_text(reference.created)})"
    )


def print_reference_run(result: Path, cached: bool) -> None:
    console.print(f"{'reused' if cached else 'ran'} the reference run: {safe_text(result)}")


def member_label(index: int, total: int, spec: RunSpec) -> str:
    """``run k/n (stimulus seed s, scaffold ...)``: the progress label of one ensemble member."""
    scaffold = (
        "reference scaffold"
        if spec.scaffold_seed is None
        else f"scaffold seed {spec.scaffold_seed}"
    )
    return f"run {index + 1}/{total} (stimulus seed {spec.stimulus_seed}, {scaffold})"


def print_regeneration_plan(plan: Regeneration) -> None:
    console.print(
        f"{safe_text(plan.name)}: {len(plan.specs)} runs ({plan.stimulus_seeds} stimulus seeds, "
        f"{plan.scaffold_seeds} scaffold seeds)"
    )


def print_regenerated(path: Path, reference: Reference, runs: int, elapsed: float) -> None:
    console.print(
        f"wrote {safe_text(path)}: {len(reference.figures)} figures from {runs} runs in {elapsed:.0f} s"
    )


def print_power(report: dict) -> None:
    """The mutation study's table and summary."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("mutant", "ensemble", "paired", "max |z|", "at"):
        table.add_column(column, justify="left" if column in ("mutant", "at") else "right")
    measured = report.get("ensemble_checks", True)
    for m in report["mutants"]:
        z = "-" if m["max_abs_z"] is None else f"{m['max_abs_z']:.1f}"
        ensemble = (_status(FAIL) if m["ensemble"] else "-") if measured else "n/a"
        table.add_row(
            safe_text(m["mutant"]),
            ensemble,
            _status(FAIL) if m["paired"] else "-",
            z,
            safe_text(str(m["max_z_at"] or "").removeprefix("paired.")),
        )
    console.print(table)
    from cerebrepro.verify.power import summary_sentence

    console.print(f"{summary_sentence(report)} ({report['wall_s']:.0f} s)")
