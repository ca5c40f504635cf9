"""The regression metrics of a run: a flat list of named numbers taken from ``analyse_run``.

Names are dotted paths, population first (``granule.rate.stimulus``), network-wide metrics
without one (``packet_load.peak_reduction_percent``). Each metric carries its *resolution*: how much one
spike, one cell or one packet changes it, which is the smallest tolerance that means
anything (see :mod:`cerebrepro.verify.tolerances`).

Per population: the rate of each window (Hz), the percentage of excited and inhibited
cells, the peak spikes in one step and the peak of the 3 ms PSTH; with connectivity, the
worst-case incoming spikes (with and without delays) and the estimated peak packets per
core and step (``packet_load``) in the default and the grid order, under the paper's
delay model (``DEFAULT_DELAY_MODEL``). For the network: the reduction of the peak packet
load the grid order brings. Undefined values (no excited cells, no load) are left out.

A stored reference (:mod:`cerebrepro.verify.reference`) keeps its metrics under the key
``figures``, the name of its file format.
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
class Metric:
    """One regression metric of a run."""

    name: str
    value: float
    unit: str
    resolution: float  # the change one spike, cell or packet makes


def regression_metrics(stats: dict) -> dict[str, Metric]:
    """Every defined regression metric of an ``analyse_run`` statistics dict, by name."""
    metrics: dict[str, Metric] = {}
    for name, population in stats["populations"].items():
        for metric in population_metrics(name, population):
            _keep(metrics, metric)
    if "packet_load" in stats:
        _keep(metrics, network_load_metric(stats["packet_load"][DEFAULT_DELAY_MODEL]))
    return metrics


def values_of(metrics: dict[str, Metric]) -> dict[str, float]:
    """Just the values of some metrics, by name."""
    return {name: m.value for name, m in metrics.items()}


def _keep(metrics: dict[str, Metric], metric: Metric) -> None:
    if math.isfinite(metric.value):
        metrics[metric.name] = metric


def population_metrics(name: str, population: dict) -> Iterator[Metric]:
    """The metrics of one population's statistics."""
    size = max(int(population["size"]), 1)
    for window in WINDOWS:
        w = population["windows"][window]
        seconds = (w["stop"] - w["start"]) / 1000.0
        resolution = 1.0 / (seconds * size) if seconds > 0 else math.nan
        yield Metric(f"{name}.rate.{window}", _number(w["rate"]), "Hz", resolution)
    for response in RESPONSES:
        percent = population["response"][response]["percent"]
        yield Metric(f"{name}.{response}.percent", _number(percent), "%", 100.0 / size)
    peak = population["peak"]
    yield Metric(f"{name}.peak.spikes", _number(peak["spikes"]), "spikes", 1.0)
    psth_resolution = 1.0 / (PSTH_PEAK_BIN / 1000.0 * size)
    yield Metric(f"{name}.peak.psth_3ms", _number(peak["psth_3ms"]["rate"]), "Hz", psth_resolution)
    for variant in INCOMING_VARIANTS if "incoming" in population else ():
        incoming = population["incoming"][variant]
        yield Metric(f"{name}.incoming.{variant}.peak", _number(incoming["peak"]), "spikes", 1.0)
    if "packet_load" in population:
        load = population["packet_load"][DEFAULT_DELAY_MODEL]
        for order in ORDERS:
            peak = _number(load[order]["peak"])
            yield Metric(f"{name}.packet_load.{order}.peak", peak, "packets", 1.0)


def network_load_metric(network: dict) -> Metric:
    """The reduction of the network's peak packets per core and step by the grid order."""
    default_peak = _number(network["default"]["peak"])
    resolution = 100.0 / default_peak if default_peak else math.nan
    reduction = _number(network["peak_reduction_percent"])
    return Metric("packet_load.peak_reduction_percent", reduction, "%", resolution)


def _number(value: object) -> float:
    """A statistic as a float; None (undefined) becomes NaN."""
    return math.nan if value is None else float(value)
