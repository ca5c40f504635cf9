"""What the container checks rely on without building anything (make test-containers builds).

`info` in the nest image (no sPyNNaker) shows no SpiNNaker settings; the check scripts parse
and print their usage without root or podman.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cerebrepro.cli import info
from cerebrepro.simulate import spinnaker_config

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["check_containers.sh", "check_apptainer_post.sh"]


def test_no_spinnaker_settings_without_spynnaker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spinnaker_config, "spynnaker_version", lambda: None)
    assert info.spinnaker_settings() is None


def test_spinnaker_settings_with_spynnaker(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.setattr(spinnaker_config, "spynnaker_version", lambda: "1!7.4.1")
    settings = info.spinnaker_settings()
    assert settings is not None and settings["spynnaker"] == "1!7.4.1"


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
