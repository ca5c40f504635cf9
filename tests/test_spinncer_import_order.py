"""SpiNNCer archives in the original's neuron orders come back in scaffold indices.

The original study ran with ``--id_remap grid`` and saved every spike under the id the
remapped population gave it: scaffold cell ``c`` of population ``p`` is written as
``order.mapping(p)[c]``. Importing must undo exactly that, with the order rebuilt from the
scaffold the run used.
"""

from __future__ import annotations

from collections.abc import Collection

import neo
import numpy as np
import pytest
import quantities as pq
from typer.testing import CliRunner

from cerebrepro.errors import ResultError
from cerebrepro.model.neuron_order import neuron_order
from cerebrepro.results.io import read_result
from cerebrepro.results.spinncer_import import (
    CHOSEN_BY_ARCHIVE,
    CHOSEN_BY_USER,
    ArchiveOrderWarning,
    SpinncerArchive,
    archive_order,
    archive_to_result,
    check_stimulus_matches,
    read_spinncer_archive,
    recorded_trains,
)
from cerebrepro.results.types import PopulationSpikes, RunResult

DURATION = 200.0
TIMESTEP = 0.1
SPIKES_PER_CELL = 3  # on average, at random steps
ID_SEED = 31415926  # the seed SpiNNCer's variance runner had (commented out)


@pytest.fixture(scope="module")
def run(small_scaffold) -> RunResult:
    """A synthetic run of the small scaffold: every population spikes at random cells and steps."""
    rng = np.random.default_rng(7)
    spikes = {}
    for name, size in small_scaffold.sizes.items():
        n = SPIKES_PER_CELL * size
        cells = rng.integers(0, size, n)
        times = rng.integers(0, round(DURATION / TIMESTEP), n) * TIMESTEP
        sort = np.lexsort((cells, times))
        spikes[name] = PopulationSpikes(size, times[sort], cells[sort])
    return RunResult(spikes, TIMESTEP, DURATION)


def spike_block(ids: np.ndarray, times: np.ndarray, size: int) -> neo.Block:
    """PyNN's get_data(['spikes']) of a population: one train per id, annotated with its source_index."""
    sort = np.argsort(ids, kind="stable")
    per_id = np.split(times[sort], np.cumsum(np.bincount(ids, minlength=size))[:-1])
    segment = neo.Segment(name="segment0")
    for index, train in enumerate(per_id):
        spiketrain = neo.SpikeTrain(train * pq.ms, t_start=0 * pq.ms, t_stop=DURATION * pq.ms)
        spiketrain.annotations["source_index"] = index
        segment.spiketrains.append(spiketrain)
    block = neo.Block()
    block.segments.append(segment)
    return block


def write_archive(
    path,
    run: RunResult,
    mapping: dict[str, np.ndarray],
    options: dict,
    blocks: Collection[str] = (),
):
    """A SpiNNCer archive of ``run`` whose scaffold cell ``c`` of ``p`` is saved as id ``mapping[p][c]``.

    ``options`` are the run's argparse options as SpiNNCer stores them (``id_remap``, ``id_seed``).
    The populations in ``blocks`` are saved as neo Blocks, the others as the older (n, 2)
    arrays of (id, time) rows (neo objects take about 5 ms a train to make and unpickle).
    """
    all_spikes = {}
    for name, spikes in run.spikes.items():
        ids = mapping[name][spikes.cells]
        rows = np.column_stack([ids, spikes.times])
        all_spikes[name] = spike_block(ids, spikes.times, spikes.size) if name in blocks else rows
    np.savez_compressed(
        path,
        simulation_parameters={
            "argparser": {"timestep": TIMESTEP, "simulator": "spinnaker", **options}
        },
        all_spikes=all_spikes,
        all_neurons=run.sizes,
        stimulus_params={},
        simtime=DURATION,
    )
    return path


def mappings(scaffold, mode: str, seed: int | None = None) -> dict[str, np.ndarray]:
    order = neuron_order(scaffold.positions, mode, seed)
    return {name: order.mapping(name) for name in order.orders}


def imported(path, scaffold, mode: str | None = None, seed: int | None = None) -> RunResult:
    return archive_to_result(
        read_spinncer_archive(path, trust=True), scaffold, path, neuron_order=mode, id_seed=seed
    )


def test_a_grid_archive_comes_back_as_the_runs_own_spikes(run, small_scaffold, tmp_path):
    """Acceptance: grid ids (neo Blocks, as the paper's runs saved them) give back the run's digest.

    Granule's 5,343 trains are saved as arrays: as neo objects they take about 25 s.
    """
    grid = mappings(small_scaffold, "grid")
    assert all(not np.array_equal(m, np.arange(m.size)) for n, m in grid.items() if n != "purkinje")
    blocks = [name for name in grid if name != "granule"]
    path = write_archive(
        tmp_path / "grid.npz", run, grid, {"id_remap": "grid", "id_seed": None}, blocks
    )

    result = imported(path, small_scaffold, "grid")
    assert result.spike_digest() == run.spike_digest()
    expected = neuron_order(small_scaffold.positions, "grid").provenance()
    assert (
        result.provenance["neuron_order"] == expected
        and expected["mode"] == "grid"
        and expected["seed"] is None
    )
    assert result.provenance["cell_indices"] == "scaffold"
    assert result.provenance["imported_from"]["cell_indices"] == "grid order ids, reverted"
    assert result.provenance["imported_from"]["neuron_order"] == {
        "recorded": {"mode": "grid", "seed": None},
        "chosen_by": CHOSEN_BY_USER,
        "disagreement": None,
    }
    for name, spikes in result.spikes.items():  # spike times unchanged, only ids
        assert np.array_equal(np.sort(spikes.times), np.sort(run.spikes[name].times)), name


def test_a_seeded_random_archive_comes_back_with_its_seed(run, small_scaffold, tmp_path):
    path = write_archive(
        tmp_path / "random.npz",
        run,
        mappings(small_scaffold, "random", ID_SEED),
        {"id_remap": "random", "id_seed": ID_SEED},
    )
    result = imported(path, small_scaffold, "random", ID_SEED)
    assert result.spike_digest() == run.spike_digest()
    assert result.provenance["neuron_order"]["seed"] == ID_SEED
    assert (
        imported(path, small_scaffold).spike_digest() == run.spike_digest()
    )  # seed from the archive
    with pytest.warns(
        ArchiveOrderWarning,
        match=r"random order \(seed 1\), but the archive records random order \(seed 31415926\)",
    ):
        other_seed = imported(path, small_scaffold, "random", 1)
    assert other_seed.spike_digest() != run.spike_digest()


def test_a_grid_archive_read_in_the_default_order_is_detectably_wrong(
    run, small_scaffold, tmp_path
):
    """Taking grid ids for scaffold indices (the old import) keeps every count but moves the spikes."""
    path = write_archive(
        tmp_path / "grid.npz", run, mappings(small_scaffold, "grid"), {"id_remap": "grid"}
    )
    with pytest.warns(
        ArchiveOrderWarning, match="reverted as default order, but the archive records grid order"
    ):
        wrong = imported(path, small_scaffold, "default")
    assert wrong.spike_digest() != run.spike_digest()
    assert wrong.provenance["imported_from"]["neuron_order"]["disagreement"].startswith(
        "the ids are reverted as default"
    )
    granule, truth = wrong.spikes["granule"], run.spikes["granule"]
    assert granule.n_spikes == truth.n_spikes
    moved = np.count_nonzero(granule.counts_per_cell() != truth.counts_per_cell())
    assert moved > 0.5 * granule.size  # cell by cell, most granule cells are wrong
    stimulus = recorded_trains(run.spikes["glomerulus"], TIMESTEP)  # the input the run was given
    with pytest.raises(ResultError, match="glomeruli differ in spike count"):
        check_stimulus_matches(wrong, stimulus)  # naming the stimulus (--stimulus) catches it
    check_stimulus_matches(imported(path, small_scaffold), stimulus)


def archive_with(options: dict) -> SpinncerArchive:
    return SpinncerArchive({}, {}, DURATION, {"argparser": options}, {}, "0" * 64, "sha256")


@pytest.mark.parametrize(
    ("options", "mode", "seed"),
    [
        ({}, "default", None),  # archives from before --id_remap existed
        ({"id_remap": None, "id_seed": None}, "default", None),  # SpiNNCer's default
        ({"id_remap": "grid", "id_seed": None}, "grid", None),  # the paper's runs
        ({"id_remap": "grid", "id_seed": 5}, "grid", None),  # a seed means nothing to grid
        ({"id_remap": "random", "id_seed": 5}, "random", 5),
    ],
)
def test_the_default_order_is_the_archives_own(options, mode, seed, tmp_path):
    chosen = archive_order(archive_with(options), tmp_path / "a.npz")
    assert (chosen.mode, chosen.seed, chosen.chosen_by, chosen.disagreement) == (
        mode,
        seed,
        CHOSEN_BY_ARCHIVE,
        None,
    )


def test_a_flag_overrides_the_archive_and_the_disagreement_is_said(tmp_path):
    grid = archive_with({"id_remap": "grid"})
    agreed = archive_order(grid, tmp_path / "a.npz", "grid")
    assert (agreed.mode, agreed.chosen_by, agreed.disagreement) == ("grid", CHOSEN_BY_USER, None)
    chosen = archive_order(grid, tmp_path / "a.npz", "random", 3)
    assert (chosen.mode, chosen.seed) == ("random", 3)
    assert chosen.disagreement.startswith(
        "the ids are reverted as random order (seed 3), but the archive records grid order"
    )
    assert (
        archive_order(
            archive_with({"id_remap": "random", "id_seed": 5}), tmp_path / "a.npz", seed=6
        ).seed
        == 6
    )


@pytest.mark.parametrize(
    ("options", "mode", "seed", "message"),
    [
        (
            {"id_remap": "hilbert"},
            None,
            None,
            "a.npz: the run placed cells in SpiNNCer's hilbert order",
        ),
        ({}, "hilbert", None, "hilbert order, which cannot be reverted"),
        (
            {"id_remap": "random", "id_seed": None},
            None,
            None,
            "a.npz: a random id order without a seed",
        ),
        ({}, "random", None, "unseeded permutation"),
        (
            {"id_remap": "spiral"},
            None,
            None,
            "a.npz: unknown neuron order 'spiral': choose one of default, grid, random",
        ),
    ],
)
def test_orders_that_cannot_be_reverted_are_refused(options, mode, seed, message, tmp_path):
    with pytest.raises(ResultError, match=message):
        archive_order(archive_with(options), tmp_path / "a.npz", mode, seed)


def test_an_id_outside_the_population_names_the_file(run, small_scaffold, tmp_path):
    ids = mappings(small_scaffold, "grid")
    ids["dcn"] = ids["dcn"] + 1  # the last dcn cell gets id 6 of 6 cells
    path = write_archive(tmp_path / "shifted.npz", run, ids, {"id_remap": "grid"})
    with pytest.raises(
        ResultError, match=r"shifted\.npz: dcn spike of cell id 6 outside the population's 6 cells"
    ):
        imported(path, small_scaffold)


def test_import_command_reverts_the_archives_order(
    run, small_scaffold, small_scaffold_file, tmp_path
):
    from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
    from cerebrepro.cli.app import app

    assert small_scaffold.sizes["dcn"] == 6
    path = write_archive(
        tmp_path / "grid.npz", run, mappings(small_scaffold, "grid"), {"id_remap": "grid"}
    )
    base = ["import-spinncer", str(path), "--scaffold", str(small_scaffold_file), "--trust"]
    done = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "grid.h5")])
    assert done.exit_code == 0, done.output
    assert "ids reverted from the grid order to scaffold indices" in done.output
    stored = read_result(tmp_path / "grid.h5")
    assert stored.spike_digest() == run.spike_digest()
    assert stored.provenance["neuron_order"]["mode"] == "grid"

    wrong = CliRunner().invoke(
        app, [*base, "--neuron-order", "default", "-o", str(tmp_path / "default.h5")]
    )
    assert (
        wrong.exit_code == 0
        and "warning:" in wrong.output
        and "archive records grid order" in wrong.output
    )
    assert read_result(tmp_path / "default.h5").spike_digest() != run.spike_digest()

    refused = CliRunner().invoke(
        app, [*base, "--neuron-order", "random", "-o", str(tmp_path / "random.h5")]
    )
    assert isinstance(refused.exception, ResultError) and "without a seed" in str(refused.exception)
    assert not (tmp_path / "random.h5").exists()
