"""The one-step conventions that make Brian2 follow NEST's ``iaf_cond_exp`` step by step.

- Brian2 applies a ``SpikeGeneratorGroup`` spike one step later than NEST applies a
  PyNN ``SpikeSourceArray`` spike, so each input spike is emitted one step earlier.
- NEST holds the membrane one step longer after a spike than Brian2 does for the same
  ``tau_refrac``, so Brian2's refractory period is ``tau_refrac + dt``.
- Brian2 stamps a spike with the start of the step in which the threshold was crossed,
  NEST with its end, so one step is added to every Brian2 spike time.

All three are counts of ``dt`` so that they hold for any timestep. They assume that NEST
delivers every input spike on its own grid step, as the NEST backend makes it do
(its input guard, :mod:`cerebrepro.backends.nest`).
"""

from __future__ import annotations

import numpy as np

INPUT_SHIFT_STEPS = 1  # emit a generator spike this many steps before its NEST time
REFRACTORY_EXTRA_STEPS = 1  # Brian2's refractory period is tau_refrac + this many steps
SPIKE_LABEL_STEPS = 1  # add this many steps to a Brian2 spike time to get NEST's


def generator_steps(times: np.ndarray, dt: float) -> np.ndarray:
    """Brian2 generator time bins (int32) of input spike times on the ``dt`` grid (ms).

    A spike at or below one step is refused: NEST drops it (clamp such times first).
    """
    steps = np.rint(np.asarray(times, dtype=np.float64) / dt).astype(np.int64)
    if steps.size and steps.min() <= 1:
        raise ValueError(
            f"an input spike at {float(np.min(times))} ms is at or below one step ({dt} ms), "
            "where NEST drops it: clamp input times to two steps or later"
        )
    return (steps - INPUT_SHIFT_STEPS).astype(np.int32)


def nest_spike_times(brian2_steps: np.ndarray, dt: float) -> np.ndarray:
    """NEST's spike times (ms) for spikes that Brian2 recorded in these time steps."""
    return np.round((np.asarray(brian2_steps, dtype=np.int64) + SPIKE_LABEL_STEPS) * dt, 10)
