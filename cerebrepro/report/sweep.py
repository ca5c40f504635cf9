"""The stimulus sweep of figure 7: burst rate at a fixed radius, radius at a fixed burst rate.

The paper's protocol (protocol.md) sweeps the radius from 20 to 180 um in steps of 20 at
f_peak 150 Hz, and f_peak at radius 140 um, 10 runs (stimulus seeds) each, on the 400x400
scaffold for 1000 ms. ``FULL`` is that sweep with f_peak 50, 100, 150, 200 and 250 Hz.
``REDUCED``, the default, completes in a few minutes on a laptop: a 200x200 scaffold, 400 ms
runs (the stimulus at 300-350 ms and 50 ms after it), three values on each axis and one
seed. The point (150 Hz, 140 um) belongs to both axes and is run once; the stimulus seeds
start at the reference seed 3, so the reference run is part of every sweep.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cerebrepro.model.cerebellum import DURATION, REFERENCE_PROTOCOL
from cerebrepro.report.plans import FigureOptions
from cerebrepro.simulate.run import DEFAULT_STIMULUS_SEED, RunSpec


@dataclass(frozen=True)
class Sweep:
    """Which stimuli a sweep runs, on which scaffold, for how long."""

    name: str
    f_peaks: tuple[float, ...]  # Hz, swept at ``radius``
    radii: tuple[float, ...]  # um, swept at ``f_peak``
    seeds: tuple[int, ...]  # stimulus seeds of every point
    size: float  # um
    duration: float  # ms
    f_peak: float = REFERENCE_PROTOCOL.f_peak
    radius: float = REFERENCE_PROTOCOL.radius

    def points(self) -> list[tuple[float, float]]:
        """Every (f_peak, radius) of the sweep once: the f_peak axis, then the radius axis."""
        points = [(f, self.radius) for f in self.f_peaks] + [(self.f_peak, r) for r in self.radii]
        return list(dict.fromkeys(points))

    def settings(self, burst: str, size: float, duration: float) -> str:
        """What the sweep runs: bursts, points, seeds, scaffold, duration and the number of runs."""
        runs = len(self.points()) * len(self.seeds)
        return (
            f"{burst} bursts; f_peak {_values(self.f_peaks)} Hz at radius {self.radius:g} um and "
            f"radius {_values(self.radii)} um at f_peak {self.f_peak:g} Hz; {len(self.seeds)} "
            f"stimulus seed{'s' if len(self.seeds) != 1 else ''} per point; rebuilt {size:g} um "
            f"scaffold; {duration:g} ms runs; {runs} runs in all"
        )

    def describe(self, burst: str, size: float, duration: float) -> str:
        """A caption sentence: which sweep, on what, and (when reduced) what the full one runs."""
        text = f"{self.name.capitalize()} sweep: {self.settings(burst, size, duration)}."
        if self.name == REDUCED.name:
            text += (
                " This reduces the paper's sweep (smaller network, shorter runs, fewer points and "
                "seeds); `cerebrepro reproduce --figure 7 --full` runs the paper's: "
                f"{FULL.settings(burst, FULL.size, FULL.duration)}."
            )
        return text


def _values(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)


FULL = Sweep(
    name="full",
    f_peaks=(50.0, 100.0, 150.0, 200.0, 250.0),
    radii=tuple(float(r) for r in range(20, 181, 20)),
    seeds=tuple(range(DEFAULT_STIMULUS_SEED, DEFAULT_STIMULUS_SEED + 10)),
    size=400.0,
    duration=DURATION,
)
REDUCED = Sweep(
    name="reduced",
    f_peaks=(50.0, 100.0, 150.0),
    radii=(60.0, 100.0, 140.0),
    seeds=(DEFAULT_STIMULUS_SEED,),
    size=200.0,
    duration=400.0,
)


@dataclass(frozen=True)
class SweepSpec:
    """One run of a sweep: its stimulus parameters and its spec."""

    f_peak: float
    radius: float
    seed: int
    spec: RunSpec


def chosen_sweep(options: FigureOptions) -> Sweep:
    return FULL if options.full else REDUCED


def sweep_size(options: FigureOptions) -> float:
    return options.size if options.size is not None else chosen_sweep(options).size


def sweep_duration(options: FigureOptions) -> float:
    return options.duration if options.duration is not None else chosen_sweep(options).duration


def sweep_specs(options: FigureOptions) -> list[SweepSpec]:
    """The runs of figure 7's sweep under ``options`` (``--full``, ``--size``, ``--burst``, ...)."""
    sweep = chosen_sweep(options)
    base = RunSpec(
        simulator=options.simulator,
        size=sweep_size(options),
        duration=sweep_duration(options),
        threads=options.threads,
    )
    return [
        SweepSpec(
            f_peak,
            radius,
            seed,
            dataclasses.replace(
                base,
                stimulus_seed=seed,
                protocol=dataclasses.replace(REFERENCE_PROTOCOL, f_peak=f_peak, radius=radius, kind=options.burst),
            ),
        )
        for f_peak, radius in sweep.points()
        for seed in sweep.seeds
    ]
