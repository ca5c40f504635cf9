"""sPyNNaker on a virtual board: the small network maps, and it is the network NEST builds."""

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
from cerebrepro.model.cerebellum import NEURONS_PER_CORE, PROJECTIONS  # noqa: E402
from cerebrepro.simulate import spinnaker  # noqa: E402
from cerebrepro.simulate.run import RunSpec, resolve_stimulus  # noqa: E402
from cerebrepro.simulate.spinnaker_config import resolve_settings  # noqa: E402

DURATION = 50.0




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


def read_back_after_a_virtual_run(session, small_scaffold) -> None:
    """What a board run reads back, through the real sPyNNaker calls (a virtual run has no data)."""
    spikes, analog, facts = spinnaker.gather(session, DURATION)
    assert {name: s.size for name, s in spikes.items()} == small_scaffold.sizes
    assert all(s.n_spikes == 0 for s in spikes.values())
    granule = analog["granule"]
    assert np.array_equal(granule.cells, np.arange(0, small_scaffold.size("granule"), 64))
    assert granule.signals["v"].shape == (int(DURATION / 0.1), granule.cells.size)
    assert facts["neuron_order"] == "grid" and facts["time_scale_factor"] == 1000.0
    assert facts["mapping"]["populations"]["purkinje"]["cores"] == small_scaffold.size("purkinje")
    assert isinstance(facts["core_provenance"], dict) and isinstance(facts["router_provenance"], dict)
    with pytest.raises(SimulatorError, match="produces no spikes"):
        spinnaker.collect(session, DURATION)
    assert session.ended


def test_nest_and_spinnaker_build_the_same_network(small_scaffold, isolated_home, tmp_path):
    """Same sizes, and per population pair the same (pre, post, weight, delay) rows, order undone."""
    trains = resolve_stimulus(RunSpec(duration=DURATION), small_scaffold).trains
    spec = RunSpec(simulator="spinnaker", duration=DURATION)
    options = spinnaker.SpinnakerOptions(neuron_order="grid", run_dir=tmp_path / "run")
    settings = resolve_settings({"virtual": True}, {})
    session = spinnaker.build(spec, small_scaffold, trains, options, settings)
    try:
        assert not session.order.is_identity
        assert {n: p.size for n, p in session.network.populations.items()} == small_scaffold.sizes
        on_spinnaker = spinnaker_connections(session)
        assert set(session.recorded) == {"golgi", "granule", "purkinje", "basket", "stellate", "dcn"}
        spinnaker.simulate(session, DURATION)
        read_back_after_a_virtual_run(session, small_scaffold)
    finally:
        spinnaker.end(session)
    on_nest = nest_connections(small_scaffold, trains)
    assert set(on_spinnaker) == {pair for pair, rows in on_nest.items() if len(rows)}
    for pair, rows in on_spinnaker.items():
        assert rows.shape == on_nest[pair].shape, pair
        assert np.array_equal(rows[:, :2], on_nest[pair][:, :2]), pair
        assert np.allclose(rows[:, 2:], on_nest[pair][:, 2:], rtol=1e-9, atol=1e-12), pair
