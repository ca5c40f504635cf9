"""What sPyNNaker made of the network: cores and chips per population, and per-core provenance.

The pure functions take plain rows (so they are tested without sPyNNaker); the readers
turn sPyNNaker 7.4.1's placements and provenance database into those rows.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cerebrepro.model.cerebellum import NEURONS_PER_CORE, POPULATIONS

MAPPING_REPORT_KIND = "cerebrepro.spinnaker-mapping-report/1"
VIRTUAL_NOTE = (
    "virtual board: the network was mapped, placed and routed without hardware; "
    "a virtual run produces no spikes and writes no result file"
)


@dataclass(frozen=True)
class PlacedCore:
    """One core in use: where it is, what runs on it, and for which population."""

    x: int
    y: int
    p: int
    vertex: str  # machine vertex class name
    population: str | None  # application vertex label, None for system cores
    atoms: tuple[int, int] | None = None  # first and last atom of its slice, if any


@dataclass
class MappingReport:
    """Chips and cores of a mapped network, per population and overall."""

    machine: dict[str, object]
    chips_used: int  # chips holding at least one population core
    cores_used: int  # every placed core, system cores included
    application_cores: int  # cores running a population
    populations: dict[str, dict[str, object]]
    other_cores: dict[str, int]
    facts: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": MAPPING_REPORT_KIND,
            "note": VIRTUAL_NOTE if self.machine.get("virtual") else "mapping of a run on hardware",
            "machine": self.machine,
            "chips_used": self.chips_used,
            "cores_used": self.cores_used,
            "application_cores": self.application_cores,
            "populations": self.populations,
            "other_cores": self.other_cores,
            **self.facts,
        }


def summarise_placements(
    cores: Iterable[PlacedCore], sizes: Mapping[str, int], machine: Mapping[str, object]
) -> MappingReport:
    """Per population: cores, slices (distinct atom ranges) and the expected slice count."""
    cores = list(cores)
    by_population: dict[str, list[PlacedCore]] = defaultdict(list)
    other: Counter[str] = Counter()
    for core in cores:
        if core.population in sizes:
            by_population[core.population].append(core)
        else:
            other[core.vertex] += 1
    populations = {}
    for name in [p for p in POPULATIONS if p in sizes]:
        placed = by_population.get(name, [])
        per_core = NEURONS_PER_CORE[name]
        populations[name] = {
            "cells": int(sizes[name]),
            "neurons_per_core": per_core,
            "cores": len(placed),
            "slices": len({c.atoms for c in placed if c.atoms is not None}),
            "expected_slices": math.ceil(sizes[name] / per_core) if sizes[name] else 0,
            "chips": len({(c.x, c.y) for c in placed}),
            "vertices": dict(Counter(c.vertex for c in placed)),
        }
    application = [c for placed in by_population.values() for c in placed]
    return MappingReport(
        machine=dict(machine),
        chips_used=len({(c.x, c.y) for c in application}),
        cores_used=len(cores),
        application_cores=len(application),
        populations=populations,
        other_cores=dict(other),
    )


def summarise_core_provenance(
    rows: Iterable[tuple[int, int, int, str, float]], population_of_core: Mapping[tuple[int, int, int], str]
) -> dict[str, dict[str, dict[str, object]]]:
    """Per population and provenance item: the maximum over its cores (with the core) and the total.

    ``rows`` are (x, y, p, description, value) as sPyNNaker records them per core, e.g.
    ``Max_filled_size_input_buffer`` (peak packets waiting on a core in one step),
    ``Max_spikes_received_in_time_step`` (split synapse cores), ``Number_of_late_spikes``.
    """
    out: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for x, y, p, description, value in rows:
        population = population_of_core.get((x, y, p))
        if population is None:
            continue
        item = out[population].setdefault(description, {"max": None, "core": None, "total": 0, "cores": 0})
        number = float(value)
        if item["max"] is None or number > item["max"]:
            item["max"], item["core"] = number, [x, y, p]
        item["total"] += number
        item["cores"] += 1
    return {name: out[name] for name in POPULATIONS if name in out}


def read_placements() -> list[PlacedCore]:
    """Every placed core of the last mapping (sPyNNaker 7.4.1 data view)."""
    from spynnaker.pyNN.data import SpynnakerDataView

    cores = []
    for placement in SpynnakerDataView.iterate_placemements():
        vertex = placement.vertex
        app = getattr(vertex, "app_vertex", None)
        vertex_slice = getattr(vertex, "vertex_slice", None)
        atoms = (int(vertex_slice.lo_atom), int(vertex_slice.hi_atom)) if vertex_slice is not None else None
        cores.append(
            PlacedCore(
                placement.x, placement.y, placement.p, type(vertex).__name__,
                getattr(app, "label", None), atoms,
            )
        )
    return cores


def read_machine(virtual: bool) -> dict[str, object]:
    """Size and kind of the machine sPyNNaker used."""
    from spynnaker.pyNN.data import SpynnakerDataView

    machine = SpynnakerDataView.get_machine()
    facts: dict[str, object] = {
        "virtual": virtual,
        "width": machine.width,
        "height": machine.height,
        "boards": len(machine.ethernet_connected_chips),
        "chips": machine.n_chips,
        "cores": sum(chip.n_processors for chip in machine.chips),
        "placeable_cores": sum(chip.n_placable_processors for chip in machine.chips),
        "summary": machine.summary_string(),
        "time_scale_factor": SpynnakerDataView.get_time_scale_factor(),
        "hardware_time_step_ms": SpynnakerDataView.get_hardware_time_step_ms(),
    }
    if not virtual:
        facts["ip_address"] = SpynnakerDataView.get_ipaddress()
    return facts


def read_core_provenance() -> list[tuple[int, int, int, str, float]]:
    """(x, y, p, description, value) of every per-core provenance item of the last run."""
    from spinn_front_end_common.interface.provenance import ProvenanceReader

    with ProvenanceReader() as db:
        rows = db.run_query("SELECT x, y, p, description, the_value FROM core_provenance_view")
    return [(int(x), int(y), int(p), str(d), float(v)) for x, y, p, d, v in rows]


def read_router_provenance() -> dict[str, dict[str, float]]:
    """Per router item (e.g. ``Dropped_Multicast_Packets``): the total and the maximum over chips."""
    from spinn_front_end_common.interface.provenance import ProvenanceReader

    with ProvenanceReader() as db:
        rows = db.run_query(
            "SELECT description, SUM(the_value), MAX(the_value) FROM router_provenance GROUP BY description"
        )
    return {str(d): {"total": float(total), "max_per_chip": float(most)} for d, total, most in rows}


def write_mapping_report(report: MappingReport, path: Path) -> Path:
    """Save ``report`` as JSON (``.json``) or YAML (anything else), marked as a mapping report."""
    path = Path(path)
    data = report.to_dict()
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    else:
        import yaml

        path.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False))
    return path
