"""How closely Brian2's integration methods reproduce NEST's ``iaf_cond_exp``.

Two experiments, each run on NEST (GSL's adaptive RKF45, the reference) and on Brian2
with every method asked for (``rk4``, ``rk2``, ``exponential_euler``, ``euler``):

- single cells: ``CELLS_PER_TYPE`` cells of every type, each driven by its own
  excitatory and inhibitory Poisson train through the type's strongest incoming
  projection of each receptor (weights and delays from :mod:`cerebrepro.model.cerebellum`).
  The rates are chosen so that the mean excitatory conductance is ``DRIVES`` times the
  cell's leak conductance (the inhibitory one half of that); the first cell of each type
  has no input, so its rate is the isolated rate (``analytic_rate``).
- the network: a rebuilt scaffold with the reference protocol, through the normal run
  pipeline (runs are cached in the data directory).

Reported per method and population: rates on both simulators, the fraction of NEST's
spikes that Brian2 reproduces in the same step and within one step, the first spike that
differs, and for single cells the membrane potential difference (mV).

    python -m cerebrepro.simulate.brian2_accuracy [--size 100] [--methods rk4 rk2 ...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cerebrepro.analysis.serialize import to_plain
from cerebrepro.model.cerebellum import (
    CELLS,
    MIN_SPIKE_TIME,
    POPULATIONS,
    PROJECTION_LIST,
    TIMESTEP,
    Projection,
    analytic_rate,
)
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import AnalogSignals, PopulationSpikes
from cerebrepro.scaffold.types import Connections
from cerebrepro.simulate.brian2_agreement import (
    first_spike_steps,
    isolated_rate,
    spike_agreement,
    voltage_agreement,
)
from cerebrepro.simulate.brian2_model import METHODS

CELLS_PER_TYPE = 5
DRIVES: tuple[float, ...] = (0.0, 0.1, 0.3, 1.0, 3.0)  # mean g_exc / g_leak of cells 0..4
INHIBITORY_SHARE = 0.5  # mean g_inh / mean g_exc
SOURCES_PER_INPUT = 10  # Poisson sources sharing one input's rate
SINGLE_CELL_DURATION = 2000.0  # ms
SOURCE = "glomerulus"
CELL_TYPES = tuple(name for name in POPULATIONS if not CELLS[name].is_source)


# ---------------------------------------------------------------- single-cell experiment


def strongest_input(cell: str, receptor: str) -> Projection:
    """The model's projection of ``receptor`` onto ``cell`` with the largest weight."""
    candidates = [p for p in PROJECTION_LIST if p.post == cell and p.receptor == receptor]
    return max(candidates, key=lambda p: p.weight)


def input_rates(cell: str, drive: float) -> tuple[float, float]:
    """(excitatory, inhibitory) Poisson rates (Hz) giving mean conductances of ``drive`` x g_leak."""
    p = CELLS[cell].parameters
    g_leak = p["cm"] / p["tau_m"]  # uS
    excitatory, inhibitory = strongest_input(cell, "excitatory"), strongest_input(cell, "inhibitory")
    rate_e = drive * g_leak / (excitatory.weight * p["tau_syn_E"]) * 1000.0
    rate_i = INHIBITORY_SHARE * drive * g_leak / (inhibitory.weight * p["tau_syn_I"]) * 1000.0
    return rate_e, rate_i


@dataclass(frozen=True)
class Experiment:
    """A small network of the model's cell types with its input, run the same way on both simulators."""

    sizes: dict[str, int]
    wiring: list[tuple[Projection, Connections]]
    recorded: dict[str, np.ndarray]
    trains: SpikeTrains
    duration: float  # ms
    dt: float  # ms


def single_cell_experiment(duration: float, dt: float, seed: int) -> Experiment:
    """Every cell type, ``CELLS_PER_TYPE`` cells each, all recorded, with their Poisson inputs.

    Each input (cell ``k`` of type ``t``, receptor ``r``: 0 excitatory, 1 inhibitory) is
    ``SOURCES_PER_INPUT`` sources sharing its rate, numbered from
    ``((t * CELLS_PER_TYPE + k) * 2 + r) * SOURCES_PER_INPUT``.
    """
    rng = np.random.default_rng(seed)
    per_type = 2 * CELLS_PER_TYPE * SOURCES_PER_INPUT
    sizes = {name: CELLS_PER_TYPE for name in CELL_TYPES}
    sizes[SOURCE] = per_type * len(CELL_TYPES)
    wiring, trains = [], []
    cells = np.repeat(np.arange(CELLS_PER_TYPE, dtype=np.int64), SOURCES_PER_INPUT)
    within = np.tile(np.arange(SOURCES_PER_INPUT, dtype=np.int64), CELLS_PER_TYPE)
    for t, name in enumerate(CELL_TYPES):
        for r, receptor in enumerate(("excitatory", "inhibitory")):
            model = strongest_input(name, receptor)
            projection = Projection(f"{receptor[:3]}_{name}", SOURCE, name, model.weight, model.delay, receptor)
            sources = t * per_type + (cells * 2 + r) * SOURCES_PER_INPUT + within
            wiring.append((projection, Connections(sources, cells)))
        for drive in DRIVES[:CELLS_PER_TYPE]:
            for rate in input_rates(name, drive):
                for _ in range(SOURCES_PER_INPUT):
                    n = rng.poisson(rate / SOURCES_PER_INPUT * duration / 1000.0)
                    trains.append(np.sort(rng.uniform(0.0, duration, n)))
    stimulus = SpikeTrains.from_lists(trains).on_grid(dt, MIN_SPIKE_TIME).before(duration)
    recorded = {name: np.arange(CELLS_PER_TYPE, dtype=np.int64) for name in CELL_TYPES}
    return Experiment(sizes, wiring, recorded, stimulus, duration, dt)


def run_nest(experiment: Experiment) -> tuple[dict[str, PopulationSpikes], dict[str, AnalogSignals]]:
    """Run an experiment on NEST, built as the NEST backend builds the network."""
    from cerebrepro.model.network import create_population
    from cerebrepro.simulate import nest as nest_backend

    sim = nest_backend.setup(experiment.dt, 1, 1)
    trains = nest_backend.nest_input(experiment.trains)
    populations = {
        name: create_population(sim, CELLS[name], size, trains if CELLS[name].is_source else None)
        for name, size in experiment.sizes.items()
        if size
    }
    for projection, rows in experiment.wiring:
        nest_backend.connect_arrays(sim, populations[projection.pre], populations[projection.post], rows, projection)
    recorders = nest_backend.record(populations, dict(experiment.recorded), experiment.dt)
    sim.run(experiment.duration)
    spikes = nest_backend.collect_spikes(recorders, experiment.duration)
    analog = nest_backend.collect_analog(recorders, experiment.duration)
    sim.end()
    return spikes, analog


def run_brian2(experiment: Experiment, method: str) -> tuple[dict, dict, dict]:
    """Run an experiment on Brian2 with ``method``: spikes, analog signals, backend facts."""
    from cerebrepro.simulate import brian2 as brian2_backend

    session = brian2_backend.prepare_network(
        experiment.sizes,
        experiment.wiring,
        experiment.recorded,
        experiment.trains,
        duration=experiment.duration,
        timestep=experiment.dt,
        method=method,
    )
    brian2_backend.simulate(session, experiment.duration)
    return brian2_backend.collect(session, experiment.duration)


# ---------------------------------------------------------------- the study


def single_cell_study(methods: Sequence[str], duration: float, dt: float, seed: int) -> dict:
    """Single cells of every type on NEST and on Brian2 with each method."""
    experiment = single_cell_experiment(duration, dt, seed)
    nest_spikes, nest_analog = run_nest(experiment)
    n_steps = int(round(duration / dt))
    report: dict[str, object] = {
        "isolated_rate": {
            name: {"analytic": analytic_rate(CELLS[name]), "nest": isolated_rate(nest_spikes[name], 0)}
            for name in CELL_TYPES
        },
        "drives": list(DRIVES[:CELLS_PER_TYPE]),
        "input_rates_hz": {name: [input_rates(name, d) for d in DRIVES[:CELLS_PER_TYPE]] for name in CELL_TYPES},
        "methods": {},
    }
    for method in methods:
        spikes, analog, facts = run_brian2(experiment, method)
        per_type = {}
        for name in CELL_TYPES:
            cells = experiment.recorded[name]
            first = np.minimum(
                first_spike_steps(nest_spikes[name], cells, dt, n_steps),
                first_spike_steps(spikes[name], cells, dt, n_steps),
            )
            per_type[name] = {
                **spike_agreement(nest_spikes[name], spikes[name], dt, duration),
                **voltage_agreement(nest_analog[name], analog[name], first),
            }
            report["isolated_rate"][name][method] = isolated_rate(spikes[name], 0)
        report["methods"][method] = {"populations": per_type, "compile_s": facts["compile_s"]}
    return report


def network_study(methods: Sequence[str], size: float, duration: float) -> dict:
    """The rebuilt network of ``size`` um with the reference protocol, NEST against each method."""
    from cerebrepro.results.io import read_result
    from cerebrepro.simulate.cache import cached_run
    from cerebrepro.simulate.run import RunSpec

    def run(spec: RunSpec):
        path, _ = cached_run(spec)
        return read_result(path, analog=False)

    nest = run(RunSpec(simulator="nest", size=size, duration=duration, record_v="none"))
    report: dict[str, object] = {"size_um": size, "nest_simulate_s": nest.provenance["timings"]["simulate_s"], "methods": {}}
    for method in methods:
        spec = RunSpec(simulator="brian2", size=size, duration=duration, record_v="none", options={"method": method})
        result = run(spec)
        report["methods"][method] = {
            "populations": {
                name: spike_agreement(nest.spikes[name], result.spikes[name], nest.timestep, duration)
                for name in POPULATIONS
            },
            "simulate_s": result.provenance["timings"]["simulate_s"],
            "network_run_s": result.provenance["backend"].get("network_run_s"),
        }
    return report


def accuracy_study(
    methods: Sequence[str] = METHODS,
    size: float = 100.0,
    duration: float = 1000.0,
    single_cell_duration: float = SINGLE_CELL_DURATION,
    seed: int = 1,
    dt: float = TIMESTEP,
) -> dict:
    """Both experiments; plain data (see the module docstring)."""
    started = time.perf_counter()
    report = {
        "schema": "cerebrepro.brian2-accuracy/1",
        "timestep": dt,
        "single_cells": single_cell_study(methods, single_cell_duration, dt, seed),
        "network": network_study(methods, size, duration),
    }
    report["wall_s"] = time.perf_counter() - started
    return to_plain(report)


def _pct(value: object) -> str:
    return "-" if value is None else f"{100.0 * float(value):.2f}"


def format_report(report: dict) -> str:
    """Tables of the study for a terminal or a Markdown file."""
    lines = []
    cells = report["single_cells"]
    lines.append("Isolated cells (Hz): analytic, NEST, Brian2 per method")
    methods = list(cells["methods"])
    lines.append("| cell | analytic | nest | " + " | ".join(methods) + " |")
    lines.append("|---" * (3 + len(methods)) + "|")
    for name, rates in cells["isolated_rate"].items():
        row = [f"{rates['analytic']:.2f}", f"{rates['nest']:.2f}"] + [f"{rates[m]:.2f}" for m in methods]
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    for title, part in (("Single cells", cells), ("Network", report["network"])):
        lines.append("")
        lines.append(
            f"{title}: rate NEST / Brian2 (Hz), spikes matched in the same step / within one step (%), "
            "first differing spike (ms)" + (", v rms (mV)" if title == "Single cells" else "")
        )
        lines.append("| method | population | nest | brian2 | same step | within 1 | first diff |" + (" v rms |" if title == "Single cells" else ""))
        lines.append("|---" * (7 + (title == "Single cells")) + "|")
        for method, entry in part["methods"].items():
            for name, stats in entry["populations"].items():
                row = [
                    method,
                    name,
                    f"{stats['rate_nest']:.2f}",
                    f"{stats['rate_brian2']:.2f}",
                    _pct(stats["matched"]),
                    _pct(stats["within_step"]),
                    "-" if stats["first_difference"] is None else f"{stats['first_difference']:.1f}",
                ]
                if "v_rms" in stats:
                    row.append(f"{stats['v_rms']:.4f}")
                lines.append("| " + " | ".join(row) + " |")
    network = report["network"]
    lines.append("")
    lines.append(f"Network simulate time (s): nest {network['nest_simulate_s']:.1f}; " + "; ".join(
        f"{m} {e['simulate_s']:.1f}" for m, e in network["methods"].items()
    ))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--size", type=float, default=100.0, help="base (um) of the rebuilt network scaffold")
    parser.add_argument("--duration", type=float, default=1000.0, help="network run (ms)")
    parser.add_argument("--cell-duration", type=float, default=SINGLE_CELL_DURATION, help="single-cell run (ms)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the single-cell input trains")
    parser.add_argument("--output", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    report = accuracy_study(args.methods, args.size, args.duration, args.cell_duration, args.seed)
    print(format_report(report))
    if args.output:
        args.output.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
