"""Shared by the tests/test_bad_inputs_*.py suites: run the CLI in-process, snapshot directories.

``cli`` goes through the real entry point (``cerebrepro.cli.main.app``), so a CerebreproError
becomes the one-line message and exit code 2 exactly as for a user; any other exception
propagates and fails the test (a traceback would have reached the user).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Outcome:
    code: int
    output: str  # stdout and stderr together


def cli(*args: str) -> Outcome:
    """Run ``cerebrepro ARGS`` in this process; its exit code and everything it printed."""
    from cerebrepro.cli import main

    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["cerebrepro", *map(str, args)]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            main.app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    return Outcome(code, out.getvalue())


def snapshot(*directories: Path) -> dict[str, str]:
    """Every file under ``directories`` (recursively) and the sha256 of its content."""
    files = {}
    for directory in directories:
        if not Path(directory).exists():
            continue
        for path in sorted(Path(directory).rglob("*")):
            if path.is_file():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_dir():
                files[str(path)] = "dir"
    return files


def assert_refused(outcome: Outcome, *names: str) -> None:
    """Exit code 2, one clear message naming each of ``names``, no traceback."""
    assert outcome.code == 2, outcome.output
    assert "Traceback" not in outcome.output, outcome.output
    assert "error:" in outcome.output, outcome.output
    flat = "".join(outcome.output.split())  # Rich may wrap long paths anywhere
    for name in names:
        assert "".join(str(name).split()) in flat, (name, outcome.output)
