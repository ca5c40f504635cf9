"""The experiment on real NEST with a small rebuilt scaffold: response, determinism, refusals."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cerebrepro.errors import StimulusError
from cerebrepro.results.io import read_result
from cerebrepro.simulate.run import RunSpec, run_experiment

pytestmark = pytest.mark.nest

DURATION = 500.0


@pytest.fixture(scope="module")
def spec(small_scaffold_file) -> RunSpec:
    return RunSpec(scaffold=str(small_scaffold_file), duration=DURATION, stimulus_seed=5, threads=1)


@pytest.fixture(scope="module")
def reference_run(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "reference.h5"
    result, _ = run_experiment(spec, path)
    return result, path


def window_rate(spikes, start: float, stop: float) -> float:
    n = np.count_nonzero((spikes.times >= start) & (spikes.times < stop))
    return n / spikes.size / ((stop - start) / 1000.0)


def test_stimulus_raises_granule_and_golgi_rates(reference_run):
    result, _ = reference_run
    for name in ("glomerulus", "granule", "golgi"):
        baseline = window_rate(result.spikes[name], 0.0, 300.0)
        stimulus = window_rate(result.spikes[name], 304.0, 354.0)
        assert stimulus > 3 * baseline + 1.0, name


def test_result_file_holds_what_was_run(reference_run, spec, small_scaffold):
    result, path = reference_run
    stored = read_result(path)
    assert stored.spike_digest() == result.spike_digest() == stored.provenance["spike_digest"]
    assert stored.sizes == small_scaffold.sizes
    p = stored.provenance
    assert p["scaffold_digest"] == small_scaffold.connectivity_digest()
    assert p["n_synapses"] == sum(len(c) for n, c in small_scaffold.connections.items() if n != "goc_glom")
    assert p["versions"]["nest-simulator"] == "3.10.0"
    assert p["seeds"]["stimulus"] == spec.stimulus_seed
    for key in ("build_s", "simulate_s", "write_s"):
        assert p["timings"][key] >= 0
    assert set(stored.analog) == {"golgi", "granule", "purkinje", "basket", "stellate", "dcn"}
    granule = stored.analog["granule"]
    assert np.array_equal(granule.cells, np.arange(0, small_scaffold.size("granule"), 64))
    assert granule.signals["v"].shape == (int(DURATION / 0.1), granule.cells.size)
    assert np.all(stored.spikes["glomerulus"].times >= 0.2)


def test_same_seed_same_spikes_other_seed_other_spikes(reference_run, spec, tmp_path):
    result, _ = reference_run
    again, _ = run_experiment(spec, tmp_path / "again.h5")
    assert again.spike_digest() == result.spike_digest()
    other, _ = run_experiment(dataclasses.replace(spec, stimulus_seed=6), tmp_path / "other.h5")
    assert other.spike_digest() != result.spike_digest()


def test_one_and_two_threads_give_the_same_spikes(reference_run, spec, tmp_path):
    """NEST's guarantee: with on-grid spikes and no random numbers in the kernel, threads do not matter."""
    result, _ = reference_run
    two, _ = run_experiment(dataclasses.replace(spec, threads=2), tmp_path / "two.h5")
    assert two.spike_digest() == result.spike_digest()


def test_stimulus_for_other_glomeruli_is_refused_before_simulating(spec, tmp_path):
    trains_file = tmp_path / "wrong.npz"
    np.savez(trains_file, times=np.array([1.0, 2.0]), offsets=np.array([0, 1, 2]))
    output = tmp_path / "never.h5"
    with pytest.raises(StimulusError, match="2 spike trains but the scaffold has"):
        run_experiment(dataclasses.replace(spec, stimulus=str(trains_file)), output)
    assert not output.exists()


def test_published_stimulus_with_rebuilt_scaffold_is_refused(spec, tmp_path):
    with pytest.raises(StimulusError, match="belongs to the published scaffold"):
        run_experiment(dataclasses.replace(spec, stimulus="published"), tmp_path / "never.h5")
