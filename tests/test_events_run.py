"""Runs driven by an event recording on real NEST (small scaffold): input, determinism, provenance, figure."""

from __future__ import annotations

import numpy as np
import pytest

from cerebrepro.data.events import read_recording
from cerebrepro.model.event_mapping import (
    CEREBELLUM_PLANE,
    activity_centre,
    grid_positions,
    map_events,
)
from cerebrepro.model.event_synthetic import moving_bar
from cerebrepro.model.events import EventOptions
from cerebrepro.model.spike_trains import trains_digest
from cerebrepro.pipeline.run import run_experiment
from cerebrepro.pipeline.spec import RunSpec
from cerebrepro.results.io import read_result

pytestmark = [pytest.mark.nest, pytest.mark.slow]

DURATION = 250.0
OPTIONS = EventOptions(offset=100.0, refractory=500.0)


@pytest.fixture(scope="module")
def bar_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("events") / "bar.npy"
    np.save(path, moving_bar((32, 24), sweep_ms=100.0, per_edge=2, noise_hz=2.0, seed=4))
    return path


@pytest.fixture(scope="module")
def spec(small_scaffold_file, bar_file) -> RunSpec:
    return RunSpec(
        scaffold=str(small_scaffold_file),
        stimulus=f"events:{bar_file}",
        events=OPTIONS,
        duration=DURATION,
    )


@pytest.fixture(scope="module")
def two_runs(spec, tmp_path_factory):
    directory = tmp_path_factory.mktemp("runs")
    return [run_experiment(spec, directory / f"run{k}.h5") for k in (1, 2)]


def test_the_same_recording_gives_the_same_spike_digest(two_runs):
    (first, _), (second, _) = two_runs
    assert first.spike_digest() == second.spike_digest()
    assert first.provenance["stimulus_sha256"] == second.provenance["stimulus_sha256"]


def test_the_glomeruli_fire_the_mapped_events_and_their_centre_follows_the_bar(
    two_runs, small_scaffold, bar_file
):
    result, _ = two_runs[0]
    glomeruli = small_scaffold.positions["glomerulus"]
    expected = map_events(read_recording(bar_file).events, glomeruli, OPTIONS).trains.before(
        DURATION
    )
    fired = result.spikes["glomerulus"]
    assert fired.n_spikes == expected.n_spikes
    assert np.array_equal(np.sort(fired.cells), np.sort(expected.sources()))
    assert result.provenance["stimulus_sha256"] == trains_digest(expected)
    centre = activity_centre(
        expected, glomeruli[:, list(CEREBELLUM_PLANE)], np.arange(100.0, 201.0, 20.0)
    )
    assert np.all(np.diff(centre[:, 0]) > 5.0)
    granule = result.spikes["granule"]
    before = np.count_nonzero(granule.times < 100.0) / 100.0
    during = np.count_nonzero((granule.times >= 105.0) & (granule.times < 205.0)) / 100.0
    assert during > 3 * before + 1.0  # the network answers the recording


def test_provenance_records_the_recording_mapping_and_transforms(two_runs, bar_file):
    import hashlib

    stimulus = read_result(two_runs[0][1]).provenance["stimulus"]
    assert stimulus["kind"] == "events"
    assert stimulus["file_sha256"] == hashlib.sha256(bar_file.read_bytes()).hexdigest()
    assert stimulus["recording"]["sensor"] == [32, 24]
    assert stimulus["mapping"]["plane_axes"] == [0, 2] and stimulus["options"]["fit"] == "stretch"
    assert [t["transform"] for t in stimulus["transforms"]] == ["tonic.transforms.RefractoryPeriod"]
    assert stimulus["rate_cap"]["action"] == "report"


def test_the_events_figure_is_drawn_from_the_result(two_runs, tmp_path):
    from cerebrepro.figures.events import event_run_figure
    from cerebrepro.figures.output import write_figure

    result, path = two_runs[0]
    files = write_figure(event_run_figure(read_result(path), path), tmp_path, "events")
    assert files.png.stat().st_size > 10_000
    assert "Cerebellum driven by an event recording" in files.caption.read_text()


def test_the_ei_network_takes_the_recording_on_its_pulse_sources(bar_file, tmp_path):
    from cerebrepro.pipeline.naming import default_output

    options = EventOptions(offset=50.0)
    spec = RunSpec(
        experiment="ei-balanced",
        kernel_seed=1,
        duration=200.0,
        stimulus=f"events:{bar_file}",
        events=options,
    )
    path = default_output(spec, tmp_path)
    run_experiment(spec, path)
    result = read_result(path)
    expected = map_events(
        read_recording(bar_file).events, grid_positions(250), options, timestep=0.1
    )
    pulse = result.spikes["pulse"]
    assert pulse.n_spikes == expected.trains.n_spikes
    assert np.array_equal(np.sort(pulse.cells), np.sort(expected.trains.sources()))
    assert result.provenance["stimulus"]["population"] == "pulse"
    assert path.name == "ei-balanced_nest_s1_events-bar_200ms_t1.h5"
