"""Comparison of two runs of the same network, stimulus and ordering (e.g. NEST vs SpiNNaker).

Per population and window (the windows of ``windows.py``): population rates and their
difference (B - A), Kolmogorov-Smirnov statistic and Wasserstein distance (Hz) of the
per-cell rate distributions, Cohen's d of the per-cell rates (B - A over the pooled std),
CV and CV2 of the inter-spike intervals, spike-count correlations (``correlation.py``) and
the lead/lag of matching spikes (``lead_lag.py``; A's spikes in the window, B's anywhere).

Next to these all-cells statistics, the original study's view: per population, its
lead/lag (the 10th-or-last spike of the cells with equal spike counts, whole run; see
``lead_lag.py``), and, for every population but dcn, the stimulus-window rates of each
run's excited cells and the distances between the two samples (``original_view.py``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from cerebrepro.analysis.correlation import COUNT_BIN_WIDTH, count_correlation
from cerebrepro.analysis.isi import cv2_per_cell, cv_per_cell
from cerebrepro.analysis.lead_lag import (
    MAX_LAG,
    lag_summary,
    lead_lag_definitions,
    matching_lags,
    original_lead_lag,
)
from cerebrepro.analysis.original_view import (
    ORIGINAL_VIEW,
    ExcitedRates,
    excited_stimulus_rates,
    original_populations,
)
from cerebrepro.analysis.rates import counts_to_rates, population_rate
from cerebrepro.analysis.run import ordered_populations, run_label
from cerebrepro.analysis.serialize import to_plain
from cerebrepro.analysis.windows import EDGE_TOLERANCE, Window, population_windows
from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL, Protocol
from cerebrepro.results.types import PopulationSpikes, RunResult

COMPARISON_SCHEMA = "cerebrepro.comparison/1"
# ``cell_indices`` says what a result's cell index means. Every backend maps its own neuron
# order back, so results hold scaffold-local indices ("scaffold") whatever order the
# simulator placed cells in (``neuron_order``, which does not need to agree).
REQUIRED_PROVENANCE: tuple[str, ...] = ("scaffold_digest", "stimulus_sha256", "cell_indices")
_MISSING = "<missing>"


def comparison_mismatches(a: RunResult, b: RunResult) -> list[str]:
    """One line per field that stops ``a`` and ``b`` from being compared (empty: comparable).

    Compared: timestep, duration, the provenance fields of ``REQUIRED_PROVENANCE`` (a
    field missing from one run only is a mismatch; missing from both is accepted) and the
    sizes of the populations both runs hold.
    """
    problems = []
    for name, value_a, value_b in (
        ("timestep", a.timestep, b.timestep),
        ("duration", a.duration, b.duration),
    ):
        if not math.isclose(value_a, value_b, rel_tol=1e-12, abs_tol=0.0):
            problems.append(f"{name}: A={value_a!r} B={value_b!r}")
    for name in REQUIRED_PROVENANCE:
        value_a, value_b = a.provenance.get(name, _MISSING), b.provenance.get(name, _MISSING)
        if value_a != value_b:
            problems.append(f"{name}: A={value_a} B={value_b}")
    common = [p for p in a.spikes if p in b.spikes]
    sizes_a = {p: a.spikes[p].size for p in common}
    sizes_b = {p: b.spikes[p].size for p in common}
    if sizes_a != sizes_b:
        problems.append(f"population sizes: A={sizes_a} B={sizes_b}")
    return problems


def check_comparable(a: RunResult, b: RunResult) -> None:
    """Raise ResultError listing every mismatch (see ``comparison_mismatches``)."""
    problems = comparison_mismatches(a, b)
    if problems:
        raise ResultError(
            "the two runs cannot be compared cell by cell; they differ in:\n  "
            + "\n  ".join(problems)
        )


def compare_runs(
    a: RunResult,
    b: RunResult,
    protocol: Protocol = REFERENCE_PROTOCOL,
    *,
    bin_width: float = COUNT_BIN_WIDTH,
    max_lag: float = MAX_LAG,
) -> dict:
    """Statistics of B against A for every population both hold, per window (module docstring).

    Plain data (None where a value is undefined)::

        schema, runs: {a|b: {label, n_spikes}}, timestep, duration, count_bin_width, max_lag,
        definitions: {lead_lag, original_lead_lag, original_view} (one sentence each),
        populations: {name: {size, windows: {baseline|stimulus|post: {start, stop, rate_a,
            rate_b, rate_difference, ks, wasserstein, cohens_d,
            isi: {cv_a, cv2_a, n_cells_a, cv_b, cv2_b, n_cells_b, cv_difference, cv2_difference},
            correlation: {population, cell_mean, n_cells},
            lead_lag: {n_spikes, matched_fraction, mean, std, median, max, p5, p25, p75, p95}},
            original_lead_lag: {n_cells, cell_fraction, within_one_step, mean, std, median, max,
            p5, p95}}},
        original_view: {name (no dcn): {window, a|b: {excited, percent, cell_rates: {mean,
            std, median, max, p5, p25, p75, p95}}, excited_both, mean_difference,
            median_difference, ks, wasserstein, cohens_d}}
    """
    check_comparable(a, b)
    tolerance = EDGE_TOLERANCE * a.timestep
    populations = {}
    for name in ordered_populations([p for p in a.spikes if p in b.spikes]):
        windows = population_windows(name, a.duration, protocol)
        populations[name] = {
            "size": a.spikes[name].size,
            "windows": {
                w.name: compare_window(
                    a.spikes[name], b.spikes[name], w, tolerance, bin_width, max_lag
                )
                for w in windows
            },
            "original_lead_lag": original_lead_lag(a.spikes[name], b.spikes[name], a.timestep),
        }
    return to_plain(
        {
            "schema": COMPARISON_SCHEMA,
            "runs": {
                "a": {"label": run_label(a, "A"), "n_spikes": _n_spikes(a)},
                "b": {"label": run_label(b, "B"), "n_spikes": _n_spikes(b)},
            },
            "timestep": float(a.timestep),
            "duration": float(a.duration),
            "count_bin_width": float(bin_width),
            "max_lag": float(max_lag),
            "definitions": {**lead_lag_definitions(max_lag), "original_view": ORIGINAL_VIEW},
            "populations": populations,
            "original_view": original_view(a, b, protocol),
        }
    )


def original_view(a: RunResult, b: RunResult, protocol: Protocol = REFERENCE_PROTOCOL) -> dict:
    """The original study's view of every population but dcn (``excited_comparison``)."""
    names = original_populations(ordered_populations([p for p in a.spikes if p in b.spikes]))
    return {
        name: excited_comparison(
            excited_stimulus_rates(name, a.spikes[name], a.timestep, a.duration, protocol),
            excited_stimulus_rates(name, b.spikes[name], b.timestep, b.duration, protocol),
        )
        for name in names
    }


def excited_comparison(a: ExcitedRates, b: ExcitedRates) -> dict:
    """Each run's excited cells and their stimulus rates; B - A differences and distances.

    The samples are each run's own excited cells (the original's choice), so they may hold
    different cells: ``excited_both`` counts the cells excited in both runs.
    """
    summary_a, summary_b = a.summary(), b.summary()
    return {
        "window": [a.window.start, a.window.stop],
        "a": summary_a,
        "b": summary_b,
        "excited_both": int(np.intersect1d(a.cells, b.cells, assume_unique=True).size),
        "mean_difference": summary_b["cell_rates"]["mean"] - summary_a["cell_rates"]["mean"],
        "median_difference": summary_b["cell_rates"]["median"] - summary_a["cell_rates"]["median"],
        **rate_distances(a.rates, b.rates),
    }


def compare_window(
    a: PopulationSpikes,
    b: PopulationSpikes,
    window: Window,
    tolerance: float = 0.0,
    bin_width: float = COUNT_BIN_WIDTH,
    max_lag: float = MAX_LAG,
) -> dict:
    """All comparison statistics of one population in one window."""
    in_a, in_b = window.contains(a.times, tolerance), window.contains(b.times, tolerance)
    times_a, cells_a = a.times[in_a], a.cells[in_a]
    times_b, cells_b = b.times[in_b], b.cells[in_b]
    rates_a = counts_to_rates(np.bincount(cells_a, minlength=a.size), window)
    rates_b = counts_to_rates(np.bincount(cells_b, minlength=b.size), window)
    rate_a, rate_b = (
        population_rate(times_a.size, a.size, window),
        population_rate(times_b.size, b.size, window),
    )
    return {
        "start": window.start,
        "stop": window.stop,
        "rate_a": rate_a,
        "rate_b": rate_b,
        "rate_difference": rate_b - rate_a,
        **rate_distances(rates_a, rates_b),
        "isi": isi_comparison((times_a, cells_a), (times_b, cells_b), a.size),
        "correlation": count_correlation(
            (a.times, a.cells), (b.times, b.cells), a.size, window, bin_width, tolerance
        ),
        "lead_lag": lag_summary(matching_lags(times_a, cells_a, b.times, b.cells, max_lag)),
    }


def rate_distances(rates_a: np.ndarray, rates_b: np.ndarray) -> dict[str, float]:
    """KS statistic, Wasserstein distance (Hz) and Cohen's d of two per-cell rate samples."""
    if (
        rates_a.size == 0
        or rates_b.size == 0
        or not (np.isfinite(rates_a).all() and np.isfinite(rates_b).all())
    ):
        return {"ks": float("nan"), "wasserstein": float("nan"), "cohens_d": float("nan")}
    return {
        "ks": float(stats.ks_2samp(rates_a, rates_b, method="asymp").statistic),
        "wasserstein": float(stats.wasserstein_distance(rates_a, rates_b)),
        "cohens_d": cohens_d(rates_a, rates_b),
    }


def cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    """(mean b - mean a) / pooled std (ddof 1); 0 for equal constant samples, NaN if undefined."""
    degrees = a.size + b.size - 2
    if degrees <= 0:
        return float("nan")
    difference = float(b.mean() - a.mean())
    squares = float(((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum())
    pooled = math.sqrt(squares / degrees)
    if pooled == 0:
        return 0.0 if difference == 0 else float("nan")
    return difference / pooled


def isi_comparison(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], size: int
) -> dict[str, float]:
    """Mean CV and CV2 over the cells with at least two intervals in each run."""
    summary: dict[str, float] = {}
    for label, (times, cells) in (("a", a), ("b", b)):
        cv, cv2 = cv_per_cell(times, cells, size), cv2_per_cell(times, cells, size)
        defined, defined2 = np.isfinite(cv), np.isfinite(cv2)
        summary[f"cv_{label}"] = float(cv[defined].mean()) if defined.any() else float("nan")
        summary[f"cv2_{label}"] = float(cv2[defined2].mean()) if defined2.any() else float("nan")
        summary[f"n_cells_{label}"] = int(defined.sum())
    summary["cv_difference"] = summary["cv_b"] - summary["cv_a"]
    summary["cv2_difference"] = summary["cv2_b"] - summary["cv2_a"]
    return summary


def _n_spikes(result: RunResult) -> int:
    return sum(s.n_spikes for s in result.spikes.values())
