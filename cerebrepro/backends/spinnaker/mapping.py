"""What sPyNNaker made of the network: cores and chips per population, and per-core provenance.

The pure functions take plain rows (so they are tested without sPyNNaker); the readers
turn sPyNNaker 7.4.1's placements and provenance database into those rows.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cerebrepro.backends.contract import Facts

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

    machine: Facts
    chips_used: int  # chips holding at least one population core
    cores_used: int  # every placed core, system cores included
    application_cores: int  # cores running a population
    populations: dict[str, Facts]
    other_cores: dict[str, int]
    facts: Facts = field(default_factory=dict)

    def to_dict(self) -> Facts:
        """The report as plain data (what a mapping report file and a virtual run's facts hold)."""
        return {
            "kind": MAPPING_REPORT_KIND,
            "note": VIRTUAL_NOTE if self.machine.get("virtual") else "mapping of a run on hardware",
            "machine": self.machine,
            "chips_used": self.chips_used,
            "cores_used": self.cores_used,
            "application_cores": self.application_cores,
            "populations": {**self.populations},
            "other_cores": {**self.other_cores},
            **self.facts,
        }


def summarise_placements(
    cores: Iterable[PlacedCore],
    sizes: Mapping[str, int],
    machine: Facts,
    neurons_per_core: Mapping[str, int | None] | None = None,
) -> MappingReport:
    """Per population (in the order of ``sizes``): cores, slices and the expected slice count.

    ``neurons_per_core`` holds the caps the network set; where it sets none, the largest
    slice placed shows what sPyNNaker chose.
    """
    cores = list(cores)
    by_population: dict[str, list[PlacedCore]] = defaultdict(list)
    other: Counter[str] = Counter()
    for core in cores:
        if core.population is not None and core.population in sizes:
            by_population[core.population].append(core)
        else:
            other[core.vertex] += 1
    caps = neurons_per_core or {}
    populations: dict[str, Facts] = {}
    for name, size in sizes.items():
        placed = by_population.get(name, [])
        slices = {c.atoms for c in placed if c.atoms is not None}
        per_core = caps.get(name) or max((hi - lo + 1 for lo, hi in slices), default=max(1, size))
        populations[name] = {
            "cells": int(size),
            "neurons_per_core": per_core,
            "cores": len(placed),
            "slices": len(slices),
            "expected_slices": math.ceil(size / per_core) if size else 0,
            "chips": len({(c.x, c.y) for c in placed}),
            "vertices": {**Counter(c.vertex for c in placed)},
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
    rows: Iterable[tuple[int, int, int, str, float]],
    population_of_core: Mapping[tuple[int, int, int], str],
    populations: Sequence[str],
) -> Facts:
    """Per population (in the order given) and provenance item: the maximum over its cores (with the core) and the total.

    ``rows`` are (x, y, p, description, value) as sPyNNaker records them per core, e.g.
    ``Max_filled_size_input_buffer`` (peak packets waiting on a core in one step),
    ``Max_spikes_received_in_time_step`` (split synapse cores), ``Number_of_late_spikes``.
    """
    most: dict[
        tuple[str, str], tuple[float, int, int, int]
    ] = {}  # (population, item) -> value and core
    total: dict[tuple[str, str], float] = defaultdict(float)
    cores: Counter[tuple[str, str]] = Counter()
    for x, y, p, description, value in rows:
        population = population_of_core.get((x, y, p))
        if population is None:
            continue
        key, number = (population, description), float(value)
        if key not in most or number > most[key][0]:
            most[key] = (number, x, y, p)
        total[key] += number
        cores[key] += 1
    out: dict[str, Facts] = {name: {} for name in populations}
    for (population, description), (number, x, y, p) in most.items():
        if population not in out:  # e.g. a delay extension's cores
            continue
        key = (population, description)
        out[population][description] = {
            "max": number,
            "core": [x, y, p],
            "total": total[key],
            "cores": cores[key],
        }
    return {name: items for name, items in out.items() if items}


def read_placements() -> list[PlacedCore]:
    """Every placed core of the last mapping (sPyNNaker 7.4.1 data view)."""
    from spynnaker.pyNN.data import SpynnakerDataView

    cores = []
    for placement in SpynnakerDataView.iterate_placemements():
        vertex = placement.vertex
        app = getattr(vertex, "app_vertex", None)
        vertex_slice = getattr(vertex, "vertex_slice", None)
        atoms = (
            (int(vertex_slice.lo_atom), int(vertex_slice.hi_atom))
            if vertex_slice is not None
            else None
        )
        cores.append(
            PlacedCore(
                placement.x,
                placement.y,
                placement.p,
                type(vertex).__name__,
                getattr(app, "label", None),
                atoms,
            )
        )
    return cores


def read_machine(virtual: bool) -> Facts:
    """Size and kind of the machine sPyNNaker used."""
    from spynnaker.pyNN.data import SpynnakerDataView

    machine = SpynnakerDataView.get_machine()
    facts: Facts = {
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


def read_router_provenance() -> Facts:
    """Per router item (e.g. ``Dropped_Multicast_Packets``): the total and the maximum over chips."""
    from spinn_front_end_common.interface.provenance import ProvenanceReader

    with ProvenanceReader() as db:
        rows = db.run_query(
            "SELECT description, SUM(the_value), MAX(the_value) FROM router_provenance GROUP BY description"
        )
    return {str(d): {"total": float(total), "max_per_chip": float(most)} for d, total, most in rows}


def write_mapping_report(report: MappingReport | Facts, path: Path) -> Path:
    """Save ``report`` (or a virtual run's facts) as JSON (``.json``) or YAML (anything else)."""
    path = Path(path)
    data = report.to_dict() if isinstance(report, MappingReport) else report
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    else:
        import yaml

        path.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False))
    return path
