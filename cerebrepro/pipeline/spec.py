"""What determines a run's spikes: the run spec, and how a run reports its progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cerebrepro.model.cerebellum import DURATION, REFERENCE_PROTOCOL, TIMESTEP, Protocol
from cerebrepro.model.events import EventOptions

# Bump whenever a change to the code alters the spikes of a run with the same spec and
# versions: cached runs and stored spike digests of an older revision are then not reused.
SIMULATION_REVISION = 3
DEFAULT_STIMULUS_SEED = 3  # the published stimulus is "stimulus_3"
DEFAULT_KERNEL_SEED = 1
EXPERIMENTS = ("cerebellum", "ei-balanced")


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run's spikes (plus how much to record).

    ``experiment`` names the network: ``cerebellum`` (built from ``scaffold`` and driven
    by ``stimulus``) or ``ei-balanced`` (the sPyNNaker tutorial's network, whose
    connectivity, initial potentials and Poisson input all follow ``kernel_seed``; its
    ``stimulus`` is ``generated`` for the one pulse at 1000 ms, or ``events:FILE``).
    ``options`` are the backend's own settings, by field name of its options dataclass.
    ``parameters`` change the cerebellum's model (``goc_grc.weight``, ``golgi.tau_m``: the
    model's names and units), sorted by name.
    """

    simulator: str = "nest"
    scaffold: str = "rebuilt"  # rebuilt | published | path to an HDF5 file
    size: float = 400.0  # um, base of a rebuilt scaffold
    scaffold_seed: int | None = None  # None: the builder's default seed
    stimulus: str = "generated"  # generated | published | path to a trains .npz | events:FILE
    stimulus_seed: int = DEFAULT_STIMULUS_SEED
    protocol: Protocol = REFERENCE_PROTOCOL
    duration: float = DURATION
    timestep: float = TIMESTEP
    threads: int = 1
    kernel_seed: int = DEFAULT_KERNEL_SEED
    record_v: str = "subset"  # none | subset | all
    options: dict[str, object] = field(default_factory=dict)  # backend-specific settings
    events: EventOptions | None = None  # how an events:FILE stimulus is mapped (None: not one)
    experiment: str = "cerebellum"
    # changed model parameters, sorted (name, value) pairs (cerebrepro.model.parameters)
    parameters: tuple[tuple[str, float], ...] = ()


@dataclass
class RunEvents:
    """Callbacks through which a run reports progress (all optional); a backend ``Progress``."""

    phase: Callable[[str], None] = lambda name: None
    model_time: Callable[[float, float], None] = lambda t, total: None
