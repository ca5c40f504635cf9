"""Read the newer scaffold HDF5 layout (the `scaffold` package, later bsb 3.x) into a Scaffold.

The layout, as bsb 3.x's ``HDF5Formatter`` writes it (and SpiNNCer's ``cerebellum.py``
reads it as the "NEW style of scaffold"):

- ``cells/positions``: float N x 5, ``[id, type id, x, y, z]``; y is the height (bsb
  stacks its layers along y, as the old layout does). Ids are unique but need not be
  contiguous per type; the type id indexes the ``types`` attribute of ``cells``.
- ``cells/type_maps/<type>_map``: the rows of ``cells/positions`` holding each cell type.
- ``cells/connections/<tag>``: M x 2 ``[from id, to id]``; attributes ``tag``,
  ``connection_types`` and, from some strategies, ``from_cell_types`` / ``to_cell_types``.
- ``entities/<type>``: ids of cells without a position (the mossy fibres).

The model's populations are renumbered into contiguous blocks in type-id order: a cell's
scaffold index is its rank, by ascending id, within its type. SpiNNCer subtracts each
type's smallest id instead, which is the same when a type's ids are contiguous. Cell types
the model does not simulate, and the connections that touch them, are dropped and named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import h5py
import numpy as np

from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.scaffold import layout
from cerebrepro.scaffold.read import _integer_ids, _numbers, _numeric_table, _plain, _Problem
from cerebrepro.scaffold.types import Connections

POSITIONS = "cells/positions"
TYPE_MAPS = "cells/type_maps"
CONNECTIONS = "cells/connections"
ENTITIES = "entities"
MAP_SUFFIX = "_map"
LAYOUT = "bsb"  # attrs["layout"] of a scaffold read from this layout
_SKIPPED_ATTRS = ("configuration_string",)  # the whole bsb config: kilobytes of JSON

# Where the names come from. bsb 3.x (dbbs-lab/bsb-core at tag v3.6.0b4):
# bsb/configurations/casali_2019.json, mouse_cerebellum_cortex.json,
# mouse_cerebellum_cortex_io_dcn.json, tests/configs/legacy_mouse_cerebellum.json (cell types
# and connection names), bsb/connectivity/connectome/granule_golgi.py and bcsc_purkinje.py
# (the tag_aa / tag_pf / tag_bc / tag_sc defaults), bsb/output.py (the layout); SpiNNCer's
# spinncer/cerebellum.py and cerebellum_analysis.py (the same cell-type names).

# File cell-type name -> model population. The model's own short names are accepted too,
# for files written with them; no bsb configuration uses them.
CELL_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "golgi_cell": "golgi",
        "glomerulus": "glomerulus",
        "granule_cell": "granule",
        "purkinje_cell": "purkinje",
        "basket_cell": "basket",
        "stellate_cell": "stellate",
        "dcn_cell": "dcn",
        **{name: name for name in POPULATIONS},
    }
)

# Connection tag -> the projections its rows may belong to; each row goes to the one
# whose populations match the row's cell types, so a tag may name several projections
# with different endpoints. Tags marked "unconfirmed" appear in no bsb 3.x file writer:
# basket_and_stellate_to_purkinje is the name of the casali_2019 connection type whose rows
# bsb stores under basket_to_purkinje and stellate_to_purkinje; gap_goc is a bsb 4
# simulation name; gap_bc and gap_sc were not found anywhere. mossy_to_dcn starts at the
# mossy fibres in bsb (so its rows are dropped); glomerulus_to_dcn is casali_2019's.
# The old layout's names (SpiNNCer's constants.py CONNECTIVITY_MAP) map to themselves.
TAGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "glomerulus_to_granule": ("glom_grc",),
        "glomerulus_to_golgi": ("glom_goc",),
        "golgi_to_glomerulus": ("goc_glom",),
        "golgi_to_granule": ("goc_grc",),
        "ascending_axon_to_golgi": ("aa_goc",),
        "parallel_fiber_to_golgi": ("pf_goc",),
        "ascending_axon_to_purkinje": ("aa_pc",),
        "parallel_fiber_to_purkinje": ("pf_pc",),
        "parallel_fiber_to_basket": ("pf_bc",),
        "parallel_fiber_to_stellate": ("pf_sc",),
        "basket_to_purkinje": ("bc_pc",),
        "stellate_to_purkinje": ("sc_pc",),
        "basket_and_stellate_to_purkinje": ("bc_pc", "sc_pc"),  # unconfirmed as a tag
        "golgi_to_golgi": ("gj_goc",),
        "gap_goc": ("gj_goc",),  # unconfirmed
        "basket_to_basket": ("gj_bc",),
        "gap_bc": ("gj_bc",),  # unconfirmed
        "stellate_to_stellate": ("gj_sc",),
        "gap_sc": ("gj_sc",),  # unconfirmed
        "purkinje_to_dcn": ("pc_dcn",),
        "glomerulus_to_dcn": ("glom_dcn",),
        "mossy_to_dcn": ("glom_dcn",),
        **{name: (name,) for name in layout.ENDPOINTS},
    }
)

_N_POPULATIONS = len(POPULATIONS)  # cell codes below this are populations, above dropped types


@dataclass
class BsbContent:
    """What the reader keeps of a new-layout file, and what it drops."""

    positions: dict[str, np.ndarray]
    connections: dict[str, Connections]
    attrs: dict[str, object]
    dropped: list[str] = field(default_factory=list)  # one phrase per dropped item


@dataclass
class _Cells:
    """Every id of the file (cells and entities), sorted, with its type code and index."""

    ids: np.ndarray  # sorted
    code: np.ndarray  # population index, or _N_POPULATIONS + k for dropped type k
    local: np.ndarray  # index within the population
    names: list[str]  # code -> the file's type name

    def find(self, ids: np.ndarray, dataset: str, side: str, problem: _Problem) -> np.ndarray:
        """Positions of ``ids`` in ``self.ids``; every id must be known."""
        at = np.minimum(np.searchsorted(self.ids, ids), max(self.ids.size - 1, 0))
        missing = self.ids[at] != ids if self.ids.size else np.ones(ids.size, bool)
        if missing.any():
            row = int(np.argmax(missing))
            raise problem(
                dataset,
                f"row {row}: {side} id {ids[row]} is in neither '{POSITIONS}' nor '{ENTITIES}'",
            )
        return at


def _id_vector(node: object, dataset: str, what: str, problem: _Problem) -> np.ndarray:
    """A 1-D dataset of non-negative integers (type-map rows or entity ids) as int64."""
    data = _numbers(node, dataset, problem)
    if data.size == 0:
        return np.empty(0, np.int64)
    if data.ndim != 1:
        raise problem(dataset, f"has shape {data.shape}, expected a 1-D list of {what}s")
    return _integer_ids(data, dataset, what, problem)


def _group(f: h5py.File, name: str, problem: _Problem) -> h5py.Group:
    if name not in f or not isinstance(f[name], h5py.Group):
        raise problem(None, f"no '{name}' group")
    return f[name]


def _type_maps(f: h5py.File, n_rows: int, problem: _Problem) -> dict[str, np.ndarray]:
    """Type name -> rows of ``cells/positions``; each row in exactly one map."""
    maps = {}
    for key, node in _group(f, TYPE_MAPS, problem).items():
        dataset = f"{TYPE_MAPS}/{key}"
        if not key.endswith(MAP_SUFFIX):
            raise problem(dataset, f"name does not end in '{MAP_SUFFIX}'")
        rows = _id_vector(node, dataset, "row index", problem)
        if rows.size and rows.max() >= n_rows:
            bad = int(np.argmax(rows))
            raise problem(
                dataset, f"row index {rows[bad]} is outside the {n_rows} rows of '{POSITIONS}'"
            )
        maps[key.removesuffix(MAP_SUFFIX)] = rows
    claims = np.bincount(np.concatenate([np.empty(0, np.int64), *maps.values()]), minlength=n_rows)
    if (claims != 1).any():
        row = int(np.flatnonzero(claims != 1)[0])
        holders = [
            name + MAP_SUFFIX
            for name, rows in maps.items()
            for _ in range(np.count_nonzero(rows == row))  # twice if a map repeats the row
        ]
        where = "in no type map" if not holders else f"in {' and '.join(holders)}"
        raise problem(POSITIONS, f"row {row} is {where}")
    return maps


def _check_type_column(
    f: h5py.File, type_id: np.ndarray, maps: dict[str, np.ndarray], problem: _Problem
) -> None:
    """The type-id column agrees with the type maps (when ``cells`` lists its types)."""
    names = _names(f["cells"].attrs.get("types"))
    for name, rows in maps.items():
        if name not in names:
            continue
        wrong = np.flatnonzero(type_id[rows] != names.index(name))
        if wrong.size:
            row = int(rows[wrong[0]])
            raise problem(
                f"{TYPE_MAPS}/{name}{MAP_SUFFIX}",
                f"row {row} of '{POSITIONS}' has type id {type_id[row]}, "
                f"expected {names.index(name)} ({name})",
            )


def _entities(f: h5py.File, problem: _Problem) -> dict[str, np.ndarray]:
    if ENTITIES not in f:
        return {}
    return {
        name: _id_vector(node, f"{ENTITIES}/{name}", "id", problem)
        for name, node in _group(f, ENTITIES, problem).items()
    }


def _names(value: object) -> list[str]:
    """An attribute holding one name or a list of names, as plain strings."""
    if value is None:
        return []
    plain = _plain(value)
    items = plain if isinstance(plain, list) else [plain]
    return [item.decode() if isinstance(item, bytes) else str(item) for item in items]


def _populations(
    maps: dict[str, np.ndarray], entities: dict[str, np.ndarray], problem: _Problem
) -> dict[str, str]:
    """Model population -> the file's type name, for the types the file holds."""
    found: dict[str, str] = {}
    for name in maps:
        pop = CELL_TYPES.get(name)
        if pop is None:
            continue
        if pop in found:
            raise problem(
                TYPE_MAPS,
                f"{found[pop]}{MAP_SUFFIX} and {name}{MAP_SUFFIX} both hold the {pop} population",
            )
        found[pop] = name
    for name, ids in entities.items():
        if name in CELL_TYPES and ids.size:
            raise problem(
                f"{ENTITIES}/{name}", "the model needs positions for these cells, not entity ids"
            )
    return found


def _read_cells(f: h5py.File, problem: _Problem) -> tuple[dict[str, np.ndarray], _Cells, list[str]]:
    """Positions per population (renumbered), the id lookup, and the dropped cell types."""
    if not isinstance(f[POSITIONS], h5py.Dataset):
        raise problem(POSITIONS, "is not a dataset")
    table = _numeric_table(f[POSITIONS], POSITIONS, (len(layout.POSITION_COLUMNS),), problem)
    ids = _integer_ids(table[:, 0], POSITIONS, "id", problem)
    type_id = _integer_ids(table[:, 1], POSITIONS, "type id", problem)
    xyz = table[:, 2:5].astype(np.float64)
    if not np.isfinite(xyz).all():
        row = int(np.flatnonzero(~np.isfinite(xyz).all(axis=1))[0])
        raise problem(POSITIONS, f"row {row} has a non-finite coordinate")
    maps = _type_maps(f, len(ids), problem)
    _check_type_column(f, type_id, maps, problem)
    entities = _entities(f, problem)
    file_name_of = _populations(maps, entities, problem)

    names = [file_name_of.get(pop, pop) for pop in POPULATIONS]
    dropped_types = sorted((set(maps) | set(entities)) - set(file_name_of.values()))
    names += dropped_types
    code = np.empty(len(ids), np.int64)
    local = np.empty(len(ids), np.int64)
    positions = {}
    for k, pop in enumerate(POPULATIONS):
        rows = maps.get(file_name_of.get(pop, ""), np.empty(0, np.int64))
        rows = rows[np.argsort(ids[rows], kind="stable")]  # ascending id within the type
        positions[pop] = np.ascontiguousarray(xyz[rows])
        code[rows], local[rows] = k, np.arange(rows.size)
    for k, name in enumerate(dropped_types, start=_N_POPULATIONS):
        rows = maps.get(name, np.empty(0, np.int64))
        code[rows], local[rows] = k, -1

    entity_ids = [entities.get(name, np.empty(0, np.int64)) for name in dropped_types]
    all_ids = np.concatenate([ids, *entity_ids])
    all_code = np.concatenate(
        [code, *(np.full(e.size, _N_POPULATIONS + k) for k, e in enumerate(entity_ids))]
    )
    all_local = np.concatenate([local, np.full(all_ids.size - ids.size, -1)])
    order = np.argsort(all_ids, kind="stable")
    sorted_ids = all_ids[order]
    repeated = np.flatnonzero(np.diff(sorted_ids) == 0)
    if repeated.size:
        raise problem(POSITIONS, f"id {sorted_ids[repeated[0]]} is used by two cells or entities")

    lookup = _Cells(sorted_ids, all_code[order], all_local[order], names)
    return positions, lookup, [_count(name, maps, entities) for name in dropped_types]


def _count(name: str, maps: dict[str, np.ndarray], entities: dict[str, np.ndarray]) -> str:
    """``name (2 cells)``, ``name (3 entities)`` or both."""
    n_cells, n_entities = len(maps.get(name, ())), len(entities.get(name, ()))
    parts = [f"{n} {what}" for n, what in ((n_cells, "cells"), (n_entities, "entities")) if n]
    return f"{name} ({', '.join(parts) or '0 cells'})"


def _check_declared(
    node: h5py.Dataset,
    attribute: str,
    codes: np.ndarray,
    cells: _Cells,
    ids: np.ndarray,
    dataset: str,
    problem: _Problem,
) -> None:
    """Rows agree with a ``from_cell_types`` / ``to_cell_types`` attribute, if there is one."""
    if attribute not in node.attrs:
        return
    declared = _names(node.attrs[attribute])
    allowed = [k for k, name in enumerate(cells.names) if name in declared]
    wrong = np.flatnonzero(~np.isin(codes, allowed))
    if wrong.size:
        row = int(wrong[0])
        raise problem(
            dataset,
            f"row {row}: id {ids[row]} is a {cells.names[codes[row]]}, "
            f"but '{attribute}' lists {', '.join(declared)}",
        )


def _read_connection(
    node: object, tag: str, cells: _Cells, problem: _Problem
) -> dict[str, Connections] | str:
    """The tag's rows per projection, or a phrase naming why the whole tag is dropped."""
    dataset = f"{CONNECTIONS}/{tag}"
    table = _numeric_table(node, dataset, layout.CONNECTION_COLUMNS, problem)
    pre_ids = _integer_ids(table[:, 0], dataset, "from id", problem)
    post_ids = _integer_ids(table[:, 1], dataset, "to id", problem)
    pre = cells.find(pre_ids, dataset, "from", problem)
    post = cells.find(post_ids, dataset, "to", problem)
    pre_code, post_code = cells.code[pre], cells.code[post]
    _check_declared(node, "from_cell_types", pre_code, cells, pre_ids, dataset, problem)
    _check_declared(node, "to_cell_types", post_code, cells, post_ids, dataset, problem)

    outside = (pre_code >= _N_POPULATIONS) | (post_code >= _N_POPULATIONS)
    rows = f"{len(pre)} rows"
    if outside.any():
        if not outside.all():
            row = int(np.argmin(outside))
            raise problem(
                dataset,
                f"mixes rows between simulated cell types (row {row}) with rows that touch "
                f"{cells.names[max(pre_code[outside][0], post_code[outside][0])]}",
            )
        touched = np.unique(np.concatenate([pre_code, post_code]))
        types = [cells.names[k] for k in touched if k >= _N_POPULATIONS]
        return f"{tag} ({rows}: {', '.join(types)})"
    candidates = TAGS.get(tag)
    if candidates is None:
        return f"{tag} ({rows}: unknown name)"

    out, claimed = {}, np.zeros(len(pre), bool)
    for name in candidates:
        pre_pop, post_pop = layout.ENDPOINTS[name]
        mine = (pre_code == POPULATIONS.index(pre_pop)) & (post_code == POPULATIONS.index(post_pop))
        if mine.any() or len(candidates) == 1:  # a shared tag claims only what it holds
            out[name] = Connections(pre=cells.local[pre[mine]], post=cells.local[post[mine]])
        claimed |= mine
    if not claimed.all():
        row = int(np.argmin(claimed))
        got = f"{cells.names[pre_code[row]]} -> {cells.names[post_code[row]]}"
        expected = " or ".join(" -> ".join(layout.ENDPOINTS[name]) for name in candidates)
        raise problem(dataset, f"row {row} connects {got}, expected {expected}")
    return out


def read_bsb_layout(f: h5py.File, problem: _Problem) -> BsbContent:
    """Read an open new-layout file (``cells/positions``, ``cells/type_maps``, ...).

    Raises ScaffoldError, naming the file, the dataset and the problem, for a missing
    group, a wrong column count or dtype, ids that are not integers, repeated or not in
    ``cells/positions`` / ``entities``, a type map pointing outside ``cells/positions``
    or rows in no or two type maps, a type-id column that disagrees with the type maps,
    a connection whose rows have cell types its tag (or its ``from_cell_types`` /
    ``to_cell_types`` attribute) does not allow, and two tags for the same projection.
    """
    positions, cells, dropped_types = _read_cells(f, problem)  # dropped: "name (n cells)"
    connections: dict[str, Connections] = {}
    source: dict[str, str] = {}
    dropped_connections = []
    for tag, node in sorted(_group(f, CONNECTIONS, problem).items()):
        result = _read_connection(node, tag, cells, problem)
        if isinstance(result, str):
            dropped_connections.append(result)
            continue
        for name, rows in result.items():
            if name in source:
                raise problem(CONNECTIONS, f"both '{source[name]}' and '{tag}' hold {name}")
            source[name] = tag
            connections[name] = rows
    dropped = []
    if dropped_types:
        dropped.append(f"cell types {', '.join(dropped_types)}")
    if dropped_connections:
        dropped.append(f"connections {', '.join(dropped_connections)}")
    attrs = {k: _plain(v) for k, v in f.attrs.items() if k not in _SKIPPED_ATTRS}
    attrs["layout"] = LAYOUT
    return BsbContent(positions, connections, attrs, dropped)
