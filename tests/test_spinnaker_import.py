"""SpiNNCer archives (npz of pickled neo Blocks) into the result format, only after a checksum."""

from __future__ import annotations

import hashlib

import neo
import numpy as np
import pytest
import quantities as pq
from typer.testing import CliRunner

from cerebrepro.analysis.compare import compare_runs
from cerebrepro.errors import ResultError
from cerebrepro.pipeline.resolve import resolve_stimulus
from cerebrepro.pipeline.run import run_experiment
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.io import read_result, write_result
from cerebrepro.results.spinncer_import import (
    archive_to_result,
    check_stimulus_matches,
    read_spinncer_archive,
)

pytestmark = pytest.mark.nest  # the archives carry the spikes of a short NEST run

DURATION = 100.0
MAX_CELLS = 600  # per population: neo objects are slow to make and to unpickle


@pytest.fixture(scope="module")
def tiny_scaffold(small_scaffold):
    """The small scaffold's first MAX_CELLS cells of each population and the synapses among them."""
    from cerebrepro.model.cerebellum import PROJECTIONS, UNSIMULATED_PROJECTIONS
    from cerebrepro.scaffold.types import Connections, Scaffold

    ends = {**{n: (p.pre, p.post) for n, p in PROJECTIONS.items()}, **UNSIMULATED_PROJECTIONS}
    keep = {name: min(size, MAX_CELLS) for name, size in small_scaffold.sizes.items()}
    connections = {}
    for name, rows in small_scaffold.connections.items():
        pre, post = ends[name]
        inside = (rows.pre < keep[pre]) & (rows.post < keep[post])
        connections[name] = Connections(rows.pre[inside], rows.post[inside])
    positions = {name: p[: keep[name]] for name, p in small_scaffold.positions.items()}
    return Scaffold(positions, connections, dict(small_scaffold.attrs))


@pytest.fixture(scope="module")
def tiny_scaffold_file(tiny_scaffold, tmp_path_factory):
    from cerebrepro.scaffold.write import write_scaffold

    path = tmp_path_factory.mktemp("tiny") / "tiny_scaffold.hdf5"
    write_scaffold(tiny_scaffold, path)
    return path


@pytest.fixture(scope="module")
def nest_run(tiny_scaffold_file, tmp_path_factory):
    """A short NEST run of the tiny scaffold: the spikes the archive will carry."""
    spec = RunSpec(scaffold=str(tiny_scaffold_file), duration=DURATION, stimulus_seed=5)
    result, _ = run_experiment(spec, tmp_path_factory.mktemp("nest") / "nest.h5")
    return spec, result


def spike_block(spikes, duration: float) -> neo.Block:
    """A population's spikes as PyNN's get_data(['spikes']) returns them: one annotated train per cell."""
    segment = neo.Segment(name="segment0")
    for cell in range(spikes.size):
        times = spikes.times[spikes.cells == cell]
        train = neo.SpikeTrain(times * pq.ms, t_start=0 * pq.ms, t_stop=duration * pq.ms)
        train.annotations["source_index"] = cell
        segment.spiketrains.append(train)
    block = neo.Block()
    block.segments.append(segment)
    return block


def in_order(spikes, mapping):
    """``spikes`` with scaffold cell c renumbered ``mapping[c]`` (as SpiNNCer's --id_remap saves them)."""
    return type(spikes)(spikes.size, spikes.times, mapping[spikes.cells])


def write_archive(path, result, legacy: bool = False, order=None) -> str:
    """A SpiNNCer result archive of ``result``'s spikes (neo Blocks, or (n, 2) arrays if ``legacy``).

    With ``order`` (a NeuronOrder), ids are in that order and the options record it as ``id_remap``.
    """
    spikes = {
        n: s if order is None else in_order(s, order.mapping(n)) for n, s in result.spikes.items()
    }
    all_spikes = {
        name: np.column_stack([s.cells, s.times]) if legacy else spike_block(s, result.duration)
        for name, s in spikes.items()
    }
    remap = None if order is None else order.mode
    np.savez_compressed(
        path,
        simulation_parameters={
            "argparser": {
                "timestep": result.timestep,
                "simulator": "spinnaker",
                "stim_times": [300, 50, 650],
                "id_remap": remap,
                "id_seed": None,
            },
            "git_hash": "0000000",
            "n_neurons_per_core": 64,
        },
        all_spikes=all_spikes,
        other_recordings={},
        all_neurons={name: s.size for name, s in result.spikes.items()},
        final_connectivity=[],
        stimulus_params={"f_base": 1.0, "f_peak": 150.0, "stim_radius": 140},
        simtime=result.duration,
    )
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def archive(nest_run, tmp_path_factory):
    path = tmp_path_factory.mktemp("spinncer") / "spinncer_experiment.npz"
    return path, write_archive(path, nest_run[1])


def test_an_unverified_archive_is_never_unpickled(archive, monkeypatch):
    path, digest = archive
    monkeypatch.setattr("cerebrepro.results.spinncer_import.manifest_sha256", lambda name: None)
    with pytest.raises(ResultError, match="--sha256 .* or --trust"):
        read_spinncer_archive(path)
    with pytest.raises(ResultError, match="does not match its checksum"):
        read_spinncer_archive(path, sha256="0" * 64)
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("opened without a checksum"))
    with pytest.raises(ResultError):
        read_spinncer_archive(path)


def test_archive_round_trips_into_the_result_format(archive, nest_run, tiny_scaffold, tmp_path):
    path, digest = archive
    spec, nest_result = nest_run
    loaded = read_spinncer_archive(path, sha256=digest)
    assert (loaded.trust, loaded.simulator, loaded.timestep, loaded.duration) == (
        "sha256",
        "spinnaker",
        0.1,
        DURATION,
    )
    recorded_input = archive_to_result(loaded, tiny_scaffold, path)
    assert recorded_input.provenance["stimulus"]["source"] == "recorded glomerulus spikes"
    imported = archive_to_result(
        loaded, tiny_scaffold, path, stimulus=nest_result.provenance["stimulus"]
    )
    assert imported.spike_digest() == nest_result.spike_digest()
    assert all(
        imported.spikes[name].n_spikes > 0
        for name in ("glomerulus", "granule", "golgi", "purkinje")
    )
    assert imported.provenance["scaffold_digest"] == nest_result.provenance["scaffold_digest"]
    assert imported.provenance["stimulus_sha256"] == nest_result.provenance["stimulus_sha256"]
    assert imported.provenance["neuron_order"]["mode"] == "default"

    stored = read_result(write_result(imported, tmp_path / "imported.h5"))
    assert stored.spike_digest() == nest_result.spike_digest()
    assert stored.provenance["imported_from"]["sha256"] == digest

    against_itself = compare_runs(stored, imported)
    against_nest = compare_runs(nest_result, stored)
    for comparison in (against_itself, against_nest):
        granule = comparison["populations"]["granule"]["windows"]["baseline"]
        assert granule["rate_difference"] == 0.0 and granule["ks"] == 0.0


def test_older_archives_with_spike_arrays_and_named_stimuli(nest_run, tiny_scaffold, tmp_path):
    spec, nest_result = nest_run
    path = tmp_path / "legacy.npz"
    write_archive(path, nest_result, legacy=True)
    imported = archive_to_result(read_spinncer_archive(path, trust=True), tiny_scaffold, path)
    assert imported.spike_digest() == nest_result.spike_digest()

    named = resolve_stimulus(spec, tiny_scaffold)
    check_stimulus_matches(imported, named.trains)
    other = resolve_stimulus(RunSpec(duration=DURATION, stimulus_seed=6), tiny_scaffold)
    with pytest.raises(ResultError, match="glomeruli differ"):
        check_stimulus_matches(imported, other.trains)


def test_archive_of_another_network_is_refused(nest_run, tiny_scaffold, tmp_path):
    _, nest_result = nest_run
    path = tmp_path / "other.npz"
    write_archive(path, nest_result, legacy=True)
    loaded = read_spinncer_archive(path, trust=True)
    loaded.sizes["granule"] += 1
    with pytest.raises(ResultError, match="not run on this scaffold"):
        archive_to_result(loaded, tiny_scaffold, path)


def test_import_command(archive, nest_run, tiny_scaffold, tiny_scaffold_file, tmp_path):
    """The paper's runs saved grid ids: the command reverts them (order from the archive) to the run's spikes."""
    from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
    from cerebrepro.cli.app import app
    from cerebrepro.model.neuron_order import neuron_order

    path, digest = archive
    output = tmp_path / "imported.h5"
    result = CliRunner().invoke(
        app,
        [
            "import-spinncer",
            str(path),
            "--scaffold",
            str(tiny_scaffold_file),
            "--sha256",
            digest,
            "-o",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    assert read_result(output).spike_digest() == nest_run[1].spike_digest()
    refused = CliRunner().invoke(
        app,
        [
            "import-spinncer",
            str(path),
            "--scaffold",
            str(tiny_scaffold_file),
            "-o",
            str(tmp_path / "x.h5"),
        ],
    )
    assert refused.exit_code != 0 and not (tmp_path / "x.h5").exists()

    grid = tmp_path / "grid.npz"
    write_archive(
        grid, nest_run[1], legacy=True, order=neuron_order(tiny_scaffold.positions, "grid")
    )
    args = [
        "import-spinncer",
        str(grid),
        "--scaffold",
        str(tiny_scaffold_file),
        "--trust",
        "-o",
        str(tmp_path / "grid.h5"),
    ]
    reverted = CliRunner().invoke(app, args)
    assert reverted.exit_code == 0, reverted.output
    assert read_result(tmp_path / "grid.h5").spike_digest() == nest_run[1].spike_digest()
