"""sPyNNaker on a virtual board: the small network maps, and it is the network NEST builds.

Each test maps a network with sPyNNaker's tools (15-30 s on 2 cores): they are slow.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("spynnaker")

from cerebrepro.cli.app import app  # noqa: E402
from cerebrepro.cli.spinnaker import spinnaker_app  # noqa: E402,F401  (registers the commands)
from cerebrepro.errors import SimulatorError  # noqa: E402
from cerebrepro.model.cerebellum import NEURONS_PER_CORE, POPULATIONS, PROJECTIONS  # noqa: E402
from cerebrepro.model.neuron_order import NeuronOrder, neuron_order  # noqa: E402
from cerebrepro.simulate import spinnaker  # noqa: E402
from cerebrepro.simulate.run import RunSpec, resolve_stimulus  # noqa: E402
from cerebrepro.simulate.spinnaker_config import resolve_settings  # noqa: E402

DURATION = 50.0
TIMESTEP = 0.1  # RunSpec's default
SPIKE_STEPS = 400  # fake board spikes fall on steps 1..400, inside DURATION


@pytest.mark.slow
def test_virtual_mapping_of_a_small_scaffold(small_scaffold, small_scaffold_file, isolated_home, tmp_path):
    """`cerebrepro spinnaker map`: one core per 64 cells (purkinje: per cell), a report and no result."""
    report_path = tmp_path / "mapping.json"
    result = CliRunner().invoke(
        app,
        ["spinnaker", "map", "--scaffold", str(small_scaffold_file), "--duration", str(DURATION),
         "--run-dir", str(tmp_path / "run"), "-o", str(report_path)],
    )
    assert result.exit_code == 0, result.output
    assert "produces no spikes" in result.output
    report = json.loads(report_path.read_text())
    assert report["kind"] == "cerebrepro.spinnaker-mapping-report/1" and report["machine"]["virtual"]
    for name, size in small_scaffold.sizes.items():
        row = report["populations"][name]
        assert row["cores"] == math.ceil(size / NEURONS_PER_CORE[name]), name
    assert report["populations"]["purkinje"]["cores"] == small_scaffold.size("purkinje")
    assert report["populations"]["granule"]["cores"] == math.ceil(small_scaffold.size("granule") / 64)
    assert report["neuron_order"]["mode"] == "grid"
    assert not list(tmp_path.rglob("*.h5"))
    assert not (isolated_home / ".spynnaker.cfg").exists()


def test_a_virtual_board_never_writes_a_result(small_scaffold_file, isolated_home, tmp_path):
    from cerebrepro.simulate.run import run_experiment

    spec = RunSpec(simulator="spinnaker", scaffold=str(small_scaffold_file), duration=DURATION, options={"virtual": True})
    with pytest.raises(SimulatorError, match="produces no spikes"):
        run_experiment(spec, tmp_path / "result.h5")
    assert not list(tmp_path.glob("*.h5*"))


def nest_connections(small_scaffold, trains) -> dict[tuple[str, str], np.ndarray]:
    """(pre, post) population pair -> sorted rows (pre, post, weight nS signed, delay) built by NEST."""
    import nest

    from cerebrepro.simulate import nest as nest_backend

    session = nest_backend.prepare(RunSpec(duration=DURATION), small_scaffold, trains)
    populations = session.network.populations
    out = {}
    for pre, post in {(p.pre, p.post) for p in PROJECTIONS.values()}:
        pre_ids, post_ids = (nest_backend.node_ids(populations[n]) for n in (pre, post))
        c = nest.GetConnections(source=populations[pre].node_collection, target=populations[post].node_collection)
        rows = np.zeros((0, 4))
        if len(c):
            v = {k: np.atleast_1d(np.asarray(x, dtype=np.float64)) for k, x in c.get(["source", "target", "weight", "delay"]).items()}
            rows = np.column_stack([v["source"] - pre_ids[0], v["target"] - post_ids[0], v["weight"], v["delay"]])
        out[(pre, post)] = rows[np.lexsort(rows.T[::-1])]
    session.sim.end()
    return out


def spinnaker_connections(session) -> dict[tuple[str, str], np.ndarray]:
    """The same, from the lists sPyNNaker's FromListConnectors received, back in scaffold indices."""
    grouped: dict[tuple[str, str], list[np.ndarray]] = {}
    for name, projection in session.network.projections.items():
        model = PROJECTIONS[name]
        info = projection._synapse_information  # what sPyNNaker will load (no public view before a run)
        listed = np.asarray(info.connector.conn_list, dtype=np.float64)
        sign = -1.0 if info.receptor_type == "inhibitory" else 1.0
        pre = session.order.orders[model.pre][listed[:, 0].astype(np.int64)]
        post = session.order.orders[model.post][listed[:, 1].astype(np.int64)]
        rows = np.column_stack([pre, post, sign * listed[:, 2] * 1000.0, listed[:, 3]])
        grouped.setdefault((model.pre, model.post), []).append(rows)
    out = {}
    for pair, parts in grouped.items():
        rows = np.concatenate(parts)
        out[pair] = rows[np.lexsort(rows.T[::-1])]
    return out


def purkinje_reversed(scaffold):
    """The same network with its purkinje cells numbered backwards.

    The small scaffold's purkinje cells are already in grid order; renumbered, every
    population's grid order differs from the identity, so every check below can fail.
    """
    from cerebrepro.simulate.ordering import permute_scaffold

    orders = {name: np.arange(size) for name, size in scaffold.sizes.items()}
    orders["purkinje"] = orders["purkinje"][::-1].copy()
    return permute_scaffold(scaffold, NeuronOrder("default", None, orders))


def given_rows(projection) -> np.ndarray:
    """The (pre, post, weight, delay) rows sPyNNaker's FromListConnector was given (no public view before a run)."""
    return np.asarray(projection._synapse_information.connector.conn_list)


def created_in_grid_order(session, scaffold, trains) -> None:
    """Neuron k of every sPyNNaker population is scaffold cell ``grid.orders[p][k]``.

    What tells neurons apart is what sPyNNaker was given: the spike train of each source
    and both ends of every connection row.
    """
    grid = neuron_order(scaffold.positions, "grid")
    assert session.order.digest() == grid.digest()
    assert all(not np.array_equal(grid.orders[p], np.arange(scaffold.size(p))) for p in POPULATIONS)
    handed = session.network.populations["glomerulus"].get("spike_times")
    sources = grid.orders["glomerulus"]
    assert [len(t) for t in handed] == [len(trains.train(c)) for c in sources]
    assert np.array_equal(np.concatenate(list(handed)), np.concatenate([trains.train(c) for c in sources]))
    ends = set()
    for name, projection in session.network.projections.items():
        listed = given_rows(projection)
        rows, model = scaffold.connections[name], PROJECTIONS[name]
        assert np.array_equal(listed[:, 0], grid.mapping(model.pre)[rows.pre]), name
        assert np.array_equal(listed[:, 1], grid.mapping(model.post)[rows.post]), name
        ends |= {model.pre, model.post}
    assert ends == set(POPULATIONS)


def afferent_counts(pairs) -> dict[str, np.ndarray]:
    """Post population -> connection rows onto each of its cells, from (population, post ids, size)."""
    counts: dict[str, np.ndarray] = {}
    for post, ids, size in pairs:
        counts[post] = counts.get(post, 0) + np.bincount(ids, minlength=size)
    return counts


def spike_time(afferents: np.ndarray, timestep: float) -> np.ndarray:
    """A fake spike time that only depends on how many rows arrive at a cell."""
    return (1 + afferents % SPIKE_STEPS) * timestep


def fake_board_spikes(session, monkeypatch) -> None:
    """What a board would record, in sPyNNaker's indices, on the real populations.

    A spike source records the trains it was handed; every other neuron fires once, at a time
    set by how many connection rows sPyNNaker gave it. Other signals are sPyNNaker's (empty).
    """
    populations = session.network.populations
    sizes = {name: population.size for name, population in populations.items()}
    posts = {name: (PROJECTIONS[name].post, given_rows(p)[:, 1].astype(np.int64)) for name, p in session.network.projections.items()}
    afferents = afferent_counts((post, ids, sizes[post]) for post, ids in posts.values())
    handed = list(populations["glomerulus"].get("spike_times"))
    board = {
        "glomerulus": np.column_stack(
            [np.repeat(np.arange(len(handed)), [len(t) for t in handed]), np.concatenate(handed)]
        ),
        **{
            name: np.column_stack([np.arange(sizes[name]), spike_time(counts, TIMESTEP)])
            for name, counts in afferents.items()
        },
    }
    population_class = type(populations["granule"])  # its instances are read-only (slots)
    real = population_class.spinnaker_get_data

    def get_data(population, variable, *args, **kwargs):
        return board[population.label] if variable == "spikes" else real(population, variable, *args, **kwargs)

    monkeypatch.setattr(population_class, "spinnaker_get_data", get_data)


def in_scaffold_indices(spikes, scaffold, trains) -> None:
    """The read-back spikes are the ones each scaffold cell was given or wired for (no order involved)."""
    counts = np.diff(trains.offsets)
    keep = trains.times < DURATION
    expected = {
        "glomerulus": (np.repeat(np.arange(counts.size), counts)[keep], trains.times[keep])
    }
    afferents = afferent_counts(
        (PROJECTIONS[name].post, rows.post, scaffold.size(PROJECTIONS[name].post))
        for name, rows in scaffold.connections.items()
        if name in PROJECTIONS and len(rows)
    )
    for name, counts in afferents.items():
        expected[name] = (np.arange(counts.size), spike_time(counts, TIMESTEP))
    assert set(expected) == set(POPULATIONS)
    for name, (cells, times) in expected.items():
        sort = np.lexsort((cells, times))
        assert np.array_equal(spikes[name].cells, cells[sort]), name
        assert np.array_equal(spikes[name].times, times[sort]), name


def read_back_after_a_virtual_run(session, scaffold, trains, monkeypatch) -> None:
    """What a board run reads back, through the real sPyNNaker calls (board spikes faked)."""
    fake_board_spikes(session, monkeypatch)
    spikes, analog, facts = spinnaker.gather(session, DURATION)
    assert {name: s.size for name, s in spikes.items()} == scaffold.sizes
    in_scaffold_indices(spikes, scaffold, trains)
    granule = analog["granule"]
    assert np.array_equal(granule.cells, np.arange(0, scaffold.size("granule"), 64))
    assert granule.signals["v"].shape == (int(DURATION / 0.1), granule.cells.size)
    assert facts["neuron_order"] == "grid" and facts["time_scale_factor"] == 1000.0
    assert facts["order"] == neuron_order(scaffold.positions, "grid").provenance()
    assert facts["mapping"]["populations"]["purkinje"]["cores"] == scaffold.size("purkinje")
    assert isinstance(facts["core_provenance"], dict) and isinstance(facts["router_provenance"], dict)
    with pytest.raises(SimulatorError, match="produces no spikes"):
        spinnaker.collect(session, DURATION)
    assert session.ended


@pytest.mark.slow
@pytest.mark.nest
def test_nest_and_spinnaker_build_the_same_network(small_scaffold, isolated_home, tmp_path, monkeypatch):
    """Created in grid order for every population, the same rows as NEST's, results in scaffold indices."""
    scaffold = purkinje_reversed(small_scaffold)
    trains = resolve_stimulus(RunSpec(duration=DURATION), scaffold).trains
    spec = RunSpec(simulator="spinnaker", duration=DURATION)
    options = spinnaker.SpinnakerOptions(neuron_order="grid", run_dir=tmp_path / "run")
    settings = resolve_settings({"virtual": True}, {})
    session = spinnaker.build(spec, scaffold, trains, options, settings)
    try:
        assert {n: p.size for n, p in session.network.populations.items()} == scaffold.sizes
        created_in_grid_order(session, scaffold, trains)
        on_spinnaker = spinnaker_connections(session)
        assert set(session.recorded) == {"golgi", "granule", "purkinje", "basket", "stellate", "dcn"}
        spinnaker.simulate(session, DURATION)
        read_back_after_a_virtual_run(session, scaffold, trains, monkeypatch)
    finally:
        spinnaker.end(session)
    on_nest = nest_connections(scaffold, trains)
    assert set(on_spinnaker) == {pair for pair, rows in on_nest.items() if len(rows)}
    for pair, rows in on_spinnaker.items():
        assert rows.shape == on_nest[pair].shape, pair
        assert np.array_equal(rows[:, :2], on_nest[pair][:, :2]), pair
        assert np.allclose(rows[:, 2:], on_nest[pair][:, 2:], rtol=1e-9, atol=1e-12), pair
