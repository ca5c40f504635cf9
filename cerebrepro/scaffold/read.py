"""Read and validate a scaffold HDF5 file: the published old-style layout, or the newer
bsb layout (``cells/positions``; read by ``read_layout_bsb``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numpy as np
import pooch

from cerebrepro.errors import ScaffoldError
from cerebrepro.memory import describe, fits
from cerebrepro.model.cerebellum import CELL_BY_TYPE_ID, CELLS, POPULATIONS
from cerebrepro.scaffold import layout
from cerebrepro.scaffold.types import Connections, Scaffold

_LARGEST_ID = 2**53  # float64 holds every integer up to here exactly
_MAX_EXPANSION = 100  # declared / stored bytes; real tables compress far less than this
_SLACK_BYTES = 2**20


class _Problem:
    """Builds ScaffoldErrors that name the file and the dataset."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, dataset: str | None, message: str) -> ScaffoldError:
        where = f"{self.path}: /{dataset}" if dataset else f"{self.path}"
        return ScaffoldError(f"{where}: {message}")


def _numbers(node: object, dataset: str, problem: _Problem) -> np.ndarray:
    """The data of a numeric dataset."""
    if not isinstance(node, h5py.Dataset):
        raise problem(dataset, "is not a dataset")
    if node.dtype.kind not in "fiu":
        raise problem(dataset, f"holds {node.dtype} data, expected numbers")
    _check_declared(node, dataset, problem)
    try:
        return node[()]
    except OSError as exc:
        raise problem(dataset, f"cannot be read, the file is damaged ({exc})") from exc


def _check_declared(node: h5py.Dataset, dataset: str, problem: _Problem) -> None:
    """Refuse, before reading, a dataset whose declared shape cannot be real or cannot fit.

    A small file can declare 10^8 rows (unwritten chunks, or compressed zeros); reading
    it would allocate gigabytes before any check could run.
    """
    declared = int(node.size) * node.dtype.itemsize
    stored = node.id.get_storage_size()
    if declared > _MAX_EXPANSION * stored + _SLACK_BYTES:
        raise problem(
            dataset,
            f"declares shape {node.shape} ({describe(declared)}) but stores only {stored:,} bytes: "
            "the file is truncated or forged",
        )
    if not fits(4 * declared):  # the table, its int64 ids and the sorted copies
        raise problem(dataset, f"declares shape {node.shape}, more than the memory available")


def _numeric_table(
    node: object, dataset: str, columns: tuple[int, ...], problem: _Problem
) -> np.ndarray:
    data = _numbers(node, dataset, problem)
    if data.size == 0:
        return np.empty((0, max(columns)))
    if data.ndim != 2 or data.shape[1] not in columns:
        wanted = " or ".join(str(c) for c in columns)
        raise problem(dataset, f"has shape {data.shape}, expected {wanted} columns")
    return data


def _integer_ids(values: np.ndarray, dataset: str, what: str, problem: _Problem) -> np.ndarray:
    """``values`` as int64, rejecting non-finite, fractional, huge and negative entries."""
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values) | (np.floor(values) != values) | (np.abs(values) > _LARGEST_ID)
        if bad.any():
            row = int(np.argmax(bad))
            raise problem(dataset, f"row {row}: {what} {float(values[row])!r} is not an integer id")
    ids = values.astype(np.int64)
    if ids.size and ids.min() < 0:
        row = int(np.argmin(ids))
        raise problem(dataset, f"row {row}: {what} {ids[row]} is negative")
    return ids


def _read_positions(f: h5py.File, problem: _Problem) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Positions per population and the type id of every gid."""
    dataset = layout.POSITIONS
    if dataset not in f:
        raise problem(None, f"no '{dataset}' dataset (nor a newer-layout 'cells/positions')")
    table = _numeric_table(f[dataset], dataset, (len(layout.POSITION_COLUMNS),), problem)
    gid = _integer_ids(table[:, 0], dataset, "gid", problem)
    type_id = _integer_ids(table[:, 1], dataset, "type id", problem)
    order = np.argsort(gid, kind="stable")
    gid, type_id, xyz = gid[order], type_id[order], table[order, 2:5].astype(np.float64)
    if not np.array_equal(gid, np.arange(len(gid))):
        at = int(np.flatnonzero(gid != np.arange(len(gid)))[0])
        raise problem(
            dataset, f"gids are not 0..{len(gid) - 1}: sorted, position {at} holds gid {gid[at]}"
        )
    unknown = np.setdiff1d(np.unique(type_id), list(CELL_BY_TYPE_ID))
    if unknown.size:
        raise problem(
            dataset, f"unknown type id {int(unknown[0])} (known: {sorted(CELL_BY_TYPE_ID)})"
        )
    step_down = np.flatnonzero(np.diff(type_id) < 0)
    if step_down.size:
        g = int(step_down[0]) + 1
        raise problem(
            dataset,
            f"type blocks are not contiguous in type-id order: gid {g} has type {type_id[g]} after type {type_id[g - 1]}",
        )
    if not np.isfinite(xyz).all():
        raise problem(
            dataset,
            f"gid {int(np.flatnonzero(~np.isfinite(xyz).all(axis=1))[0])} has a non-finite coordinate",
        )
    positions, start = {}, 0
    for name in POPULATIONS:  # type-id order, like the (now checked) blocks
        n = int(np.count_nonzero(type_id == CELLS[name].type_id))
        positions[name] = np.ascontiguousarray(xyz[start : start + n])
        start += n
    return positions, type_id


def _read_projection(
    node: object, name: str, type_of_gid: np.ndarray, scaffold: Scaffold, problem: _Problem
) -> Connections:
    dataset = f"{layout.CONNECTIONS}/{name}"
    table = _numeric_table(node, dataset, layout.CONNECTION_COLUMNS, problem)
    pre = _integer_ids(table[:, 0], dataset, "pre gid", problem)
    post = _integer_ids(table[:, 1], dataset, "post gid", problem)
    n_cells = type_of_gid.size
    for ids, side in ((pre, "pre"), (post, "post")):
        if ids.size and ids.max() >= n_cells:
            bad = int(np.argmax(ids))
            raise problem(
                dataset,
                f"row {bad}: {side} gid {ids[bad]} is outside the {n_cells} cells of 'positions'",
            )
    pre_pop, post_pop = layout.ENDPOINTS[name]
    expected = (CELLS[pre_pop].type_id, CELLS[post_pop].type_id)
    wrong = np.flatnonzero((type_of_gid[pre] != expected[0]) | (type_of_gid[post] != expected[1]))
    if wrong.size:
        row = int(wrong[0])
        got = f"{CELL_BY_TYPE_ID[type_of_gid[pre[row]]].name} -> {CELL_BY_TYPE_ID[type_of_gid[post[row]]].name}"
        raise problem(dataset, f"row {row} connects {got}, expected {pre_pop} -> {post_pop}")
    return Connections(
        pre=pre - scaffold.first_gid(pre_pop), post=post - scaffold.first_gid(post_pop)
    )


def read_scaffold(path: Path | str) -> Scaffold:
    """Read a scaffold file and check it thoroughly.

    Two layouts are read: the published old style (``layout``), and the newer bsb layout
    (``cells/positions``, see ``read_layout_bsb``), which is renumbered into the same
    in-memory Scaffold and records ``attrs["layout"] = "bsb"``.

    For the old layout, raises ScaffoldError, naming the file, the dataset and the
    problem, for a missing ``positions`` or ``connections``, a wrong column count or
    dtype, ids that are not integers, negative or outside the positions table, gids not
    0..N-1 in contiguous type-id blocks, an unknown type id, or a projection whose rows
    connect the wrong cell types (the newer layout's checks: ``read_bsb_layout``).
    Unknown projection names are skipped with a warning; a newer-layout file names in
    one warning the cell types and connections it drops.
    ``goc_glom`` (not simulated) is kept in ``connections``; ``layout.is_simulated``
    tells them apart.

    Example:
        >>> scaffold = read_scaffold("scaffold_full_dcn_400.0x400.0_v3.hdf5")
        >>> scaffold.sizes["granule"]
        88158
    """
    from cerebrepro.scaffold import read_layout_bsb  # it uses this module's checks

    path = Path(path)
    problem = _Problem(path)
    if not path.is_file():
        raise problem(None, "no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise problem(None, f"not a readable HDF5 file ({exc})") from exc
    with f:
        if layout.POSITIONS not in f and read_layout_bsb.POSITIONS in f:
            content = read_layout_bsb.read_bsb_layout(f, problem)
            scaffold = Scaffold(content.positions, content.connections, content.attrs, path)
            dropped = "; ".join(content.dropped)
            skipped = f"dropped what the model does not simulate: {dropped}" if dropped else ""
        else:
            scaffold, unknown = _read_old_layout(f, problem)
            skipped = f"skipped unknown projection(s) {', '.join(unknown)}" if unknown else ""
    if skipped:
        warnings.warn(f"{path}: {skipped}", stacklevel=2)
    missing = sorted(set(layout.ENDPOINTS) - set(scaffold.connections))
    if missing:
        warnings.warn(f"{path}: no connections for {', '.join(missing)}", stacklevel=2)
    scaffold.sha256 = pooch.file_hash(str(path))  # sha256, read in chunks
    return scaffold


def _read_old_layout(f: h5py.File, problem: _Problem) -> tuple[Scaffold, list[str]]:
    """The old-style file's scaffold, and the unknown projection names it skipped."""
    positions, type_of_gid = _read_positions(f, problem)
    scaffold = Scaffold(positions=positions, connections={}, source=problem.path)
    if layout.CONNECTIONS not in f or not isinstance(f[layout.CONNECTIONS], h5py.Group):
        raise problem(None, f"no '{layout.CONNECTIONS}' group")
    unknown = []
    for name, node in sorted(f[layout.CONNECTIONS].items()):
        if name in layout.ENDPOINTS:
            scaffold.connections[name] = _read_projection(
                node, name, type_of_gid, scaffold, problem
            )
        else:
            unknown.append(name)
    scaffold.attrs = {key: _plain(value) for key, value in f.attrs.items()}
    # A "layout" attribute names the layout read; one carried over from a newer-layout
    # scaffold written out in this layout would be stale.
    scaffold.attrs.pop("layout", None)
    return scaffold, unknown


def _plain(value: object) -> object:
    """An HDF5 attribute as a plain Python value."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
