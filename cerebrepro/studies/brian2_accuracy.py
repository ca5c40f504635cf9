"""How closely Brian2's integration methods reproduce NEST's ``iaf_cond_exp``.

Two experiments, each run on NEST (GSL's adaptive RKF45, the reference) and on Brian2
with every method asked for (``rk4``, ``rk2``, ``exponential_euler``, ``euler``):

- single cells: ``CELLS_PER_TYPE`` cells of every type (a network description run through
  each backend of the contract), each driven by its own
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

    python -m cerebrepro.studies.brian2_accuracy [--size 100] [--methods rk4 rk2 ...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cerebrepro.analysis.agreement import (
    first_spike_steps,
    isolated_rate,
    spike_agreement,
    voltage_agreement,
)
from cerebrepro.analysis.serialize import to_plain
from cerebrepro.backends.brian2.model import METHODS
from cerebrepro.backends.contract import Collected, SilentProgress, SimulationSettings
from cerebrepro.errors import SimulatorError
from cerebrepro.model.cerebellum import (
    CELLS,
    MIN_SPIKE_TIME,
    POPULATIONS,
    PROJECTION_LIST,
    TIMESTEP,
    Projection,
    analytic_rate,
)
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import PopulationSpikes

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
    excitatory, inhibitory = (
        strongest_input(cell, "excitatory"),
        strongest_input(cell, "inhibitory"),
    )
    rate_e = drive * g_leak / (excitatory.weight * p["tau_syn_E"]) * 1000.0
    rate_i = INHIBITORY_SHARE * drive * g_leak / (inhibitory.weight * p["tau_syn_I"]) * 1000.0
    return rate_e, rate_i


def single_cell_network(duration: float, dt: float, seed: int) -> NetworkDescription:
    """Every cell type, ``CELLS_PER_TYPE`` cells each, all recorded, with their Poisson inputs.

    Each input (cell ``k`` of type ``t``, receptor ``r``: 0 excitatory, 1 inhibitory) is
    ``SOURCES_PER_INPUT`` sources sharing its rate, numbered from
    ``((t * CELLS_PER_TYPE + k) * 2 + r) * SOURCES_PER_INPUT``; the trains are drawn
    here, so both simulators get the same spikes.
    """
    rng = np.random.default_rng(seed)
    per_type = 2 * CELLS_PER_TYPE * SOURCES_PER_INPUT
    every_cell = np.arange(CELLS_PER_TYPE, dtype=np.int64)
    groups, lists, trains = [], [], []
    cells = np.repeat(every_cell, SOURCES_PER_INPUT)
    within = np.tile(np.arange(SOURCES_PER_INPUT, dtype=np.int64), CELLS_PER_TYPE)
    for t, name in enumerate(CELL_TYPES):
        cell = CELLS[name]
        groups.append(
            CellGroup(
                name, CELLS_PER_TYPE, cell.model, dict(cell.parameters), record_analog=every_cell
            )
        )
        for r, receptor in enumerate(("excitatory", "inhibitory")):
            model = strongest_input(name, receptor)
            sources = t * per_type + (cells * 2 + r) * SOURCES_PER_INPUT + within
            lists.append(
                ConnectionList(
                    f"{receptor[:3]}_{name}",
                    SOURCE,
                    name,
                    sources,
                    cells,
                    model.weight,
                    model.delay,
                    receptor,
                )
            )
        for drive in DRIVES[:CELLS_PER_TYPE]:
            for rate in input_rates(name, drive):
                for _ in range(SOURCES_PER_INPUT):
                    n = rng.poisson(rate / SOURCES_PER_INPUT * duration / 1000.0)
                    trains.append(np.sort(rng.uniform(0.0, duration, n)))
    stimulus = SpikeTrains.from_lists(trains).on_grid(dt, MIN_SPIKE_TIME).before(duration)
    source = CellGroup(SOURCE, per_type * len(CELL_TYPES), "SpikeSourceArray", spike_times=stimulus)
    return NetworkDescription("single-cells", (*groups, source), tuple(lists))


def run_backend(
    name: str, network: NetworkDescription, settings: SimulationSettings, **options: object
) -> tuple[dict[str, PopulationSpikes], Collected]:
    """``network`` through one backend of the contract (options by field name): spikes and all it collected."""
    from cerebrepro.backends.registry import get_backend

    backend = get_backend(name)
    chosen = backend.options_type.from_mapping(options, name)
    backend.supports(network, settings, chosen)
    session = backend.prepare(network, settings, chosen, SilentProgress())
    backend.simulate(session, SilentProgress())
    collected = backend.collect(session)
    if collected.spikes is None:
        raise SimulatorError(f"the {name} backend simulated no spikes for the accuracy study")
    return collected.spikes, collected


# ---------------------------------------------------------------- the study


def single_cell_study(methods: Sequence[str], duration: float, dt: float, seed: int) -> dict:
    """Single cells of every type on NEST and on Brian2 with each method."""
    network = single_cell_network(duration, dt, seed)
    settings = SimulationSettings(duration, dt)
    nest_spikes, nest = run_backend("nest", network, settings)
    n_steps = settings.n_steps
    report: dict[str, Any] = {
        "isolated_rate": {
            name: {
                "analytic": analytic_rate(CELLS[name]),
                "nest": isolated_rate(nest_spikes[name], 0),
            }
            for name in CELL_TYPES
        },
        "drives": list(DRIVES[:CELLS_PER_TYPE]),
        "input_rates_hz": {
            name: [input_rates(name, d) for d in DRIVES[:CELLS_PER_TYPE]] for name in CELL_TYPES
        },
        "methods": {},
    }
    for method in methods:
        spikes, brian2 = run_backend("brian2", network, settings, method=method)
        per_type = {}
        for name in CELL_TYPES:
            cells = network.group(name).record_analog
            first = np.minimum(
                first_spike_steps(nest_spikes[name], cells, dt, n_steps),
                first_spike_steps(spikes[name], cells, dt, n_steps),
            )
            per_type[name] = {
                **spike_agreement(nest_spikes[name], spikes[name], dt, duration),
                **voltage_agreement(nest.analog[name], brian2.analog[name], first),
            }
            report["isolated_rate"][name][method] = isolated_rate(spikes[name], 0)
        report["methods"][method] = {
            "populations": per_type,
            "compile_s": brian2.timings["compile_s"],
        }
    return report


def network_study(methods: Sequence[str], size: float, duration: float) -> dict:
    """The rebuilt network of ``size`` um with the reference protocol, NEST against each method."""
    from cerebrepro.pipeline.cache import cached_run
    from cerebrepro.pipeline.spec import RunSpec
    from cerebrepro.results.io import read_result

    def run(spec: RunSpec):
        path, _ = cached_run(spec)
        return read_result(path, analog=False)

    nest = run(RunSpec(simulator="nest", size=size, duration=duration, record_v="none"))
    report: dict[str, Any] = {
        "size_um": size,
        "nest_simulate_s": nest.provenance["timings"]["simulate_s"],
        "methods": {},
    }
    for method in methods:
        spec = RunSpec(
            simulator="brian2",
            size=size,
            duration=duration,
            record_v="none",
            options={"method": method},
        )
        result = run(spec)
        report["methods"][method] = {
            "populations": {
                name: spike_agreement(
                    nest.spikes[name], result.spikes[name], nest.timestep, duration
                )
                for name in POPULATIONS
            },
            "simulate_s": result.provenance["timings"]["simulate_s"],
            "network_run_s": result.provenance["timings"].get("network_run_s"),
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
        row = [f"{rates['analytic']:.2f}", f"{rates['nest']:.2f}"] + [
            f"{rates[m]:.2f}" for m in methods
        ]
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    for title, part in (("Single cells", cells), ("Network", report["network"])):
        lines.append("")
        lines.append(
            f"{title}: rate NEST / Brian2 (Hz), spikes matched in the same step / within one step (%), "
            "first differing spike (ms)" + (", v rms (mV)" if title == "Single cells" else "")
        )
        lines.append(
            "| method | population | nest | brian2 | same step | within 1 | first diff |"
            + (" v rms |" if title == "Single cells" else "")
        )
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
                    "-"
                    if stats["first_difference"] is None
                    else f"{stats['first_difference']:.1f}",
                ]
                if "v_rms" in stats:
                    row.append(f"{stats['v_rms']:.4f}")
                lines.append("| " + " | ".join(row) + " |")
    network = report["network"]
    lines.append("")
    lines.append(
        f"Network simulate time (s): nest {network['nest_simulate_s']:.1f}; "
        + "; ".join(f"{m} {e['simulate_s']:.1f}" for m, e in network["methods"].items())
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument(
        "--size", type=float, default=100.0, help="base (um) of the rebuilt network scaffold"
    )
    parser.add_argument("--duration", type=float, default=1000.0, help="network run (ms)")
    parser.add_argument(
        "--cell-duration", type=float, default=SINGLE_CELL_DURATION, help="single-cell run (ms)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the single-cell input trains")
    parser.add_argument("--output", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    report = accuracy_study(args.methods, args.size, args.duration, args.cell_duration, args.seed)
    print(format_report(report))
    if args.output:
        args.output.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
