"""The regression figures of a run: a flat list of named numbers taken from ``analyse_run``.

Names are dotted paths, population first (``granule.rate.stimulus``), network-wide figures
without one (``packet_load.peak_reduction_percent``). Each figure carries its *resolution*: how much one
spike, one cell or one packet changes it, which is the smallest tolerance that means
anything (see :mod:`cerebrepro.verify.tolerances`).

Per population: the rate of each window (Hz), the percentage of excited and inhibited
cells, the peak spikes in one step and the peak of the 3 ms PSTH; with connectivity, the
worst-case incoming spikes (with and without delays) and the estimated peak packets per
core and step (``packet_load``) in the default and the grid order, under the paper's
delay model (``DEFAULT_DELAY_MODEL``). For the network: the reduction of the peak packet
load the grid order brings. Undefined values (no excited cells, no load) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from cerebrepro.analysis.packet_load import DEFAULT_DELAY_MODEL
from cerebrepro.analysis.run import PSTH_PEAK_BIN

WINDOWS = ("baseline", "stimulus", "post")
RESPONSES = ("excited", "inhibited")
INCOMING_VARIANTS = ("delayed", "undelayed")
ORDERS = ("default", "grid")


@dataclass(frozen=True)
class Figure:
    """One regression figure of a run."""

    name: str
    value: float
    unit: str
    resolution: float  # the change one spike, cell or packet makes


def regression_figures(stats: dict) -> dict[str, Figure]:
    """Every defined regression figure of an ``analyse_run`` statistics dict, by name."""
    figures: dict[str, Figure] = {}
    for name, population in stats["populations"].items():
        for figure in population_figures(name, population):
            _keep(figures, figure)
    if "packet_load" in stats:
        _keep(figures, network_load_figure(stats["packet_load"][DEFAULT_DELAY_MODEL]))
    return figures


def values_of(figures: dict[str, Figure]) -> dict[str, float]:
    """Just the values of some figures, by name."""
    return {name: f.value for name, f in figures.items()}


def _keep(figures: dict[str, Figure], figure: Figure) -> None:
    if math.isfinite(figure.value):
        figures[figure.name] = figure


def population_figures(name: str, population: dict) -> Iterator[Figure]:
    """The figures of one population's statistics."""
    size = max(int(population["size"]), 1)
    for window in WINDOWS:
        w = population["windows"][window]
        seconds = (w["stop"] - w["start"]) / 1000.0
        resolution = 1.0 / (seconds * size) if seconds > 0 else math.nan
        yield Figure(f"{name}.rate.{window}", _number(w["rate"]), "Hz", resolution)
    for response in RESPONSES:
        percent = population["response"][response]["percent"]
        yield Figure(f"{name}.{response}.percent", _number(percent), "%", 100.0 / size)
    peak = population["peak"]
    yield Figure(f"{name}.peak.spikes", _number(peak["spikes"]), "spikes", 1.0)
    psth_resolution = 1.0 / (PSTH_PEAK_BIN / 1000.0 * size)
    yield Figure(f"{name}.peak.psth_3ms", _number(peak["psth_3ms"]["rate"]), "Hz", psth_resolution)
    for variant in INCOMING_VARIANTS if "incoming" in population else ():
        incoming = population["incoming"][variant]
        yield Figure(f"{name}.incoming.{variant}.peak", _number(incoming["peak"]), "spikes", 1.0)
    if "packet_load" in population:
        load = population["packet_load"][DEFAULT_DELAY_MODEL]
        for order in ORDERS:
            peak = _number(load[order]["peak"])
            yield Figure(f"{name}.packet_load.{order}.peak", peak, "packets", 1.0)


def network_load_figure(network: dict) -> Figure:
    """The reduction of the network's peak packets per core and step by the grid order."""
    default_peak = _number(network["default"]["peak"])
    resolution = 100.0 / default_peak if default_peak else math.nan
    reduction = _number(network["peak_reduction_percent"])
    return Figure("packet_load.peak_reduction_percent", reduction, "%", resolution)


def _number(value: object) -> float:
    """A statistic as a float; None (undefined) becomes NaN."""
    return math.nan if value is None else float(value)
