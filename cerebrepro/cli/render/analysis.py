"""Rich tables of the statistics dicts of ``analyse_run`` and ``compare_runs``.

Each statistics dict becomes a few narrow tables rather than one wide one, so that they
fit an 80-column terminal. Rich narrows a table that is too wide by cutting its columns,
headers included, so the tables are drawn without outer edges and with one space of
padding, and a header longer than its numbers breaks into lines where the column
definitions put a newline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rich import box
from rich.table import Table

from cerebrepro.analysis.packet_load import DELAY_MODELS
from cerebrepro.cli.render.console import console, console_for, safe_text, wrote


def number(value: object, digits: int = 2) -> str:
    """A table cell: '-' for a missing or undefined value, else the number (as markup that prints literally)."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return safe_text(value)


def new_table(title: str, columns: list[str], text_columns: int = 1) -> Table:
    """A table whose first ``text_columns`` columns are left-aligned names, the rest numbers.

    ``title`` and ``columns`` are markup: pass any value put into them through ``safe_text``.
    """
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
    )
    for k, column in enumerate(columns):
        if k < text_columns:
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    return table


def _label(stats: Mapping) -> str:
    """`` of <label>`` for a titled run, as safe text (a label is often a file name)."""
    return f" of {safe_text(stats['label'])}" if stats.get("label") else ""


def analysis_tables(stats: Mapping) -> list[Table]:
    """Activity per population, and (with connectivity) worst incoming spikes."""
    label = _label(stats)
    activity = new_table(
        f"Activity{label} (Hz per window; peak spikes in one step)",
        [
            "population",
            "cells",
            "baseline",
            "stimulus",
            "post",
            "excited\n%",
            "inhibited\n%",
            "peak",
            "per\ncell",
        ],
    )
    for name, p in stats["populations"].items():
        activity.add_row(
            safe_text(name),
            number(p["size"]),
            *(number(p["windows"][w]["rate"]) for w in ("baseline", "stimulus", "post")),
            number(p["response"]["excited"]["percent"], 1),
            number(p["response"]["inhibited"]["percent"], 1),
            number(p["peak"]["spikes"]),
            number(p["peak"]["per_cell"], 4),
        )
    if not stats.get("connectivity"):
        return [activity]
    incoming = new_table(
        f"Worst incoming spikes per cell and step{label}",
        ["population", "incoming", "at ms", "no delay"],
    )
    for name, p in stats["populations"].items():
        if "incoming" not in p:
            continue
        delayed, undelayed = p["incoming"]["delayed"], p["incoming"]["undelayed"]
        incoming.add_row(
            safe_text(name),
            number(delayed["peak"]),
            number(delayed["time"], 1),
            number(undelayed["peak"]),
        )
    return [activity, incoming]


# (header, key path inside a window's statistics, decimals)
RATE_COLUMNS = (
    ("A", ("rate_a",), 2),
    ("B", ("rate_b",), 2),
    ("B - A", ("rate_difference",), 2),
    ("KS", ("ks",), 3),
    ("W1", ("wasserstein",), 3),
    ("Cohen's d", ("cohens_d",), 3),
)
TIMING_COLUMNS = (
    ("CV A", ("isi", "cv_a"), 2),
    ("CV B", ("isi", "cv_b"), 2),
    ("CV2 A", ("isi", "cv2_a"), 2),
    ("CV2 B", ("isi", "cv2_b"), 2),
    ("r pop", ("correlation", "population"), 2),
    ("r cell", ("correlation", "cell_mean"), 2),
    ("match", ("lead_lag", "matched_fraction"), 2),
    ("lag ms", ("lead_lag", "median"), 2),
)


ORIGINAL_LAG_COLUMNS = (
    ("cells", ("n_cells",), 0),
    ("of pop", ("cell_fraction",), 2),
    ("mean", ("mean",), 2),
    ("std", ("std",), 2),
    ("median", ("median",), 2),
    ("p5", ("p5",), 2),
    ("p95", ("p95",), 2),
    ("<=1 step", ("within_one_step",), 2),
)
ORIGINAL_VIEW_COLUMNS = (
    ("exc A", ("a", "excited"), 0),
    ("exc B", ("b", "excited"), 0),
    ("both", ("excited_both",), 0),
    ("mean A", ("a", "cell_rates", "mean"), 1),
    ("mean B", ("b", "cell_rates", "mean"), 1),
    ("med A", ("a", "cell_rates", "median"), 1),
    ("med B", ("b", "cell_rates", "median"), 1),
    ("KS", ("ks",), 3),
    ("W1", ("wasserstein",), 2),
)


def comparison_tables(stats: Mapping) -> list[Table]:
    """Rates and distances, spike timing, then the original study's lead/lag and view."""
    runs = stats["runs"]
    title = f"{safe_text(runs['b']['label'])} (B) against {safe_text(runs['a']['label'])} (A)"
    return [
        window_table(f"Rates (Hz; W1: Wasserstein distance): {title}", stats, RATE_COLUMNS),
        window_table(
            f"Spike timing (lag, ours: nearest spike of the cell within "
            f"+-{stats['max_lag']:g} ms, B - A): {title}",
            stats,
            TIMING_COLUMNS,
        ),
        population_table(
            f"Lead/lag, original: 10th-or-last spike of equal-count cells, whole run "
            f"(ms, B - A): {title}",
            {n: p["original_lead_lag"] for n, p in stats["populations"].items()},
            ORIGINAL_LAG_COLUMNS,
        ),
        population_table(
            f"Original view: excited cells of each run, stimulus window, no dcn (Hz): {title}",
            stats["original_view"],
            ORIGINAL_VIEW_COLUMNS,
        ),
    ]


def population_table(title: str, rows: Mapping[str, Mapping], columns: tuple) -> Table:
    """One row per population, with the given columns of its statistics."""
    table = new_table(title, ["population", *(c[0] for c in columns)])
    for name, values in rows.items():
        table.add_row(
            safe_text(name), *(number(_at(values, path), digits) for _, path, digits in columns)
        )
    return table


def _at(values: Mapping, path: tuple[str, ...]) -> object:
    for key in path:
        values = values[key]
    return values


def window_table(title: str, stats: Mapping, columns: tuple) -> Table:
    """One row per population and window of a comparison, with the given columns."""
    table = new_table(title, ["population", "window", *(c[0] for c in columns)], text_columns=2)
    for name, population in stats["populations"].items():
        for window, values in population["windows"].items():
            cells = [number(_at(values, path), digits) for _, path, digits in columns]
            table.add_row(safe_text(name), safe_text(window), *cells)
    return table


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
                safe_text(name),
                safe_text(model),
                number(p["packet_load"]["n_cores"]),
                number(load["default"]["peak"]),
                number(load["grid"]["peak"]),
                number(load["peak_reduction_percent"], 1),
                number(load["default"]["median"], 0),
                number(load["grid"]["median"], 0),
            )
    table.caption = safe_text(stats["packet_load"]["method"])
    return table


def packet_load_lines(stats: Mapping) -> list[str]:
    """One line (markup) per delay model on the network's most loaded core, and the paper's figure."""
    network = stats.get("packet_load")
    if not network:
        return []
    lines = []
    for model in DELAY_MODELS:
        n = network[model]
        lines.append(
            f"estimated peak packets per core per step ({safe_text(model)}): default "
            f"{safe_text(n['default']['peak'])} ({safe_text(n['default']['population'])}), grid "
            f"{safe_text(n['grid']['peak'])} ({safe_text(n['grid']['population'])}); "
            f"reduction {number(n['peak_reduction_percent'], 1)} %"
        )
    lines.append(
        "the paper measured a 41 % reduction with the hardware counter (spynnaker-2020, custom "
        "sPyNNaker); the figures above are estimates from spikes"
    )
    return lines


def print_no_connectivity(reason: str, stderr: bool = False) -> None:
    """Why the statistics that need the scaffold are missing (on stderr beside JSON output)."""
    console_for(stderr).print(f"{safe_text(reason)}: incoming spikes and packet load are skipped")


def print_statistics(
    tables: Sequence[Table], written: Path | None = None, lines: Sequence[str] = ()
) -> None:
    """The tables, the file the statistics went to, and closing lines (markup)."""
    for table in tables:
        console.print(table)
    if written is not None:
        wrote(written)
    for line in lines:
        console.print(line)
