"""The E-I balanced random network of the sPyNNaker tutorial, as data, connection lists and a PyNN builder.

The network is the balanced random network example published with the sPyNNaker paper
(Rhodes et al. 2018, Front. Neurosci. 12:816, supplementary material; also used in the
SpiNNaker workshop material): 500 excitatory and 125 inhibitory current-based LIF cells,
250 Poisson sources (50 Hz for 5 s) and 250 sources that all fire once at 1000 ms.

Wiring as published (weights in nA; negative onto the inhibitory receptor, which is PyNN's
convention for current-based synapses: PyNN passes the sign on to NEST as it is, and
sPyNNaker takes the magnitude):

| projection  | pre -> post              | connector              | weight | receptor   |
|-------------|--------------------------|------------------------|--------|------------|
| pulse_exc   | pulse -> excitatory      | fixed probability 0.05 | 0.1    | excitatory |
| poisson_exc | poisson -> excitatory    | fixed probability 0.2  | 0.06   | excitatory |
| poisson_inh | poisson -> inhibitory    | fixed probability 0.2  | 0.03   | excitatory |
| exc_exc     | excitatory -> excitatory | fixed probability 0.1  | 0.03   | excitatory |
| exc_self    | excitatory -> excitatory | one to one             | 0.03   | excitatory |
| inh_inh     | inhibitory -> inhibitory | fixed probability 0.1  | -0.03  | inhibitory |
| exc_inh     | excitatory -> inhibitory | fixed probability 0.2  | 0.06   | excitatory |
| inh_exc     | inhibitory -> excitatory | fixed probability 0.2  | -0.06  | inhibitory |

Every delay is drawn uniformly from [1, 10] ms (and rounded to the time step, as both
simulators do). Only the excitatory membranes start uniformly in [v_reset, v_thresh]; the
inhibitory ones start at v_rest (= v_reset), as in the tutorial. Self-connections are
allowed in the fixed-probability projections (PyNN's default there).

The connection lists and initial potentials are drawn here with numpy from the run's seed,
so every simulator gets the same network (:func:`describe_ei_balanced`); the Poisson spikes
are the simulator's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from cerebrepro.model.description import CellGroup, ConnectionList, NetworkDescription
from cerebrepro.model.spike_trains import SpikeTrains

Receptor = Literal["excitatory", "inhibitory"]
ONE_TO_ONE = "one_to_one"
DURATION = 5000.0  # ms, the tutorial's run
DELAY_RANGE = (1.0, 10.0)  # ms
POISSON_RATE = 50.0  # Hz
PULSE_TIME = 1000.0  # ms


def _lif(tau_syn_I: float) -> Mapping[str, float]:
    return MappingProxyType(
        dict(
            tau_m=20.0, cm=1.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0,
            tau_syn_E=5.0, tau_syn_I=tau_syn_I, tau_refrac=0.3, i_offset=0.0,
        )
    )  # fmt: skip


@dataclass(frozen=True)
class Population:
    """One population: its size, PyNN model and parameters."""

    name: str
    size: int
    model: Literal["IF_curr_exp", "SpikeSourcePoisson", "SpikeSourceArray"]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    random_v: bool = False  # membranes start uniformly in [v_reset, v_thresh]

    @property
    def is_source(self) -> bool:
        return self.model != "IF_curr_exp"


@dataclass(frozen=True)
class Projection:
    """One static projection; ``probability`` is a number or ``ONE_TO_ONE``."""

    name: str
    pre: str
    post: str
    probability: float | str
    weight: float  # nA, negative onto the inhibitory receptor
    receptor: Receptor


POPULATIONS: tuple[Population, ...] = (
    Population("excitatory", 500, "IF_curr_exp", _lif(tau_syn_I=15.0), random_v=True),
    Population("inhibitory", 125, "IF_curr_exp", _lif(tau_syn_I=5.0)),
    Population(
        "poisson",
        250,
        "SpikeSourcePoisson",
        MappingProxyType({"rate": POISSON_RATE, "duration": DURATION}),
    ),
    Population("pulse", 250, "SpikeSourceArray", MappingProxyType({"spike_times": (PULSE_TIME,)})),
)
SIZES: Mapping[str, int] = MappingProxyType({p.name: p.size for p in POPULATIONS})
EVENT_POPULATION = "pulse"  # the sources an event recording drives instead of the one pulse

_E, _I = "excitatory", "inhibitory"
PROJECTIONS: tuple[Projection, ...] = (
    Projection("pulse_exc", "pulse", "excitatory", 0.05, 0.1, _E),
    Projection("poisson_exc", "poisson", "excitatory", 0.2, 0.06, _E),
    Projection("poisson_inh", "poisson", "inhibitory", 0.2, 0.03, _E),
    Projection("exc_exc", "excitatory", "excitatory", 0.1, 0.03, _E),
    Projection("exc_self", "excitatory", "excitatory", ONE_TO_ONE, 0.03, _E),
    Projection("inh_inh", "inhibitory", "inhibitory", 0.1, -0.03, _I),
    Projection("exc_inh", "excitatory", "inhibitory", 0.2, 0.06, _E),
    Projection("inh_exc", "inhibitory", "excitatory", 0.2, -0.06, _I),
)


@dataclass(frozen=True)
class Connections:
    """One projection's synapses: parallel arrays of local pre and post indices and delays (ms)."""

    pre: np.ndarray
    post: np.ndarray
    delay: np.ndarray

    def __len__(self) -> int:
        return int(self.pre.size)


def draw_connections(
    projection: Projection, rng: np.random.Generator, timestep: float
) -> Connections:
    """The synapses of ``projection``: every (pre, post) pair kept with its probability."""
    n_pre, n_post = SIZES[projection.pre], SIZES[projection.post]
    if projection.probability == ONE_TO_ONE:
        pre = post = np.arange(min(n_pre, n_post), dtype=np.int64)
    else:
        pre, post = np.nonzero(rng.random((n_pre, n_post)) < float(projection.probability))
    delay = np.round(rng.uniform(*DELAY_RANGE, size=pre.size) / timestep) * timestep
    return Connections(pre.astype(np.int64), post.astype(np.int64), delay)


def draw_network(seed: int, timestep: float) -> dict[str, Connections]:
    """The connection lists of every projection (one random stream per projection)."""
    return {
        p.name: draw_connections(p, np.random.default_rng([seed, index]), timestep)
        for index, p in enumerate(PROJECTIONS)
    }


def initial_potentials(population: Population, seed: int) -> np.ndarray | None:
    """Uniform starting membrane potentials in [v_reset, v_thresh], or None (start at v_rest)."""
    if not population.random_v:
        return None
    rng = np.random.default_rng([seed, len(PROJECTIONS) + POPULATIONS.index(population)])
    return rng.uniform(
        population.parameters["v_reset"], population.parameters["v_thresh"], population.size
    )


def connectivity_digest(connections: Mapping[str, Connections]) -> str:
    """sha256 over every projection's (pre, post, delay) arrays."""
    h = hashlib.sha256()
    for name in sorted(connections):
        c = connections[name]
        h.update(name.encode())
        for array, dtype in ((c.pre, "<i8"), (c.post, "<i8"), (np.round(c.delay, 6), "<f8")):
            h.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
    return h.hexdigest()


def describe_model() -> dict[str, object]:
    """The model's populations and projections as plain data (for provenance)."""
    return {
        "populations": [
            {
                "name": p.name,
                "size": p.size,
                "model": p.model,
                "parameters": dict(p.parameters),
                "random_v": p.random_v,
            }
            for p in POPULATIONS
        ],
        "projections": [asdict(p) for p in PROJECTIONS],
        "delay_range_ms": list(DELAY_RANGE),
    }


def pulse_trains(size: int = 0) -> SpikeTrains:
    """The tutorial's input of the pulse sources: every one fires once, at :data:`PULSE_TIME`."""
    n = size or SIZES["pulse"]
    return SpikeTrains(np.full(n, PULSE_TIME), np.arange(n + 1, dtype=np.int64))


def describe_ei_balanced(
    seed: int, timestep: float, pulse: SpikeTrains | None = None
) -> NetworkDescription:
    """The network for any backend: lists and initial potentials drawn from ``seed``.

    ``pulse`` replaces the pulse sources' one spike at 1000 ms (an event recording's
    trains, :data:`EVENT_POPULATION`). The Poisson sources are the simulator's own,
    seeded by the run's seed.
    """
    connections = draw_network(seed, timestep)
    groups = tuple(
        CellGroup(
            name=p.name,
            size=p.size,
            model=p.model,
            parameters={k: v for k, v in p.parameters.items() if k != "spike_times"},
            initial_v=initial_potentials(p, seed),
            spike_times=(pulse if pulse is not None else pulse_trains())
            if p.model == "SpikeSourceArray"
            else None,
        )
        for p in POPULATIONS
    )
    lists = tuple(
        ConnectionList(
            name=p.name,
            pre=p.pre,
            post=p.post,
            pre_index=connections[p.name].pre,
            post_index=connections[p.name].post,
            weight=abs(p.weight),
            delay=connections[p.name].delay,
            receptor=p.receptor,
        )
        for p in PROJECTIONS
    )
    return NetworkDescription("ei-balanced", groups, lists)
