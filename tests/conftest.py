"""Fixtures shared by the test modules: an isolated data directory and small scaffolds.

Tests that need an optional extra carry its marker (``brian2``, ``spinnaker``, ``events``;
pyproject.toml lists them) and are skipped, naming the extra, where it is not installed.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

os.environ.setdefault("PYNEST_QUIET", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

SMALL_SIZE = 100.0
SMALL_SEED = 11

# marker: (the extra of pyproject.toml, the modules it installs that the tests import)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "brian2": ("brian2", ("brian2",)),
    "spinnaker": ("spinnaker", ("spynnaker",)),
    "events": ("events", ("tonic", "aedat", "expelliarmus")),
}


def missing_extra(marker: str) -> str | None:
    """Why the tests marked ``marker`` cannot run here (a module of its extra is absent), or None."""
    extra, modules = EXTRAS[marker]
    absent = [module for module in modules if importlib.util.find_spec(module) is None]
    if not absent:
        return None
    names = ", ".join(absent)
    return f"needs the {extra} extra ({names} not installed): pip install -e '.[{extra}]'"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, naming the extra, every test marked with an extra that is not installed."""
    for marker in EXTRAS:
        reason = missing_extra(marker)
        if reason is None:
            continue
        for item in items:
            if item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory shared by the tests of one session (scaffolds and runs cached once)."""
    return tmp_path_factory.mktemp("cerebrepro-data")


@pytest.fixture
def data_dir(session_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(session_data_dir))
    return session_data_dir


@pytest.fixture(scope="session")
def small_scaffold():
    """A rebuilt 100 x 100 um scaffold (about 6,000 cells, 120,000 synapses)."""
    from cerebrepro.scaffold.build import build_scaffold

    return build_scaffold(SMALL_SIZE, SMALL_SEED)


@pytest.fixture(scope="session")
def small_scaffold_file(small_scaffold, session_data_dir: Path) -> Path:
    """The small scaffold written in the published layout."""
    from cerebrepro.scaffold.write import write_scaffold

    path = session_data_dir / "small_scaffold.hdf5"
    if not path.exists():
        write_scaffold(small_scaffold, path)
    return path


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user .spynnaker.cfg and no CEREBREPRO_SPINNAKER_* settings."""
    from cerebrepro.backends.spinnaker.config import ENVIRONMENT

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    for name in ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)
    return home
