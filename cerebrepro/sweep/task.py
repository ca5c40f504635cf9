"""What a Dask worker does for one point: run it in a child process, then read its statistics.

The child (``python -m cerebrepro.sweep.point``) is a fresh interpreter, so no simulator
state survives from one point to the next on the same worker (a Dask worker process lives
for the whole sweep). The child is killed with its worker (``PR_SET_PDEATHSIG`` on Linux):
a point whose worker dies leaves at most a stale part file and a released lock, and the
scheduler runs it again elsewhere. Each attempt's output goes to ``point-NNNN.attempt-K.log``.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cerebrepro.data.cache import DATA_DIR_ENV
from cerebrepro.errors import CerebreproError
from cerebrepro.pipeline.spec import RunSpec

_PR_SET_PDEATHSIG = 1
_TAIL_LINES = 5


class PointError(CerebreproError):
    """A point's process failed; the message holds the end of its log."""


@dataclass
class PointOutcome:
    """How a point ended: ran, reused or failed, its result file, digest and table rows."""

    index: int
    status: str  # ran | reused | failed
    path: str | None = None
    spike_digest: str | None = None
    seconds: float = 0.0  # wall time of the point's process (0 when reused)
    error: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)


def outcome_of(index: int, spec: RunSpec, path: Path, status: str, seconds: float) -> PointOutcome:
    """A finished point's outcome, its statistics read from its result file."""
    from cerebrepro.results.io import read_result
    from cerebrepro.sweep.statistics import population_rows

    result = read_result(path, analog=False)
    digest = result.provenance.get("spike_digest") or result.spike_digest()
    rows = population_rows(result, spec)
    return PointOutcome(index, status, str(path), str(digest), seconds, rows=rows)


def run_point(index: int, spec_json: str, data_dir: str, log_dir: str) -> PointOutcome:
    """Run one point in a child process (worker side); raise PointError if it fails."""
    from cerebrepro.sweep.spec import spec_from_json

    os.environ[DATA_DIR_ENV] = data_dir  # workers run one task at a time (one thread each)
    log = _next_log(Path(log_dir), index)
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.run(
            [sys.executable, "-m", "cerebrepro.sweep.point", spec_json],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
            env={**os.environ, DATA_DIR_ENV: data_dir},
            preexec_fn=_die_with_parent,
            check=False,
        )
        out.write(child.stdout)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        tail = " | ".join(log.read_text().strip().splitlines()[-_TAIL_LINES:])
        raise PointError(f"point {index} exited with {child.returncode} ({log}): {tail}")
    reply = json.loads(child.stdout.strip().splitlines()[-1])
    status = "reused" if reply["cached"] else "ran"
    return outcome_of(index, spec_from_json(spec_json), Path(reply["path"]), status, seconds)


def _next_log(directory: Path, index: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    attempt = 1 + len(list(directory.glob(f"point-{index:04d}.attempt-*.log")))
    return directory / f"point-{index:04d}.attempt-{attempt}.log"


def _die_with_parent() -> None:
    """In the child, before exec: be killed when the worker that started it dies (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: an orphaned child finishes its run and caches it
        pass
