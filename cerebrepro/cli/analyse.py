"""`cerebrepro analyse` (statistics of one run) and `cerebrepro compare` (two runs side by side)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.serialize import dumps_stats, write_stats
from cerebrepro.cli.app import app
from cerebrepro.cli.render import analysis as render
from cerebrepro.cli.render.console import wrote
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold


def _read_result(path: Path) -> RunResult:
    from cerebrepro.results.io import read_result

    return read_result(path)


def scaffold_for(result: RunResult, override: Path | None, stderr: bool) -> Scaffold | None:
    """The run's scaffold (see :func:`cerebrepro.pipeline.resolve.scaffold_of_result`); why not, printed."""
    from cerebrepro.pipeline.resolve import scaffold_of_result

    scaffold, missing = scaffold_of_result(result.provenance, override)
    if missing:
        render.print_no_connectivity(missing, stderr)
    return scaffold


def _emit(
    stats: dict, output: Path | None, as_json: bool, tables: list, lines: Sequence[str] = ()
) -> None:
    """The statistics as JSON on stdout (--json without -o), else tables and lines (and the file)."""
    if as_json and output is None:
        typer.echo(dumps_stats(stats, as_json=True), nl=False)
        return
    if output is not None:
        write_stats(stats, output, as_json=True if as_json else None)
    render.print_statistics(tables, output, lines)


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="Write the statistics here (YAML; JSON with --json or a .json name)."
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="JSON instead of YAML; without -o, print JSON instead of the table."
    ),
]


@app.command()
def analyse(
    result: Annotated[Path, typer.Argument(exists=True, help="A run result file.")],
    scaffold: Annotated[
        Path | None,
        typer.Option("--scaffold", help="Scaffold file (default: the one the run records)."),
    ] = None,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Statistics of one run: window rates, responses, peaks, incoming spikes, estimated SpiNNaker packet load."""
    run = _read_result(result)
    stats = analyse_run(run, scaffold_for(run, scaffold, stderr=as_json and output is None))
    packets = render.packet_load_table(stats)
    tables = render.analysis_tables(stats) + ([packets] if packets is not None else [])
    _emit(stats, output, as_json, tables, render.packet_load_lines(stats))


@app.command()
def compare(
    result_a: Annotated[
        Path, typer.Argument(exists=True, help="Run A (the reference, e.g. NEST).")
    ],
    result_b: Annotated[Path, typer.Argument(exists=True, help="Run B (e.g. SpiNNaker).")],
    output: OutputOption = None,
    figure: Annotated[
        Path | None,
        typer.Option(
            "--figure", help="Draw rate distributions and lead/lag histograms to this file."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Compare two runs of the same scaffold, stimulus and ordering, per population and window."""
    a, b = _read_result(result_a), _read_result(result_b)
    stats = compare_runs(a, b)
    _emit(stats, output, as_json, render.comparison_tables(stats))
    if figure is not None:
        from cerebrepro.analysis.comparison_figure import save_comparison_figure

        save_comparison_figure(a, b, figure)
        wrote(figure, stderr=as_json and output is None)
