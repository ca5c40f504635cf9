"""What the container checks rely on without building anything (make test-containers builds).

`info` names a missing simulator with its install hint; the check scripts parse
and print their usage without root or podman.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cerebrepro.backends.contract import Availability
from cerebrepro.backends.registry import backends
from cerebrepro.cli import info

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["check_containers.sh", "check_apptainer_post.sh"]


def test_a_missing_simulator_is_reported_with_its_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = backends()["spinnaker"]
    missing = Availability(False, None, "pip install 'cerebrepro[spinnaker]'")
    monkeypatch.setattr(type(backend), "check", lambda self: missing)
    entry = info.backend_facts()["spinnaker"]
    assert entry == {"installed": False, "version": None, "install": missing.install_hint}


def test_an_installed_simulator_shows_its_facts(isolated_home: Path) -> None:
    entry = info.backend_facts()["nest"]
    assert entry["installed"] and entry["version"] == "3.10.0"


@pytest.mark.parametrize("script", [*SCRIPTS, "containers_lib.sh"])
def test_scripts_parse(script: str) -> None:
    result = subprocess.run(["bash", "-n", str(ROOT / "scripts" / script)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_print_usage(script: str) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / script), "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    usage = [line.strip() for line in result.stdout.splitlines() if "scripts/" + script in line]
    assert usage and usage[0].startswith(f"scripts/{script} [--")
    assert not any(line.startswith("#") for line in result.stdout.splitlines())


def test_unknown_argument_is_refused() -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check_containers.sh"), "--bogus"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "unknown argument --bogus" in result.stderr
