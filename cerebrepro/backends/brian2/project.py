"""Compiled Brian2 standalone projects, cached in the data directory and reused.

A project lives in ``data_dir()/brian2/<digest>`` (or under ``$CEREBREPRO_BRIAN2_DIR``);
the digest covers everything the generated C++ depends on: the network's structure
(population sizes, connection rows, recorded cells, integration method, timestep,
duration), the OpenMP thread count, the Brian2 version, the source of the modules that
generate the code, and the compiler and machine the binary is built for (``-march=native``). Parameters, weights, delays and the
input spikes are not in it: they are passed to the compiled program when it runs.

The first run of a structure generates, compiles (under a file lock) and marks the
project complete; later runs only generate the Python side (needed to read the results)
and run the existing binary, each in its own results directory.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from cerebrepro.data.cache import data_dir
from cerebrepro.errors import SimulatorError

MARKER = "cerebrepro-project.json"
PROJECTS_ENV = "CEREBREPRO_BRIAN2_DIR"
PROJECT_FORMAT = 1  # bump when the way projects are generated changes in a way the digest misses


@dataclass(frozen=True)
class Compiler:
    """The C++ compiler Brian2's makefile uses (``$CXX``, else ``g++``) and its version line."""

    command: str
    path: str
    version: str


@dataclass(frozen=True)
class ProjectBuild:
    """Where a project is and whether this run compiled it."""

    directory: Path
    digest: str
    compiled: bool  # False: reused from the cache
    compile_s: float  # time spent in make by this run (0 when reused)


@contextmanager
def environment_restored() -> Iterator[None]:
    """Undo what Brian2 writes into ``os.environ`` to run a program (``LD_BIND_NOW=1``).

    Brian2 leaves its run environment set for the rest of the process, where every later
    subprocess would inherit it: with ``LD_BIND_NOW``, programs that load plugins lazily
    (SLURM's daemons, for one) fail to start.
    """
    before = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(before):
            del os.environ[key]
        for key, value in before.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


def openmp_threads(threads: int) -> int:
    """Brian2's ``openmp_threads`` for a thread count: 0 (no OpenMP at all) for one thread."""
    return int(threads) if threads > 1 else 0


def compile_jobs() -> int:
    """Parallel compiler jobs: one per core, at most 4 (Brian2's default ``make -j`` is unbounded)."""
    return max(1, min(os.cpu_count() or 1, 4))


def fresh_device(dt: float, threads: int) -> Any:
    """A new ``cpp_standalone`` device, made active, with clock ``dt`` (ms) and threads.

    Each network gets its own device object (Brian2's shared one is reset by every new
    network), so an earlier session can still run and read its results.
    """
    from brian2 import defaultclock, ms, prefs, set_device
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    device = CPPStandaloneDevice()
    set_device(device, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = openmp_threads(threads)
    prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{compile_jobs()}"]
    defaultclock.dt = dt * ms
    return device


def find_compiler() -> Compiler:
    """The C++ compiler and ``make``, with a clear error naming the fix if either is missing."""
    command = os.environ.get("CXX") or "g++"
    path = shutil.which(command.split()[0]) if command.strip() else None
    if path is None:
        raise SimulatorError(
            f"Brian2's C++ standalone mode needs a C++ compiler, but {command!r} was not found: "
            "install one (Debian/Ubuntu: `apt install g++`, or `apt install build-essential`; "
            "Fedora: `dnf install gcc-c++`; macOS: `xcode-select --install`), or set CXX to a compiler"
        )
    if shutil.which("make") is None:
        raise SimulatorError(
            "Brian2's C++ standalone mode needs `make`, which was not found: install it "
            "(Debian/Ubuntu: `apt install make`, or `apt install build-essential`)"
        )
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
        version = (out.stdout or out.stderr).splitlines()[0].strip()
    except (OSError, subprocess.SubprocessError, IndexError):
        version = "unknown"
    return Compiler(command, path, version)


OPENMP_PROBE = "#include <omp.h>\nint main() { return omp_get_max_threads() > 0 ? 0 : 1; }\n"


@functools.cache
def compiles_openmp(compiler_path: str) -> bool:
    """Whether ``compiler_path`` builds an OpenMP program (what Brian2 needs for threads > 1)."""
    with tempfile.TemporaryDirectory() as directory:
        try:
            out = subprocess.run(
                [compiler_path, "-fopenmp", "-x", "c++", "-", "-o", str(Path(directory) / "probe")],
                input=OPENMP_PROBE,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return False
    return out.returncode == 0


def _cpu_model() -> str:
    from cerebrepro.results.provenance import machine

    return str(machine().get("processor"))


def code_fingerprint(modules: tuple[Any, ...]) -> str:
    """sha256 of the source of the modules that generate a project's code."""
    h = hashlib.sha256()
    for module in modules:
        h.update(inspect.getsource(module).encode())
    return h.hexdigest()


def project_digest(structure: Mapping[str, object], threads: int, compiler: str, code: str) -> str:
    """The cache key of a compiled project (see the module docstring)."""
    import brian2
    from brian2 import prefs

    payload = {
        "format": PROJECT_FORMAT,
        "structure": structure,
        "openmp_threads": threads,
        "brian2": brian2.__version__,
        "code": code,
        "compiler": compiler,
        "compiler_flags": list(prefs["codegen.cpp.extra_compile_args_gcc"]),
        "machine": [platform.machine(), _cpu_model()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :24
    ]


def compile_network(
    device: Any, structure: Mapping[str, object], threads: int, compiler: Compiler
) -> ProjectBuild:
    """Compile the network generated on ``device`` (or reuse its cached project)."""
    from cerebrepro.backends.brian2 import model, network, stimulus
    from cerebrepro.backends.brian2.conventions import REFRACTORY_EXTRA_STEPS

    code = code_fingerprint((model, network, stimulus)) + f";refractory+{REFRACTORY_EXTRA_STEPS}"
    digest = project_digest(structure, openmp_threads(threads), compiler.version, code)
    return build_project(device, project_directory(digest), digest, compiler)


def projects_root() -> Path:
    """Where compiled projects live: ``$CEREBREPRO_BRIAN2_DIR`` or ``data_dir()/brian2``."""
    override = os.environ.get(PROJECTS_ENV)
    return Path(override) if override else data_dir() / "brian2"


def project_directory(digest: str) -> Path:
    return projects_root() / digest


def _is_complete(directory: Path, digest: str) -> bool:
    try:
        marker = json.loads((directory / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return marker.get("digest") == digest and (directory / "main").is_file()


def build_project(device: Any, directory: Path, digest: str, compiler: Compiler) -> ProjectBuild:
    """Compile the generated project into ``directory``, or reuse it if it is complete."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{directory}.lock"):
        if _is_complete(directory, digest):
            device.project_dir = str(directory)
            return ProjectBuild(directory, digest, compiled=False, compile_s=0.0)
        (directory / MARKER).unlink(missing_ok=True)
        started = time.perf_counter()
        try:
            device.build(directory=str(directory), compile=True, run=False, with_output=False)
        except RuntimeError as exc:
            raise SimulatorError(
                f"Brian2 could not compile the network with {compiler.path} ({compiler.version}): {exc} "
                f"(project: {directory})"
            ) from exc
        compile_s = time.perf_counter() - started
        marker = {"digest": digest, "compiler": compiler.version, "compile_s": compile_s}
        (directory / MARKER).write_text(json.dumps(marker, indent=1))
    return ProjectBuild(directory, digest, compiled=True, compile_s=compile_s)


def new_results_directory(project: Path) -> Path:
    """A fresh results directory for one run inside ``project`` (runs never share one)."""
    path = project / "results" / f"run-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    path.mkdir(parents=True)
    return path


def run_project(
    device: Any,
    project: Path,
    results: Path,
    values: Mapping[str, float],
    arrays: Mapping[str, np.ndarray] | None = None,
) -> float:
    """Run the compiled program with ``values`` and ``arrays`` set on its command line; seconds it reported.

    A value goes on the command line as a number; an array (one value per cell, in the
    variable's dtype) as a file in ``results``, which the program reads by its path. The
    run's input files must already be in ``results`` (a directory inside ``project``).
    """
    arguments = [f"{name}={float(value)!r}" for name, value in values.items()]
    for name, array in (arrays or {}).items():
        path = (results / f"cerebrepro_value_{name}.bin").resolve()
        np.ascontiguousarray(array).tofile(path)
        arguments.append(f"{name}={path}")
    try:
        with environment_restored():
            device.run(
                directory=str(project),
                results_directory=str(results.relative_to(project)),
                with_output=False,
                run_args=arguments,
            )
    except RuntimeError as exc:
        stdout = results / "stdout.txt"
        detail = stdout.read_text()[-2000:] if stdout.is_file() else ""
        raise SimulatorError(
            f"the compiled Brian2 network failed ({exc}) {detail}".strip()
        ) from exc
    return float(getattr(device, "_last_run_time", float("nan")) or float("nan"))
