"""What ``cerebrepro info`` reports, as plain data: versions, backends, machine, data cache."""

from __future__ import annotations

import os
from typing import Any

from cerebrepro.backends.registry import backends
from cerebrepro.data.cache import DATA_DIR_ENV, data_dir
from cerebrepro.data.fetch import cache_status
from cerebrepro.results.provenance import machine, package_versions


def backend_facts() -> dict[str, Any]:
    """Each backend: installed or not (and what to do), its version and facts."""
    out: dict[str, Any] = {}
    for name, backend in backends().items():
        found = backend.check()
        entry: dict[str, Any] = {"installed": found.installed, "version": found.version}
        if not found.installed:
            entry["install"] = found.install_hint
        else:
            try:
                entry.update(backend.facts())
            except Exception as exc:  # a broken installation is a fact to report
                entry["error"] = f"{type(exc).__name__}: {exc}"
        out[name] = entry
    return out


def gather_info() -> dict[str, Any]:
    """Everything `cerebrepro info` reports, as plain data."""
    return {
        "versions": package_versions(),
        "backends": backend_facts(),
        "machine": machine(),
        "data_dir": str(data_dir()),
        "data_dir_from": DATA_DIR_ENV
        if os.environ.get(DATA_DIR_ENV)
        else "platform cache directory",
        "cache": [
            {k: (str(v) if k == "path" else v) for k, v in row.items() if k != "sha256_expected"}
            for row in cache_status()
        ],
    }
