"""The stored reference of an experiment: a small YAML file in ``cerebrepro/verify/references``.

Layout (``format: cerebrepro.reference/1``)::

    experiment, created, command        what it is, when it was made, how to make it again
    versions                            packages that influence the spikes
    spec                                the exact RunSpec of the reference run
    scaffold: {seed, digest, sizes}     the connectivity digest a verified run must share
    stimulus: {seed, sha256, n_spikes}  likewise the stimulus digest
    exact: {spike_digest, simulator, simulation_revision, nest-simulator, PyNN, threads,
            kernel_seed}
                                        the same-seed check and what it is valid for
    tolerance_rule: {margin, floor_counts, rule}
    ensemble: [{stimulus_seed, scaffold_seed, scaffold_digest, spike_digest}, ...]
    left_out: {figure: reason}          figures not defined on every ensemble run
    paired: {counts, sha256, windows, threshold, margin, floor, rule, noise: [...]}
                                        the reference run's per-cell counts (a file beside
                                        this one) and the z threshold of the paired checks,
                                        measured on runs that must pass (verify/paired.py)
    figures: {name: {reference, tolerance, unit, resolution, spread: {n, min, max, std,
              max_deviation, floor, floored}}}

Reference values are stored to 10 significant digits, resolutions and spreads to 6.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from cerebrepro.data.cache import atomic_path
from cerebrepro.errors import CerebreproError
from cerebrepro.model.cerebellum import Protocol
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.verify.tolerances import Spread

FORMAT = "cerebrepro.reference/1"
VALUE_DIGITS = 10  # significant digits of a stored reference value
SPREAD_DIGITS = 6  # of the resolution and the spread, which only document the tolerance


class ReferenceFileError(CerebreproError):
    """A reference file is missing or malformed."""


@dataclass(frozen=True)
class ReferenceFigure:
    """A figure's reference value, its tolerance and how the tolerance was derived."""

    reference: float
    tolerance: float
    unit: str
    resolution: float
    spread: Spread


@dataclass
class Reference:
    """Everything a stored reference holds (see the module docstring)."""

    experiment: str
    spec: RunSpec
    scaffold: dict[str, object]
    stimulus: dict[str, object]
    exact: dict[str, object]
    figures: dict[str, ReferenceFigure]
    versions: dict[str, object] = field(default_factory=dict)
    tolerance_rule: dict[str, object] = field(default_factory=dict)
    ensemble: list[dict[str, object]] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)
    created: str = ""
    command: str = ""
    paired: dict[str, object] = field(default_factory=dict)
    location: Path | None = None  # the file it was read from (not stored)

    def paired_counts(self) -> dict[str, np.ndarray] | None:
        """The reference run's per-cell window counts (verified by sha256), or None if not stored."""
        if not self.paired or self.location is None:
            return None
        from cerebrepro.verify.paired import read_counts

        path = self.location.parent / str(self.paired["counts"])
        return read_counts(path, str(self.paired["sha256"]))


def spec_to_plain(spec: RunSpec) -> dict[str, object]:
    """The spec as YAML-safe data; the model's own parameters (none changed) are left out."""
    plain = dataclasses.asdict(spec)
    parameters = plain.pop("parameters")
    if parameters:
        plain["parameters"] = [[name, float(value)] for name, value in parameters]
    return plain


def spec_from_plain(data: dict) -> RunSpec:
    """The RunSpec stored in a reference, exactly (so that its cache key is the same)."""
    data = dict(data)
    data["protocol"] = Protocol(**data.get("protocol", {}))
    data["parameters"] = tuple((str(n), float(v)) for n, v in data.get("parameters") or ())
    return RunSpec(**data)


def reference_to_plain(reference: Reference) -> dict[str, object]:
    """The YAML document of a reference, in reading order."""
    return {
        "format": FORMAT,
        "experiment": reference.experiment,
        "created": reference.created,
        "command": reference.command,
        "versions": reference.versions,
        "spec": spec_to_plain(reference.spec),
        "scaffold": reference.scaffold,
        "stimulus": reference.stimulus,
        "exact": reference.exact,
        "tolerance_rule": reference.tolerance_rule,
        "ensemble": reference.ensemble,
        "left_out": reference.left_out,
        **({"paired": reference.paired} if reference.paired else {}),
        "figures": {
            name: {
                "reference": significant(f.reference, VALUE_DIGITS),
                "tolerance": f.tolerance,
                "unit": f.unit,
                "resolution": significant(f.resolution, SPREAD_DIGITS),
                "spread": {
                    key: significant(value, SPREAD_DIGITS) if isinstance(value, float) else value
                    for key, value in dataclasses.asdict(f.spread).items()
                    if key != "tolerance"
                },
            }
            for name, f in reference.figures.items()
        },
    }


def reference_from_plain(data: dict) -> Reference:
    """A reference from its YAML document; ReferenceFileError if it is not one."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReferenceFileError(f"not a reference file of format {FORMAT}")
    try:
        figures = {
            name: ReferenceFigure(
                reference=float(f["reference"]),
                tolerance=float(f["tolerance"]),
                unit=str(f["unit"]),
                resolution=float(f["resolution"]),
                spread=Spread(**f["spread"], tolerance=float(f["tolerance"])),
            )
            for name, f in data["figures"].items()
        }
        return Reference(
            experiment=data["experiment"],
            spec=spec_from_plain(data["spec"]),
            scaffold=data["scaffold"],
            stimulus=data["stimulus"],
            exact=data["exact"],
            figures=figures,
            versions=data.get("versions") or {},
            tolerance_rule=data.get("tolerance_rule") or {},
            ensemble=data.get("ensemble") or [],
            left_out=data.get("left_out") or {},
            created=str(data.get("created", "")),
            command=str(data.get("command", "")),
            paired=data.get("paired") or {},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReferenceFileError(f"malformed reference ({type(exc).__name__}: {exc})") from exc


def significant(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits (so that the file reads well)."""
    return float(f"{value:.{digits}g}")


def read_reference(path: Path) -> Reference:
    """Read a stored reference, naming the file in any error."""
    path = Path(path)
    if not path.is_file():
        raise ReferenceFileError(
            f"no reference file {path}: create it with `cerebrepro verify regenerate` "
            "(see docs/verification.md)"
        )
    try:
        reference = reference_from_plain(yaml.safe_load(path.read_text()))
        reference.location = path
        return reference
    except yaml.YAMLError as exc:
        raise ReferenceFileError(f"{path}: not valid YAML ({exc})") from exc
    except ReferenceFileError as exc:
        raise ReferenceFileError(f"{path}: {exc}") from exc


def write_reference(reference: Reference, path: Path, header: str = "") -> Path:
    """Write ``reference`` as YAML atomically, ``header`` first as comment lines."""
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.safe_dump(
        reference_to_plain(reference), sort_keys=False, width=100, default_flow_style=None
    )
    with atomic_path(Path(path), suffix=".yaml") as tmp:
        tmp.write_text(comments + body)
    return Path(path)
