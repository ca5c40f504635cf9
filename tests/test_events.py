"""Event recordings as input: reading, checks, tonic's transforms, the pixel map, spikes, cap, CLI errors."""

from __future__ import annotations

import dataclasses
import struct
import sys

import h5py
import numpy as np
import pytest

from cerebrepro.data.events import read_recording
from cerebrepro.errors import StimulusError
from cerebrepro.model.event_mapping import (
    activity_centre,
    grid_positions,
    map_events,
    pixel_map,
    plane_positions,
    rate_cap,
    spike_source_times,
)
from cerebrepro.model.event_synthetic import TONIC_DTYPE, moving_bar
from cerebrepro.model.event_transforms import denoise, downsample, refractory
from cerebrepro.model.events import EventOptions, check_events, from_structured, select
from cerebrepro.model.spike_trains import SpikeTrains, trains_digest
from cerebrepro.pipeline.spec import RunSpec

SQUARE = np.array(
    [[0.0, 5.0, 0.0], [10.0, 5.0, 0.0], [0.0, 5.0, 10.0], [10.0, 5.0, 10.0]]
)  # (x, y, z)


def recording(rows, sensor=None, dtype=TONIC_DTYPE):
    """A checked recording from (x, y, t, p) rows."""
    array = np.array([tuple(r) for r in rows], dtype=dtype)
    return from_structured(array, sensor, "made-in-test")


def save_npy(path, rows, dtype=TONIC_DTYPE):
    np.save(path, np.array([tuple(r) for r in rows], dtype=dtype))
    return path


def uniform_glomeruli(n=600, size=100.0, seed=5):
    """(n, 3) positions uniform in a size x size slab, y (height) irrelevant to the mapping."""
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [rng.uniform(0, size, n), rng.uniform(600, 750, n), rng.uniform(0, size, n)]
    )


# The pixel map and the spikes: hand-worked cases.


def test_stretch_maps_a_2x2_sensor_one_pixel_per_corner_cell_with_exact_times():
    events = recording([(1, 0, 1234, 1), (0, 1, 2050, 0), (1, 1, 2999, 1), (1, 0, 5000, 0)], (2, 2))
    made = map_events(events, SQUARE, EventOptions(offset=10.0), timestep=0.1)
    assert made.trains.to_lists()[0].tolist() == []
    assert made.trains.to_lists()[1].tolist() == [
        11.2,
        15.0,
    ]  # 10 + 1.234 floored to the 0.1 ms grid
    assert made.trains.to_lists()[2].tolist() == [12.0]
    assert made.trains.to_lists()[3].tolist() == [12.9]
    assert made.info["mapping"]["pitch"] == [5.0, 5.0]
    assert made.info["mapping"]["pixels_mapped"] == 4


def test_a_fine_sensor_sends_each_pixel_to_the_nearest_cell():
    two = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
    mapping = pixel_map((4, 1), plane_positions(two), "stretch")
    assert mapping.offsets.tolist() == [0, 1, 2, 3, 4]
    assert mapping.cells.tolist() == [0, 0, 1, 1]  # pixel centres at x = 1.25, 3.75 | 6.25, 8.75


def test_a_coarse_sensor_pixel_drives_every_cell_under_it():
    mapping = pixel_map((1, 1), plane_positions(uniform_glomeruli(50)), "stretch")
    assert mapping.offsets.tolist() == [0, 50]
    assert mapping.cells.tolist() == list(range(50))


def test_crop_keeps_square_pixels_and_drops_the_overhang():
    cells = np.array([[1.0, 0, 1.0], [9.0, 0, 1.0], [1.0, 0, 9.0], [9.0, 0, 9.0]])
    mapping = pixel_map((4, 2), plane_positions(cells), "crop")
    # box 8 x 8, pitch max(8/4, 8/2) = 4, origin (5, 5) - (8, 4) = (-3, 1): columns 1 and 2 cover it
    assert mapping.pitch == (4.0, 4.0) and mapping.origin == (-3.0, 1.0)
    per_pixel = {
        q: mapping.cells[mapping.offsets[q] : mapping.offsets[q + 1]].tolist() for q in range(8)
    }
    assert per_pixel == {0: [], 1: [0], 2: [1], 3: [], 4: [], 5: [2], 6: [3], 7: []}
    events = recording([(0, 0, 100, 1), (1, 0, 200, 1), (3, 1, 300, 1), (2, 1, 400, 1)], (4, 2))
    made = map_events(events, cells, EventOptions(fit="crop"))
    assert made.info["events_outside_plane"] == 2
    assert [t.tolist() for t in made.trains.to_lists()] == [[0.2], [], [], [0.4]]


def test_polarity_window_and_offset_choose_and_place_the_events():
    events = recording([(0, 0, 1000, 1), (0, 0, 2000, 0), (0, 0, 3000, 1), (0, 0, 9000, 0)], (1, 1))
    one = np.zeros((1, 3))
    on = map_events(events, one, EventOptions(polarity="on", offset=100.0))
    assert on.trains.times.tolist() == [101.0, 103.0]
    off = map_events(events, one, EventOptions(polarity="off", start=1.5, stop=9.0, offset=50.0))
    assert off.trains.times.tolist() == [
        50.5
    ]  # t = 2 ms is 0.5 ms into the window; 9 ms is outside
    assert off.info["events_in_window"] == 1


def test_spike_source_times_gives_one_array_per_cell_of_any_population():
    bar = moving_bar((10, 10), sweep_ms=20.0)
    times = spike_source_times(bar, grid_positions(25), sensor=(10, 10))
    assert len(times) == 25
    assert (
        sum(t.size for t in times) == bar.size
    )  # a 10 x 10 sensor over a 5 x 5 grid: one cell per pixel
    assert all(np.all(np.diff(t) >= 0) for t in times)


def test_grid_positions_fill_rows_of_ceil_sqrt_n():
    assert grid_positions(5).tolist() == [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1]]


# Acceptance: a moving bar moves the input's centre along the mapped axis.


@pytest.mark.parametrize(("axis", "moving", "still"), [("x", 0, 1), ("y", 1, 0)])
def test_a_moving_bar_moves_the_centre_of_the_glomerulus_input_along_the_mapped_axis(
    axis, moving, still
):
    glomeruli = uniform_glomeruli()
    bar = recording(moving_bar((64, 48), sweep_ms=100.0, axis=axis))
    made = map_events(bar, glomeruli, EventOptions(offset=300.0))
    centre = activity_centre(made.trains, plane_positions(glomeruli), np.arange(300.0, 401.0, 10.0))
    assert np.all(np.diff(centre[:, moving]) > 3.0)  # sensor x -> glomerulus x, sensor y -> z
    assert centre[-1, moving] - centre[0, moving] > 70.0
    assert np.ptp(centre[:, still]) < 10.0


# Acceptance: the same recording gives the same spikes; the cache key follows file and mapping.


def test_the_same_recording_gives_the_same_digest_and_a_changed_one_another(tmp_path):
    bar = moving_bar((32, 24), noise_hz=20.0, seed=3)
    path = tmp_path / "bar.npy"
    np.save(path, bar)
    glomeruli = uniform_glomeruli()
    options = EventOptions(offset=5.0, denoise=2000.0, refractory=500.0)

    def digest(options):
        return trains_digest(map_events(read_recording(path).events, glomeruli, options).trains)

    assert digest(options) == digest(options)
    plain = EventOptions(offset=5.0)
    first = digest(plain)
    bar["t"][-1] += 1000
    np.save(path, bar)
    assert digest(plain) != first


def test_the_run_cache_key_changes_with_the_recording_and_the_mapping_only(tmp_path, monkeypatch):
    from cerebrepro.pipeline import cache

    monkeypatch.setattr(cache, "package_versions", lambda: {})
    path = save_npy(tmp_path / "r.npy", [(0, 0, 10, 1), (1, 1, 20, 0)])
    spec = RunSpec(stimulus=f"events:{path}", events=EventOptions())
    key = cache.run_key(spec)
    assert cache.run_key(dataclasses.replace(spec, events=EventOptions(fit="crop"))) != key
    save_npy(path, [(0, 0, 10, 1), (1, 1, 21, 0)])
    assert cache.run_key(spec) != key
    # a cerebellum spec without a recording or changed parameters keeps the key it had before
    # any of them existed
    plain = RunSpec()
    old = dataclasses.asdict(plain)
    del old["events"], old["experiment"], old["parameters"]
    payload = {
        "spec": old,
        "revision": cache.SIMULATION_REVISION,
        "versions": dict.fromkeys(cache._RELEVANT),
    }
    import hashlib
    import json

    assert (
        cache.run_key(plain)
        == hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
            :20
        ]
    )


# The rate cap: reported, applied only when asked.


def test_the_rate_cap_is_reported_and_applied_only_when_asked():
    trains = SpikeTrains(np.array([0.2, 0.5, 1.2, 1.3, 1.9, 0.4]), np.array([0, 5, 6]))
    kept, report = rate_cap(trains, 1000.0, apply=False)
    assert kept is trains
    assert report == {
        "rate_cap_hz": 1000.0, "bin_ms": 1.0, "action": "report", "cells_over": 1,
        "spikes_over": 3, "most_spikes_in_a_bin": 3, "spikes_removed": 0,
    }  # fmt: skip
    capped, report = rate_cap(trains, 1000.0, apply=True)
    assert capped.to_lists()[0].tolist() == [0.2, 1.2] and capped.to_lists()[1].tolist() == [0.4]
    assert report["spikes_removed"] == 3


# tonic's transforms: the vectorised ones give tonic's results event for event.


def random_recording(n=3000, sensor=(9, 7), seed=1):
    rng = np.random.default_rng(seed)
    array = np.zeros(n, dtype=TONIC_DTYPE)
    array["x"] = rng.integers(0, sensor[0], n)
    array["y"] = rng.integers(0, sensor[1], n)
    array["t"] = np.sort(rng.integers(0, 200_000, n))  # ties included
    array["p"] = rng.random(n) < 0.5
    return array


@pytest.mark.events
@pytest.mark.parametrize("filter_time", [100.0, 1000.0, 3000.0])
def test_denoise_equals_tonic(filter_time):
    from tonic.functional import denoise_numpy

    array = random_recording()
    ours = denoise(from_structured(array, (9, 7), "r"), filter_time)
    theirs = denoise_numpy(array, filter_time)
    assert 0 < ours.size < array.size
    assert ours.t.tolist() == theirs["t"].tolist() and ours.x.tolist() == theirs["x"].tolist()
    assert ours.y.tolist() == theirs["y"].tolist()


@pytest.mark.events
@pytest.mark.parametrize("delta", [100.0, 3000.0, 30_000.0])
def test_refractory_period_equals_tonic(delta):
    from tonic.functional import refractory_period_numpy

    array = random_recording(seed=2)
    array["t"][:3] = 0  # a pixel's first event at t = 0 is dropped by tonic too
    ours = refractory(from_structured(array, (9, 7), "r"), delta)
    theirs = refractory_period_numpy(array, delta)
    assert 0 < ours.size < array.size
    assert ours.t.tolist() == theirs["t"].tolist() and ours.x.tolist() == theirs["x"].tolist()


@pytest.mark.events
def test_downsample_is_tonics_and_shrinks_the_sensor():
    events = recording([(9, 6, 10, 1), (4, 3, 20, 0)], (10, 7))
    small = downsample(events, 0.5)
    assert small.x.tolist() == [4, 2] and small.y.tolist() == [3, 1]
    assert small.sensor == (5, 4)


# Reading every format.


def test_hdf5_reads_an_events_group_and_its_sensor_size(tmp_path):
    path = tmp_path / "r.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("events")
        for name, values in {"x": [1, 3], "y": [0, 2], "t": [5, 9], "p": [1, 0]}.items():
            group.create_dataset(name, data=np.array(values))
        f.attrs["sensor_size"] = [4, 3, 2]
    read = read_recording(path)
    assert read.events.sensor == (4, 3) and read.sensor_from == "file" and read.format == "hdf5"
    assert read.events.t.tolist() == [5, 9] and read.events.p.tolist() == [True, False]


@pytest.mark.events
@pytest.mark.parametrize(
    ("encoding", "suffix"), [("dat", ".dat"), ("evt2", ".raw"), ("evt3", ".raw")]
)
def test_prophesee_files_are_read_through_expelliarmus(tmp_path, encoding, suffix):
    from expelliarmus import Wizard

    array = np.zeros(4, dtype=[("t", "<i8"), ("x", "<i2"), ("y", "<i2"), ("p", "u1")])
    array["t"], array["x"], array["y"], array["p"] = (
        [1, 2, 30, 40],
        [1, 2, 3, 4],
        [5, 4, 3, 2],
        [1, 0, 1, 0],
    )
    path = tmp_path / f"r{suffix}"
    Wizard(encoding=encoding).save(path, array)
    read = read_recording(path, sensor=(8, 8))
    assert read.events.x.tolist() == [1, 2, 3, 4] and read.events.t.tolist() == [1, 2, 30, 40]
    assert read.events.p.tolist() == [True, False, True, False]


def write_aedat4(path, array, sensor):
    """A minimal uncompressed AEDAT 4.0 file: one event stream, one size-prefixed EVTS packet."""
    xml = (
        '<dv version="2.0"><node name="outInfo" path="/outInfo/"><node name="0" path="/outInfo/0/">'
        '<attr key="typeIdentifier" type="string">EVTS</attr><node name="info" path="/outInfo/0/info/">'
        f'<attr key="sizeX" type="int">{sensor[0]}</attr><attr key="sizeY" type="int">{sensor[1]}</attr>'
        "</node></node></node></dv>"
    ).encode()
    # Ioheader table: vtable (3 fields, only the description set), table, string.
    header = struct.pack("<I4sHHHHH2xiI", 20, b"IOHE", 10, 8, 0, 0, 4, 12, 4)
    header += struct.pack("<I", len(xml)) + xml + b"\0"
    header += b"\0" * (-len(header) % 4)
    n = array.size
    packet = struct.pack(
        "<I4sHHH2xiII", 16, b"EVTS", 6, 8, 4, 8, 4, n
    )  # events 8-aligned after the prefix
    for t, x, y, p in zip(array["t"], array["x"], array["y"], array["p"], strict=True):
        packet += struct.pack("<qhh?3x", int(t), int(x), int(y), bool(p))
    packet = struct.pack("<I", len(packet)) + packet
    with open(path, "wb") as f:
        f.write(b"#!AER-DAT4.0\r\n" + struct.pack("<I", len(header)) + header)
        f.write(struct.pack("<II", 0, len(packet)) + packet)


@pytest.mark.events
def test_aedat4_is_read_through_tonic_with_the_streams_sensor_size(tmp_path):
    array = np.array([(3, 1, 10, True), (0, 2, 25, False), (5, 0, 40, True)], dtype=TONIC_DTYPE)
    path = tmp_path / "r.aedat4"
    write_aedat4(path, array, (6, 3))
    read = read_recording(path)
    assert read.events.sensor == (6, 3) and read.format == "aedat4"
    assert read.events.x.tolist() == [3, 0, 5] and read.events.t.tolist() == [10, 25, 40]
    assert read.events.p.tolist() == [True, False, True]


# Acceptance: bad recordings get their error, naming the file; the CLI exits with 2 and writes nothing.

BAD = {
    "missing fields": (
        [(0, 0, 1)],
        np.dtype([("x", "<i2"), ("y", "<i2"), ("t", "<i8")]),
        "lacks field(s) p",
    ),
    "negative times": (
        [(0, 0, -5, 1), (1, 1, 3, 0)],
        TONIC_DTYPE,
        "negative times (event 0: t = -5 us)",
    ),
    "unsorted times": (
        [(0, 0, 5, 1), (1, 1, 3, 0)],
        TONIC_DTYPE,
        "not sorted (event 1: t = 3 us after 5 us)",
    ),
    "outside the sensor": (
        [(0, 0, 5, 1), (4, 1, 6, 0)],
        TONIC_DTYPE,
        "x = 4 (event 1) lies outside the 4 x 2 sensor",
    ),
    "empty window": (
        [(0, 0, 5, 1), (1, 1, 6, 0)],
        TONIC_DTYPE,
        "the window 10 ms to the end holds no events",
    ),
}
OPTIONS = EventOptions(sensor=(4, 2), start=10.0)


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_recording_gets_its_error_naming_the_file(tmp_path, case):
    rows, dtype, message = BAD[case]
    path = save_npy(tmp_path / "bad.npy", rows, dtype)
    with pytest.raises(StimulusError) as error:
        select(read_recording(path, OPTIONS.sensor).events, OPTIONS)
    assert str(path) in str(error.value) and message in str(error.value)


def run_main(monkeypatch, args):
    from cerebrepro.cli import main

    monkeypatch.setattr(sys, "argv", ["cerebrepro", *args])
    with pytest.raises(SystemExit) as stopped:
        main.app()
    return stopped.value.code


@pytest.mark.parametrize("command", [["run", "--size", "100"], ["ei-balanced", "run"]])
@pytest.mark.parametrize("case", list(BAD))
def test_the_cli_refuses_a_bad_recording_with_exit_2_and_writes_nothing(
    tmp_path, monkeypatch, capsys, case, command
):
    rows, dtype, message = BAD[case]
    path = save_npy(tmp_path / "bad.npy", rows, dtype)
    data = tmp_path / "data"
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(data))
    monkeypatch.setenv("COLUMNS", "1000")  # one line per message
    output = tmp_path / "out"
    args = [
        *command,
        "--stimulus",
        f"events:{path}",
        "--events-sensor",
        "4x2",
        "--events-start",
        "10",
        "-o",
        str(output),
    ]
    assert run_main(monkeypatch, args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert str(path) in err and message in err
    assert not output.exists() and not data.exists()


def test_options_refused_when_they_make_no_sense():
    for bad in (
        {"fit": "zoom"},
        {"polarity": "up"},
        {"start": 5.0, "stop": 5.0},
        {"downsample": 2.0},
        {"cap": "x"},
    ):
        with pytest.raises(StimulusError):
            EventOptions(**bad)
    with pytest.raises(StimulusError, match="whole microseconds"):
        check_events({"x": [0], "y": [0], "t": [1.5], "p": [1]}, (1, 1), "f")


def test_the_example_and_convert_commands_write_what_run_reads(tmp_path, data_dir):
    from typer.testing import CliRunner

    from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
    from cerebrepro.cli.app import app
    from cerebrepro.pipeline.resolve import read_trains_file

    recording_path, trains_path = tmp_path / "bar.h5", tmp_path / "trains.npz"
    runner = CliRunner()
    made = runner.invoke(app, ["events", "example", str(recording_path), "--sensor", "16x12"])
    assert made.exit_code == 0, made.output
    read = read_recording(recording_path)
    assert read.events.sensor == (16, 12) and read.sensor_from == "file"
    assert read.events.size == 2 * 16 * 12  # one ON and one OFF event per pixel
    args = ["events", "convert", str(recording_path), "--size", "100", "-o", str(trains_path)]
    converted = runner.invoke(app, args)
    assert converted.exit_code == 0, converted.output
    assert "convert (s)" in converted.output
    trains = read_trains_file(trains_path)
    assert trains.n_spikes >= read.events.size  # every pixel reaches at least one glomerulus
