"""Cells excited or inhibited by the stimulus.

Excited: stimulus rate > 2 x baseline rate, at least one spike in the whole run and at least
``min_stimulus_spikes`` spikes in the stimulus window (2 for granules, see
``MIN_STIMULUS_SPIKES``). Inhibited: baseline rate > 2 x stimulus rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from cerebrepro.analysis.rates import WindowRates
from cerebrepro.analysis.summary import mean_std

RESPONSE_FACTOR = 2.0
MIN_STIMULUS_SPIKES: Mapping[str, int] = MappingProxyType({"granule": 2})


@dataclass(frozen=True)
class Response:
    """Boolean masks (one entry per cell) of the excited and the inhibited cells."""

    excited: np.ndarray
    inhibited: np.ndarray


def classify_response(
    baseline_rates: np.ndarray,
    stimulus_rates: np.ndarray,
    total_counts: np.ndarray,
    stimulus_counts: np.ndarray,
    min_stimulus_spikes: int = 0,
) -> Response:
    """Classify every cell from its window rates and spike counts (see the module docstring)."""
    excited = (
        (stimulus_rates > RESPONSE_FACTOR * baseline_rates)
        & (total_counts >= 1)
        & (stimulus_counts >= min_stimulus_spikes)
    )
    inhibited = baseline_rates > RESPONSE_FACTOR * stimulus_rates
    return Response(excited, inhibited)


def population_response(name: str, rates: WindowRates, total_counts: np.ndarray) -> Response:
    """Classify the cells of population ``name`` from its window rates (baseline, stimulus)."""
    return classify_response(
        rates.rates["baseline"],
        rates.rates["stimulus"],
        total_counts,
        rates.counts["stimulus"],
        MIN_STIMULUS_SPIKES.get(name, 0),
    )


def response_summary(
    response: Response, baseline_rates: np.ndarray, stimulus_rates: np.ndarray
) -> dict[str, dict]:
    """Per group (excited, inhibited): count, percent of the population, mean/std of its rates."""
    size = baseline_rates.size
    summary: dict[str, dict] = {}
    for group, mask in (("excited", response.excited), ("inhibited", response.inhibited)):
        count = int(np.count_nonzero(mask))
        summary[group] = {
            "count": count,
            "percent": 100.0 * count / size if size else float("nan"),
            "baseline_rate": mean_std(baseline_rates[mask]),
            "stimulus_rate": mean_std(stimulus_rates[mask]),
        }
    return summary
