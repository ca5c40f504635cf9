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
    """Activity per population, and (with connectivity) worst incoming spikes."""
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
    incoming = new_table(
        f"Worst incoming spikes per cell and step{label}",
        ["population", "incoming", "at ms", "no delay"],
    )
    for name, p in stats["populations"].items():
        if "incoming" not in p:
            continue
        delayed, undelayed = p["incoming"]["delayed"], p["incoming"]["undelayed"]
        incoming.add_row(
            name, number(delayed["peak"]), number(delayed["time"], 1), number(undelayed["peak"])
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
    title = f"{runs['b']['label']} (B) against {runs['a']['label']} (A)"
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
        table.add_row(name, *(number(_at(values, path), digits) for _, path, digits in columns))
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
            table.add_row(name, window, *cells)
    return table
