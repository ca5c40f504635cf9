"""The scaffold reader: a valid hand-made file, and each kind of malformed file."""

import hashlib
import warnings

import h5py
import numpy as np
import pytest

from cerebrepro.errors import ScaffoldError
from cerebrepro.model.cerebellum import CELLS, POPULATIONS
from cerebrepro.scaffold.layout import ENDPOINTS
from cerebrepro.scaffold.read import read_scaffold

PER_TYPE = 3  # cells per population in the hand-made file
FIRST = {name: i * PER_TYPE for i, name in enumerate(POPULATIONS)}


def _positions() -> np.ndarray:
    n = PER_TYPE * len(POPULATIONS)
    type_ids = np.repeat([CELLS[name].type_id for name in POPULATIONS], PER_TYPE)
    xyz = np.random.default_rng(0).uniform(0, 100, (n, 3))
    return np.column_stack([np.arange(n), type_ids, xyz]).astype(np.float64)


def _connections() -> dict[str, np.ndarray]:
    """Every known projection: cell 0 and 1 of pre to cell 1 and 2 of post."""
    return {
        name: np.array([[FIRST[pre], FIRST[post] + 1, 5.0], [FIRST[pre] + 1, FIRST[post] + 2, 7.0]])
        for name, (pre, post) in ENDPOINTS.items()
    }


def _write(path, positions=None, connections=None, skip=()):
    positions = _positions() if positions is None else positions
    connections = _connections() if connections is None else connections
    with h5py.File(path, "w") as f:
        if "positions" not in skip:
            f["positions"] = positions
        if "connections" not in skip:
            group = f.create_group("connections")
            for name, data in connections.items():
                group[name] = data
    return path


@pytest.fixture
def valid(tmp_path):
    return _write(tmp_path / "valid.hdf5")


def test_valid_file(valid):
    scaffold = read_scaffold(valid)
    assert scaffold.sizes == {name: PER_TYPE for name in POPULATIONS}
    assert np.array_equal(scaffold.positions["golgi"], _positions()[:3, 2:])
    pf = scaffold.connections["pf_pc"]
    assert pf.pre.tolist() == [0, 1] and pf.post.tolist() == [1, 2]  # population-local
    assert pf.pre.dtype == np.int64
    assert "goc_glom" in scaffold.connections
    assert scaffold.source == valid
    assert scaffold.sha256 == hashlib.sha256(valid.read_bytes()).hexdigest()


def test_two_column_projection_and_shuffled_rows(tmp_path):
    connections = _connections()
    connections["goc_grc"] = connections["goc_grc"][:, :2]
    positions = _positions()[::-1]  # rows in any order; gids decide
    scaffold = read_scaffold(_write(tmp_path / "f.hdf5", positions, connections))
    assert scaffold.connections["goc_grc"].post.tolist() == [1, 2]
    assert np.array_equal(scaffold.positions["dcn"], _positions()[-3:, 2:])


def _expect(path, *fragments):
    with pytest.raises(ScaffoldError) as info:
        read_scaffold(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_positions(tmp_path):
    _expect(_write(tmp_path / "f.hdf5", skip=("positions",)), "no 'positions'")


def test_missing_connections(tmp_path):
    _expect(_write(tmp_path / "f.hdf5", skip=("connections",)), "no 'connections'")


def test_not_hdf5(tmp_path):
    path = tmp_path / "f.hdf5"
    path.write_text("not hdf5")
    _expect(path, "not a readable HDF5 file")


def test_missing_file(tmp_path):
    _expect(tmp_path / "absent.hdf5", "no such file")


def _with(array: np.ndarray, index: tuple, value: float) -> np.ndarray:
    changed = array.copy()
    changed[index] = value
    return changed


def _golgi_block_interrupted(positions: np.ndarray) -> np.ndarray:
    changed = positions.copy()
    changed[[1, 4], 1] = changed[[4, 1], 1]  # a glomerulus inside the golgi block
    return changed


POSITION_DEFECTS = {
    "wrong columns": (lambda p: p[:, :4], "5 columns"),
    "strings": (lambda p: p.astype("S8"), "expected numbers"),
    "unknown type id": (lambda p: _with(p, (-1, 1), 9), "unknown type id 9"),
    "type blocks": (_golgi_block_interrupted, "not contiguous"),
    "gid gap": (lambda p: _with(p, (-1, 0), 100), "gids are not 0..20"),
    "fractional gid": (lambda p: _with(p, (2, 0), 2.5), "not an integer"),
}


@pytest.mark.parametrize(("defect", "fragment"), POSITION_DEFECTS.values(), ids=POSITION_DEFECTS)
def test_malformed_positions(tmp_path, defect, fragment):
    _expect(_write(tmp_path / "f.hdf5", positions=defect(_positions())), "/positions", fragment)


CONNECTION_DEFECTS = {
    "wrong columns": ("aa_goc", lambda c: np.zeros((2, 4)), "2 or 3 columns"),
    "id out of range": ("pf_pc", lambda c: _with(c, (1, 1), 21), "post gid 21 is outside"),
    "negative id": ("pf_pc", lambda c: _with(c, (0, 0), -1), "negative"),
    "nan id": ("gj_goc", lambda c: _with(c, (0, 0), np.nan), "not an integer"),
    "strings": ("gj_goc", lambda c: c.astype("S4"), "expected numbers"),
    "wrong cell types": (
        "pf_pc",
        lambda c: _with(c, (1, 0), FIRST["golgi"]),
        "row 1 connects golgi -> purkinje, expected granule -> purkinje",
    ),
}


@pytest.mark.parametrize(
    ("name", "defect", "fragment"), CONNECTION_DEFECTS.values(), ids=CONNECTION_DEFECTS
)
def test_malformed_connections(tmp_path, name, defect, fragment):
    connections = _connections()
    connections[name] = defect(connections[name])
    path = _write(tmp_path / "f.hdf5", connections=connections)
    _expect(path, f"/connections/{name}", fragment)


def test_unknown_projection_warns_and_is_skipped(tmp_path):
    connections = _connections()
    connections["climbing_fibres"] = np.array([[0.0, 1.0, 2.0]])
    path = _write(tmp_path / "f.hdf5", connections=connections)
    with pytest.warns(UserWarning, match="climbing_fibres"):
        scaffold = read_scaffold(path)
    assert "climbing_fibres" not in scaffold.connections


def test_missing_projection_warns(tmp_path):
    connections = _connections()
    del connections["pf_sc"]
    with pytest.warns(UserWarning, match="no connections for pf_sc"):
        scaffold = read_scaffold(_write(tmp_path / "f.hdf5", connections=connections))
    assert "pf_sc" not in scaffold.connections


def test_valid_file_reads_without_warnings(valid):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_scaffold(valid)
