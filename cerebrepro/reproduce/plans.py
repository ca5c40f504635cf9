"""The options of ``cerebrepro reproduce`` and the runs they name.

Figures 4, 5, 6 and 8 are drawn from one reference run (``reference_spec``: the offline
default is NEST on the rebuilt 400x400 scaffold with the builder's default seed and the
generated stimulus of seed 3, 1000 ms). Figures 4-6 also use a run of the same spec on
another simulator when the run cache already holds one (``companion_specs``); they never
start such a run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cerebrepro.backends.registry import names as backend_names
from cerebrepro.model.cerebellum import DURATION
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.sweep.cluster import ClusterOptions

DEFAULT_SIZE = 400.0  # um
SIMULATORS: tuple[str, ...] = backend_names()  # every registered backend


@dataclass(frozen=True)
class FigureOptions:
    """What the user chose; None means the figure's own default."""

    size: float | None = None  # um, base of the rebuilt scaffold
    simulator: str = "nest"
    threads: int = 1
    duration: float | None = None  # ms of model time
    full: bool = False  # figure 7: the paper's sweep instead of the reduced one
    burst: str = "both"  # figure 7: both | poisson | periodic
    cluster: ClusterOptions = ClusterOptions()  # where a figure's many runs go (figure 7)


def reference_spec(options: FigureOptions) -> RunSpec:
    """The run figures 4, 5, 6 and 8 are drawn from."""
    return RunSpec(
        simulator=options.simulator,
        size=options.size if options.size is not None else DEFAULT_SIZE,
        duration=options.duration if options.duration is not None else DURATION,
        threads=options.threads,
    )


def companion_specs(spec: RunSpec) -> dict[str, list[RunSpec]]:
    """Per other simulator, the specs of its run of the same experiment, most alike first.

    The same spec on the other simulator; when ``spec`` uses several threads, also that
    spec with one thread (a SpiNNaker run has no thread count of its own).
    """
    companions = {}
    for simulator in SIMULATORS:
        if simulator == spec.simulator:
            continue
        same = dataclasses.replace(spec, simulator=simulator)
        candidates = [same] + ([dataclasses.replace(same, threads=1)] if spec.threads != 1 else [])
        companions[simulator] = candidates
    return companions


def spec_summary(spec: RunSpec) -> str:
    """A short line naming a spec: simulator, scaffold, stimulus, burst, duration, threads."""
    scaffold = f"rebuilt {spec.size:g} um" if spec.scaffold == "rebuilt" else spec.scaffold
    if spec.scaffold == "rebuilt" and spec.scaffold_seed is not None:
        scaffold += f" seed {spec.scaffold_seed}"
    stimulus = (
        f"stimulus seed {spec.stimulus_seed}"
        if spec.stimulus == "generated"
        else f"stimulus {spec.stimulus}"
    )
    p = spec.protocol
    return (
        f"{spec.simulator}, {scaffold}, {stimulus} ({p.kind}, f_peak {p.f_peak:g} Hz, radius "
        f"{p.radius:g} um), {spec.duration:g} ms, {spec.threads} thread{'s' if spec.threads != 1 else ''}"
    )
