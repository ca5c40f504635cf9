"""Measuring one phase: wall time (perf_counter) and this process's CPU time (process_time)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class PhaseTime:
    """Wall and CPU seconds of one phase (filled in when its ``with`` block ends)."""

    wall: float = 0.0
    cpu: float = 0.0


@contextlib.contextmanager
def timed() -> Iterator[PhaseTime]:
    """Time the body of a ``with`` block.

    Example:
        >>> with timed() as t:
        ...     _ = sum(range(1000))
        >>> t.wall >= 0.0 and t.cpu >= 0.0
        True
    """
    phase = PhaseTime()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    try:
        yield phase
    finally:
        phase.wall = time.perf_counter() - wall0
        phase.cpu = time.process_time() - cpu0
