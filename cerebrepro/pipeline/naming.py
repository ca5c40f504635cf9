"""Readable result file names derived from a run spec."""

from __future__ import annotations

from pathlib import Path

from cerebrepro.pipeline.spec import RunSpec


def _stimulus_label(spec: RunSpec) -> str:
    if spec.stimulus.startswith("events:"):
        return f"events-{Path(spec.stimulus.removeprefix('events:')).stem}"
    if spec.stimulus in ("generated", "published"):
        return spec.stimulus + (f"{spec.stimulus_seed}" if spec.stimulus == "generated" else "")
    return Path(spec.stimulus).stem


def default_output(spec: RunSpec, directory: Path) -> Path:
    """The result path of ``spec`` in ``directory``: simulator, network, stimulus, seeds, duration, threads.

    The cerebellum: ``<simulator>[_<method>]_<scaffold>_<stimulus>_<duration>ms_t<threads>.h5``;
    the E-I network: ``ei-balanced_<simulator>_s<seed>[_events-<name>]_<duration>ms_t<threads>.h5``.
    """
    if spec.experiment == "ei-balanced":
        events = f"_{_stimulus_label(spec)}" if spec.stimulus.startswith("events:") else ""
        stem = f"ei-balanced_{spec.simulator}_s{spec.kernel_seed}{events}_{spec.duration:g}ms_t{spec.threads}"
        return Path(directory) / f"{stem}.h5"
    scaffold = (
        spec.scaffold if spec.scaffold in ("rebuilt", "published") else Path(spec.scaffold).stem
    )
    if spec.scaffold == "rebuilt":
        scaffold += f"{spec.size:g}" + (
            f"s{spec.scaffold_seed}" if spec.scaffold_seed is not None else ""
        )
    method = f"_{spec.options['method']}" if "method" in spec.options else ""
    name = f"{spec.simulator}{method}_{scaffold}_{_stimulus_label(spec)}_{spec.duration:g}ms_t{spec.threads}.h5"
    return Path(directory) / name


def mapping_output(spec: RunSpec, directory: Path) -> Path:
    """Where the mapping report of a run that only maps (no spikes) goes."""
    return default_output(spec, directory).with_suffix(".mapping.json")
