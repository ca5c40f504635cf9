"""A spec run (or only mapped) into the output a user named: a file, or a directory to name it in.

The command line's ``run`` and ``ei-balanced run`` call these; what they decide (where the
file goes, whether the backend simulates at all, which inputs are refused before anything
is built) is the pipeline's, not the command line's.
"""

from __future__ import annotations

from pathlib import Path

from cerebrepro.pipeline.naming import default_output, mapping_output
from cerebrepro.pipeline.resolve import check_event_recording
from cerebrepro.pipeline.run import map_experiment, run_experiment
from cerebrepro.pipeline.spec import RunEvents, RunSpec
from cerebrepro.results.provenance import available_cores
from cerebrepro.results.types import RunResult

FILE_SUFFIXES = (".h5", ".json")  # an output with one of these names a file, else a directory

# Experiments whose spikes change with the thread count: their Poisson sources draw from
# NEST's random streams, one per thread (the E-I network, seed 1, 1000 ms: spike digest
# 37469315897410be on one thread, 6fc8d56e5d6ee502 on two). The cerebellum's inputs are
# spike arrays and its kernel draws no random numbers: the same digest on 1 and 2 threads.
THREAD_DEPENDENT = frozenset({"ei-balanced"})


def default_threads(experiment: str) -> int:
    """The threads a run uses unless told: every available core where the thread count does
    not change the spikes, else one (the thread count of the stored references)."""
    return 1 if experiment in THREAD_DEPENDENT else available_cores()


def only_maps(spec: RunSpec) -> bool:
    """Whether the spec's backend maps the network without simulating it (a virtual board).

    Such a run produces a mapping report instead of spikes (see ``Collected.spikes``).
    """
    return bool(spec.options.get("virtual"))


def output_path(spec: RunSpec, output: Path) -> Path:
    """``output`` when it names a file, else the spec's own file name (result or mapping) inside it."""
    if Path(output).suffix in FILE_SUFFIXES:
        return Path(output)
    return mapping_output(spec, output) if only_maps(spec) else default_output(spec, output)


def run_to(spec: RunSpec, output: Path, events: RunEvents | None = None) -> tuple[RunResult, Path]:
    """Run ``spec`` and write its result at :func:`output_path`; a bad event recording is refused first."""
    if spec.events is not None and spec.experiment == "cerebellum":
        check_event_recording(spec)
    return run_experiment(spec, output_path(spec, output), events)


def map_to(spec: RunSpec, output: Path, events: RunEvents | None = None) -> dict[str, object]:
    """Map ``spec`` (no spikes) and write the mapping report at :func:`output_path`."""
    if spec.events is not None and spec.experiment == "cerebellum":
        check_event_recording(spec)
    return map_experiment(spec, output_path(spec, output), events)
