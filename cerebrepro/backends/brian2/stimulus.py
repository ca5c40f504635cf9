"""Input spike trains that a compiled Brian2 project reads at run time.

Brian2 cannot change a ``SpikeGeneratorGroup``'s spikes through ``run_args``: its arrays
are read-only and their lengths are fixed in the generated code. Instead the compiled
program reads them from a file in the run's results directory, just before the network
runs, so one compiled project serves every stimulus. The file also keeps spikes that fall
into the same time step of the same source as separate spikes (NEST delivers both;
Brian2's own ``set_spikes`` refuses them).

Each generator group has its own file (``stimulus_file``). Layout (little-endian): int64
n, then n int32 time steps, then n int32 source indices, sorted by step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cerebrepro.backends.brian2.conventions import generator_steps
from cerebrepro.errors import SimulatorError
from cerebrepro.model.spike_trains import SpikeTrains

STIMULUS_PREFIX = "cerebrepro_stimulus_"


def stimulus_file(group: str) -> str:
    """The name of the file that feeds generator group ``group`` in a run's results directory."""
    return f"{STIMULUS_PREFIX}{group}.bin"


def stimulus_arrays(trains: SpikeTrains, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """(time steps, source indices) of every input spike, in the order Brian2 emits them."""
    steps = generator_steps(trains.times, dt)
    sources = trains.sources().astype(np.int32)
    order = np.lexsort((sources, steps))
    steps, sources = steps[order], sources[order]
    busiest = int(np.bincount(steps).max()) if steps.size else 0
    if busiest > trains.n_sources:
        raise SimulatorError(
            f"{busiest} input spikes fall into one time step, more than the {trains.n_sources} "
            "sources Brian2 can emit per step"
        )
    return steps, sources


def write_stimulus(directory: Path, group: str, trains: SpikeTrains, dt: float) -> Path:
    """Write the stimulus file of generator group ``group`` for one run into ``directory``."""
    steps, sources = stimulus_arrays(trains, dt)
    path = Path(directory) / stimulus_file(group)
    with open(path, "wb") as f:
        f.write(np.int64(steps.size).astype("<i8").tobytes())
        f.write(steps.astype("<i4").tobytes())
        f.write(sources.astype("<i4").tobytes())
    return path


def load_stimulus_code(device: Any, generator: Any, dt: float) -> str:
    """C++ that fills ``generator``'s spike arrays from the stimulus file of the current run.

    ``dt`` is the timestep in seconds (for the spike times the group keeps beside the steps).
    """
    steps = device.get_array_name(generator.variables["_timebins"], access_data=False)
    sources = device.get_array_name(generator.variables["neuron_index"], access_data=False)
    times = device.get_array_name(generator.variables["spike_time"], access_data=False)
    last = device.get_array_name(generator.variables["_lastindex"])
    return f"""
{{
    const std::string _path = brian::results_dir + "{stimulus_file(generator.name)}";
    std::ifstream _stimulus(_path.c_str(), std::ios::binary);
    int64_t _n = -1;
    _stimulus.read(reinterpret_cast<char*>(&_n), sizeof(_n));
    if (!_stimulus || _n < 0) {{
        std::cerr << "cannot read the input spikes from " << _path << std::endl;
        exit(3);
    }}
    {steps}.resize(_n);
    {sources}.resize(_n);
    {times}.resize(_n);
    if (_n > 0) {{
        _stimulus.read(reinterpret_cast<char*>(&{steps}[0]), _n * sizeof(int32_t));
        _stimulus.read(reinterpret_cast<char*>(&{sources}[0]), _n * sizeof(int32_t));
    }}
    if (!_stimulus) {{
        std::cerr << "the input spike file " << _path << " is truncated" << std::endl;
        exit(3);
    }}
    for (int64_t _k = 0; _k < _n; _k++)
        {times}[_k] = {steps}[_k] * {dt!r};
    {last}[0] = 0;
}}
"""


def spike_generator(name: str, size: int) -> Any:
    """A ``SpikeGeneratorGroup`` whose spikes are replaced at run time (see ``load_stimulus_code``)."""
    from brian2 import SpikeGeneratorGroup, second

    return SpikeGeneratorGroup(size, [0], [0] * second, name=name)
