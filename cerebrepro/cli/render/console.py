"""The consoles every command prints to, and the one way a value enters Rich markup.

Rich reads ``[...]`` in a printed string as a style, so a file named ``run[/].h5`` or a
provenance value holding ``[bold]`` would be mangled or raise ``MarkupError``; a control
character read from a file could move the cursor or clear the terminal. Every value
interpolated into markup (and every table cell, which Rich also reads as markup) goes
through :func:`safe_text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape

# Rich looks up sys.stdout / sys.stderr and the terminal's width each time it prints, so
# module-level consoles follow a redirected stream (tests, pipes) and a resized terminal.
console = Console()
err_console = Console(stderr=True)

PLAIN_WIDTH = 120  # columns of wide tables when the output is not a terminal (logs, pipes)

# C0 controls except newline, DEL and the C1 controls: terminal commands, never text
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def safe_text(value: object) -> str:
    """``value`` as markup that prints literally: control characters removed, ``[`` escaped."""
    return escape(_CONTROL.sub("", str(value)))


def console_for(stderr: bool) -> Console:
    """The shared console of standard error or standard output."""
    return err_console if stderr else console


def wide_console() -> Console:
    """A console for tables wider than 80 columns: the terminal's width, else PLAIN_WIDTH.

    Rich gives a pipe or a log 80 columns and would cut such tables; a terminal keeps its own.
    """
    return console if console.is_terminal else Console(width=PLAIN_WIDTH)


@contextmanager
def status(message: str, show: bool = True) -> Iterator[Callable[[str], None]]:
    """A spinner with a line of text while something runs (none unless ``show``); yields the
    function that changes the text."""
    if not show:
        yield lambda text: None
        return
    with console.status(safe_text(message)) as shown:
        yield lambda text: shown.update(safe_text(text))


def wrote(path: object, stderr: bool = False) -> None:
    """``wrote PATH``, the line every command prints for a file it wrote (on stderr beside JSON output)."""
    console_for(stderr).print(f"wrote {safe_text(path)}", highlight=False)


def print_error(exc: BaseException) -> None:
    """A known error as one line on standard error (its text may quote a file name with ``[``)."""
    err_console.print(f"[bold red]error:[/] {safe_text(exc)}", highlight=False)
