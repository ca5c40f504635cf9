"""Entry point: import the command modules, run the app, turn known errors into messages."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("PYNEST_QUIET", "1")

from cerebrepro.cli import commands  # noqa: E402,F401  (registers every command)
from cerebrepro.cli.app import app as typer_app  # noqa: E402
from cerebrepro.cli.render.console import print_error  # noqa: E402
from cerebrepro.errors import CerebreproError  # noqa: E402


def app() -> None:
    """Run the CLI; a CerebreproError becomes a one-line message and exit code 2."""
    try:
        typer_app()
    except CerebreproError as exc:
        print_error(exc)
        sys.exit(2)


if __name__ == "__main__":
    app()
