"""Import of SpiNNCer result archives (the ``.npz`` files published with the paper).

SpiNNCer (github.com/SpiNNakerManchester/SpiNNCer) saved each run with
``np.savez_compressed`` as pickled objects:

- ``all_spikes``: population -> the population's ``get_data(['spikes'])`` neo ``Block``
  (spike trains annotated with ``source_index``), or in older runs an (n, 2) array of
  (cell index, time in ms) rows;
- ``all_neurons``: population -> cell count; ``simtime``: duration (ms);
- ``simulation_parameters``: ``{'argparser': the run's options (``timestep``,
  ``simulator``, ``stim_times``, ``id_remap``, ``id_seed``, ...), 'git_hash', ...}``;
  ``stimulus_params``.

Spike ids are SpiNNCer's own: a run with ``--id_remap grid`` (the paper's runs) or
``random`` created every population (glomeruli included) in that order and never mapped
ids back, so archive id ``k`` of population ``p`` is scaffold cell ``order.orders[p][k]``
of the scaffold the run used. The import reverts them (:func:`archive_order`), so the
result holds scaffold indices like every run of this project.

Unpickling runs code from the file, so an archive is opened only from bytes whose sha256
matched a given checksum or the data manifest, or when the user says ``trust``.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cerebrepro.errors import ResultError
from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.model.neuron_order import NEURON_ORDERS, NeuronOrder
from cerebrepro.model.neuron_order import neuron_order as build_order
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.scaffold.types import Scaffold

SPINNCER_SIMULATORS = {"spinnaker": "spinnaker", "spynnaker": "spinnaker", "nest": "nest"}
CHOSEN_BY_ARCHIVE = "the archive's options"
CHOSEN_BY_USER = "--neuron-order / --id-seed"


class ArchiveOrderWarning(UserWarning):
    """The order named on the command line differs from the one the archive records."""


@dataclass(frozen=True)
class SpinncerArchive:
    """The parts of a SpiNNCer archive that make a result."""

    spikes: dict[str, Any]  # population -> neo Block or (n, 2) array
    sizes: dict[str, int]
    duration: float  # ms
    parameters: dict[str, Any]  # simulation_parameters
    stimulus_parameters: dict[str, Any]
    sha256: str
    trust: str  # how the bytes were trusted: "sha256", "manifest" or "trusted by the user"

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.parameters.get("argparser") or {})

    @property
    def timestep(self) -> float:
        return float(self.options.get("timestep", 0.1))

    @property
    def simulator(self) -> str:
        name = str(self.options.get("simulator", "spinnaker")).lower()
        return SPINNCER_SIMULATORS.get(name, name)


def manifest_sha256(name: str) -> str | None:
    """The sha256 the data manifest itself holds for ``name`` (a hash accepted on first use
    does not vouch for a pickle's content, so it is not consulted)."""
    from cerebrepro.data.manifest import load_manifest
    from cerebrepro.errors import FetchError, ManifestError

    try:
        return load_manifest().get(name).sha256
    except (FetchError, ManifestError):
        return None


def verified_bytes(
    path: Path, sha256: str | None = None, trust: bool = False
) -> tuple[bytes, str, str]:
    """The file's bytes, its sha256 and how it was trusted; refuses an unverified pickle."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ResultError(f"cannot read {path}: {exc.strerror or exc}") from exc
    actual = hashlib.sha256(content).hexdigest()
    expected, how = (
        (sha256.lower(), "sha256") if sha256 else (manifest_sha256(path.name), "manifest")
    )
    if expected is not None:
        if actual != expected:
            raise ResultError(
                f"{path} does not match its checksum ({how}: expected {expected}, got {actual}); "
                "it holds pickled objects, so it was not opened"
            )
        return content, actual, how
    if trust:
        return content, actual, "trusted by the user"
    raise ResultError(
        f"{path} holds pickled objects (sha256 {actual}) and no checksum vouches for it: "
        "pass --sha256 with the published checksum, or --trust if you made the file yourself"
    )


def read_spinncer_archive(
    path: Path, sha256: str | None = None, trust: bool = False
) -> SpinncerArchive:
    """Unpickle a SpiNNCer archive after its bytes were verified (see :func:`verified_bytes`)."""
    content, actual, how = verified_bytes(path, sha256, trust)
    try:
        with np.load(io.BytesIO(content), allow_pickle=True) as data:
            spikes = data["all_spikes"].item()
            sizes = {str(k): int(v) for k, v in data["all_neurons"].item().items()}
            duration = float(np.asarray(data["simtime"]).item())
            parameters = (
                data["simulation_parameters"].item()
                if "simulation_parameters" in data.files
                else {}
            )
            stimulus = data["stimulus_params"].item() if "stimulus_params" in data.files else {}
    except KeyError as exc:
        raise ResultError(f"{path} is not a SpiNNCer result archive (missing {exc})") from exc
    except (ValueError, TypeError, AttributeError, ModuleNotFoundError, ImportError) as exc:
        raise ResultError(
            f"{path} could not be unpickled ({type(exc).__name__}: {exc}); archives holding neo objects "
            "need a neo version able to read them"
        ) from exc
    return SpinncerArchive(
        spikes, sizes, duration, dict(parameters or {}), dict(stimulus or {}), actual, how
    )


def spike_rows(entry: Any) -> tuple[np.ndarray, np.ndarray]:
    """(cells, times in ms) of one population's entry: a neo Block or an (n, 2) array."""
    segments = getattr(entry, "segments", None)
    if segments is None:
        rows = np.asarray(entry, dtype=np.float64).reshape(-1, 2)
        return rows[:, 0].astype(np.int64), rows[:, 1]
    if not segments:
        return np.zeros(0, np.int64), np.zeros(0)
    cells, times = [], []
    to_ms: dict[str, float] = {}  # unit -> factor (rescaling each train is slow)
    for position, train in enumerate(segments[0].spiketrains):
        if len(train) == 0:
            continue
        unit = str(train.units.dimensionality)
        if unit not in to_ms:
            to_ms[unit] = float(train.units.rescale("ms").magnitude)
        index = train.annotations.get("source_index", position)
        values = np.asarray(train.magnitude, dtype=np.float64).ravel() * to_ms[unit]
        cells.append(np.full(values.size, int(index), dtype=np.int64))
        times.append(values)
    if not cells:
        return np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(cells), np.concatenate(times)


def population_spikes(
    entry: Any, size: int, duration: float, name: str, source: Path, order: np.ndarray | None = None
) -> PopulationSpikes:
    """One population's spikes before ``duration`` in scaffold indices, sorted by time then cell.

    ``order`` (archive id ``k`` is scaffold cell ``order[k]``) reverts the run's neuron order.
    """
    cells, times = spike_rows(entry)
    outside = (cells < 0) | (cells >= size)
    if outside.any():
        raise ResultError(
            f"{source}: {name} spike of cell id {int(cells[outside][0])} outside the population's {size} cells"
        )
    keep = times < duration - 1e-9
    cells, times = cells[keep], times[keep]
    if order is not None:
        cells = np.asarray(order, dtype=np.int64)[cells]
    sort = np.lexsort((cells, times))
    return PopulationSpikes(size, times[sort], cells[sort])


def recorded_trains(spikes: PopulationSpikes, timestep: float) -> SpikeTrains:
    """The recorded spikes of a population of sources as spike trains on the time grid."""
    steps = np.round(spikes.times / timestep).astype(np.int64)
    order = np.lexsort((steps, spikes.cells))
    counts = np.bincount(spikes.cells, minlength=spikes.size)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return SpikeTrains(np.round(steps[order] * timestep, 10), offsets)


def check_sizes(archive: SpinncerArchive, scaffold: Scaffold) -> list[str]:
    """The model's populations in the archive; an error if any size differs from the scaffold's."""
    names = [name for name in POPULATIONS if name in archive.spikes]
    if not names:
        raise ResultError(
            f"the archive holds none of the model's populations ({', '.join(archive.spikes)})"
        )
    wrong = {
        name: (archive.sizes.get(name), scaffold.size(name))
        for name in names
        if archive.sizes.get(name) != scaffold.size(name)
    }
    if wrong:
        listed = ", ".join(f"{n}: archive {a}, scaffold {s}" for n, (a, s) in wrong.items())
        raise ResultError(f"the archive was not run on this scaffold ({listed})")
    return names


@dataclass(frozen=True)
class ArchiveOrder:
    """The order an archive's ids are in, and the one its own options record."""

    mode: str
    seed: int | None  # only for random
    recorded_mode: str
    recorded_seed: int | None
    chosen_by: str  # CHOSEN_BY_ARCHIVE or CHOSEN_BY_USER

    @property
    def disagreement(self) -> str | None:
        """A sentence when the chosen order is not the one the archive records."""
        recorded_seed = self.recorded_seed if self.recorded_mode == "random" else None
        if (self.mode, self.seed) == (self.recorded_mode, recorded_seed):
            return None
        return (
            f"the ids are reverted as {describe_order(self.mode, self.seed)}, but the archive records "
            f"{describe_order(self.recorded_mode, recorded_seed)} (id_remap, id_seed); "
            "cell-by-cell comparisons are right only if the run really used the order named"
        )

    def order_of(self, scaffold: Scaffold) -> NeuronOrder:
        """This order on ``scaffold``: from all its positions, as the grid's edges span every cell."""
        return build_order(scaffold.positions, self.mode, self.seed)

    def provenance(self) -> dict[str, object]:
        return {
            "recorded": {"mode": self.recorded_mode, "seed": self.recorded_seed},
            "chosen_by": self.chosen_by,
            "disagreement": self.disagreement,
        }


def describe_order(mode: str, seed: int | None) -> str:
    return f"{mode} order (seed {seed})" if mode == "random" else f"{mode} order"


def recorded_order(archive: SpinncerArchive) -> tuple[str, int | None]:
    """(mode, seed) of the archive's options; SpiNNCer's ``id_remap`` None is the default order."""
    remap = archive.options.get("id_remap")
    seed = archive.options.get("id_seed")
    mode = "default" if remap is None or str(remap) == "" else str(remap).lower()
    return mode, None if seed is None else int(seed)


def archive_order(
    archive: SpinncerArchive, source: Path, mode: str | None = None, seed: int | None = None
) -> ArchiveOrder:
    """The order to revert ``archive``'s ids from: ``mode``/``seed`` if given, else its own record.

    Refuses orders that cannot be reverted: SpiNNCer's hilbert order (not reproduced here),
    an unknown one, and a random order without a seed (the original then drew an unseeded
    permutation that nothing recorded).
    """
    recorded_mode, recorded_seed = recorded_order(archive)
    chosen = (mode or recorded_mode).lower()
    chosen_seed = seed if seed is not None else recorded_seed
    if chosen == "hilbert":
        raise ResultError(
            f"{source}: the run placed cells in SpiNNCer's hilbert order, which cannot be reverted here "
            "(only default, grid and random are reproduced), so its ids cannot be matched to scaffold cells"
        )
    if chosen not in NEURON_ORDERS:
        raise ResultError(
            f"{source}: unknown neuron order {chosen!r}: choose one of {', '.join(NEURON_ORDERS)}"
        )
    if chosen == "random" and chosen_seed is None:
        raise ResultError(
            f"{source}: a random id order without a seed (none in the archive's id_seed, no --id-seed) cannot "
            "be reverted: the original drew an unseeded permutation, so its ids cannot be matched to scaffold cells"
        )
    by_user = mode is not None or (seed is not None and chosen == "random")
    return ArchiveOrder(
        chosen,
        chosen_seed if chosen == "random" else None,
        recorded_mode,
        recorded_seed,
        CHOSEN_BY_USER if by_user else CHOSEN_BY_ARCHIVE,
    )


def archive_to_result(
    archive: SpinncerArchive,
    scaffold: Scaffold,
    source: Path,
    stimulus: dict[str, object] | None = None,
    neuron_order: str | None = None,
    id_seed: int | None = None,
) -> RunResult:
    """The archive's spikes as a result of ``scaffold`` in scaffold indices, with provenance.

    ``stimulus`` (as :func:`cerebrepro.pipeline.run.resolve_stimulus` describes one) names
    the input the run used; without it the recorded glomerulus spikes are the stimulus.
    ``neuron_order`` and ``id_seed`` name the order the run created cells in (default: the
    archive's ``id_remap`` and ``id_seed``); the order is rebuilt from ``scaffold``'s
    positions and the ids are reverted through it (:func:`archive_order`). A choice that
    differs from the archive's record is allowed, with an :class:`ArchiveOrderWarning`
    and a note in the provenance.
    """
    names = check_sizes(archive, scaffold)
    chosen = archive_order(archive, source, neuron_order, id_seed)
    if chosen.disagreement:
        warnings.warn(f"{source}: {chosen.disagreement}", ArchiveOrderWarning, stacklevel=2)
    order = chosen.order_of(scaffold)
    spikes = {
        name: population_spikes(
            archive.spikes[name],
            scaffold.size(name),
            archive.duration,
            name,
            source,
            order.orders[name],
        )
        for name in names
    }
    if stimulus is None:
        from cerebrepro.model.spike_trains import trains_digest

        if "glomerulus" not in spikes:
            raise ResultError(
                "the archive has no glomerulus spikes: name the stimulus the run used"
            )
        trains = recorded_trains(spikes["glomerulus"], archive.timestep)
        stimulus = {
            "source": "recorded glomerulus spikes",
            "n_spikes": trains.n_spikes,
            "sha256": trains_digest(trains),
        }
    result = RunResult(spikes, archive.timestep, archive.duration)
    result.provenance = {
        "simulator": archive.simulator,
        "imported_from": {
            "format": "SpiNNCer npz",
            "path": str(Path(source).resolve()),
            "sha256": archive.sha256,
            "trust": archive.trust,
            "git_hash": archive.parameters.get("git_hash"),
            "run_end_time": archive.parameters.get("run_end_time"),
            "cell_indices": f"{chosen.mode} order ids, reverted",
            "neuron_order": chosen.provenance(),
        },
        "spinncer_options": archive.options,
        "spinncer_stimulus": archive.stimulus_parameters,
        "backend": {
            "name": archive.simulator,
            "neuron_order": chosen.mode,
            "order": order.provenance(),
        },
        "neuron_order": order.provenance(),
        "cell_indices": "scaffold",
        "scaffold_digest": scaffold.connectivity_digest(),
        "scaffold_sha256": scaffold.sha256,
        "scaffold_path": str(scaffold.source) if scaffold.source else None,
        "stimulus": stimulus,
        "stimulus_sha256": stimulus.get("sha256"),
        "timestep": archive.timestep,
        "duration": archive.duration,
        "n_cells": scaffold.n_cells,
        "analog": "not imported",
    }
    result.provenance["spike_digest"] = result.spike_digest()
    return result


def check_stimulus_matches(result: RunResult, trains: SpikeTrains) -> None:
    """Refuse a named stimulus whose spike counts per glomerulus differ from the recorded ones."""
    recorded = result.spikes.get("glomerulus")
    if recorded is None:
        return
    expected = np.diff(trains.offsets)
    seen = recorded.counts_per_cell()
    if expected.size != seen.size or not np.array_equal(expected, seen):
        differ = int(np.count_nonzero(expected != seen)) if expected.size == seen.size else "all"
        raise ResultError(
            f"the named stimulus does not match the archive's glomerulus spikes ({differ} glomeruli differ in "
            "spike count): name the stimulus the run used, or leave it out to use the recorded spikes"
        )
