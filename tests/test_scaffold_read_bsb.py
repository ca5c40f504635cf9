"""The newer (bsb 3.x) scaffold layout: renumbering, name mapping, drops, and malformed files."""

import json
import warnings

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
from cerebrepro.cli.app import app
from cerebrepro.errors import ScaffoldError
from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.scaffold.layout import ENDPOINTS
from cerebrepro.scaffold.read import read_scaffold
from cerebrepro.scaffold.types import Connections, Scaffold
from cerebrepro.scaffold.write import write_scaffold

# bsb's cell-type order (type id = index), as in its mouse_cerebellum_cortex_io_dcn config
TYPES = [
    "granule_cell", "glomerulus", "golgi_cell", "purkinje_cell", "stellate_cell",
    "basket_cell", "dcn_cell", "io_cell", "mossy_fibers",
]  # fmt: skip
BSB_NAME = dict(zip(POPULATIONS, ["golgi_cell", "glomerulus", "granule_cell", "purkinje_cell",
                                  "basket_cell", "stellate_cell", "dcn_cell"], strict=True))  # fmt: skip
# One tag per model projection, as bsb names them.
BSB_TAG = {
    "aa_goc": "ascending_axon_to_golgi", "aa_pc": "ascending_axon_to_purkinje",
    "bc_pc": "basket_to_purkinje", "gj_bc": "basket_to_basket", "gj_goc": "golgi_to_golgi",
    "gj_sc": "stellate_to_stellate", "glom_dcn": "glomerulus_to_dcn",
    "glom_goc": "glomerulus_to_golgi", "glom_grc": "glomerulus_to_granule",
    "goc_glom": "golgi_to_glomerulus", "goc_grc": "golgi_to_granule", "pc_dcn": "purkinje_to_dcn",
    "pf_bc": "parallel_fiber_to_basket", "pf_goc": "parallel_fiber_to_golgi",
    "pf_pc": "parallel_fiber_to_purkinje", "pf_sc": "parallel_fiber_to_stellate",
    "sc_pc": "stellate_to_purkinje",
}  # fmt: skip

# The hand-made file: cells/positions row r holds (id, type name); x = id, y = 600 + r, z = r / 2.
ROWS = [
    (17, "granule_cell"), (3, "golgi_cell"), (12, "glomerulus"), (5, "granule_cell"),
    (30, "io_cell"), (8, "purkinje_cell"), (21, "basket_cell"), (2, "golgi_cell"),
    (14, "stellate_cell"), (11, "granule_cell"), (26, "dcn_cell"), (9, "glomerulus"),
    (19, "basket_cell"), (24, "stellate_cell"), (1, "dcn_cell"), (31, "io_cell"),
    (40, "purkinje_cell"),
]  # fmt: skip
MOSSY = [33, 35, 34]  # entity ids
CONNECTIONS = {
    "glomerulus_to_granule": [[12, 5], [9, 17], [12, 11]],
    "golgi_to_granule": [[3, 17], [2, 5]],
    "parallel_fiber_to_purkinje": [[11, 40], [5, 8], [17, 40]],
    "basket_and_stellate_to_purkinje": [[21, 8], [14, 40], [19, 40], [24, 8]],
    "golgi_to_golgi": [[2, 3], [3, 2]],
    "glomerulus_to_dcn": [[9, 26], [12, 1]],
    "mossy_to_dcn": [[33, 26], [35, 1]],
    "io_to_purkinje": [[30, 8], [31, 40]],
    "mossy_to_glomerulus": [[33, 12], [34, 9], [35, 12]],
}

# Worked by hand: each type's cells in ascending id order, with the rows they came from.
EXPECTED_POSITIONS = {
    "golgi": [[2, 607, 3.5], [3, 601, 0.5]],  # ids 2 (row 7), 3 (row 1)
    "glomerulus": [[9, 611, 5.5], [12, 602, 1.0]],  # ids 9 (row 11), 12 (row 2)
    "granule": [[5, 603, 1.5], [11, 609, 4.5], [17, 600, 0.0]],  # rows 3, 9, 0
    "purkinje": [[8, 605, 2.5], [40, 616, 8.0]],  # rows 5, 16
    "basket": [[19, 612, 6.0], [21, 606, 3.0]],  # rows 12, 6
    "stellate": [[14, 608, 4.0], [24, 613, 6.5]],  # rows 8, 13
    "dcn": [[1, 614, 7.0], [26, 610, 5.0]],  # rows 14, 10
}
EXPECTED_CONNECTIONS = {  # (pre, post) population-local indices
    "glom_grc": ([1, 0, 1], [0, 2, 1]),
    "goc_grc": ([1, 0], [2, 0]),
    "pf_pc": ([1, 0, 2], [1, 0, 1]),
    "bc_pc": ([1, 0], [0, 1]),  # split from basket_and_stellate_to_purkinje by cell type
    "sc_pc": ([0, 1], [1, 0]),
    "gj_goc": ([0, 1], [1, 0]),
    "glom_dcn": ([0, 1], [1, 0]),  # glomerulus_to_dcn; mossy_to_dcn starts at mossy fibres
}
DROPPED = (
    "dropped what the model does not simulate: cell types io_cell (2 cells), "
    "mossy_fibers (3 entities); connections io_to_purkinje (2 rows: io_cell), "
    "mossy_to_dcn (2 rows: mossy_fibers), mossy_to_glomerulus (3 rows: mossy_fibers)"
)


def _hand_made() -> tuple[dict[str, np.ndarray], dict[tuple[str, str], object]]:
    """Datasets (path -> data) and attributes ((path, name) -> value) of the hand-made file."""
    ids = np.array([i for i, _ in ROWS], float)
    type_ids = np.array([TYPES.index(t) for _, t in ROWS], float)
    r = np.arange(len(ROWS), dtype=float)
    data = {"cells/positions": np.column_stack([ids, type_ids, ids, 600 + r, r / 2])}
    for name in TYPES:  # bsb writes a map for every type, an empty one for entities
        data[f"cells/type_maps/{name}_map"] = np.flatnonzero(type_ids == TYPES.index(name))
    data["entities/mossy_fibers"] = np.array(MOSSY)
    for tag, rows in CONNECTIONS.items():
        data[f"cells/connections/{tag}"] = np.array(rows, float)
    attrs = {
        ("cells", "types"): TYPES,
        ("cells/connections/parallel_fiber_to_purkinje", "from_cell_types"): ["granule_cell"],
        ("cells/connections/basket_and_stellate_to_purkinje", "from_cell_types"): [
            "basket_cell",
            "stellate_cell",
        ],
        ("/", "version"): "3.6.0b4",
        ("/", "configuration_string"): "{}",
    }
    return data, attrs


def _write(path, data, attrs):
    with h5py.File(path, "w") as f:
        for key, value in data.items():
            f.create_dataset(key, data=value)
        for (where, name), value in attrs.items():
            (f[where] if where in f else f.create_group(where)).attrs[name] = value
    return path


def _read_quietly(path) -> Scaffold:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_scaffold(path)


@pytest.fixture
def hand_made(tmp_path):
    return _write(tmp_path / "bsb.hdf5", *_hand_made())


def test_hand_made_file_is_renumbered_and_mapped(hand_made):
    scaffold = _read_quietly(hand_made)
    assert scaffold.sizes == {name: len(EXPECTED_POSITIONS[name]) for name in POPULATIONS}
    for name, xyz in EXPECTED_POSITIONS.items():
        assert scaffold.positions[name].tolist() == xyz, name
        assert scaffold.positions[name].dtype == np.float64
    assert set(scaffold.connections) == set(EXPECTED_CONNECTIONS)
    for name, (pre, post) in EXPECTED_CONNECTIONS.items():
        rows = scaffold.connections[name]
        assert (rows.pre.tolist(), rows.post.tolist()) == (pre, post), name
        assert rows.pre.dtype == np.int64
    assert scaffold.attrs == {"version": "3.6.0b4", "layout": "bsb"}
    assert scaffold.source == hand_made and scaffold.sha256 is not None


def test_dropped_types_and_connections_are_named_in_one_warning(hand_made):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_scaffold(hand_made)
    messages = [str(w.message) for w in caught]
    assert messages[0] == f"{hand_made}: {DROPPED}"
    assert len(messages) == 2 and messages[1].startswith(f"{hand_made}: no connections for aa_goc")


@pytest.mark.filterwarnings("ignore:.*no connections for")
def test_unknown_tag_is_named(tmp_path):
    data, attrs = _hand_made()
    data["cells/connections/climbing_fibres"] = np.array([[2.0, 8.0]])
    with pytest.warns(UserWarning, match=r"climbing_fibres \(1 rows: unknown name\)"):
        scaffold = read_scaffold(_write(tmp_path / "f.hdf5", data, attrs))
    assert "climbing_fibres" not in scaffold.connections


def test_a_shared_tag_claims_only_the_projections_it_holds(tmp_path):
    data, attrs = _hand_made()
    data["cells/connections/basket_and_stellate_to_purkinje"] = np.array([[21, 8], [19, 40]])
    data["cells/connections/stellate_to_purkinje"] = np.array([[14, 40]])
    scaffold = _read_quietly(_write(tmp_path / "f.hdf5", data, attrs))
    bc, sc = scaffold.connections["bc_pc"], scaffold.connections["sc_pc"]
    assert (bc.pre.tolist(), bc.post.tolist()) == ([1, 0], [0, 1])
    assert (sc.pre.tolist(), sc.post.tolist()) == ([0], [1])


def _random_network(seed: int) -> Scaffold:
    """Every projection with random rows between a few cells of each population."""
    rng = np.random.default_rng(seed)
    sizes = dict(zip(POPULATIONS, [4, 9, 20, 2, 5, 5, 3], strict=True))
    positions = {name: rng.uniform(0, 400, (n, 3)) for name, n in sizes.items()}
    connections = {}
    for name, (pre, post) in ENDPOINTS.items():
        m = int(rng.integers(1, 12))
        connections[name] = Connections(
            rng.integers(0, sizes[pre], m).astype(np.int64),
            rng.integers(0, sizes[post], m).astype(np.int64),
        )
    return Scaffold(positions, connections, {"seed": seed})


def _write_bsb(scaffold: Scaffold, path, seed: int = 0):
    """``scaffold`` in the newer layout: sparse ids (ascending within each type, so the
    renumbering gives back the same indices), shuffled rows, io cells and mossy fibres."""
    rng = np.random.default_rng(seed)
    n = scaffold.n_cells + 2 + 3  # two io cells, three mossy fibres
    ids = rng.choice(10 * n, n, replace=False)
    cell_ids, start = {}, 0
    for name in POPULATIONS:
        cell_ids[name] = np.sort(ids[start : start + scaffold.size(name)])
        start += scaffold.size(name)
    io_ids, mossy = ids[start : start + 2], ids[start + 2 :]
    table = np.concatenate(
        [
            *(
                np.column_stack(
                    [
                        cell_ids[p],
                        np.full(scaffold.size(p), TYPES.index(BSB_NAME[p])),
                        scaffold.positions[p],
                    ]  # fmt: skip
                )
                for p in POPULATIONS
            ),
            np.column_stack([io_ids, np.full(2, TYPES.index("io_cell")), np.zeros((2, 3))]),
        ]
    )[rng.permutation(n - 3)]
    data = {"cells/positions": table, "entities/mossy_fibers": mossy}
    for k, name in enumerate(TYPES):
        data[f"cells/type_maps/{name}_map"] = np.flatnonzero(table[:, 1] == k)
    for name, rows in scaffold.connections.items():
        pre, post = ENDPOINTS[name]
        data[f"cells/connections/{BSB_TAG[name]}"] = np.column_stack(
            [cell_ids[pre][rows.pre], cell_ids[post][rows.post]]
        )
    data["cells/connections/io_to_purkinje"] = np.column_stack([io_ids, cell_ids["purkinje"][:2]])
    data["cells/connections/mossy_to_glomerulus"] = np.column_stack(
        [mossy, cell_ids["glomerulus"][:3]]
    )
    return _write(path, data, {("cells", "types"): TYPES})


def _assert_same_network(a: Scaffold, b: Scaffold) -> None:
    assert a.connectivity_digest() == b.connectivity_digest()
    for name in POPULATIONS:
        assert np.array_equal(a.positions[name], b.positions[name]), name
    assert set(a.connections) == set(b.connections)
    for name, rows in a.connections.items():
        assert np.array_equal(rows.pre, b.connections[name].pre), name
        assert np.array_equal(rows.post, b.connections[name].post), name


def test_old_and_new_layout_give_the_same_network(tmp_path):
    network = _random_network(5)
    old = read_scaffold(write_scaffold(network, tmp_path / "old.hdf5"))
    new = _read_quietly(_write_bsb(network, tmp_path / "new.hdf5", seed=6))
    _assert_same_network(old, new)
    assert old.connectivity_digest() == network.connectivity_digest()


@pytest.mark.slow
def test_rebuilt_scaffold_reads_the_same_from_both_layouts(small_scaffold, tmp_path):
    new = _read_quietly(_write_bsb(small_scaffold, tmp_path / "new.hdf5", seed=1))
    _assert_same_network(small_scaffold, new)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_cli_inspect_reads_the_new_layout(hand_made):
    result = CliRunner().invoke(app, ["scaffold", "inspect", str(hand_made), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["populations"]["granule"] == 3 and summary["attrs"]["layout"] == "bsb"
    assert summary["connectivity_digest"] == _read_quietly(hand_made).connectivity_digest()


def _without(prefix):
    def change(data, attrs):
        for key in [k for k in data if k.startswith(prefix)]:
            del data[key]
        for key in [k for k in attrs if k[0].startswith(prefix)]:
            del attrs[key]

    return change


def _set(key, value):
    def change(data, attrs):
        data[key] = np.array(value, float)

    return change


def _edit(key, index, value):
    def change(data, attrs):
        data[key] = np.array(data[key], float)
        data[key][index] = value

    return change


DEFECTS = {
    "no type maps": (_without("cells/type_maps"), "no 'cells/type_maps' group"),
    "no connections": (_without("cells/connections"), "no 'cells/connections' group"),
    "positions columns": (
        _set("cells/positions", np.zeros((17, 4))),
        "/cells/positions: has shape (17, 4), expected 5 columns",
    ),
    "connection columns": (
        _set("cells/connections/golgi_to_golgi", np.zeros((2, 4))),
        "/cells/connections/golgi_to_golgi: has shape (2, 4), expected 2 or 3 columns",
    ),
    "id not in positions": (
        _edit("cells/connections/golgi_to_golgi", (1, 1), 99),
        "/cells/connections/golgi_to_golgi: row 1: to id 99 is in neither "
        "'cells/positions' nor 'entities'",
    ),
    "fractional id": (
        _edit("cells/connections/golgi_to_golgi", (0, 0), 2.5),
        "/cells/connections/golgi_to_golgi: row 0: from id 2.5 is not an integer id",
    ),
    "wrong cell types": (
        _edit("cells/connections/golgi_to_granule", (1, 0), 12),
        "/cells/connections/golgi_to_granule: row 1 connects glomerulus -> granule_cell, "
        "expected golgi -> granule",
    ),
    "wrong for either candidate": (
        _edit("cells/connections/basket_and_stellate_to_purkinje", (2, 1), 2),
        "/cells/connections/basket_and_stellate_to_purkinje: row 2 connects basket_cell -> "
        "golgi_cell, expected basket -> purkinje or stellate -> purkinje",
    ),
    "against from_cell_types": (
        _edit("cells/connections/parallel_fiber_to_purkinje", (0, 0), 3),
        "/cells/connections/parallel_fiber_to_purkinje: row 0: id 3 is a golgi_cell, "
        "but 'from_cell_types' lists granule_cell",
    ),
    "mixed with dropped rows": (
        _edit("cells/connections/io_to_purkinje", (1, 0), 21),
        "/cells/connections/io_to_purkinje: mixes rows between simulated cell types (row 1) "
        "with rows that touch io_cell",
    ),
    "type map outside positions": (
        _edit("cells/type_maps/golgi_cell_map", 1, 17),
        "/cells/type_maps/golgi_cell_map: row index 17 is outside the 17 rows of 'cells/positions'",
    ),
    "row in two maps": (
        _set("cells/type_maps/golgi_cell_map", [7, 1, 3]),
        "/cells/positions: row 3 is in golgi_cell_map and granule_cell_map",
    ),
    "row in no map": (
        _set("cells/type_maps/io_cell_map", [15]),
        "/cells/positions: row 4 is in no type map",
    ),
    "type column disagrees": (
        _edit("cells/positions", (1, 1), 0),
        "/cells/type_maps/golgi_cell_map: row 1 of 'cells/positions' has type id 0, "
        "expected 2 (golgi_cell)",
    ),
    "repeated id": (
        _edit("cells/positions", (1, 0), 17),
        "/cells/positions: id 17 is used by two cells or entities",
    ),
    "entity id of a cell": (
        _set("entities/mossy_fibers", [33, 35, 2]),
        "/cells/positions: id 2 is used by two cells or entities",
    ),
    "two tags, one projection": (
        _set("cells/connections/gap_goc", [[2, 3]]),
        "/cells/connections: both 'gap_goc' and 'golgi_to_golgi' hold gj_goc",
    ),
    "model cells as entities": (
        _set("entities/glomerulus", [50]),
        "/entities/glomerulus: the model needs positions for these cells, not entity ids",
    ),
    "map name": (
        _set("cells/type_maps/golgi_cells", [0]),
        "/cells/type_maps/golgi_cells: name does not end in '_map'",
    ),
}


@pytest.mark.parametrize(("defect", "message"), DEFECTS.values(), ids=DEFECTS)
def test_malformed_files(tmp_path, defect, message):
    data, attrs = _hand_made()
    defect(data, attrs)
    path = _write(tmp_path / "f.hdf5", data, attrs)
    with pytest.raises(ScaffoldError) as info:
        _read_quietly(path)
    assert str(info.value) == f"{path}: {message}"


def test_neither_layout(tmp_path):
    path = _write(tmp_path / "f.hdf5", {"cells/other": np.zeros(3)}, {})
    with pytest.raises(ScaffoldError, match="no 'positions' dataset"):
        read_scaffold(path)
