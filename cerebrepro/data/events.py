"""Event recordings read from files: numpy, HDF5, AEDAT4 (through tonic) and Prophesee (through expelliarmus).

| suffix            | read with                          | sensor size from                          |
|-------------------|------------------------------------|-------------------------------------------|
| ``.npy``          | numpy, a structured array x/y/t/p  | ``--events-sensor`` or inferred (max + 1) |
| ``.h5``/``.hdf5`` | h5py, datasets x/y/t/p at the root or in group ``events`` | attributes ``sensor_size`` or ``width``/``height`` |
| ``.aedat4``       | ``tonic.io.read_aedat4``           | the file's event stream (sizeX, sizeY)    |
| ``.dat``/``.raw`` | expelliarmus (DAT, EVT 2.0, EVT 3.0) | the header (``geometry``, ``width``/``height``) |

A given sensor size overrides the file's. No file is unpickled. Every recording is checked
(:func:`cerebrepro.model.events.check_events`) and carries the sha256 of its file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cerebrepro.errors import StimulusError
from cerebrepro.model.events import EVENT_FIELDS, Events, check_events, from_structured
from cerebrepro.model.spike_trains import SpikeTrains

PREFIX = "events:"
FORMATS = {
    ".npy": "npy",
    ".h5": "hdf5",
    ".hdf5": "hdf5",
    ".aedat4": "aedat4",
    ".dat": "dat",
    ".raw": "raw",
}
EXTRA_HINT = "install the events extra: pip install 'cerebrepro[events]'"


@dataclass(frozen=True)
class Recording:
    """A checked recording, the digest of its file, its format and where its sensor size came from."""

    events: Events
    path: Path
    sha256: str
    format: str
    sensor_from: str  # option | file | inferred

    def describe(self) -> dict[str, object]:
        return {
            "path": str(self.path.resolve()),
            "sha256": self.sha256,
            "format": self.format,
            "sensor_from": self.sensor_from,
            "sensor": list(self.events.sensor),
            "events": self.events.size,
            "span_us": [int(self.events.t[0]), int(self.events.t[-1])],
        }


def is_events_stimulus(stimulus: str) -> bool:
    return stimulus.startswith(PREFIX)


def events_path(stimulus: str) -> Path:
    """The file of an ``events:FILE`` stimulus."""
    return Path(stimulus[len(PREFIX) :])


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def recording_sha256(path: Path) -> str:
    """The sha256 of a recording file, refused with a clear message when the file is missing."""
    if not path.is_file():
        raise StimulusError(f"events file {path} does not exist")
    return file_sha256(path)


def read_recording(path: Path | str, sensor: tuple[int, int] | None = None) -> Recording:
    """The recording in ``path``, checked; ``sensor`` (width, height) overrides the file's size."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise StimulusError(
            f"events file {path}: unknown format {path.suffix!r} (known: {', '.join(sorted(FORMATS))})"
        )
    if not path.is_file():
        raise StimulusError(f"events file {path} does not exist")
    columns, file_sensor = _READERS[kind](path)
    given = sensor or file_sensor
    if isinstance(columns, np.ndarray):
        events = from_structured(columns, given, str(path))
    else:
        events = check_events(columns, given, str(path))
    origin = "option" if sensor else ("file" if file_sensor else "inferred")
    return Recording(events, path, file_sha256(path), kind, origin)


Columns = np.ndarray | dict[str, np.ndarray]


def write_recording(path: Path, events: np.ndarray, sensor: tuple[int, int]) -> Path:
    """Write tonic-style events as ``.npy`` or as ``.h5`` (datasets x/y/t/p, attribute sensor_size)."""
    from cerebrepro.data.cache import atomic_path

    path = Path(path)
    with atomic_path(path, suffix=path.suffix) as tmp:
        if FORMATS.get(path.suffix.lower()) == "hdf5":
            import h5py

            with h5py.File(tmp, "w") as f:
                for name in EVENT_FIELDS:
                    f.create_dataset(name, data=events[name])
                f.attrs["sensor_size"] = list(sensor)
        else:
            with open(tmp, "wb") as f:
                np.save(f, events)
    return path


def write_trains(path: Path, trains: SpikeTrains) -> Path:
    """Spike trains as the ``.npz`` that ``--stimulus FILE.npz`` reads (times in ms, offsets)."""
    from cerebrepro.data.cache import atomic_path

    with atomic_path(Path(path), suffix=".npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, times=trains.times, offsets=trains.offsets)
    return Path(path)


def _read_npy(path: Path) -> tuple[Columns, tuple[int, int] | None]:
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise StimulusError(
            f"events file {path} is not a plain numpy array (no pickles): {exc}"
        ) from exc
    if array.dtype.names is None:
        raise StimulusError(
            f"events file {path} lacks field(s) {', '.join(EVENT_FIELDS)}: a recording is a structured "
            "array with fields x, y, t (us) and p"
        )
    return array, None


def _read_hdf5(path: Path) -> tuple[Columns, tuple[int, int] | None]:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            group = f["events"] if isinstance(f.get("events"), h5py.Group) else f
            missing = [
                name for name in EVENT_FIELDS if not isinstance(group.get(name), h5py.Dataset)
            ]
            if missing:
                raise StimulusError(
                    f"events file {path} lacks field(s) {', '.join(missing)}: an HDF5 recording needs "
                    "datasets x, y, t (us) and p at its root or in group 'events'"
                )
            columns = {name: group[name][()] for name in EVENT_FIELDS}
            return columns, _hdf5_sensor(group.attrs) or _hdf5_sensor(f.attrs)
    except OSError as exc:
        raise StimulusError(f"events file {path} is not a readable HDF5 file: {exc}") from exc


def _hdf5_sensor(attrs: object) -> tuple[int, int] | None:
    if "sensor_size" in attrs:  # type: ignore[operator]
        size = np.asarray(attrs["sensor_size"]).reshape(-1)  # type: ignore[index]
        return int(size[0]), int(size[1])
    if "width" in attrs and "height" in attrs:  # type: ignore[operator]
        return int(attrs["width"]), int(attrs["height"])  # type: ignore[index]
    return None


def _read_aedat4(path: Path) -> tuple[Columns, tuple[int, int] | None]:
    try:
        import aedat
        from tonic.io import read_aedat4
    except ImportError as exc:
        raise StimulusError(
            f"reading AEDAT4 file {path} needs tonic and aedat: {EXTRA_HINT}"
        ) from exc
    try:
        streams = aedat.Decoder(str(path)).id_to_stream()
        events = read_aedat4(str(path))
    except Exception as exc:  # the decoder raises plain exceptions with its own message
        raise StimulusError(
            f"events file {path} is not a readable AEDAT4 recording: {exc}"
        ) from exc
    event_streams = sorted(i for i, s in streams.items() if s["type"] == "events")
    first = streams[event_streams[0]]
    return events, (int(first["width"]), int(first["height"]))


_PROPHESEE_SIZE = (
    re.compile(r"geometry\s+(\d+)\s*x\s*(\d+)", re.I),
    re.compile(r"width[=\s]+(\d+).*?height[=\s]+(\d+)", re.I | re.S),
)


def _read_prophesee(path: Path) -> tuple[Columns, tuple[int, int] | None]:
    try:
        from expelliarmus import Wizard
    except ImportError as exc:
        raise StimulusError(f"reading {path} needs expelliarmus: {EXTRA_HINT}") from exc
    header = _prophesee_header(path)
    if path.suffix.lower() == ".dat":
        encoding = "dat"
    elif re.search(r"evt\s*3|format\s+evt3", header, re.I):
        encoding = "evt3"
    elif re.search(r"evt\s*2\.0|format\s+evt2\b", header, re.I):
        encoding = "evt2"
    else:
        raise StimulusError(f"events file {path}: its header names no EVT 2.0 or EVT 3.0 encoding")
    try:
        array = Wizard(encoding=encoding, fpath=path).read()
    except (RuntimeError, ValueError, TypeError) as exc:
        raise StimulusError(
            f"events file {path} is not a readable {encoding.upper()} recording: {exc}"
        ) from exc
    sensor = None
    for pattern in _PROPHESEE_SIZE:
        found = pattern.search(header)
        if found:
            sensor = int(found.group(1)), int(found.group(2))
            break
    return array, sensor


def _prophesee_header(path: Path) -> str:
    """The ``%`` lines at the head of a Prophesee file."""
    lines = []
    with open(path, "rb") as f:
        for raw in f:
            if not raw.startswith(b"%"):
                break
            lines.append(raw.decode("latin-1").strip())
    return "\n".join(lines)


_READERS = {
    "npy": _read_npy,
    "hdf5": _read_hdf5,
    "aedat4": _read_aedat4,
    "dat": _read_prophesee,
    "raw": _read_prophesee,
}
