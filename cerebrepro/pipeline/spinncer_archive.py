"""A SpiNNCer result archive imported on the scaffold (and stimulus) its run used, and written.

The archive is read only after its checksum matched (see
:func:`cerebrepro.results.spinncer_import.read_spinncer_archive`); its spike ids are reverted
to scaffold indices on the scaffold the spec names, and a named stimulus must be the one
the archive recorded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from cerebrepro.pipeline.resolve import resolve_scaffold, resolve_stimulus
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.io import write_result
from cerebrepro.results.spinncer_import import (
    ArchiveOrderWarning,
    SpinncerArchive,
    archive_to_result,
    check_stimulus_matches,
    read_spinncer_archive,
)
from cerebrepro.results.types import RunResult


@dataclass(frozen=True)
class ImportedArchive:
    """The archive as read, the result written from it, and what was doubtful about its order."""

    archive: SpinncerArchive
    result: RunResult
    warnings: list[str]


def import_archive(
    archive: Path,
    output: Path,
    scaffold: str = "published",
    size: float = 400.0,
    scaffold_seed: int | None = None,
    stimulus: str | None = None,
    sha256: str | None = None,
    trust: bool = False,
    neuron_order: str | None = None,
    id_seed: int | None = None,
) -> ImportedArchive:
    """Read ``archive``, revert its ids on the scaffold the run used and write the result to ``output``.

    ``scaffold``, ``size`` and ``scaffold_seed`` name that scaffold as a run spec does; a
    ``stimulus`` (published | path) must match the archive's recorded glomerulus spikes. The
    neuron order is the archive's unless ``neuron_order`` / ``id_seed`` say otherwise.
    """
    loaded = read_spinncer_archive(archive, sha256=sha256, trust=trust)
    spec = RunSpec(
        scaffold=scaffold, size=size, scaffold_seed=scaffold_seed, stimulus=stimulus or "generated",
        timestep=loaded.timestep, duration=loaded.duration,
    )  # fmt: skip
    network = resolve_scaffold(spec)
    named = resolve_stimulus(spec, network) if stimulus else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ArchiveOrderWarning)
        result = archive_to_result(
            loaded, network, archive, named.info if named else None, neuron_order, id_seed
        )
    if named is not None:
        check_stimulus_matches(result, named.trains)
    write_result(result, output)
    return ImportedArchive(loaded, result, [str(w.message) for w in caught])
