"""The cerebellum on real NEST with a small rebuilt scaffold: response, threads, the written run.

The backend runs a description made here from the scaffold and a generated stimulus; the
pipeline runs the same network from a spec and writes it. Their spikes must agree. Last,
what the backend refuses before it builds anything.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

from cerebrepro.backends.contract import Collected, SilentProgress, SimulationSettings
from cerebrepro.errors import SimulatorError, StimulusError
from cerebrepro.model.cerebellum import MIN_SPIKE_TIME, REFERENCE_PROTOCOL, TIMESTEP
from cerebrepro.model.cerebellum_network import describe_cerebellum
from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.model.stimulus import generate_stimulus
from cerebrepro.results.io import read_result
from cerebrepro.results.types import RunResult

pytestmark = pytest.mark.nest  # and every test that runs the cerebellum is slow

DURATION = 500.0
STIMULUS_SEED = 5


@pytest.fixture(scope="module")
def network(small_scaffold) -> NetworkDescription:
    """The small scaffold's cerebellum, driven by the reference protocol (stimulus seed 5)."""
    protocol = dataclasses.replace(REFERENCE_PROTOCOL, duration=DURATION)
    trains = generate_stimulus(
        small_scaffold.positions["glomerulus"], protocol, STIMULUS_SEED, TIMESTEP
    )
    trains = trains.on_grid(TIMESTEP, MIN_SPIKE_TIME).before(DURATION)
    return describe_cerebellum(
        small_scaffold.positions, small_scaffold.connections, trains, "subset"
    )


def run_on_nest(network: NetworkDescription, threads: int) -> Collected:
    from cerebrepro.backends.nest import BACKEND, NestOptions

    settings = SimulationSettings(DURATION, TIMESTEP, threads, seed=1)
    session = BACKEND.prepare(network, settings, NestOptions(), SilentProgress())
    BACKEND.simulate(session, SilentProgress())
    return BACKEND.collect(session)


def digest(collected: Collected) -> str:
    return RunResult(collected.spikes, TIMESTEP, DURATION).spike_digest()


@pytest.fixture(scope="module")
def collected(network) -> Collected:
    return run_on_nest(network, threads=1)


def window_rate(spikes, start: float, stop: float) -> float:
    n = np.count_nonzero((spikes.times >= start) & (spikes.times < stop))
    return n / spikes.size / ((stop - start) / 1000.0)


@pytest.mark.slow
def test_stimulus_raises_granule_and_golgi_rates(collected):
    for name in ("glomerulus", "granule", "golgi"):
        baseline = window_rate(collected.spikes[name], 0.0, 300.0)
        stimulus = window_rate(collected.spikes[name], 304.0, 354.0)
        assert stimulus > 3 * baseline + 1.0, name


@pytest.mark.slow
def test_collected_holds_the_network_as_described(collected, network, small_scaffold):
    assert (
        {name: s.size for name, s in collected.spikes.items()}
        == network.sizes
        == small_scaffold.sizes
    )
    assert collected.synapses == {rows.name: len(rows) for rows in network.connections}
    assert sum(collected.synapses.values()) == sum(
        len(c) for n, c in small_scaffold.connections.items() if n != "goc_glom"
    )
    assert set(collected.analog) == {"golgi", "granule", "purkinje", "basket", "stellate", "dcn"}
    granule = collected.analog["granule"]
    np.testing.assert_array_equal(granule.cells, np.arange(0, small_scaffold.size("granule"), 64))
    assert granule.signals["v"].shape == (int(DURATION / TIMESTEP), granule.cells.size)
    assert np.all(collected.spikes["glomerulus"].times >= MIN_SPIKE_TIME)
    facts = collected.facts
    assert (facts["name"], facts["neuron_order"], facts["version"]) == ("nest", "default", "3.10.0")
    assert (facts["local_num_threads"], facts["num_processes"]) == (1, 1)


@pytest.mark.slow
def test_one_and_two_threads_give_the_same_spikes(collected, network):
    """NEST's guarantee: with on-grid spikes and no random numbers in the kernel, threads do not matter."""
    two = run_on_nest(network, threads=2)
    assert two.facts["local_num_threads"] == 2
    assert digest(two) == digest(collected)


# The pipeline: the same network from a spec, written to a result file.


@pytest.fixture(scope="module")
def spec(small_scaffold_file):
    from cerebrepro.pipeline.spec import RunSpec

    return RunSpec(
        scaffold=str(small_scaffold_file), duration=DURATION, stimulus_seed=STIMULUS_SEED, threads=1
    )


@pytest.fixture(scope="module")
def reference_run(spec, tmp_path_factory):
    from cerebrepro.pipeline.run import run_experiment

    path = tmp_path_factory.mktemp("runs") / "reference.h5"
    result, _ = run_experiment(spec, path)
    return result, path


@pytest.mark.slow
def test_the_pipeline_runs_what_the_backend_runs(reference_run, collected):
    result, _ = reference_run
    assert result.spike_digest() == digest(collected)


@pytest.mark.slow
def test_result_file_holds_what_was_run(reference_run, spec, small_scaffold):
    result, path = reference_run
    stored = read_result(path)
    assert stored.spike_digest() == result.spike_digest() == stored.provenance["spike_digest"]
    assert stored.sizes == small_scaffold.sizes
    p = stored.provenance
    assert p["scaffold_digest"] == small_scaffold.connectivity_digest()
    assert p["n_synapses"] == sum(
        len(c) for n, c in small_scaffold.connections.items() if n != "goc_glom"
    )
    assert p["versions"]["nest-simulator"] == "3.10.0"
    assert p["seeds"]["stimulus"] == spec.stimulus_seed
    for key in ("build_s", "simulate_s", "write_s"):
        assert p["timings"][key] >= 0
    assert set(stored.analog) == {"golgi", "granule", "purkinje", "basket", "stellate", "dcn"}


@pytest.mark.slow
def test_other_stimulus_seed_other_spikes(reference_run, spec, tmp_path):
    from cerebrepro.pipeline.run import run_experiment

    result, _ = reference_run
    other, _ = run_experiment(dataclasses.replace(spec, stimulus_seed=6), tmp_path / "other.h5")
    assert other.spike_digest() != result.spike_digest()


@pytest.mark.slow
def test_stimulus_for_other_glomeruli_is_refused_before_simulating(spec, tmp_path):
    from cerebrepro.pipeline.run import run_experiment

    trains_file = tmp_path / "wrong.npz"
    np.savez(trains_file, times=np.array([1.0, 2.0]), offsets=np.array([0, 1, 2]))
    output = tmp_path / "never.h5"
    with pytest.raises(StimulusError, match="2 spike trains but the scaffold has"):
        run_experiment(dataclasses.replace(spec, stimulus=str(trains_file)), output)
    assert not output.exists()


@pytest.mark.slow
def test_published_stimulus_with_rebuilt_scaffold_is_refused(spec, tmp_path):
    from cerebrepro.pipeline.run import run_experiment

    with pytest.raises(StimulusError, match="belongs to the published scaffold"):
        run_experiment(dataclasses.replace(spec, stimulus="published"), tmp_path / "never.h5")


# What NEST cannot take is refused, naming it, before NEST starts.


def one_cell_network(
    delay: float = 1.0, first_spike: float = 5.0, recorded=(0,)
) -> NetworkDescription:
    """One source driving one cell."""
    source = CellGroup(
        "source",
        1,
        "SpikeSourceArray",
        spike_times=SpikeTrains.from_lists([np.array([first_spike])]),
    )
    cell = CellGroup("cell", 1, "IF_cond_exp", record_analog=np.array(recorded, dtype=np.int64))
    rows = ConnectionList(
        "input", "source", "cell", np.array([0]), np.array([0]), 0.01, delay, "excitatory"
    )
    return NetworkDescription("one cell", (cell, source), (rows,))


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (
            one_cell_network(delay=25.0),
            "connection list input has delays of 25-25 ms; NEST here takes 0.1 to 20 ms",
        ),
        (one_cell_network(delay=0.05), "connection list input has delays of 0.05-0.05 ms"),
        (one_cell_network(first_spike=0.1), "group source has spikes at or before one time step"),
        (
            one_cell_network(recorded=(1,)),
            "group cell records cells that are not sorted, unique indices below 1",
        ),
    ],
)
def test_what_nest_cannot_take_is_refused_by_name(network, message):
    from cerebrepro.backends.nest import BACKEND, NestOptions

    BACKEND.supports(one_cell_network(), SimulationSettings(10.0), NestOptions())
    with pytest.raises(SimulatorError, match=message):
        BACKEND.supports(network, SimulationSettings(10.0), NestOptions())


def test_a_cell_model_nest_is_not_given_is_refused_by_name():
    from cerebrepro.backends.nest import BACKEND, NestOptions

    cell = CellGroup("adaptive", 1, "EIF_cond_exp_isfa_ista")  # type: ignore[arg-type]
    with pytest.raises(SimulatorError, match="cannot build EIF_cond_exp_isfa_ista"):
        BACKEND.supports(
            NetworkDescription("other", (cell,), ()), SimulationSettings(10.0), NestOptions()
        )


def test_nest_starts_without_library_notices_or_an_extension_build(tmp_path):
    """PyNN would run a ``nest-config`` it finds on PATH (to build its extensions), or warn."""
    marker = tmp_path / "nest-config-was-run"
    fake = tmp_path / "bin" / "nest-config"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    fake.chmod(0o755)
    start = "from cerebrepro.backends.nest.kernel import setup; setup(0.1, 1, 1).end()"
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYNEST_QUIET", None)
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", start],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
    assert not marker.exists()
