"""The SpiNNaker backend's own settings: neuron order, cores, run directory and machine.

Each field becomes a command-line flag (``--neuron-order``, ``--board``, ...). The machine
fields are the highest layer of :func:`cerebrepro.backends.spinnaker.config.resolve_settings`;
unset (None) ones come from the environment, the user's ``.spynnaker.cfg`` or the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cerebrepro.backends.contract import BackendOptions

NeuronOrderMode = Literal["default", "grid", "random"]
DEFAULT_NEURON_ORDER: NeuronOrderMode = "grid"  # the paper's


@dataclass(frozen=True)
class SpinnakerOptions(BackendOptions):
    """How a network is placed on SpiNNaker, and on which machine."""

    neuron_order: NeuronOrderMode = field(
        default=DEFAULT_NEURON_ORDER,
        metadata={
            "help": "order cells are placed on cores in: grid (the paper's; needs positions), "
            "default (as described) or random"
        },
    )
    order_seed: int | None = field(
        default=None, metadata={"help": "seed of the random neuron order (default: the run's seed)"}
    )
    synapse_cores: int = field(
        default=0,
        metadata={
            "help": "synapse cores per neuron core (0: neurons and synapses share a core, as published)"
        },
    )
    run_dir: str | None = field(
        default=None,
        metadata={
            "help": "sPyNNaker's directory: its configuration, reports and provenance "
            "(default: spinnaker-runs/<UTC time>-<pid>)"
        },
    )
    board: str | None = field(
        default=None,
        metadata={"help": "host name or IP address of a SpiNNaker board (with --machine-version)"},
    )
    spalloc: str | None = field(
        default=None, metadata={"help": "URL of a spalloc server to ask for boards"}
    )
    spalloc_boards: int | None = field(
        default=None,
        metadata={"help": "boards to ask the spalloc server for (default: sPyNNaker estimates)"},
    )
    machine_version: int | None = field(
        default=None,
        metadata={"help": "SpiNNaker board version: 3 (4-chip SpiNN-3) or 5 (48-chip SpiNN-5)"},
    )
    time_scale_factor: float | None = field(
        default=None,
        metadata={
            "help": "how many times slower than real time the board runs (default 1000, as published)"
        },
    )
    virtual: bool = field(
        default=False,
        metadata={
            "help": "map, place and route on a virtual board without hardware: no spikes, a mapping report"
        },
    )

    def machine(self) -> dict[str, object]:
        """The machine fields keyed as :data:`~cerebrepro.backends.spinnaker.config.ENVIRONMENT` (unset ones left out)."""
        named = {
            "board": self.board,
            "spalloc": self.spalloc,
            "virtual": self.virtual or None,
            "version": self.machine_version,
            "time_scale_factor": self.time_scale_factor,
        }
        return {key: value for key, value in named.items() if value is not None}
