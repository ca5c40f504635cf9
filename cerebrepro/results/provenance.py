"""Facts about the software and the machine, recorded with every result."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import os
import platform
import sys

PACKAGES = (
    "cerebrepro",
    "nest-simulator",
    "PyNN",
    "numpy",
    "scipy",
    "h5py",
    "neo",
    "sPyNNaker",
    "Brian2",
)


def package_versions() -> dict[str, str | None]:
    """Installed version of each package that can influence a result (None: not installed)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def machine() -> dict[str, object]:
    """Host name, CPU, core count, memory, OS and Python of this machine."""
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "host": platform.node(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": memory,
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under taskset or a batch job)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS)
        return os.cpu_count() or 1


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def now_utc() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def peak_memory_bytes() -> int:
    """Peak resident memory of this process so far."""
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
