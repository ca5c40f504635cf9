"""The one-step conventions that make Brian2 reproduce NEST's ``iaf_cond_exp`` spike for spike.

Measured on the cerebellum network with identical input (every spike of 31,464 matched):

- Brian2 applies a ``SpikeGeneratorGroup`` spike one step later than NEST applies a
  PyNN ``SpikeSourceArray`` spike, so each input spike is emitted one step earlier.
- NEST holds the membrane one step longer after a spike than Brian2 does for the same
  ``tau_refrac``, so Brian2's refractory period is ``tau_refrac + dt``.
- Brian2 stamps a spike with the start of the step in which the threshold was crossed,
  NEST with its end, so one step is added to every Brian2 spike time.

All three are counts of ``dt`` so that they hold for any timestep.

One more effect belongs to NEST's input path rather than to Brian2: PyNN gives NEST's
``spike_generator`` (``precise_times``) the time ``t - min_delay`` and NEST rounds a time
that is a hair above a grid point up to the next step. For 26 of the 10,000 grid times of
a 1 s run at 0.1 ms (e.g. 74.9 ms: 74.9 - 0.1 = 74.80000000000001) the spike reaches the
network one step late. ``nest_input_steps`` repeats NEST's arithmetic so Brian2 does the same.
"""

from __future__ import annotations

import numpy as np

INPUT_SHIFT_STEPS = 1  # emit a generator spike this many steps before its NEST time
REFRACTORY_EXTRA_STEPS = 1  # Brian2's refractory period is tau_refrac + this many steps
SPIKE_LABEL_STEPS = 1  # add this many steps to a Brian2 spike time to get NEST's


NEST_TICS_PER_MS = 1000.0  # NEST's default time resolution: 1 tic = 1 us


def nest_input_steps(times: np.ndarray, dt: float) -> np.ndarray:
    """NEST's spike time of each input spike, in steps (int64), as its parrot neuron emits it.

    PyNN sends ``t - min_delay`` (min_delay = dt, as the NEST backend sets it) to a
    ``spike_generator`` with precise times; NEST stamps it onto the grid (``Time::fromstamp``:
    truncate to tics, floor to the step, add one step if the step's time is below it), and
    the parrot fires ``min_delay`` later.
    """
    tics_per_step = int(round(dt * NEST_TICS_PER_MS))
    shifted = np.asarray(times, dtype=np.float64) - dt
    tics = np.trunc(shifted * NEST_TICS_PER_MS).astype(np.int64)
    tics -= tics % tics_per_step
    on_grid_ms = tics * (1.0 / tics_per_step) * dt
    tics += np.where(on_grid_ms < shifted, tics_per_step, 0)
    return tics // tics_per_step + 1


def generator_steps(times: np.ndarray, dt: float) -> np.ndarray:
    """Brian2 generator time bins (int32) that reproduce NEST's input (``nest_input_steps``).

    A spike at or below one step is refused: NEST silently drops it (clamp such times first).
    """
    nest_steps = nest_input_steps(times, dt)
    if nest_steps.size and nest_steps.min() <= 1:
        raise ValueError(
            f"an input spike at {float(np.min(times))} ms is at or below one step ({dt} ms), "
            "where NEST drops it: clamp input times to two steps or later"
        )
    return (nest_steps - INPUT_SHIFT_STEPS).astype(np.int32)


def nest_spike_times(brian2_steps: np.ndarray, dt: float) -> np.ndarray:
    """NEST's spike times (ms) for spikes that Brian2 recorded in these time steps."""
    return np.round((np.asarray(brian2_steps, dtype=np.int64) + SPIKE_LABEL_STEPS) * dt, 10)
