"""The stimulus sweeps of figure 7: burst rate at a fixed radius, radius at a fixed burst rate.

The paper's sweeps (protocol.md; SpiNNCer's ``input_activity_sweep.py``) run f_peak 30 to
190 Hz in steps of 20 at radius 140 um, and the radius 20 to 180 um in steps of 20 at
f_peak 150 Hz, with Poisson and with periodic bursts, 10 runs per point, on the 400x400
scaffold for 1000 ms: 2 bursts x 18 points x 10 runs = 360 runs. ``FULL`` is exactly that.
The point (150 Hz, 140 um) lies on both axes; as in the original, where every axis was its
own batch of runs with unseeded stimuli, each axis has its own runs there too: the f_peak
axis uses stimulus seeds 3-12 and the radius axis seeds 13-22, so no run is shared and all
360 are distinct. The seeds of an axis are the same at each of its points (paired runs).

``REDUCED``, the default, was chosen by measurement to finish in under 15 minutes on Brian2
on this project's 2-core machine: the paper's 400x400 scaffold (a smaller one would put most
of the network inside the larger spheres and change what the radius sweep shows), both
bursts, the ends and the middle of each axis (f_peak 30, 110, 190 Hz at 140 um; radius 20,
100, 180 um at 150 Hz), one run per point, 400 ms runs (the burst at 300-350 ms and 50 ms
after it): 2 x 6 x 1 = 12 runs, 7.7 min wall and 3.6 min CPU end to end with the Brian2
program already compiled (its first compile, once per run length, adds about 3.5 min CPU).
Three points per axis span the paper's range, so the trends show. A 400 ms run sees every
peak a strong burst causes, but with a weak one (f_peak 30 Hz) some cores peak later, in
the background: cutting a 1000 ms run at 400 ms lowered the median of purkinje by 4 % and
of basket and stellate by 12 % there, and changed nothing at 150 Hz.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cerebrepro.model.cerebellum import BURST_KINDS, DURATION, REFERENCE_PROTOCOL
from cerebrepro.pipeline.spec import DEFAULT_STIMULUS_SEED, RunSpec
from cerebrepro.reproduce.plans import FigureOptions

BURSTS: tuple[str, ...] = BURST_KINDS
AXES: tuple[str, ...] = ("f_peak", "radius")


@dataclass(frozen=True)
class SweepPoint:
    """One point of one axis: its stimulus and the seeds of its runs."""

    axis: str  # f_peak | radius: the parameter swept along this point's axis
    f_peak: float  # Hz
    radius: float  # um
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Sweep:
    """Which stimuli a sweep runs, with how many runs, on which scaffold, for how long."""

    name: str
    f_peaks: tuple[float, ...]  # Hz, swept at ``radius``
    radii: tuple[float, ...]  # um, swept at ``f_peak``
    runs: int  # runs (stimulus seeds) per point
    size: float  # um
    duration: float  # ms
    f_peak: float = REFERENCE_PROTOCOL.f_peak
    radius: float = REFERENCE_PROTOCOL.radius
    first_seed: int = DEFAULT_STIMULUS_SEED

    def seeds(self, axis: str) -> tuple[int, ...]:
        """The stimulus seeds of every point of ``axis``: each axis has its own."""
        start = self.first_seed + AXES.index(axis) * self.runs
        return tuple(range(start, start + self.runs))

    def points(self) -> list[SweepPoint]:
        """Every point: the f_peak axis, then the radius axis (a shared point appears on both)."""
        f_seeds, r_seeds = self.seeds("f_peak"), self.seeds("radius")
        return [SweepPoint("f_peak", f, self.radius, f_seeds) for f in self.f_peaks] + [
            SweepPoint("radius", self.f_peak, r, r_seeds) for r in self.radii
        ]

    def run_count(self, bursts: tuple[str, ...]) -> int:
        return len(bursts) * len(self.points()) * self.runs

    def settings(self, bursts: tuple[str, ...], size: float, duration: float) -> str:
        """What the sweep runs: bursts, points, seeds, scaffold, duration and the number of runs."""
        return (
            f"{' and '.join(bursts)} bursts; f_peak {_values(self.f_peaks)} Hz at radius "
            f"{self.radius:g} um (stimulus {_seeds(self.seeds('f_peak'))}) and radius "
            f"{_values(self.radii)} um at f_peak {self.f_peak:g} Hz (stimulus "
            f"{_seeds(self.seeds('radius'))}); {self.runs} run{'s' if self.runs != 1 else ''} per "
            f"point; rebuilt {size:g} um scaffold; {duration:g} ms runs; "
            f"{self.run_count(bursts)} runs in all"
        )

    def describe(self, bursts: tuple[str, ...], size: float, duration: float) -> str:
        """A caption sentence: which sweep, on what, and (when reduced) what the full one runs."""
        text = f"{self.name.capitalize()} sweep: {self.settings(bursts, size, duration)}."
        if self.name == REDUCED.name:
            text += (
                " This reduces the paper's sweep (fewer points, one run per point, shorter runs); "
                "`cerebrepro reproduce --figure 7 --full` runs the paper's: "
                f"{FULL.settings(BURSTS, FULL.size, FULL.duration)}."
            )
        return text


def _values(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _seeds(seeds: tuple[int, ...]) -> str:
    return f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"


FULL = Sweep(
    name="full",
    f_peaks=tuple(float(f) for f in range(30, 191, 20)),
    radii=tuple(float(r) for r in range(20, 181, 20)),
    runs=10,
    size=400.0,
    duration=DURATION,
)
REDUCED = Sweep(
    name="reduced",
    f_peaks=(30.0, 110.0, 190.0),
    radii=(20.0, 100.0, 180.0),
    runs=1,
    size=400.0,
    duration=400.0,
)


@dataclass(frozen=True)
class SweepSpec:
    """One run of a sweep: its burst, its point, its seed and its spec."""

    burst: str
    point: SweepPoint
    seed: int
    spec: RunSpec


def chosen_sweep(options: FigureOptions) -> Sweep:
    return FULL if options.full else REDUCED


def sweep_bursts(options: FigureOptions) -> tuple[str, ...]:
    """The burst kinds ``options`` asks for: both unless one is named."""
    return BURSTS if options.burst == "both" else (options.burst,)


def sweep_size(options: FigureOptions) -> float:
    return options.size if options.size is not None else chosen_sweep(options).size


def sweep_duration(options: FigureOptions) -> float:
    return options.duration if options.duration is not None else chosen_sweep(options).duration


def sweep_specs(options: FigureOptions) -> list[SweepSpec]:
    """The runs of figure 7's sweep under ``options`` (``--full``, ``--size``, ``--burst``, ...).

    SpiNNaker runs use the grid neuron order, as the paper's did; on the other simulators the
    order does not change the spikes and is applied by the load estimate instead.
    """
    sweep = chosen_sweep(options)
    base = RunSpec(
        simulator=options.simulator,
        size=sweep_size(options),
        duration=sweep_duration(options),
        threads=options.threads,
        options={"neuron_order": "grid"} if options.simulator == "spinnaker" else {},
    )
    return [
        SweepSpec(
            burst,
            point,
            seed,
            dataclasses.replace(
                base,
                stimulus_seed=seed,
                protocol=dataclasses.replace(
                    REFERENCE_PROTOCOL, f_peak=point.f_peak, radius=point.radius, kind=burst
                ),
            ),
        )
        for burst in sweep_bursts(options)
        for point in sweep.points()
        for seed in point.seeds
    ]
