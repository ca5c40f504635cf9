"""The original study's view of a run for its comparison figure: excited cells, stimulus window.

SpiNNCer's ``compare_results`` (its figure 5) classified the cells of each run on that
run's own spikes and compared the stimulus-window rates of run A's excited cells with those
of run B's excited cells: two samples that need not hold the same cells (it only printed
their overlap). It left dcn out (the last population of its plot order). Excited cells are
those of ``response.py``; the windows are those of ``windows.py``, shifted by the same
delays as the original's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cerebrepro.analysis.rates import population_window_rates
from cerebrepro.analysis.response import population_response
from cerebrepro.analysis.summary import describe
from cerebrepro.analysis.windows import Window
from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL, Protocol
from cerebrepro.results.types import PopulationSpikes

ORIGINAL_EXCLUDED: tuple[str, ...] = ("dcn",)
ORIGINAL_VIEW = (
    "original: excited cells only (stimulus rate > 2 x baseline rate, >= 1 spike in the run; "
    "granule also >= 2 spikes in the stimulus window), stimulus window only, dcn left out; "
    "each run's own excited cells, as in the original's comparison"
)


@dataclass(frozen=True)
class ExcitedRates:
    """The excited cells of one population of one run and their stimulus-window rates."""

    window: Window
    cells: np.ndarray  # excited cells, increasing
    rates: np.ndarray  # their rates (Hz) in ``window``
    size: int  # cells in the population

    def summary(self) -> dict:
        """Count and percent of excited cells, and the distribution of their rates."""
        return {
            "excited": int(self.cells.size),
            "percent": 100.0 * self.cells.size / self.size if self.size else float("nan"),
            "cell_rates": describe(self.rates),
        }


def original_populations(names: Iterable[str]) -> list[str]:
    """``names`` without the populations the original's comparison left out (dcn)."""
    return [name for name in names if name not in ORIGINAL_EXCLUDED]


def excited_stimulus_rates(
    name: str,
    spikes: PopulationSpikes,
    timestep: float,
    duration: float,
    protocol: Protocol = REFERENCE_PROTOCOL,
) -> ExcitedRates:
    """The excited cells of population ``name`` and their rates in its stimulus window."""
    rates = population_window_rates(name, spikes, timestep, duration, protocol)
    excited = population_response(name, rates, spikes.counts_per_cell()).excited
    stimulus = next(w for w in rates.windows if w.name == "stimulus")
    cells = np.flatnonzero(excited)
    return ExcitedRates(stimulus, cells, rates.rates["stimulus"][cells], spikes.size)
