"""The cerebellum network of Casali et al. 2019 / Bogdan et al. 2021, as data.

Every backend (NEST, SpiNNaker, Brian2), the scaffold builder and the analysis read the
numbers from here; nothing else types them. Units are PyNN's: ms, mV, nF, nA, uS.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

Receptor = Literal["excitatory", "inhibitory"]


@dataclass(frozen=True)
class CellType:
    """One population of the network."""

    name: str
    type_id: int
    model: Literal["IF_cond_exp", "SpikeSourceArray"]
    parameters: Mapping[str, float] = field(default_factory=dict)
    record_every: int = 0  # record v/gsyn of every n-th cell; 0: none
    delay_from_input: float = 0.0  # ms, shift of the analysis windows ("consider delays")

    @property
    def is_source(self) -> bool:
        return self.model == "SpikeSourceArray"


@dataclass(frozen=True)
class Projection:
    """One static projection: pre -> post with a single weight, delay and receptor."""

    name: str
    pre: str
    post: str
    weight: float  # uS, always positive; the receptor carries the sign
    delay: float  # ms
    receptor: Receptor


def _iaf(tau_refrac, cm, v_thresh, v_rest, v_reset, tau_m, i_offset, tau_syn_E, tau_syn_I):
    return MappingProxyType(
        dict(
            tau_refrac=tau_refrac,
            cm=cm,
            v_thresh=v_thresh,
            v_rest=v_rest,
            v_reset=v_reset,
            tau_m=tau_m,
            i_offset=i_offset,
            tau_syn_E=tau_syn_E,
            tau_syn_I=tau_syn_I,
            e_rev_E=0.0,
            e_rev_I=-90.0,
        )
    )


CELL_TYPES: tuple[CellType, ...] = (
    CellType(
        "golgi",
        1,
        "IF_cond_exp",
        _iaf(2.0, 0.076, -55.0, -65.0, -75.0, 21.0, 0.0368, 0.5, 10.0),
        64,
        4.0,
    ),
    CellType("glomerulus", 2, "SpikeSourceArray", MappingProxyType({}), 0, 0.0),
    CellType(
        "granule",
        3,
        "IF_cond_exp",
        _iaf(1.5, 0.003, -42.0, -74.0, -84.0, 2.0, 0.0, 0.5, 10.0),
        64,
        4.0,
    ),
    CellType(
        "purkinje",
        4,
        "IF_cond_exp",
        _iaf(0.8, 0.62, -47.0, -62.0, -72.0, 88.0, 0.6, 0.5, 1.6),
        1,
        6.0,
    ),
    CellType(
        "basket",
        5,
        "IF_cond_exp",
        _iaf(1.6, 0.0146, -53.0, -68.0, -78.0, 14.6, 0.0156, 0.64, 2.0),
        64,
        9.0,
    ),
    CellType(
        "stellate",
        6,
        "IF_cond_exp",
        _iaf(1.6, 0.0146, -53.0, -68.0, -78.0, 14.6, 0.0156, 0.64, 2.0),
        64,
        9.0,
    ),
    CellType(
        "dcn",
        7,
        "IF_cond_exp",
        _iaf(3.7, 0.089, -48.0, -59.0, -69.0, 57.0, 0.0558, 7.1, 13.6),
        1,
        10.0,
    ),
)

POPULATIONS: tuple[str, ...] = tuple(c.name for c in CELL_TYPES)
CELLS: Mapping[str, CellType] = MappingProxyType({c.name: c for c in CELL_TYPES})
CELL_BY_TYPE_ID: Mapping[int, CellType] = MappingProxyType({c.type_id: c for c in CELL_TYPES})

_E, _I = "excitatory", "inhibitory"
PROJECTION_LIST: tuple[Projection, ...] = (
    Projection("aa_goc", "granule", "golgi", 0.020, 2.0, _E),
    Projection("aa_pc", "granule", "purkinje", 0.075, 2.0, _E),
    Projection("bc_pc", "basket", "purkinje", 0.009, 4.0, _I),
    Projection("gj_bc", "basket", "basket", 0.0025, 4.0, _I),
    Projection("gj_goc", "golgi", "golgi", 0.008, 1.0, _I),
    Projection("gj_sc", "stellate", "stellate", 0.002, 1.0, _I),
    Projection("glom_dcn", "glomerulus", "dcn", 0.000006, 4.0, _E),
    Projection("glom_goc", "glomerulus", "golgi", 0.002, 4.0, _E),
    Projection("glom_grc", "glomerulus", "granule", 0.009, 4.0, _E),
    Projection("goc_grc", "golgi", "granule", 0.005, 2.0, _I),
    Projection("pc_dcn", "purkinje", "dcn", 0.00003, 4.0, _I),
    Projection("pf_bc", "granule", "basket", 0.0002, 5.0, _E),
    Projection("pf_goc", "granule", "golgi", 0.0004, 5.0, _E),
    Projection("pf_pc", "granule", "purkinje", 0.00002, 5.0, _E),
    Projection("pf_sc", "granule", "stellate", 0.0002, 5.0, _E),
    Projection("sc_pc", "stellate", "purkinje", 0.0085, 5.0, _I),
)
PROJECTIONS: Mapping[str, Projection] = MappingProxyType({p.name: p for p in PROJECTION_LIST})

# In the scaffold but not simulated (glomeruli are spike sources).
UNSIMULATED_PROJECTIONS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {"goc_glom": ("golgi", "glomerulus")}
)

# The published 400 x 400 um network (scaffold_full_dcn_400.0x400.0_v3.hdf5): cells per
# population and connection rows over the 16 simulated projections.
PUBLISHED_400_CELLS: Mapping[str, int] = MappingProxyType(
    {
        "golgi": 219,
        "glomerulus": 7073,
        "granule": 88158,
        "purkinje": 69,
        "basket": 603,
        "stellate": 603,
        "dcn": 12,
    }
)
PUBLISHED_400_ROWS = 4_214_215

RECORDED_SIGNALS: tuple[str, ...] = ("v", "gsyn_exc", "gsyn_inh")

# Simulation settings of the reference runs.
TIMESTEP = 0.1  # ms
DURATION = 1000.0  # ms
MIN_SPIKE_TIME = 0.2  # ms: NEST drops SpikeSourceArray spikes at or below one step


BurstKind = Literal["poisson", "periodic"]
BURST_KINDS: tuple[str, ...] = get_args(BurstKind)  # every kind of burst the stimulus knows


@dataclass(frozen=True)
class Protocol:
    """The stimulus protocol (Bogdan et al. 2021): Poisson background plus a burst in a sphere."""

    f_base: float = 1.0  # Hz, every glomerulus, whole run
    f_peak: float = 150.0  # Hz, added inside the sphere during the stimulus window
    radius: float = 140.0  # um, strict inequality
    start: float = 300.0  # ms
    stop: float = 350.0  # ms
    duration: float = DURATION  # ms
    kind: BurstKind = "poisson"


REFERENCE_PROTOCOL = Protocol()

# SpiNNaker mapping of the paper.
NEURONS_PER_CORE: Mapping[str, int] = MappingProxyType(
    {name: (1 if name == "purkinje" else 64) for name in POPULATIONS}
)


def analytic_rate(cell: CellType) -> float:
    """Firing rate (Hz) of an isolated IF_cond_exp cell driven only by its i_offset.

    f = 1 / (t_ref + tau_m ln((v_inf - v_reset) / (v_inf - v_thresh))), v_inf = v_rest + i R.
    Returns 0 for a cell whose v_inf stays below threshold.
    """
    p = cell.parameters
    v_inf = p["v_rest"] + p["i_offset"] * p["tau_m"] / p["cm"]
    if v_inf <= p["v_thresh"]:
        return 0.0
    period = p["tau_refrac"] + p["tau_m"] * math.log(
        (v_inf - p["v_reset"]) / (v_inf - p["v_thresh"])
    )
    return 1000.0 / period
