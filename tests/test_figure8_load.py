"""Figure 8 from the packet-load estimate: statistics of both delay models, caption, delay option."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from cerebrepro.analysis.packet_load import DELAY_MODELS, DelayModelError, estimate_packet_load
from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.figures import figure8
from cerebrepro.figures.output import write_figure
from cerebrepro.figures.runs import FigureRun
from cerebrepro.model.neuron_order import neuron_order

SCALE = 0.01
DURATION = 500.0


@pytest.fixture(scope="module")
def network():
    rng = np.random.default_rng(11)
    scaffold = synthetic_scaffold(rng, scale=SCALE)
    result = synthetic_run(rng, scaffold, duration=DURATION)
    result.provenance = {"simulator": "nest", "threads": 1}
    return scaffold, FigureRun(result)


@pytest.fixture(scope="module")
def output(network):
    scaffold, run = network
    return figure8.ordering_figure(run, scaffold)


def test_statistics_hold_both_delay_models_and_orders(network, output):
    scaffold, run = network
    grid = estimate_packet_load(
        run.result, scaffold, neuron_order(scaffold.positions, "grid"), "spynnaker-7.4"
    )
    populations = output.statistics["populations"]
    assert list(populations) == ["golgi", "granule", "purkinje", "basket", "stellate", "dcn"]
    for name, population in populations.items():
        for model in DELAY_MODELS:
            for order in ("default", "grid"):
                values = population[model][order]
                assert values["p5"] <= values["median"] <= values["p95"] <= values["peak"]
        assert population["spynnaker-7.4"]["grid"]["peak"] == grid[name].peak
        # the drawn model (the paper's) is repeated at the top for the bars
        assert population["delay_model"] == "spynnaker-2020"
        assert population["default"] == population["spynnaker-2020"]["default"]
    network_load = output.statistics["network"]
    assert network_load["default"]["peak"] == max(
        p["default"]["peak"] for p in populations.values()
    )
    assert set(network_load["delay_models"]) == set(DELAY_MODELS)


def test_caption_says_estimate_delay_model_and_paper_claim(output):
    caption = output.caption.replace("\n", " ")
    assert "not the hardware counter MAX_SPIKES_IN_A_TICK" in caption
    assert "Delay model spynnaker-2020: 16 delay slots per core" in caption
    assert "about 41 %, measured on the hardware with a custom sPyNNaker" in caption
    assert "nothing here is tuned toward it" in caption
    assert output.statistics["method"].startswith("estimate from the run's spikes")


@pytest.mark.slow
def test_files_are_written(output, tmp_path):
    files = write_figure(output, tmp_path)
    stored = yaml.safe_load(files.statistics.read_text())
    assert stored["populations"]["granule"]["spynnaker-7.4"]["grid"]["median"] >= 0
    assert files.png.read_bytes()[:4] == b"\x89PNG"


def test_another_delay_model_can_be_drawn(network):
    scaffold, run = network
    drawn = figure8.ordering_figure(run, scaffold, delay_model="spynnaker-7.4")
    golgi = drawn.statistics["populations"]["golgi"]
    assert (
        golgi["delay_model"] == "spynnaker-7.4" and golgi["grid"] == golgi["spynnaker-7.4"]["grid"]
    )
    assert "Delay model spynnaker-7.4: 128 delay slots" in drawn.caption.replace("\n", " ")
    with pytest.raises(DelayModelError):
        figure8.ordering_figure(run, scaffold, delay_model="spynnaker-6")
