"""Rebuild a scaffold offline: placement, then connectivity, deterministic for a seed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cerebrepro.model.cerebellum import POPULATIONS
from cerebrepro.scaffold import connectivity as rule
from cerebrepro.scaffold import rules
from cerebrepro.scaffold.budget import check_build
from cerebrepro.scaffold.placement import (
    PLACEMENT_ALGORITHM,
    obstacles_for,
    place_purkinje,
    place_walked,
)
from cerebrepro.scaffold.plan import sublayer_plans
from cerebrepro.scaffold.types import Connections, Scaffold
from cerebrepro.scaffold.version import BUILDER_VERSION, DEFAULT_SCAFFOLD_SEED

# One independent random stream per stage (SeedSequence.spawn, in this order). New stages
# go at the end, so the streams of the existing ones do not move.
RANDOM_STREAMS = tuple(
    "golgi glomerulus granule purkinje basket stellate dcn glom_grc glom_goc goc_glom goc_grc aa_goc"
    " pf_goc aa_pc pf_pc pf_height pf_bc pf_sc bc_pc sc_pc gj_bc gj_sc gj_goc pc_dcn glom_dcn".split()
)
PLACEMENT_ORDER = ("golgi", "glomerulus", "granule", "purkinje", "basket", "stellate", "dcn")

_Made = dict[str, object]  # what earlier connection stages made: Connections, fibre heights
_ConnectionStage = Callable[[dict[str, np.ndarray], _Made, np.random.Generator], object]
# Each stage gets the positions, the earlier stages' results and its own random stream.
CONNECTION_STAGES: tuple[tuple[str, _ConnectionStage], ...] = (
    ("glom_grc", lambda p, made, rng: rule.glom_grc(p["glomerulus"], p["granule"])),
    ("glom_goc", lambda p, made, rng: rule.glom_goc(p["glomerulus"], p["golgi"])),
    ("goc_glom", lambda p, made, rng: rule.goc_glom(p["golgi"], p["glomerulus"], rng)),
    (
        "goc_grc",
        lambda p, made, rng: rule.goc_grc(
            made["goc_glom"], made["glom_grc"], len(p["glomerulus"]), len(p["granule"])
        ),
    ),
    ("aa_goc", lambda p, made, rng: rule.aa_goc(p["granule"], p["golgi"], rng)),
    ("pf_goc", lambda p, made, rng: rule.pf_goc(p["granule"], p["golgi"], made["aa_goc"], rng)),
    ("aa_pc", lambda p, made, rng: rule.aa_pc(p["granule"], p["purkinje"])),
    ("pf_pc", lambda p, made, rng: rule.pf_pc(p["granule"], p["purkinje"])),
    ("pf_height", lambda p, made, rng: rule.parallel_fibre_heights(p["granule"], rng)),
    (
        "pf_bc",
        lambda p, made, rng: rule.pf_interneuron(p["granule"], made["pf_height"], p["basket"]),
    ),
    (
        "pf_sc",
        lambda p, made, rng: rule.pf_interneuron(p["granule"], made["pf_height"], p["stellate"]),
    ),
    (
        "bc_pc",
        lambda p, made, rng: rule.interneuron_pc(
            p["basket"], p["purkinje"], rules.BASKET_PURKINJE_HALF_DZ_DX, rng
        ),
    ),
    (
        "sc_pc",
        lambda p, made, rng: rule.interneuron_pc(
            p["stellate"], p["purkinje"], rules.STELLATE_PURKINJE_HALF_DZ_DX, rng
        ),
    ),
    ("gj_bc", lambda p, made, rng: rule.gj_interneuron(p["basket"], rng)),
    ("gj_sc", lambda p, made, rng: rule.gj_interneuron(p["stellate"], rng)),
    ("gj_goc", lambda p, made, rng: rule.gj_goc(p["golgi"])),
    ("pc_dcn", lambda p, made, rng: rule.pc_dcn(len(p["purkinje"]), len(p["dcn"]), rng)),
    ("glom_dcn", lambda p, made, rng: rule.glom_dcn(len(p["glomerulus"]), len(p["dcn"]), rng)),
)
STAGES = tuple(f"place {t}" for t in PLACEMENT_ORDER) + tuple(
    f"connect {n}" for n, _ in CONNECTION_STAGES
)

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, completed, total)`` before each stage and once at the end."""


def _streams(seed: int) -> dict[str, np.random.SeedSequence]:
    return dict(
        zip(RANDOM_STREAMS, np.random.SeedSequence(seed).spawn(len(RANDOM_STREAMS)), strict=True)
    )


def _place(
    size: float, streams: dict[str, np.random.SeedSequence], step: Callable[[str], None]
) -> dict[str, np.ndarray]:
    plans = sublayer_plans(size)
    placed: dict[str, np.ndarray] = {}
    for cell_type in PLACEMENT_ORDER:
        step(f"place {cell_type}")
        if cell_type == "purkinje":
            placed[cell_type] = place_purkinje(size, np.random.default_rng(streams[cell_type]))
        else:
            placed[cell_type] = place_walked(
                plans[cell_type], streams[cell_type], obstacles_for(cell_type, placed)
            )
    return {name: placed[name] for name in POPULATIONS}


def _connect(
    positions: dict[str, np.ndarray],
    streams: dict[str, np.random.SeedSequence],
    step: Callable[[str], None],
) -> dict[str, Connections]:
    made: _Made = {}
    for name, make in CONNECTION_STAGES:
        step(f"connect {name}")
        made[name] = make(positions, made, np.random.default_rng(streams[name]))
    return {name: made[name] for name in sorted(made) if isinstance(made[name], Connections)}


def build_scaffold(
    size: float = 400.0, seed: int = DEFAULT_SCAFFOLD_SEED, progress: ProgressCallback | None = None
) -> Scaffold:
    """Rebuild the scaffold of a ``size`` x ``size`` um base with the 2019 rules.

    Placement: the sublayer random walk with backtracking (``walk``), purkinje cells on a
    grid; connectivity: ``connectivity``. Each stage draws from its own random stream,
    spawned from ``seed``, so the result is identical for the same size and seed.

    Example:
        >>> scaffold = build_scaffold(100.0, seed=1)
        >>> scaffold.sizes["purkinje"]
        6
    """
    check_build(size, seed)  # before anything is allocated
    seed = int(seed)
    completed = 0

    def step(stage: str) -> None:
        nonlocal completed
        if progress is not None:
            progress(stage, completed, len(STAGES))
        completed += 1

    streams = _streams(seed)
    positions = _place(float(size), streams, step)
    connections = _connect(positions, streams, step)
    if progress is not None:
        progress("done", len(STAGES), len(STAGES))
    attrs = {
        "seed": seed,
        "base_size": float(size),
        "builder_version": BUILDER_VERSION,
        "rule_set": rules.RULE_SET,
        "placement_algorithm": PLACEMENT_ALGORITHM,
    }
    return Scaffold(positions=positions, connections=connections, attrs=attrs)
