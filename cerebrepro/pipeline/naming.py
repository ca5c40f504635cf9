"""Readable result file names derived from a run spec."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cerebrepro.pipeline.spec import RunSpec


def _stimulus_label(spec: RunSpec) -> str:
    if spec.stimulus.startswith("events:"):
        return f"events-{Path(spec.stimulus.removeprefix('events:')).stem}"
    if spec.stimulus in ("generated", "published"):
        return spec.stimulus + (f"{spec.stimulus_seed}" if spec.stimulus == "generated" else "")
    return Path(spec.stimulus).stem


MAX_PARAMETER_LABEL = 80  # characters; longer sets of changes are named by a digest


def parameter_label(spec: RunSpec) -> str:
    """``_set-<name>=<value>[,...]`` for a run with changed parameters ('' for the model's own).

    A long list is named ``_set-<digest>`` instead (the result's provenance lists it).
    """
    if not spec.parameters:
        return ""
    label = ",".join(f"{name}={value:g}" for name, value in spec.parameters)
    if len(label) > MAX_PARAMETER_LABEL:
        label = hashlib.sha256(label.encode()).hexdigest()[:12]
    return f"_set-{label}"


def default_output(spec: RunSpec, directory: Path) -> Path:
    """The result path of ``spec`` in ``directory``: simulator, network, stimulus, seeds, duration, threads.

    The cerebellum: ``<simulator>[_<method>]_<scaffold>_<stimulus>[_set-<changes>]_<duration>ms_t<threads>.h5``;
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
    name = (
        f"{spec.simulator}{method}_{scaffold}_{_stimulus_label(spec)}{parameter_label(spec)}"
        f"_{spec.duration:g}ms_t{spec.threads}.h5"
    )
    return Path(directory) / name


def mapping_output(spec: RunSpec, directory: Path) -> Path:
    """Where the mapping report of a run that only maps (no spikes) goes."""
    return default_output(spec, directory).with_suffix(".mapping.json")
