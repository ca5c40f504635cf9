"""Time ``analyse_run`` on a run of the 400x400 network's size.

Synthetic by default (97k cells, 4.2M synapses, 10,000 steps; ``--rate-scale`` raises the
spike count), or a real run with its scaffold:

    .venv/bin/python -m cerebrepro.studies.analysis_400 [--rate-scale 5] [--seed 0]
    .venv/bin/python -m cerebrepro.studies.analysis_400 --result RUN.h5 --scaffold SCAFFOLD.hdf5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from cerebrepro.analysis.packet_load import DEFAULT_DELAY_MODEL
from cerebrepro.analysis.run import analyse_run
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--result", type=Path, help="a results file (needs --scaffold)")
    parser.add_argument("--scaffold", type=Path, help="the scaffold file of --result")
    parser.add_argument(
        "--rate-scale", type=float, default=1.0, help="synthetic firing rates x this"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    start = time.perf_counter()
    if args.result:
        from cerebrepro.results.io import read_result
        from cerebrepro.scaffold.read import read_scaffold

        if args.scaffold is None:
            parser.error("--result needs --scaffold")
        run, scaffold = read_result(args.result), read_scaffold(args.scaffold)
    else:
        rng = np.random.default_rng(args.seed)
        scaffold = synthetic_scaffold(rng)
        run = synthetic_run(rng, scaffold, rate_scale=args.rate_scale)
    prepared = time.perf_counter() - start

    n_spikes = sum(s.n_spikes for s in run.spikes.values())
    print(
        f"cells {scaffold.n_cells:,}  synapses {scaffold.n_connections:,}  spikes {n_spikes:,}  "
        f"steps {round(run.duration / run.timestep):,}  (prepared in {prepared:.1f} s)"
    )
    for label, with_scaffold in (
        ("spiking statistics only", None),
        ("with connectivity", scaffold),
    ):
        start = time.perf_counter()
        stats = analyse_run(run, with_scaffold)
        print(f"analyse_run, {label}: {time.perf_counter() - start:.2f} s")
    network = stats["packet_load"][DEFAULT_DELAY_MODEL]
    print(
        f"estimated peak packets per core and step ({DEFAULT_DELAY_MODEL}): default "
        f"{network['default']['peak']}, grid {network['grid']['peak']}, "
        f"reduction {network['peak_reduction_percent']:.1f} %"
    )


if __name__ == "__main__":
    main()
