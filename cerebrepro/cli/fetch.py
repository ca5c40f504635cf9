"""`cerebrepro fetch`: download the manifest's data files into the cache and verify them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.render.data import print_skipped, print_status
from cerebrepro.data.fetch import cache_status, fetch_each, fetch_selection
from cerebrepro.errors import FetchError


@app.command(
    "fetch",
    help="Download data files into the cache, verify their sha256 and show what the cache holds."
    "\n\nFiles land in the data directory ($CEREBREPRO_DATA_DIR or the user cache) under their "
    "manifest name, only after their checksum matched. A file with no published checksum "
    "(the scaffold) needs --accept-new once; its sha256 is then recorded and enforced.",
)
def fetch_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME",
            help="Files to fetch, by manifest name. Default: every file with a known checksum.",
            show_default=False,
        ),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            metavar="URL",
            help="Fetch from URL/NAME instead of the manifest's URLs (which are then not tried).",
        ),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="DIR",
            help="Copy DIR/NAME (a copy obtained elsewhere) instead of downloading; it is verified.",
            file_okay=False,
        ),
    ] = None,
    accept_new: Annotated[
        bool,
        typer.Option(
            "--accept-new",
            help="Accept a file with no published checksum; its sha256 is recorded and enforced later.",
        ),
    ] = False,
    all_files: Annotated[
        bool, typer.Option("--all", help="Fetch every file of the manifest.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a server before giving up on it.")
    ] = 30.0,
    retries: Annotated[int, typer.Option(help="Further attempts per URL after a failure.")] = 2,
) -> None:
    """Fetch the selected files, then print the cache status; failures are raised together."""
    selected, skipped = fetch_selection(names or [], all_files, accept_new)
    print_skipped(skipped)
    failures = fetch_each(
        selected,
        mirror=mirror,
        from_dir=from_dir,
        accept_new=accept_new,
        timeout=timeout,
        retries=retries,
    )
    print_status(cache_status(), {entry.name for entry in selected})
    if failures:
        raise FetchError("\n".join(failures))
