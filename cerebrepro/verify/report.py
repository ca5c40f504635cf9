"""Rich rendering of a verification: the figure table, the failures and the exact check."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from cerebrepro.verify.check import FAIL, PASS, FigureCheck, Verification
from cerebrepro.verify.junit import figure_message

_STATUS_STYLE = {PASS: "green", FAIL: "bold red"}


def _number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.5g}"


def figure_table(verification: Verification) -> Table:
    """One row per figure: reference, measured, tolerance, result, and for a failure the
    tolerance that would have passed it."""
    table = Table(title=f"Verification against {verification.experiment}", title_justify="left")
    table.add_column("figure", no_wrap=True)
    for column in ("reference", "measured", "tolerance"):
        table.add_column(column, justify="right")
    table.add_column("unit")
    table.add_column("result")
    table.add_column("would pass at", justify="right")
    for check in verification.figures:
        table.add_row(
            check.name,
            _number(check.reference),
            _number(check.measured),
            _number(check.tolerance),
            check.unit,
            _status(PASS if check.passed else FAIL),
            "" if check.passed else _number(check.deviation),
        )
    return table


def _status(status: str) -> str:
    style = _STATUS_STYLE.get(status, "yellow")
    return f"[{style}]{status}[/]"


def failure_lines(failures: list[FigureCheck]) -> list[str]:
    return [figure_message(check) for check in failures]


def print_verification(verification: Verification, console: Console) -> None:
    """The table, each failure in words, the exact check and the verdict."""
    console.print(figure_table(verification))
    for line in failure_lines(verification.failures):
        console.print(f"[red]FAIL[/] {line}", highlight=False)
    digest = verification.digest
    console.print(f"exact spike digest: {_status(digest.status)} ({digest.reason})", highlight=False)
    n, failed = len(verification.figures), len(verification.failures)
    if verification.passed:
        console.print(f"[bold green]verification passed[/]: {n} figures within tolerance")
    else:
        digest_note = ", spike digest differs" if digest.status == FAIL else ""
        console.print(f"[bold red]verification failed[/]: {failed} of {n} figures out of tolerance{digest_note}")
