"""The E-I balanced network on a virtual SpiNNaker board: it maps at 1.0 ms and writes a mapping report."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("spynnaker")

from cerebrepro.experiments.ei_balanced import SIZES, draw_network  # noqa: E402
from cerebrepro.experiments.ei_run import run_ei_balanced  # noqa: E402


def test_virtual_mapping_places_every_population(isolated_home, tmp_path):
    path = run_ei_balanced("spinnaker", 3, 100.0, 1, tmp_path / "out", virtual=True)
    report = json.loads(path.read_text())
    assert path.name.endswith(".mapping.json") and report["timestep"] == 1.0
    assert report["time_scale_factor"] == 1
    assert set(SIZES) <= set(report["cores"])
    assert report["synapses"] == {name: len(rows) for name, rows in draw_network(3, 1.0).items()}
    assert not (isolated_home / ".spynnaker.cfg").exists()
