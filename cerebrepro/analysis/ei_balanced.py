"""Statistics of an E-I balanced run: rates, ISI variability and the oscillation of the population activity.

All are pure functions of spike arrays. The first ``TRANSIENT`` ms (the start from random
membrane potentials) are left out. The population rate is the spike count of the
population in 1 ms bins per cell (Hz); its power spectrum is Welch's estimate of the rate
minus its mean (Hann windows of up to 512 bins, half overlapping: about 2 Hz resolution),
and the dominant frequency is the spectrum's peak between 2 and 100 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cerebrepro.analysis.isi import cv_per_cell
from cerebrepro.results.types import PopulationSpikes, RunResult

TRANSIENT = 200.0  # ms left out at the start
BIN = 1.0  # ms, population-rate bins
SEGMENT_BINS = 512  # Welch segment length
BAND = (2.0, 100.0)  # Hz, where the dominant frequency is looked for
CELL_POPULATIONS = ("excitatory", "inhibitory")


def analysis_window(duration: float, transient: float = TRANSIENT) -> tuple[float, float]:
    """[start, stop) of the analysed part of a run."""
    return min(transient, duration), duration


def population_rate(
    times: np.ndarray, size: int, start: float, stop: float, bin_width: float = BIN
) -> np.ndarray:
    """Spikes per bin per cell, in Hz, for the bins [start + k*bin, start + (k+1)*bin) inside [start, stop)."""
    n_bins = int(np.floor((stop - start) / bin_width + 1e-9))
    times = np.asarray(times, dtype=float)
    index = np.floor(
        (times[(times >= start) & (times < start + n_bins * bin_width)] - start) / bin_width
    )
    counts = np.bincount(index.astype(np.int64), minlength=n_bins)[:n_bins]
    return counts / max(size, 1) / (bin_width / 1000.0)


@dataclass(frozen=True)
class Spectrum:
    """A power spectral density (per Hz) of a population rate."""

    frequencies: np.ndarray  # Hz
    power: np.ndarray  # Hz^2 / Hz

    def dominant_frequency(self, band: tuple[float, float] = BAND) -> float:
        """The frequency of the largest power inside ``band`` (NaN if nothing is there or all is 0)."""
        inside = (self.frequencies >= band[0]) & (self.frequencies <= band[1])
        if not inside.any() or not np.any(self.power[inside] > 0):
            return float("nan")
        return float(self.frequencies[inside][np.argmax(self.power[inside])])


def rate_spectrum(
    rate: np.ndarray, bin_width: float = BIN, segment_bins: int = SEGMENT_BINS
) -> Spectrum:
    """Welch's power spectrum of a binned rate, its mean removed."""
    from scipy.signal import welch

    rate = np.asarray(rate, dtype=float)
    if rate.size < 4:
        return Spectrum(np.zeros(0), np.zeros(0))
    frequencies, power = welch(
        rate - rate.mean(), fs=1000.0 / bin_width, nperseg=min(segment_bins, rate.size)
    )
    return Spectrum(frequencies, power)


def mean_cv(spikes: PopulationSpikes, start: float, stop: float) -> float:
    """Mean ISI CV over the cells with at least three spikes in [start, stop) (NaN if none)."""
    inside = (spikes.times >= start) & (spikes.times < stop)
    cv = cv_per_cell(spikes.times[inside], spikes.cells[inside], spikes.size)
    return float(np.nanmean(cv)) if np.isfinite(cv).any() else float("nan")


def population_statistics(spikes: PopulationSpikes, start: float, stop: float) -> dict[str, float]:
    """Mean rate (Hz), mean ISI CV, and the dominant frequency (Hz) of the population rate."""
    rate = population_rate(spikes.times, spikes.size, start, stop)
    return {
        "rate": float(rate.mean()) if rate.size else float("nan"),
        "cv_isi": mean_cv(spikes, start, stop),
        "frequency": rate_spectrum(rate).dominant_frequency(),
    }


def combined(first: PopulationSpikes, second: PopulationSpikes) -> PopulationSpikes:
    """Two populations as one (the second's cells numbered after the first's)."""
    times = np.concatenate([first.times, second.times])
    cells = np.concatenate([first.cells, second.cells + first.size])
    order = np.lexsort((cells, times))
    return PopulationSpikes(first.size + second.size, times[order], cells[order])


def ei_statistics(result: RunResult, transient: float = TRANSIENT) -> dict[str, float]:
    """The regression statistics of a run, by dotted name (``excitatory.rate``, ``network.frequency``, ...)."""
    start, stop = analysis_window(result.duration, transient)
    stats: dict[str, float] = {}
    for name in CELL_POPULATIONS:
        for key, value in population_statistics(result.spikes[name], start, stop).items():
            stats[f"{name}.{key}"] = value
    network = combined(*(result.spikes[name] for name in CELL_POPULATIONS))
    stats["network.frequency"] = population_statistics(network, start, stop)["frequency"]
    return stats
