"""`cerebrepro analyse` (statistics of one run) and `cerebrepro compare` (two runs side by side)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.analysis.packet_load import DELAY_MODELS
from cerebrepro.analysis.report import analysis_tables, comparison_tables, new_table, number
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.serialize import dumps_stats, write_stats
from cerebrepro.cli.app import app
from cerebrepro.errors import ResultError
from cerebrepro.results.types import RunResult
from cerebrepro.scaffold.types import Scaffold


def _read_result(path: Path) -> RunResult:
    from cerebrepro.results.io import read_result

    return read_result(path)


def _read_scaffold(path: Path) -> Scaffold:
    from cerebrepro.scaffold.read import read_scaffold

    return read_scaffold(path)


def scaffold_for(result: RunResult, override: Path | None, console: Console) -> Scaffold | None:
    """The scaffold given with --scaffold, else the one the run's provenance names, else None.

    A scaffold whose connectivity digest (or, lacking that, file digest) differs from the
    run's provenance is refused.
    """
    recorded = result.provenance.get("scaffold_path")
    path = override or (Path(str(recorded)) if recorded else None)
    if path is None:
        console.print("no scaffold given or recorded: incoming spikes and packet load are skipped")
        return None
    if not path.exists():
        if override is not None:
            raise ResultError(f"scaffold {path} does not exist")
        console.print(
            f"recorded scaffold {path} not found: incoming spikes and packet load are skipped "
            "(give one with --scaffold)"
        )
        return None
    scaffold = _read_scaffold(path)
    expected_digest = result.provenance.get("scaffold_digest")
    expected_sha = result.provenance.get("scaffold_sha256")
    if expected_digest and scaffold.connectivity_digest() != expected_digest:
        raise ResultError(
            f"scaffold {path} has connectivity digest {scaffold.connectivity_digest()}, "
            f"the run was made with {expected_digest}"
        )
    if not expected_digest and expected_sha and scaffold.sha256 and scaffold.sha256 != expected_sha:
        raise ResultError(
            f"scaffold {path} has sha256 {scaffold.sha256}, the run was made with {expected_sha}"
        )
    return scaffold


def _emit(stats: dict, output: Path | None, as_json: bool, console: Console, tables: list) -> None:
    if as_json and output is None:
        typer.echo(dumps_stats(stats, as_json=True), nl=False)
        return
    for table in tables:
        console.print(table)
    if output is not None:
        write_stats(stats, output, as_json=True if as_json else None)
        console.print(f"wrote {output}")


def packet_load_table(stats: Mapping) -> Table | None:
    """Per population and delay model: peak and median of the per-core peaks in both orders."""
    if "packet_load" not in stats:
        return None
    table = new_table(
        "Estimated SpiNNaker packets per core and step (from spikes, not the hardware counter): "
        "peak and median over cores of each core's peak, default and grid order",
        [
            "population",
            "delay model",
            "cores",
            "peak def",
            "peak grid",
            "cut %",
            "med def",
            "med grid",
        ],
        text_columns=2,
    )
    for name, p in stats["populations"].items():
        if "packet_load" not in p:
            continue
        for model in DELAY_MODELS:
            load = p["packet_load"][model]
            table.add_row(
                name,
                model,
                number(p["packet_load"]["n_cores"]),
                number(load["default"]["peak"]),
                number(load["grid"]["peak"]),
                number(load["peak_reduction_percent"], 1),
                number(load["default"]["median"], 0),
                number(load["grid"]["median"], 0),
            )
    table.caption = stats["packet_load"]["method"]
    return table


def packet_load_lines(stats: Mapping) -> list[str]:
    """One sentence per delay model on the network's most loaded core, and the paper's figure."""
    network = stats.get("packet_load")
    if not network:
        return []
    lines = []
    for model in DELAY_MODELS:
        n = network[model]
        lines.append(
            f"estimated peak packets per core per step ({model}): default "
            f"{n['default']['peak']} ({n['default']['population']}), grid {n['grid']['peak']} "
            f"({n['grid']['population']}); reduction {number(n['peak_reduction_percent'], 1)} %"
        )
    lines.append(
        "the paper measured a 41 % reduction with the hardware counter (spynnaker-2020, custom "
        "sPyNNaker); the figures above are estimates from spikes"
    )
    return lines


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
    console = Console(stderr=as_json and output is None)
    run = _read_result(result)
    stats = analyse_run(run, scaffold_for(run, scaffold, console))
    packets = packet_load_table(stats)
    tables = analysis_tables(stats) + ([packets] if packets is not None else [])
    _emit(stats, output, as_json, console, tables)
    if not (as_json and output is None):
        for line in packet_load_lines(stats):
            console.print(line)


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
    console = Console(stderr=as_json and output is None)
    a, b = _read_result(result_a), _read_result(result_b)
    stats = compare_runs(a, b)
    _emit(stats, output, as_json, console, comparison_tables(stats))
    if figure is not None:
        from cerebrepro.analysis.comparison_figure import save_comparison_figure

        save_comparison_figure(a, b, figure)
        console.print(f"wrote {figure}")
