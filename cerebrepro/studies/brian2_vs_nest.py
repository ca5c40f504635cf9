"""Time Brian2 (C++ standalone) against NEST on the default experiment (``RunSpec()``).

The 400 x 400 um rebuilt scaffold (cached in the data directory), the generated reference
stimulus, 1000 ms at 0.1 ms, v/gsyn of the recorded subset. Every run is a fresh process,
one after the other: NEST at each thread count, then Brian2 twice at each thread count
(the first run compiles unless the project is cached, the second reuses it). Reported:
build (NEST: network creation; Brian2: code generation plus compilation), simulate, total
wall time, CPU time (this process and its children: the compiler, Brian2's program), peak
memory, and how closely the Brian2 spikes follow NEST's.

    .venv/bin/python -m cerebrepro.studies.brian2_vs_nest [--threads 1 2] [--output bench.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cerebrepro.model.cerebellum import POPULATIONS

MODULE = "cerebrepro.studies.brian2_vs_nest"  # each run is a fresh process of this module


def run_one(simulator: str, threads: int, output: Path, duration: float) -> dict:
    """One run in this process; its timings and peak memory (this process and its children)."""
    from cerebrepro.pipeline.run import run_experiment
    from cerebrepro.pipeline.spec import RunSpec

    spec = RunSpec(simulator=simulator, threads=threads, duration=duration)
    started, cpu = time.perf_counter(), time.process_time()
    result, _ = run_experiment(spec, output)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = result.provenance
    return {
        "simulator": simulator,
        "threads": threads,
        "wall_s": wall,
        "cpu_s": cpu + children.ru_utime + children.ru_stime,  # this process and its children
        "timings": p["timings"],
        "backend": {k: v for k, v in p["backend"].items() if k != "conventions"},
        "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "children_peak_memory_bytes": children.ru_maxrss * 1024,
        "n_cells": p["n_cells"],
        "n_synapses": p["n_synapses"],
        "result": str(output),
    }


def in_subprocess(simulator: str, threads: int, output: Path, duration: float) -> dict:
    command = [
        sys.executable,
        "-m",
        MODULE,
        "--one",
        simulator,
        str(threads),
        str(output),
        "--duration",
        str(duration),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def agreement(nest_path: str, brian2_path: str) -> dict:
    from cerebrepro.analysis.agreement import spike_agreement
    from cerebrepro.results.io import read_result

    a, b = read_result(Path(nest_path), analog=False), read_result(Path(brian2_path), analog=False)
    return {
        name: spike_agreement(a.spikes[name], b.spikes[name], a.timestep, a.duration)
        for name in POPULATIONS
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| simulator | threads | compiled | build (s) | simulate (s) | total wall (s) | total CPU (s) | peak memory (GiB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        compiled = r["backend"].get("compiled")
        memory = max(
            r["peak_memory_bytes"],
            r["children_peak_memory_bytes"] if r["simulator"] == "brian2" else 0,
        )
        lines.append(
            f"| {r['simulator']} | {r['threads']} | {'-' if compiled is None else ('yes' if compiled else 'cached')} "
            f"| {r['timings']['build_s']:.1f} | {r['timings']['simulate_s']:.1f} | {r['wall_s']:.1f} "
            f"| {r.get('cpu_s', float('nan')):.1f} | {memory / 2**30:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--output", type=Path, help="write all measurements as JSON here")
    parser.add_argument(
        "--one", nargs=3, metavar=("SIMULATOR", "THREADS", "RESULT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.one:
        simulator, threads, output = args.one
        print(json.dumps(run_one(simulator, int(threads), Path(output), args.duration)))
        return

    rows = []
    with tempfile.TemporaryDirectory(prefix="brian2-bench-") as directory:
        for threads in args.threads:
            rows.append(
                in_subprocess(
                    "nest", threads, Path(directory) / f"nest_t{threads}.h5", args.duration
                )
            )
            print(table(rows[-1:]).splitlines()[-1], flush=True)
            for attempt in (1, 2):
                path = Path(directory) / f"brian2_t{threads}_{attempt}.h5"
                rows.append(in_subprocess("brian2", threads, path, args.duration))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
        nest_run = next(r for r in rows if r["simulator"] == "nest")
        brian2_run = next(r for r in rows if r["simulator"] == "brian2")
        spikes = agreement(nest_run["result"], brian2_run["result"])
    print()
    print(table(rows))
    print()
    print(
        "| population | nest rate (Hz) | brian2 rate (Hz) | same step (%) | within one step (%) |"
    )
    print("|---|---|---|---|---|")
    for name, s in spikes.items():
        same = "-" if s["matched"] is None else f"{100 * s['matched']:.2f}"
        near = "-" if s["within_step"] is None else f"{100 * s['within_step']:.2f}"
        print(f"| {name} | {s['rate_nest']:.2f} | {s['rate_brian2']:.2f} | {same} | {near} |")
    if args.output:
        args.output.write_text(
            json.dumps({"runs": rows, "agreement": spikes}, indent=1, default=str)
        )


if __name__ == "__main__":
    main()
