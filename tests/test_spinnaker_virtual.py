"""sPyNNaker on a virtual board: the small network maps, in grid order, and reads back in description indices.

Each test maps a network with sPyNNaker's tools (15-30 s on 2 cores): they are slow.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip(
    "spynnaker", reason="sPyNNaker is not installed: pip install 'cerebrepro[spinnaker]'"
)
pytestmark = pytest.mark.slow

from cerebrepro.backends.contract import SilentProgress, SimulationSettings  # noqa: E402
from cerebrepro.backends.pynn import pynn_weights  # noqa: E402
from cerebrepro.backends.spinnaker import BACKEND, SpinnakerOptions  # noqa: E402
from cerebrepro.backends.spinnaker import backend as spinnaker  # noqa: E402
from cerebrepro.backends.spinnaker.mapping import VIRTUAL_NOTE, write_mapping_report  # noqa: E402
from cerebrepro.backends.spinnaker.ordering import permute_network  # noqa: E402
from cerebrepro.model.cerebellum import NEURONS_PER_CORE, POPULATIONS  # noqa: E402
from cerebrepro.model.cerebellum_network import describe_cerebellum  # noqa: E402
from cerebrepro.model.description import NetworkDescription  # noqa: E402
from cerebrepro.model.neuron_order import NeuronOrder, neuron_order  # noqa: E402
from cerebrepro.pipeline.resolve import resolve_stimulus  # noqa: E402
from cerebrepro.pipeline.spec import RunSpec  # noqa: E402

DURATION = 50.0
TIMESTEP = 0.1  # the paper's
SETTINGS = SimulationSettings(DURATION, TIMESTEP, threads=1, seed=1)
SPIKE_STEPS = 400  # fake board spikes fall on steps 1..400, inside DURATION


def cerebellum(scaffold) -> NetworkDescription:
    trains = resolve_stimulus(RunSpec(duration=DURATION), scaffold).trains
    return describe_cerebellum(scaffold.positions, scaffold.connections, trains)


def test_virtual_mapping_of_a_small_scaffold(small_scaffold, isolated_home, tmp_path):
    """One core per 64 cells (purkinje: per cell), no spikes, the mapping as plain data."""
    network = cerebellum(small_scaffold)
    options = SpinnakerOptions(virtual=True, run_dir=str(tmp_path / "run"))
    BACKEND.supports(network, SETTINGS, options)
    session = BACKEND.prepare(network, SETTINGS, options, SilentProgress())
    BACKEND.simulate(session, SilentProgress())
    collected = BACKEND.collect(session)
    assert collected.spikes is None and session.ended
    facts = collected.facts
    assert (
        facts["kind"] == "cerebrepro.spinnaker-mapping-report/1" and facts["note"] == VIRTUAL_NOTE
    )
    assert facts["machine"]["virtual"] and facts["machine_settings"]["target"] == "virtual"
    for name, size in small_scaffold.sizes.items():
        assert facts["populations"][name]["cores"] == math.ceil(size / NEURONS_PER_CORE[name]), name
    assert facts["populations"]["purkinje"]["cores"] == small_scaffold.size("purkinje")
    assert facts["neuron_order"] == "grid"
    assert facts["order"] == neuron_order(small_scaffold.positions, "grid").provenance()
    assert collected.synapses == {rows.name: len(rows) for rows in network.connections}
    assert facts["n_synapses"] == sum(collected.synapses.values())
    assert json.loads(json.dumps(facts)) == facts  # plain data
    report = json.loads(write_mapping_report(facts, tmp_path / "mapping.json").read_text())
    assert report["populations"]["granule"]["cores"] == math.ceil(
        small_scaffold.size("granule") / 64
    )
    assert not list(tmp_path.rglob("*.h5"))
    assert not (isolated_home / ".spynnaker.cfg").exists()


def purkinje_reversed(network: NetworkDescription) -> NetworkDescription:
    """The same network with its purkinje cells numbered backwards.

    The small scaffold's purkinje cells are already in grid order; renumbered, every
    population's grid order differs from the identity, so every check below can fail.
    """
    orders = {name: np.arange(size) for name, size in network.sizes.items()}
    orders["purkinje"] = orders["purkinje"][::-1].copy()
    return permute_network(network, NeuronOrder("default", None, orders))


def given_rows(projection) -> np.ndarray:
    """The (pre, post, weight, delay) rows sPyNNaker's FromListConnector was given (no public view before a run)."""
    return np.asarray(projection._synapse_information.connector.conn_list)


def created_in_grid_order(session, network: NetworkDescription) -> None:
    """Neuron k of every sPyNNaker population is description cell ``grid.orders[p][k]``.

    What tells neurons apart is what sPyNNaker was given: the spike train of each source
    and both ends of every connection row (whose weights and delays stay with their row).
    """
    grid = neuron_order({group.name: group.positions for group in network.groups}, "grid")
    assert session.order.digest() == grid.digest()
    assert all(not np.array_equal(grid.orders[p], np.arange(network.sizes[p])) for p in POPULATIONS)
    handed = session.built.populations["glomerulus"].get("spike_times")
    trains, sources = network.group("glomerulus").spike_times, grid.orders["glomerulus"]
    assert [len(t) for t in handed] == [len(trains.train(c)) for c in sources]
    assert np.array_equal(
        np.concatenate(list(handed)), np.concatenate([trains.train(c) for c in sources])
    )
    ends = set()
    for rows in network.connections:
        if len(rows) == 0:
            assert rows.name not in session.built.projections
            continue
        listed = given_rows(session.built.projections[rows.name])
        assert np.array_equal(listed[:, 0], grid.mapping(rows.pre)[rows.pre_index]), rows.name
        assert np.array_equal(listed[:, 1], grid.mapping(rows.post)[rows.post_index]), rows.name
        assert np.array_equal(listed[:, 2], pynn_weights(rows, network.group(rows.post))), rows.name
        assert np.array_equal(listed[:, 3], rows.delays()), rows.name
        ends |= {rows.pre, rows.post}
    assert ends == set(POPULATIONS)


def afferent_counts(pairs) -> dict[str, np.ndarray]:
    """Post population -> connection rows onto each of its cells, from (population, post ids, size)."""
    counts: dict[str, np.ndarray] = {}
    for post, ids, size in pairs:
        counts[post] = counts.get(post, 0) + np.bincount(ids, minlength=size)
    return counts


def spike_time(afferents: np.ndarray) -> np.ndarray:
    """A fake spike time that only depends on how many rows arrive at a cell."""
    return (1 + afferents % SPIKE_STEPS) * TIMESTEP


def fake_board_spikes(session, monkeypatch) -> None:
    """What a board would record, in sPyNNaker's indices, on the real populations.

    A spike source records the trains it was handed; every other neuron fires once, at a time
    set by how many connection rows sPyNNaker gave it. Other signals are sPyNNaker's (empty).
    """
    populations = session.built.populations
    sizes = {name: population.size for name, population in populations.items()}
    post_of = {rows.name: rows.post for rows in session.network.connections}
    afferents = afferent_counts(
        (post_of[name], given_rows(p)[:, 1].astype(np.int64), sizes[post_of[name]])
        for name, p in session.built.projections.items()
    )
    handed = list(populations["glomerulus"].get("spike_times"))
    board = {
        "glomerulus": np.column_stack(
            [np.repeat(np.arange(len(handed)), [len(t) for t in handed]), np.concatenate(handed)]
        ),
        **{
            name: np.column_stack([np.arange(sizes[name]), spike_time(counts)])
            for name, counts in afferents.items()
        },
    }
    population_class = type(populations["granule"])  # its instances are read-only (slots)
    real = population_class.spinnaker_get_data

    def get_data(population, variable, *args, **kwargs):
        return (
            board[population.label]
            if variable == "spikes"
            else real(population, variable, *args, **kwargs)
        )

    monkeypatch.setattr(population_class, "spinnaker_get_data", get_data)


def in_description_indices(spikes, network: NetworkDescription) -> None:
    """The read-back spikes are the ones each description cell was given or wired for (no order involved)."""
    trains = network.group("glomerulus").spike_times
    counts = np.diff(trains.offsets)
    keep = trains.times < DURATION
    expected = {"glomerulus": (np.repeat(np.arange(counts.size), counts)[keep], trains.times[keep])}
    afferents = afferent_counts(
        (rows.post, rows.post_index, network.sizes[rows.post])
        for rows in network.connections
        if len(rows)
    )
    for name, counts in afferents.items():
        expected[name] = (np.arange(counts.size), spike_time(counts))
    assert set(expected) == set(POPULATIONS)
    for name, (cells, times) in expected.items():
        sort = np.lexsort((cells, times))
        assert np.array_equal(spikes[name].cells, cells[sort]), name
        assert np.array_equal(spikes[name].times, times[sort]), name


def read_back_after_a_virtual_run(session, network: NetworkDescription, monkeypatch) -> None:
    """What a board run reads back, through the real sPyNNaker calls (board spikes faked)."""
    fake_board_spikes(session, monkeypatch)
    collected = spinnaker.board_results(session)
    assert {name: s.size for name, s in collected.spikes.items()} == network.sizes
    in_description_indices(collected.spikes, network)
    granule = collected.analog["granule"]
    assert np.array_equal(granule.cells, np.arange(0, network.sizes["granule"], 64))
    assert granule.signals["v"].shape == (int(DURATION / TIMESTEP), granule.cells.size)
    facts = collected.facts
    assert facts["neuron_order"] == "grid" and facts["time_scale_factor"] == 1000.0
    positions = {group.name: group.positions for group in network.groups}
    assert facts["order"] == neuron_order(positions, "grid").provenance()
    assert facts["mapping"]["populations"]["purkinje"]["cores"] == network.sizes["purkinje"]
    assert isinstance(facts["core_provenance"], dict) and isinstance(
        facts["router_provenance"], dict
    )
    assert collected.synapses == {rows.name: len(rows) for rows in network.connections}


def test_populations_are_created_in_grid_order_and_read_back_in_description_indices(
    small_scaffold, isolated_home, tmp_path, monkeypatch
):
    network = purkinje_reversed(cerebellum(small_scaffold))
    options = SpinnakerOptions(neuron_order="grid", virtual=True, run_dir=str(tmp_path / "run"))
    session = BACKEND.prepare(network, SETTINGS, options, SilentProgress())
    try:
        assert {n: p.size for n, p in session.built.populations.items()} == network.sizes
        created_in_grid_order(session, network)
        recorded = {group.name for group in session.network.groups if group.record_analog.size}
        assert recorded == {"golgi", "granule", "purkinje", "basket", "stellate", "dcn"}
        BACKEND.simulate(session, SilentProgress())
        read_back_after_a_virtual_run(session, network, monkeypatch)
        assert BACKEND.collect(session).spikes is None  # a virtual board has no spikes of its own
        assert session.ended
    finally:
        spinnaker.end(session)
