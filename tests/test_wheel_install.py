"""The manifest and the stored references are package data: a wheel installed outside the
checkout verifies, and regenerating refuses to write into an installed package.

The wheel goes into a fresh virtual environment whose only other entry on ``sys.path`` is
this environment's site-packages (a ``.pth`` line, added after the install), so that the
heavy dependencies (NEST, PyNN, numpy, ...) are not installed again. A ``.pth`` line only
appends a folder to ``sys.path``: the editable install's finder in that folder is not run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from cerebrepro.data.manifest import load_manifest
from cerebrepro.data.packaged import packaged_path, source_checkout
from cerebrepro.errors import CerebreproError
from cerebrepro.verify import experiments
from cerebrepro.verify.experiments import EXPERIMENTS, reference_path, writable_reference_path

REPO = Path(__file__).resolve().parents[1]
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
OUTER_BIN = Path(sys.executable).parent
REFERENCES = ("ei-balanced-nest", *EXPERIMENTS)
DATA_FILES = (
    "cerebrepro/data/manifest.yaml",
    *(f"cerebrepro/verify/references/{name}.yaml" for name in REFERENCES),
)


def test_package_data_is_read_from_the_package_in_a_checkout():
    assert source_checkout() == REPO
    assert packaged_path("cerebrepro.data", "manifest.yaml") == REPO / DATA_FILES[0]
    for name in REFERENCES:
        assert reference_path(name) == REPO / "cerebrepro/verify/references" / f"{name}.yaml"
        assert reference_path(name).is_file()


def test_regenerate_writes_into_the_checkout():
    path = writable_reference_path("nest-rebuilt100")

    assert path == REPO / "cerebrepro/verify/references/nest-rebuilt100.yaml"


def test_regenerate_refuses_an_installed_package(monkeypatch):
    monkeypatch.setattr("cerebrepro.data.packaged.source_checkout", lambda: None)

    with pytest.raises(CerebreproError, match="belongs to an installed cerebrepro") as error:
        writable_reference_path("nest-rebuilt100")
    assert str(REPO / "cerebrepro/verify/references") in str(error.value)


def test_regenerate_refuses_a_read_only_checkout(monkeypatch):
    monkeypatch.setattr("cerebrepro.data.packaged.os.access", lambda path, mode: False)

    with pytest.raises(CerebreproError, match="references is read-only"):
        experiments.writable_reference_path("nest-rebuilt100")


def run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    """Run ``command``; on failure, fail the test with its output."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of what the package is made of (the checkout stays clean)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.py[co]")
    shutil.copytree(REPO / "cerebrepro", source / "cerebrepro", ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            out,
            source,
        ]
    )
    (built,) = out.glob("cerebrepro-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with the wheel installed; its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--clear", "--without-pip", venv])
    python = venv / "bin" / "python"
    # Installed before the .pth line exists, so that pip sees no cerebrepro already there.
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            wheel,
        ]
    )
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(purelib.stdout.strip()) / "outer_dependencies.pth").write_text(f"{SITE_PACKAGES}\n")
    return venv / "bin"


def clean_environment(bin_dir: Path, data_dir: Path) -> dict[str, str]:
    """The environment of a user of the wheel: its bin first, not this checkout's venv."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != OUTER_BIN]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CEREBREPRO_MANIFEST")}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), *path]),
        CEREBREPRO_DATA_DIR=str(data_dir),
        PYNEST_QUIET="1",
        MPLBACKEND="Agg",
        COLUMNS="400",  # no wrapped paths in Rich's output
    )
    return env


@pytest.mark.slow
def test_wheel_ships_the_manifest_and_references(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    assert set(DATA_FILES) <= names
    for name in DATA_FILES:
        assert zipfile.Path(wheel, name).read_text() == (REPO / name).read_text()


@pytest.mark.slow
@pytest.mark.nest
def test_installed_wheel_runs_info_and_verifies(installed, tmp_path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = clean_environment(installed, tmp_path / "data")
    where = run(
        [
            installed / "python",
            "-c",
            "import sys, cerebrepro; print(cerebrepro.__file__); "
            "print(any('editable' in name for name in sys.modules))",
        ],
        cwd=cwd,
        env=env,
    )
    module, editable = where.stdout.split()
    assert Path(module).is_relative_to(installed.parent) and editable == "False"

    info = run([installed / "cerebrepro", "info"], cwd=cwd, env=env)
    for name in load_manifest(REPO / DATA_FILES[0]).names:  # the data files table
        assert name in info.stdout

    verify = run([installed / "cerebrepro", "verify", "--quick"], cwd=cwd, env=env)
    stored = Path(module).parent / "verify" / "references" / f"{experiments.QUICK}.yaml"
    assert f"reference {stored} ({experiments.QUICK}," in verify.stdout

    regenerate = subprocess.run(
        [installed / "cerebrepro", "verify", "regenerate", "--quick"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    assert regenerate.returncode == 2
    assert "belongs to an installed cerebrepro" in " ".join(regenerate.stderr.split())
    assert not any(cwd.iterdir())
