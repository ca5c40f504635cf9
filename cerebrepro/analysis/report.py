"""Rich tables of the statistics dicts of ``analyse_run`` and ``compare_runs``.

Each statistics dict becomes a few narrow tables rather than one wide one, so that they
fit an 80-column terminal.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table


def number(value: object, digits: int = 2) -> str:
    """A table cell: '-' for a missing or undefined value, else the number."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def new_table(title: str, columns: list[str], text_columns: int = 1) -> Table:
    """A table whose first ``text_columns`` columns are left-aligned names, the rest numbers."""
    table = Table(title=title)
    for k, column in enumerate(columns):
        if k < text_columns:
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    return table


def analysis_tables(stats: Mapping) -> list[Table]:
    """Activity per population, and (with connectivity) incoming spikes and core load."""
    label = f" of {stats['label']}" if stats.get("label") else ""
    activity = new_table(
        f"Activity{label} (Hz per window; peak spikes in one step)",
        [
            "population",
            "cells",
            "baseline",
            "stimulus",
            "post",
            "excited %",
            "inhibited %",
            "peak",
            "per cell",
        ],
    )
    for name, p in stats["populations"].items():
        activity.add_row(
            name,
            number(p["size"]),
            *(number(p["windows"][w]["rate"]) for w in ("baseline", "stimulus", "post")),
            number(p["response"]["excited"]["percent"], 1),
            number(p["response"]["inhibited"]["percent"], 1),
            number(p["peak"]["spikes"]),
            number(p["peak"]["per_cell"], 4),
        )
    if not stats.get("connectivity"):
        return [activity]
    load = new_table(
        f"Worst incoming spikes per cell and step; packets per core and step, grid cut %{label}",
        ["population", "incoming", "at ms", "no delay", "cores", "default", "grid", "cut %"],
    )
    for name, p in stats["populations"].items():
        if "incoming" not in p:
            continue
        delayed, undelayed, cores = (
            p["incoming"]["delayed"],
            p["incoming"]["undelayed"],
            p["core_load"],
        )
        load.add_row(
            name,
            number(delayed["peak"]),
            number(delayed["time"], 1),
            number(undelayed["peak"]),
            number(cores["n_cores"]),
            number(cores["default"]["peak"]),
            number(cores["grid"]["peak"]),
            number(cores["peak_reduction_percent"], 1),
        )
    return [activity, load]


def core_load_line(stats: Mapping) -> str | None:
    """One sentence on the network's peak core load, or None without connectivity."""
    network = stats.get("core_load")
    if not network:
        return None
    return (
        f"peak packets per core per step: default {network['default']['peak']} "
        f"({network['default']['population']}), grid {network['grid']['peak']} "
        f"({network['grid']['population']}); reduction "
        f"{number(network['peak_reduction_percent'], 1)} % (paper: 41 %)"
    )


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


def comparison_tables(stats: Mapping) -> list[Table]:
    """Rates and distances, then spike timing, per population and window."""
    runs = stats["runs"]
    title = f"{runs['b']['label']} (B) against {runs['a']['label']} (A)"
    return [
        window_table(f"Rates (Hz; W1: Wasserstein distance): {title}", stats, RATE_COLUMNS),
        window_table(f"Spike timing: {title}", stats, TIMING_COLUMNS),
    ]


def window_table(title: str, stats: Mapping, columns: tuple) -> Table:
    """One row per population and window of a comparison, with the given columns."""
    table = new_table(title, ["population", "window", *(c[0] for c in columns)], text_columns=2)
    for name, population in stats["populations"].items():
        for window, values in population["windows"].items():
            cells = []
            for _, path, digits in columns:
                value = values
                for key in path:
                    value = value[key]
                cells.append(number(value, digits))
            table.add_row(name, window, *cells)
    return table
