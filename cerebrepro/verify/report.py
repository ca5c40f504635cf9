"""Rich rendering of a verification: the figure table, the failures and the exact check."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.verify.check import FAIL, PASS, FigureCheck, Verification
from cerebrepro.verify.junit import figure_message

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
    table = Table(title=group, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("figure", overflow="fold")
    for column in ("reference", "measured", "tolerance", "result"):
        table.add_column(column, justify="right", no_wrap=True)
    for check in checks:
        name = check.name.removeprefix(f"{group}.") if group != NETWORK else check.name
        status = _status(PASS if check.passed else FAIL)
        table.add_row(
            name,
            _number(check.reference),
            _number(check.measured),
            _number(check.tolerance),
            status,
        )
    return table


def _status(status: str) -> str:
    style = _STATUS_STYLE.get(status, "yellow")
    return f"[{style}]{status}[/]"


def failure_lines(failures: list[FigureCheck]) -> list[str]:
    return [figure_message(check) for check in failures]


def print_verification(verification: Verification, console: Console) -> None:
    """The tables, each failure in words with the tolerance that would have passed it, the
    exact check and the verdict."""
    console.print(f"Verification against {verification.experiment}", style="bold")
    for table in figure_tables(verification):
        console.print(table)
    for line in failure_lines(verification.failures):
        console.print(f"[red]FAIL[/] {line}", highlight=False)
    digest = verification.digest
    console.print(
        f"exact spike digest: {_status(digest.status)} ({digest.reason})", highlight=False
    )
    n, failed = len(verification.figures), len(verification.failures)
    if verification.passed:
        console.print(f"[bold green]verification passed[/]: {n} figures within tolerance")
    else:
        digest_note = ", spike digest differs" if digest.status == FAIL else ""
        console.print(
            f"[bold red]verification failed[/]: {failed} of {n} figures out of tolerance{digest_note}"
        )
