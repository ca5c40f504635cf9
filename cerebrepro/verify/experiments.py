"""The experiments that have a stored reference: their run spec and the seed ensemble.

``nest-rebuilt400`` is the offline reference (protocol.md): the rebuilt 400x400 scaffold
with the builder's default seed, the generated stimulus with seed 3, NEST, 1000 ms, two
threads. ``nest-rebuilt100`` is a small version of it for self-tests (about ten seconds).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from cerebrepro.data.packaged import packaged_path, writable_packaged_path
from cerebrepro.errors import CerebreproError
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.scaffold.version import DEFAULT_SCAFFOLD_SEED

FULL = "nest-rebuilt400"
QUICK = "nest-rebuilt100"
POWER_ENGINE = (
    "brian2"  # runs the mutants of `verify power`: fast, and not the reference's simulator
)
REFERENCES = ("cerebrepro.verify", "references")  # package and folder of the stored references


@dataclass(frozen=True)
class Experiment:
    """A reference run and the default size of the ensemble its tolerances come from."""

    name: str
    spec: RunSpec
    stimulus_seeds: int = 5  # including the reference's own seed
    scaffold_seeds: int = 3  # including the reference's own scaffold


def rebuilt_on_nest(size: float, duration: float, threads: int) -> RunSpec:
    """A NEST run of the rebuilt scaffold with default seeds, recording spikes only."""
    return RunSpec(
        simulator="nest",
        scaffold="rebuilt",
        size=size,
        duration=duration,
        threads=threads,
        record_v="none",
    )


EXPERIMENTS: dict[str, Experiment] = {
    FULL: Experiment(FULL, rebuilt_on_nest(size=400.0, duration=1000.0, threads=2)),
    QUICK: Experiment(QUICK, rebuilt_on_nest(size=100.0, duration=500.0, threads=1)),
}


def experiment(name: str) -> Experiment:
    """The experiment called ``name``; a clear error for an unknown one."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise CerebreproError(
            f"no reference experiment {name!r} (known: {', '.join(EXPERIMENTS)})"
        ) from None


def reference_dir() -> Path:
    """The stored references, shipped in the package (``cerebrepro/verify/references``)."""
    return packaged_path(*REFERENCES)


def reference_path(name: str) -> Path:
    """The stored reference file of the experiment ``name``."""
    return reference_dir() / f"{name}.yaml"


def writable_reference_path(name: str) -> Path:
    """Where a regenerated reference of ``name`` goes: the source checkout's copy.

    An installed or read-only package is refused (CerebreproError naming the folder).
    """
    return writable_packaged_path(*REFERENCES) / f"{name}.yaml"


def scaffold_seed_of(spec: RunSpec) -> int | None:
    """The seed of a rebuilt scaffold (its own, else the builder's default); None otherwise."""
    if spec.scaffold != "rebuilt":
        return None
    return DEFAULT_SCAFFOLD_SEED if spec.scaffold_seed is None else spec.scaffold_seed


def other_seeds(first: int, count: int) -> list[int]:
    """``count`` seeds: ``first`` and the integers after it."""
    return [first + i for i in range(count)]


def ensemble_specs(spec: RunSpec, stimulus_seeds: int, scaffold_seeds: int) -> list[RunSpec]:
    """The reference spec first, then every other stimulus seed on the reference scaffold,
    then the reference stimulus seed on each other scaffold seed (rebuilt scaffolds only).
    """
    if stimulus_seeds < 1 or scaffold_seeds < 1:
        raise CerebreproError("an ensemble needs at least one stimulus seed and one scaffold seed")
    stimulus = (
        other_seeds(spec.stimulus_seed, stimulus_seeds)
        if spec.stimulus == "generated"
        else [spec.stimulus_seed]
    )
    specs = [dataclasses.replace(spec, stimulus_seed=seed) for seed in stimulus]
    scaffold_seed = scaffold_seed_of(spec)
    if scaffold_seed is not None:
        for seed in other_seeds(scaffold_seed, scaffold_seeds)[1:]:
            specs.append(dataclasses.replace(spec, scaffold_seed=seed))
    return specs
