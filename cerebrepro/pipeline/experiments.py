"""Each experiment describes itself for a run spec: its network, and what provenance records of it.

``cerebellum``: the scaffold and stimulus the spec names (:mod:`cerebrepro.pipeline.resolve`)
as a :func:`~cerebrepro.model.cerebellum_network.describe_cerebellum` network.
``ei-balanced``: the sPyNNaker tutorial's network drawn from the kernel seed
(:func:`~cerebrepro.model.ei_balanced.describe_ei_balanced`), its pulse sources driven by
the pulse at 1000 ms or by an event recording.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from cerebrepro.errors import SimulatorError, StimulusError
from cerebrepro.model.cerebellum_network import describe_cerebellum
from cerebrepro.model.description import NetworkDescription
from cerebrepro.model.parameters import apply_parameters, describe_parameters
from cerebrepro.model.spike_trains import SpikeTrains
from cerebrepro.pipeline.resolve import (
    event_options,
    is_rebuilt,
    resolve_scaffold,
    resolve_stimulus,
)
from cerebrepro.pipeline.spec import EXPERIMENTS, RunEvents, RunSpec

# Settings an experiment prefers on a simulator when the user gives none (the tutorial's
# E-I network runs at 1.0 ms, in real time and in the default order on SpiNNaker: at
# 0.1 ms its 1-10 ms delays need delay extensions that sPyNNaker cannot map).
PREFERRED_TIMESTEP: dict[tuple[str, str], float] = {("ei-balanced", "spinnaker"): 1.0}
PREFERRED_OPTIONS: dict[tuple[str, str], dict[str, object]] = {
    ("ei-balanced", "spinnaker"): {"time_scale_factor": 1.0, "neuron_order": "default"},
}


@dataclass
class Described:
    """A spec's network and the provenance blocks that describe where it came from."""

    network: NetworkDescription
    provenance: dict[str, object] = field(default_factory=dict)


def preferred_timestep(experiment: str, simulator: str, default: float) -> float:
    return PREFERRED_TIMESTEP.get((experiment, simulator), default)


def with_preferred_options(spec: RunSpec) -> RunSpec:
    """``spec`` with the experiment's preferred backend options under those the user gave."""
    preferred = PREFERRED_OPTIONS.get((spec.experiment, spec.simulator), {})
    return dataclasses.replace(spec, options={**preferred, **spec.options}) if preferred else spec


def describe(spec: RunSpec, events: RunEvents) -> Described:
    """The network ``spec`` runs, with its provenance (scaffold, stimulus, seeds)."""
    if spec.experiment == "cerebellum":
        return _cerebellum(spec, events)
    if spec.experiment == "ei-balanced":
        return _ei_balanced(spec)
    raise SimulatorError(
        f"unknown experiment {spec.experiment!r}: choose one of {', '.join(EXPERIMENTS)}"
    )


def _cerebellum(spec: RunSpec, events: RunEvents) -> Described:
    scaffold = resolve_scaffold(spec, events)
    events.phase("stimulus")
    stimulus = resolve_stimulus(spec, scaffold)
    cells, projections = apply_parameters(spec.parameters)
    network = describe_cerebellum(
        scaffold.positions, scaffold.connections, stimulus.trains, spec.record_v, cells, projections
    )
    source = str(scaffold.source) if scaffold.source else None
    return Described(
        network,
        {
            "scaffold": {
                "path": source,
                "sha256": scaffold.sha256,
                "digest": scaffold.connectivity_digest(),
                "kind": "rebuilt" if is_rebuilt(scaffold) else "published-layout",
                "attrs": scaffold.attrs,
                "sizes": scaffold.sizes,
            },
            "scaffold_path": source,
            "scaffold_sha256": scaffold.sha256,
            "scaffold_digest": scaffold.connectivity_digest(),
            "stimulus": stimulus.info,
            "stimulus_sha256": stimulus.info["sha256"],
            "parameters": describe_parameters(spec.parameters),
            "seeds": {
                "scaffold": scaffold.attrs.get("seed"),
                "stimulus": spec.stimulus_seed if spec.stimulus == "generated" else None,
                "kernel": spec.kernel_seed,
            },
        },
    )


def _ei_balanced(spec: RunSpec) -> Described:
    from cerebrepro.model.ei_balanced import (
        PULSE_TIME,
        Connections,
        connectivity_digest,
        describe_ei_balanced,
        describe_model,
    )

    if spec.stimulus == "generated":
        pulse: SpikeTrains | None = None
        info: dict[str, object] = {"source": "pulse", "time_ms": PULSE_TIME}
    elif spec.stimulus.startswith("events:"):
        pulse, info = _ei_event_trains(spec)
    else:
        raise StimulusError(
            f"the E-I network takes --stimulus generated (its pulse) or events:FILE, not {spec.stimulus!r}"
        )
    network = describe_ei_balanced(spec.kernel_seed, spec.timestep, pulse)
    return Described(
        network,
        {
            "model": describe_model(),
            "seed": spec.kernel_seed,
            "seeds": {"kernel": spec.kernel_seed, "connectivity": spec.kernel_seed},
            "stimulus": info,
            "connectivity_digest": connectivity_digest(
                {
                    c.name: Connections(c.pre_index, c.post_index, c.delays())
                    for c in network.connections
                }
            ),
        },
    )


def _ei_event_trains(spec: RunSpec) -> tuple[SpikeTrains, dict[str, object]]:
    """The pulse sources' trains from an event recording mapped onto their grid."""
    from cerebrepro.data.events import events_path, read_recording
    from cerebrepro.model.ei_balanced import EVENT_POPULATION, SIZES
    from cerebrepro.model.event_mapping import grid_positions, map_events

    options = event_options(spec)
    recording = read_recording(events_path(spec.stimulus), options.sensor)
    made = map_events(
        recording.events, grid_positions(SIZES[EVENT_POPULATION]), options, spec.timestep
    )
    trains = made.trains.before(spec.duration)
    if trains.n_spikes == 0:
        raise StimulusError(
            f"events file {recording.path}: no event of the window reaches the {EVENT_POPULATION} sources "
            f"before the run's end ({spec.duration:g} ms): check --events-offset and the window"
        )
    info = {
        "source": f"events:{recording.path.resolve()}",
        "kind": "events",
        "population": EVENT_POPULATION,
        "recording": recording.describe(),
        "n_spikes": trains.n_spikes,
        **made.info,
    }
    return trains, info
