"""The E-I balanced network on SpiNNaker: refused at 0.1 ms with the reason, mapped at 1.0 ms on a virtual board.

The run's SpiNNaker defaults are the tutorial's: a 1.0 ms time step, real time (time
scale factor 1) and the cells in their own order (the network has no positions).
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from cerebrepro.backends.contract import SilentProgress, SimulationSettings
from cerebrepro.backends.spinnaker import BACKEND, SpinnakerOptions
from cerebrepro.errors import SimulatorError
from cerebrepro.model.ei_balanced import SIZES, describe_ei_balanced, draw_network

SEED = 3
# what a run of the E-I network passes
EI_OPTIONS = {"neuron_order": "default", "time_scale_factor": 1.0}


def test_at_a_tenth_of_a_millisecond_the_delays_are_refused_before_any_build(isolated_home):
    """10 ms is 100 steps: past the 32 on-core slots of the 500 excitatory cells (256 per core)
    and the 64 of the 125 inhibitory ones, so the Poisson sources, which reach both, would need
    delay-extension stages of two lengths. From 10 / 32 = 0.3125 ms every delay fits on its core."""
    options = SpinnakerOptions(**EI_OPTIONS, virtual=True)
    with pytest.raises(
        SimulatorError,
        match=r"^poisson: at a 0.1 ms time step its delays onto excitatory and inhibitory need delay-extension "
        r"stages of 32 and 64 steps, .* a time step of at least 0.3125 ms puts every delay on its core$",
    ):
        BACKEND.supports(
            describe_ei_balanced(SEED, 0.1), SimulationSettings(100.0, 0.1, seed=SEED), options
        )
    BACKEND.supports(
        describe_ei_balanced(SEED, 1.0), SimulationSettings(100.0, 1.0, seed=SEED), options
    )


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("spynnaker") is None,
    reason="sPyNNaker is not installed: pip install 'cerebrepro[spinnaker]'",
)
def test_virtual_mapping_places_every_population(isolated_home, tmp_path):
    network = describe_ei_balanced(SEED, 1.0)
    settings = SimulationSettings(100.0, 1.0, seed=SEED)
    options = SpinnakerOptions(**EI_OPTIONS, virtual=True, run_dir=str(tmp_path / "run"))
    session = BACKEND.prepare(network, settings, options, SilentProgress())
    BACKEND.simulate(session, SilentProgress())
    collected = BACKEND.collect(session)
    assert collected.spikes is None
    facts = collected.facts
    assert (facts["timestep_ms"], facts["time_scale_factor"], facts["neuron_order"]) == (
        1.0,
        1.0,
        "default",
    )
    # sPyNNaker's 256 neurons per core: 500 excitatory cells take two cores, the rest one each
    cores = {name: row["cores"] for name, row in facts["populations"].items()}
    assert cores == {"excitatory": 2, "inhibitory": 1, "poisson": 1, "pulse": 1}
    assert {name: row["cells"] for name, row in facts["populations"].items()} == dict(SIZES)
    assert collected.synapses == {name: len(rows) for name, rows in draw_network(SEED, 1.0).items()}
    assert json.loads(json.dumps(facts)) == facts
    assert not (isolated_home / ".spynnaker.cfg").exists()
