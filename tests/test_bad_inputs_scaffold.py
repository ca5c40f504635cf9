"""Hostile scaffold files and damaged scaffold caches.

Small files declaring huge tables are refused before allocation; a truncated or edited
cached rebuild is rebuilt with a warning naming it; a scaffold whose simulated projection
has no rows is refused, naming the projection, before anything is simulated.
"""

from __future__ import annotations

import shutil
import time
import warnings
from pathlib import Path

import h5py
import numpy as np
import pooch
import pytest
from bad_inputs_support import assert_refused, cli, snapshot

from cerebrepro.errors import ScaffoldError
from cerebrepro.scaffold.default import default_scaffold, default_scaffold_path
from cerebrepro.scaffold.read import read_scaffold

SIZE, SEED = 50.0, 11


def _huge_positions(f: h5py.File) -> None:
    """10^8 declared rows of positions in a file of a few kB (chunks never written)."""
    del f["positions"]
    f.create_dataset("positions", shape=(10**8, 5), dtype="f8", chunks=(4096, 5))


def _huge_compressed_projection(f: h5py.File) -> None:
    """A projection of 10^7 zero rows, gzip-compressed to a few kB."""
    del f["connections/glom_grc"]
    f.create_dataset(
        "connections/glom_grc", data=np.zeros((10**7, 3)), chunks=(2**16, 3), compression="gzip"
    )


def _empty_projection(f: h5py.File) -> None:
    del f["connections/glom_grc"]
    f.create_dataset("connections/glom_grc", data=np.zeros((0, 3)))


def _missing_projection(f: h5py.File) -> None:
    del f["connections/pf_pc"]


@pytest.fixture
def scaffold_copy(small_scaffold_file, tmp_path) -> Path:
    return Path(shutil.copy(small_scaffold_file, tmp_path / "scaffold.hdf5"))


DECLARED = {
    "positions-1e8-rows": (_huge_positions, "/positions", "declares shape (100000000, 5)"),
    "projection-1e7-zero-rows-gzip": (
        _huge_compressed_projection,
        "connections/glom_grc",
        "stores only",
    ),
}


@pytest.mark.parametrize("edit, dataset, words", DECLARED.values(), ids=DECLARED.keys())
def test_small_file_declaring_a_huge_table_is_refused_at_once(scaffold_copy, edit, dataset, words):
    with h5py.File(scaffold_copy, "a") as f:
        edit(f)
    started = time.perf_counter()
    with pytest.raises(ScaffoldError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_scaffold(scaffold_copy)
    assert time.perf_counter() - started < 2  # reading 10^8 rows took 37 s and 5 GB
    assert_refused(cli("scaffold", "inspect", scaffold_copy), scaffold_copy, dataset, words)


def test_corrupt_chunk_is_a_scaffold_error(scaffold_copy, tmp_path):
    with h5py.File(scaffold_copy, "a") as f:
        del f["connections/glom_grc"]
        f.create_dataset(
            "connections/glom_grc",
            data=np.arange(30000.0).reshape(10000, 3),
            chunks=(1000, 3),
            compression="gzip",
        )
    with h5py.File(scaffold_copy, "r") as f:
        chunk = f["connections/glom_grc"].id.get_chunk_info(0)
    with scaffold_copy.open("r+b") as handle:
        handle.seek(chunk.byte_offset + 4)
        handle.write(b"\xff" * 32)
    with pytest.raises(ScaffoldError, match="glom_grc: cannot be read"):
        read_scaffold(scaffold_copy)


SILENT = {
    "glom-grc-zero-rows": (_empty_projection, "glom_grc"),
    "pf-pc-missing": (_missing_projection, "pf_pc"),
}


@pytest.mark.parametrize("edit, projection", SILENT.values(), ids=SILENT.keys())
def test_run_refuses_a_scaffold_with_an_empty_simulated_projection(
    scaffold_copy, tmp_path, monkeypatch, edit, projection
):
    with h5py.File(scaffold_copy, "a") as f:
        edit(f)
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    before = snapshot(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reader's "no connections for" warning
        outcome = cli(
            "run", "--scaffold", scaffold_copy, "--duration", "10", "-o", tmp_path / "o.h5"
        )
    assert_refused(outcome, scaffold_copy, projection, "has no rows")
    assert snapshot(tmp_path) == before


@pytest.fixture
def cached(tmp_path, monkeypatch) -> Path:
    """A 50 um rebuild in an empty data cache."""
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(tmp_path / "data"))
    return default_scaffold(SIZE, SEED)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


DAMAGE = {"truncated": _truncate, "one-byte-flipped": _flip_a_byte, "emptied": _empty}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_cached_scaffold_is_rebuilt_and_named(cached, damage):
    good = pooch.file_hash(str(cached))
    damage(cached)
    with pytest.warns(UserWarning, match=str(cached)):
        outcome = cli("scaffold", "build", "--size", str(SIZE), "--seed", str(SEED))
    assert (
        outcome.code == 0
        and "built 50 x 50 um" in outcome.output
        and "already built" not in outcome.output
    )
    assert pooch.file_hash(str(cached)) == good  # the same bytes as the first build


def test_cache_without_a_recorded_digest_is_checked_once_and_recorded(cached):
    record = cached.with_name(cached.name + ".sha256")
    record.unlink()
    _truncate(cached)
    with pytest.warns(UserWarning, match="damaged"):
        default_scaffold(SIZE, SEED)
    assert record.read_text().strip() == pooch.file_hash(str(cached))
    read_scaffold(cached)


def test_intact_cache_is_reused(cached):
    stamp = cached.stat().st_mtime_ns
    outcome = cli("scaffold", "build", "--size", str(SIZE), "--seed", str(SEED))
    assert outcome.code == 0 and "already built" in outcome.output
    assert cached.stat().st_mtime_ns == stamp


def test_stale_temporary_file_is_cleaned_under_the_lock(cached):
    stale = cached.with_name(f".{cached.name}.x1y2z3.hdf5.part")
    stale.write_bytes(b"left by a killed build")
    _truncate(cached)
    with pytest.warns(UserWarning):
        default_scaffold(SIZE, SEED)
    assert not stale.exists()
    assert sorted(p.name for p in cached.parent.iterdir()) == sorted(
        [cached.name, cached.name + ".sha256", cached.name + ".lock"]
    )


def test_default_path_is_unchanged():
    assert default_scaffold_path(SIZE, SEED).name.startswith("rebuilt_50um_seed11_v")
