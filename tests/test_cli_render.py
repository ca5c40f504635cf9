"""The command line's Rich rendering: tables fit 80 columns whole, and values are escaped."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console
from rich.table import Table

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.cli.render.analysis import analysis_tables, comparison_tables, new_table, number
from cerebrepro.cli.render.verification import print_verification
from cerebrepro.verify.check import PASS, DigestCheck, FigureCheck, Verification

PROVENANCE = {"scaffold_digest": "abc", "stimulus_sha256": "s1", "cell_indices": "scaffold"}


def rendered(*tables: Table, width: int = 80) -> str:
    console = Console(width=width, color_system=None, record=True)
    for table in tables:
        console.print(table)
    return console.export_text()


@pytest.fixture(scope="module")
def runs():
    rng = np.random.default_rng(5)
    scaffold = synthetic_scaffold(rng, 0.02)
    a, b = synthetic_run(rng, scaffold), synthetic_run(rng, scaffold)
    a.provenance = {**PROVENANCE, "label": "run [a].h5"}
    b.provenance = {**PROVENANCE, "label": "[bold]b[/bold]"}
    return scaffold, a, b


def test_analysis_tables_fit_80_columns_without_cutting(runs):
    scaffold, a, _ = runs
    stats = analyse_run(a, scaffold)
    # the widest numbers a 400x400 run gives: 5-digit cell counts, 3-digit rates
    stats["populations"]["granule"]["size"] = 95_526
    stats["populations"]["granule"]["windows"]["stimulus"]["rate"] = 123.456
    text = rendered(*analysis_tables(stats))
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for header in (
        "baseline",
        "stimulus",
        "excited",
        "inhibited",
        "per",
        "cell",
        "95526",
        "123.46",
    ):
        assert header in text
    assert "Activity of run [a].h5" in text  # the label printed as written, not read as a style


def test_comparison_tables_fit_80_columns_and_show_labels_as_written(runs):
    _, a, b = runs
    text = rendered(*comparison_tables(compare_runs(a, b)))
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "[bold]b[/bold] (B) against run [a].h5 (A)" in text.replace("\n", " ")


def test_numbers_and_names_are_escaped():
    assert number(None) == "-" and number(1.23456, 3) == "1.235" and number(7) == "7"
    assert number("[red]x") == "\\[red]x"
    table = new_table("t", ["population", "value"])
    table.add_row("a", number("[red]x"))
    assert "[red]x" in rendered(table)


def test_verification_prints_names_and_reasons_as_written():
    check = FigureCheck("granule.rate.[stimulus]", 10.0, 10.5, 1.0, "Hz")
    digest = DigestCheck(PASS, "threads [2] here")
    console = Console(width=100, color_system=None, record=True)
    print_verification(Verification("ref [x]", [check], digest), console)
    text = console.export_text()
    assert "Verification against ref [x]" in text
    assert "rate.[stimulus]" in text
    assert "exact spike digest: pass (threads [2] here)" in text
    assert "verification passed: 1 figures within tolerance" in text
