"""The E-I balanced network on SpiNNaker (sPyNNaker 7.4.1), on a board or a virtual one.

The run uses the tutorial's 1.0 ms time step and, unless a time scale factor is
configured, its real-time setting (factor 1). At 0.1 ms the network's 1-10 ms delays
(10-100 steps) are longer than a core holds and need sPyNNaker's delay extensions, which
the virtual mapping refused here ("The delay per stage is already set to 32, and
therefore 64 is not yet feasible"); at 1.0 ms every delay fits on the core. The machine
and the run-local configuration come from :mod:`cerebrepro.simulate.spinnaker_config`
(the user's ``~/.spynnaker.cfg`` is never written).

A virtual board maps, places and routes the network without hardware; it has no spikes,
so such a run writes a mapping report (JSON) instead of a results file.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from cerebrepro.errors import SimulatorError
from cerebrepro.experiments.ei_balanced import DELAY_RANGE, SIZES, build_network
from cerebrepro.experiments.ei_run import DEFAULT_TIMESTEP, Ran
from cerebrepro.results.provenance import now_utc, package_versions
from cerebrepro.results.types import PopulationSpikes

REAL_TIME = 1  # time scale factor of the tutorial


def run(
    seed: int,
    duration: float,
    threads: int,
    timestep: float,
    virtual: bool,
    path: Path,
    machine: dict,
    spike_times: Mapping[str, list[np.ndarray]] | None = None,
) -> Ran:
    """Set sPyNNaker up in a run directory beside ``path``, build, run and read the spikes (none if virtual).

    ``machine``: settings named as in ``spinnaker_config.ENVIRONMENT`` (others are ignored);
    ``spike_times``: other times for spike source arrays (see ``build_network``).
    """
    from cerebrepro.simulate.spinnaker import import_simulator, translated_errors
    from cerebrepro.simulate.spinnaker_config import (
        ENVIRONMENT,
        prepare_run_directory,
        resolve_settings,
        spinnaker_environment,
    )

    options = {key: value for key, value in machine.items() if key in ENVIRONMENT}
    settings = resolve_settings({**options, "virtual": True, "board": None, "spalloc": None} if virtual else options)
    if settings.is_virtual and not virtual:
        raise SimulatorError(
            f"the configured SpiNNaker machine is a virtual board ({settings.sources['target']}), "
            "which has no spikes: ask for a mapping report with --virtual, or name a board"
        )
    factor = settings.time_scale_factor
    if settings.sources.get("time_scale_factor") == "default":
        factor = REAL_TIME
    sim = import_simulator()
    run_dir = prepare_run_directory(settings, path.parent / f"{path.name.split('.')[0]}-spinnaker")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with spinnaker_environment(run_dir):
        sim.setup(timestep=timestep, min_delay=timestep, time_scale_factor=int(factor))
    with translated_errors(settings):
        try:
            network = build_network(sim, seed, timestep, source_seed=seed, spike_times=spike_times)
            for population in network.populations.values():
                population.record("spikes")
            timings["build_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            _run_mapped(sim, duration, timestep)
            timings["simulate_s"] = time.perf_counter() - t0
            facts: dict[str, Any] = {
                "name": "spinnaker",
                "time_scale_factor": factor,
                "machine_settings": settings.public(),
                "run_dir": str(run_dir.path),
                "cores": _cores_per_population(),
            }
            spikes = (
                {} if virtual else {name: _sorted_spikes(pop, duration) for name, pop in network.populations.items()}
            )
        finally:
            sim.end()
    return Ran(spikes, network, facts, timings)


def _run_mapped(sim: ModuleType, duration: float, timestep: float) -> None:
    """``sim.run``, with sPyNNaker's refusal of long delays turned into advice."""
    from spynnaker.pyNN.exceptions import DelayExtensionException

    try:
        sim.run(duration)
    except DelayExtensionException as exc:
        raise SimulatorError(
            f"sPyNNaker cannot map this network's delays (up to {DELAY_RANGE[1]:g} ms) at a {timestep:g} ms "
            f"time step: {exc} Run at {DEFAULT_TIMESTEP['spinnaker']:g} ms (the default on SpiNNaker)."
        ) from exc


def _sorted_spikes(population: Any, duration: float) -> PopulationSpikes:
    """A population's spikes before ``duration``, sorted by time then cell."""
    from cerebrepro.simulate.spinnaker import read_spikes

    spikes = read_spikes(population, SIZES[population.label], duration)
    order = np.lexsort((spikes.cells, spikes.times))
    return PopulationSpikes(spikes.size, spikes.times[order], spikes.cells[order])


def _cores_per_population() -> dict[str, int]:
    """Cores placed per population label (other cores, e.g. system ones, under their vertex class)."""
    from cerebrepro.simulate.spinnaker_mapping import read_placements

    return dict(Counter(core.population or core.vertex for core in read_placements()))


def write_mapping(ran: Ran, timestep: float, duration: float, path: Path) -> Path:
    """The mapping of a virtual run as JSON: cores per population, settings, synapses."""
    import json

    from cerebrepro.data.cache import atomic_path
    from cerebrepro.simulate.spinnaker_mapping import VIRTUAL_NOTE

    report = {
        "kind": "cerebrepro.ei-balanced-mapping/1",
        "note": VIRTUAL_NOTE,
        "timestep": timestep,
        "duration": duration,
        "synapses": ran.network.synapses,
        "connectivity_digest": ran.network.digest,
        **ran.facts,
        "versions": package_versions(),
        "written": now_utc(),
    }
    with atomic_path(path, suffix=".json") as tmp:
        tmp.write_text(json.dumps(report, indent=1, default=str))
    return path
