"""How much memory this machine can give a job, so that readers and builders refuse early.

A file declaring more data than fits, or a scaffold too large to build, is refused with
the estimate before anything is allocated, instead of ending in a MemoryError or the
kernel's OOM killer halfway through.
"""

from __future__ import annotations

import os

GiB = 2**30


def available_bytes() -> int:
    """Memory available to a new allocation now: ``MemAvailable`` (Linux), else physical memory."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**63 - 1  # unknown: do not refuse


def fits(nbytes: float, share: float = 0.8) -> bool:
    """Whether ``nbytes`` fit in ``share`` of the available memory (the rest: the process itself)."""
    return nbytes <= share * available_bytes()


def describe(nbytes: float) -> str:
    """``nbytes`` in GiB or MiB, for messages."""
    return f"{nbytes / GiB:.1f} GiB" if nbytes >= GiB else f"{nbytes / 2**20:.0f} MiB"
