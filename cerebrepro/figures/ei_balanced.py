"""The figure of an E-I balanced run: rasters of both populations, their population rates and spectra.

Drawn on the Agg canvas of :func:`cerebrepro.figures.style.new_figure`, like the paper's
figures, so that drawing never switches Matplotlib's global backend.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cerebrepro.analysis.ei_balanced import (
    BAND,
    CELL_POPULATIONS,
    analysis_window,
    population_rate,
    rate_spectrum,
)
from cerebrepro.figures.style import new_figure
from cerebrepro.results.types import RunResult

COLOURS = {"excitatory": "tab:blue", "inhibitory": "tab:red"}
RASTER_SPAN = 1000.0  # ms of raster shown, from the end of the transient
DPI = 110  # of the PNG


def plot_ei_run(result: RunResult, path: Path, title: str = "E-I balanced network") -> Path:
    """Rasters (one panel per population), population rates in 1 ms bins, and their power spectra."""
    start, stop = analysis_window(result.duration)
    shown = (start, min(stop, start + RASTER_SPAN))
    fig = new_figure(9, 10)
    axes = fig.subplots(4, 1, gridspec_kw={"height_ratios": [3, 1.2, 1.5, 1.8]})
    raster_exc, raster_inh, rates, spectra = axes
    for ax, name in ((raster_exc, "excitatory"), (raster_inh, "inhibitory")):
        spikes = result.spikes[name]
        inside = (spikes.times >= shown[0]) & (spikes.times < shown[1])
        ax.plot(spikes.times[inside], spikes.cells[inside], ",", color=COLOURS[name])
        ax.set_ylabel(f"{name}\ncell")
        ax.set_xlim(*shown)
        ax.set_ylim(-0.5, spikes.size - 0.5)
    for name in CELL_POPULATIONS:
        spikes = result.spikes[name]
        rate = population_rate(spikes.times, spikes.size, start, stop)
        bins = start + np.arange(rate.size)
        keep = bins < shown[1]
        rates.plot(bins[keep], rate[keep], lw=0.7, color=COLOURS[name], label=name)
        spectrum = rate_spectrum(rate)
        peak = spectrum.dominant_frequency()
        band = spectrum.frequencies <= BAND[1]
        spectra.semilogy(
            spectrum.frequencies[band],
            spectrum.power[band],
            color=COLOURS[name],
            label=f"{name}: peak {peak:.1f} Hz",
        )
    rates.set_xlim(*shown)
    rates.set_ylabel("rate (Hz)")
    rates.set_xlabel("time (ms)")
    rates.legend(loc="upper right", fontsize=8)
    spectra.set_xlabel("frequency (Hz)")
    spectra.set_ylabel("PSD (Hz²/Hz)")
    spectra.legend(fontsize=8)
    fig.suptitle(f"{title} ({result.duration:g} ms, first {start:g} ms left out)")
    fig.savefig(path, dpi=DPI)
    return Path(path)
