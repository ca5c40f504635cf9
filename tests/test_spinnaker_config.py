"""Machine settings, the run-local sPyNNaker configuration, and the user's file left alone."""

from __future__ import annotations

import configparser
import os
from pathlib import Path

import pytest

from cerebrepro.backends.spinnaker.config import (
    describe_settings,
    prepare_run_directory,
    redact,
    render_config,
    resolve_settings,
    spinnaker_environment,
)
from cerebrepro.errors import SimulatorError


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty home: no .spynnaker.cfg anywhere sPyNNaker looks, no CEREBREPRO_SPINNAKER_* set."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    for name in list(os.environ):
        if name.startswith("CEREBREPRO_SPINNAKER_"):
            monkeypatch.delenv(name)
    return home


def write_user_config(home: Path, text: str) -> Path:
    path = home / ".spynnaker.cfg"
    path.write_text(text)
    return path


def test_nothing_configured_says_what_to_pass(home):
    with pytest.raises(SimulatorError, match="--board HOST --machine-version"):
        resolve_settings({}, {})
    facts = describe_settings({})
    assert "no SpiNNaker machine configured" in facts["error"]


def test_option_beats_environment_beats_user_file(home):
    write_user_config(
        home, "[Machine]\nmachineName = 10.0.0.9\nversion = 3\ntime_scale_factor = 50\n"
    )
    from_file = resolve_settings({}, {})
    assert (
        from_file.target,
        from_file.address,
        from_file.version,
        from_file.time_scale_factor,
    ) == (
        "board",
        "10.0.0.9",
        3,
        50.0,
    )
    assert from_file.sources["target"].startswith("user config")

    env = {
        "CEREBREPRO_SPINNAKER_SPALLOC": "https://spalloc.example/",
        "CEREBREPRO_SPINNAKER_TIME_SCALE_FACTOR": "200",
    }
    from_env = resolve_settings({}, env)
    assert (from_env.target, from_env.time_scale_factor, from_env.version) == ("spalloc", 200.0, 3)
    assert from_env.sources["target"] == "environment CEREBREPRO_SPINNAKER_SPALLOC"

    from_option = resolve_settings({"virtual": True, "time_scale_factor": 1000}, env)
    assert from_option.is_virtual and from_option.address is None
    assert from_option.sources == {
        "target": "option --virtual",
        "version": "user config " + str(home / ".spynnaker.cfg"),
        "time_scale_factor": "option --time-scale-factor",
    }


def test_defaults_and_refusals(home):
    spalloc = resolve_settings({"spalloc": "https://bob:pw@spalloc.example/api"}, {})
    assert (spalloc.version, spalloc.time_scale_factor) == (5, 1000.0)
    assert (
        "pw" not in str(spalloc.public())
        and spalloc.public()["address"] == "https://***@spalloc.example/api"
    )
    with pytest.raises(SimulatorError, match="machine-version"):
        resolve_settings({"board": "192.168.240.1"}, {})
    with pytest.raises(SimulatorError, match="exactly one"):
        resolve_settings({"board": "192.168.240.1", "virtual": True}, {})
    with pytest.raises(SimulatorError, match="positive"):
        resolve_settings({"virtual": True, "time_scale_factor": 0}, {})
    assert redact("192.168.240.1") == "192.168.240.1"


def test_two_user_files_are_refused_like_spynnaker_does(home):
    write_user_config(home, "[Machine]\n")
    (home / ".config").mkdir()
    (home / ".config" / ".spynnaker.cfg").write_text("[Machine]\n")
    with pytest.raises(SimulatorError, match="two sPyNNaker user configurations"):
        resolve_settings({"virtual": True}, {})


def test_run_directory_holds_the_config_and_a_placeholder_user_file(home, tmp_path):
    settings = resolve_settings(
        {"board": "192.168.240.1", "version": 5, "time_scale_factor": 1000}, {}
    )
    run = prepare_run_directory(settings, tmp_path / "run")
    parser = configparser.RawConfigParser()
    parser.read(run.config)
    assert parser.get("Machine", "machine_name") == "192.168.240.1"
    assert parser.get("Machine", "spalloc_server") == "None"
    assert parser.get("Machine", "virtual_board") == "False"
    assert parser.get("Machine", "time_scale_factor") == "1000"
    assert parser.get("Reports", "default_report_file_path") == str(run.path)
    assert run.user_placeholder is not None and run.user_placeholder.name == ".spynnaker.cfg"

    before = Path.cwd()
    with spinnaker_environment(run):
        assert Path.cwd() == run.path
        assert os.environ["XDG_CONFIG_HOME"] == str(run.user_placeholder.parent)
    assert Path.cwd() == before and os.environ["XDG_CONFIG_HOME"] == str(home / ".config")
    assert not (home / ".spynnaker.cfg").exists()


def test_a_user_file_is_read_not_replaced(home, tmp_path):
    user = write_user_config(home, "[Machine]\nspalloc_server = https://spalloc.example/\n")
    settings = resolve_settings({"virtual": True}, {})
    run = prepare_run_directory(settings, tmp_path / "run")
    assert run.user_placeholder is None
    assert "virtual_board = True" in run.config.read_text()
    assert "spalloc_server = None" in render_config(settings, run.path)
    assert user.read_text() == "[Machine]\nspalloc_server = https://spalloc.example/\n"
