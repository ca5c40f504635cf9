"""The rule set of the 2019 standalone scaffold, as data: volume, cells, connectivity constants.

Lengths in um, densities per um^3 (per um^2 for the planar purkinje layer). y is the height
axis; x and z span the square base. Placement and connectivity read their numbers from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

RULE_SET = "casali2019-standalone"


@dataclass(frozen=True)
class Layer:
    """A horizontal slab of the volume: y from ``bottom`` to ``bottom + thickness``."""

    bottom: float
    thickness: float

    @property
    def top(self) -> float:
        return self.bottom + self.thickness


LAYERS: Mapping[str, Layer] = MappingProxyType(
    {
        "dcn": Layer(0.0, 600.0),
        "granular": Layer(600.0, 150.0),
        "purkinje": Layer(750.0, 30.0),
        "molecular": Layer(780.0, 150.0),
    }
)

# The slab each walk-placed type fills (basket: lower molecular half, stellate: upper half).
_MOLECULAR = LAYERS["molecular"]
PLACEMENT_LAYER: Mapping[str, Layer] = MappingProxyType(
    {
        "golgi": LAYERS["granular"],
        "glomerulus": LAYERS["granular"],
        "granule": LAYERS["granular"],
        "basket": Layer(_MOLECULAR.bottom, _MOLECULAR.thickness / 2),
        "stellate": Layer(_MOLECULAR.bottom + _MOLECULAR.thickness / 2, _MOLECULAR.thickness / 2),
        "dcn": LAYERS["dcn"],
    }
)

SOMA_RADIUS: Mapping[str, float] = MappingProxyType(
    {
        "golgi": 8.0,
        "glomerulus": 1.5,
        "granule": 2.5,
        "purkinje": 7.5,
        "basket": 6.0,
        "stellate": 4.0,
        "dcn": 10.0,
    }
)
VOLUME_DENSITY: Mapping[str, float] = MappingProxyType(
    {"golgi": 9e-6, "glomerulus": 3e-4, "granule": 3.9e-3, "basket": 5e-5, "stellate": 5e-5}
)
# Types placed earlier in the same layer whose somata reduce the volume left for a type.
VOLUME_TAKEN_BY: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"glomerulus": ("golgi",), "granule": ("golgi", "glomerulus")}
)
# Types a walk must keep clear of in 3D (distance >= sum of soma radii).
AVOIDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"glomerulus": ("golgi",), "granule": ("golgi", "glomerulus")}
)

# Random walk: eps ~ U(e m / 4, e M / 4) with e = r_v - r; candidates on a circle.
EPS_MULTIPLIERS: Mapping[str, tuple[float, float]] = MappingProxyType({"granule": (2.0, 2.0)})
DEFAULT_EPS_MULTIPLIERS = (3.0, 5.0)
WALK_CANDIDATES = 50  # evenly spaced points on the circle around the growing cell
SUBLAYER_THICKNESS_FACTOR = 1.5  # n_sub = round(T / (1.5 r_v))

# Purkinje cells: a planar grid.
PURKINJE_PLANAR_DENSITY = 0.45e-3
PURKINJE_X_START = 72.5
PURKINJE_X_SPACING = 129.0
PURKINJE_Z_SPACING = 16.9

# dcn: N = int(int(0.45e-3 * base area) / 11), at least 1, in a centred footprint of half
# the base side (200 x 200 at 400 x 400).
DCN_COUNT_DIVISOR = 11
DCN_FOOTPRINT_FRACTION = 0.5

# Connectivity constants.
GOLGI_DENDRITE_RADIUS = 50.0
GOLGI_AXON_HALF_BOX = (75.0, 75.0, 15.0)  # x, y, z
GOLGI_AXON_MAX_GLOMERULI = 40
GRANULE_DENDRITE_LENGTH = 40.0
GLOMERULI_PER_GRANULE = 4
ASCENDING_AXONS_PER_GOLGI_MAX = 400
PARALLEL_FIBRES_PER_GOLGI = 1600
PURKINJE_DENDRITE_HALF_X = 65.0
PURKINJE_ASCENDING_AXON_HALF_Z = 1.75
PF_HEIGHT_OFFSET = (115.0, 247.0)  # uniform above the granule soma: 151 + 30 +- 66
INTERNEURON_DENDRITE_RADIUS = 15.0
INTERNEURONS_PER_PURKINJE = 20
BASKET_PURKINJE_HALF_DZ_DX = (500.0, 100.0)
STELLATE_PURKINJE_HALF_DZ_DX = (100.0, 500.0)
INTERNEURON_GAP_DZ = 50.0
INTERNEURON_GAP_DXY = 150.0
INTERNEURON_GAP_PARTNERS = 4
GOLGI_GAP_HALF_BOX = (125.0, 125.0, 65.0)  # x, y, z
PURKINJE_DCN_TARGETS = (4, 5)
GLOMERULI_PER_DCN = 147
