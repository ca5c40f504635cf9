"""Rendering of event-camera input: the rate cap, a written recording, a conversion's numbers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from cerebrepro.cli.render.console import console, safe_text

if TYPE_CHECKING:
    from cerebrepro.pipeline.events import Conversion


def print_cap(info: Mapping) -> None:
    """One line on the rate cap: over it or not, reported or applied."""
    cap = info["rate_cap"]
    if not cap["spikes_over"]:
        return
    what = "removed" if cap["action"] == "apply" else "kept (--events-cap apply drops them)"
    console.print(
        f"[yellow]rate cap {cap['rate_cap_hz']:g} Hz:[/] {cap['cells_over']:,} cells exceed one spike per "
        f"{cap['bin_ms']:g} ms; {cap['spikes_over']:,} spikes over the cap {what}",
        highlight=False,
    )


def print_figure_hint(path: Path) -> None:
    """The command that draws an event-driven run."""
    console.print(f"figure: cerebrepro events figure {safe_text(path)}", highlight=False)


def print_example(n_events: int, sensor: tuple[int, int], last_ms: float, path: Path) -> None:
    console.print(
        f"{n_events:,} events, sensor {sensor[0]} x {sensor[1]}, {last_ms:g} ms: [bold]{safe_text(path)}[/]"
    )


def print_conversion(recording: Path, size: float, conversion: Conversion) -> None:
    """What a conversion read and made, how long reading and converting took, and the rate cap."""
    read, made = conversion.recording, conversion.made
    table = Table(
        title=f"{safe_text(recording)} onto {conversion.glomeruli:,} glomeruli ({size:g} um)",
        title_justify="left",
    )
    table.add_column("")
    table.add_column("", justify="right")
    sensor = read.events.sensor
    rows = (
        ("events read", f"{read.events.size:,}"),
        ("sensor", f"{sensor[0]} x {sensor[1]} ({safe_text(read.sensor_from)})"),
        ("events in the window", f"{made.info['events_in_window']:,}"),
        ("spikes", f"{made.trains.n_spikes:,}"),
        ("read (s)", f"{conversion.read_s:.3f}"),
        ("convert (s)", f"{conversion.convert_s:.3f}"),
    )
    for row in rows:
        table.add_row(*row)
    console.print(table)
    print_cap(made.info)


def print_trains(path: Path) -> None:
    console.print(f"trains [bold]{safe_text(path)}[/]")
