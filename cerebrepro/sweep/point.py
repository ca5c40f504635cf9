"""``python -m cerebrepro.sweep.point SPEC_JSON``: one sweep point, in a process of its own.

A Dask worker runs each point as this child process, so that the NEST kernel, PyNN's state
and Brian2's device, which live for the life of a process, start fresh at every point and
never carry over from one point to the next on the same worker. The run goes into the
run cache (:func:`~cerebrepro.pipeline.cache.cached_run`); the last line printed is
``{"path": ..., "cached": ...}`` as JSON.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("PYNEST_QUIET", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def main(argv: list[str]) -> int:
    from cerebrepro.pipeline.cache import cached_run
    from cerebrepro.sweep.spec import spec_from_json

    if len(argv) != 1:
        print("usage: python -m cerebrepro.sweep.point SPEC_JSON", file=sys.stderr)
        return 2
    path, cached = cached_run(spec_from_json(argv[0]))
    print(json.dumps({"path": str(path), "cached": cached}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
