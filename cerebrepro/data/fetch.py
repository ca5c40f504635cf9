"""Checksummed downloads into the data cache: pooch moves the bytes, filelock keeps processes apart.

A file reaches its final name in the cache only after its sha256 matched: pooch streams
into a temporary file beside it, the downloader below verifies that file, and pooch
renames it into place only when the verification passed (otherwise it deletes it).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pooch
from filelock import FileLock
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from cerebrepro.data.accepted import accepted_hash, accepted_hashes_path, record_accepted_hash
from cerebrepro.data.cache import (
    DATA_DIR_ENV,
    atomic_path,
    data_dir,
    honour_umask,
    remove_stale_parts,
    writable_data_dir,
)
from cerebrepro.data.manifest import Entry, load_manifest
from cerebrepro.errors import DataDirError, FetchError

_CHUNK = 1 << 16  # bytes per read from the server


def trusted_sha256(entry: Entry) -> str | None:
    """The sha256 a file must match: the manifest's, else the one the user accepted earlier."""
    return entry.sha256 or accepted_hash(entry.name)


def cached_path(name: str) -> Path | None:
    """The cached file ``name`` if it is present and matches its trusted sha256, else None."""
    entry = load_manifest().get(name)
    expected = trusted_sha256(entry)
    path = data_dir() / entry.name
    return path if expected is not None and _has_sha256(path, expected) else None


def cache_status() -> list[dict[str, Any]]:
    """One row per manifest file: where it is cached, whether it is there and verified.

    Keys: name, kind, path, present, verified, trust ("manifest", "accepted" or
    "unaccepted"), sha256_expected, sha256_actual (None when absent).
    """
    rows = []
    for entry in load_manifest():
        path = data_dir() / entry.name
        expected = trusted_sha256(entry)
        actual = pooch.file_hash(str(path)) if path.is_file() else None
        rows.append(
            {
                "name": entry.name,
                "kind": entry.kind,
                "path": path,
                "present": actual is not None,
                "verified": actual is not None and actual == expected,
                "trust": _trust(entry, expected),
                "sha256_expected": expected,
                "sha256_actual": actual,
            }
        )
    return rows


def fetch(
    name: str,
    *,
    mirror: str | None = None,
    from_dir: Path | None = None,
    accept_new: bool = False,
    progress: bool = True,
    timeout: float = 30,
    retries: int = 2,
) -> Path:
    """Make sure the manifest file ``name`` is in the data cache, verified; return its path.

    Parameters
    ----------
    name: a file name listed in the manifest.
    mirror: a base URL that replaces the manifest's URLs: the file is fetched from
        ``<mirror>/<name>`` only.
    from_dir: a directory holding a copy of the file (``<from_dir>/<name>``); it is copied,
        verified and then moved into place, with no network access.
    accept_new: allow a file with no published checksum; the sha256 seen is recorded in
        the user's accepted-hash file and enforced from then on.
    progress: draw a Rich progress bar on stderr while downloading.
    timeout: seconds to wait for the server to connect or send more bytes; a stalled
        server costs at most about ``(retries + 1) * timeout`` plus pooch's pauses of
        1 s, 2 s, ... between attempts.
    retries: further attempts per URL after a failed one.

    Raises FetchError naming every URL tried and why it failed, and what to try instead;
    ManifestError when the manifest is malformed.

    Example: ``fetch("400x400_stimulus_3.npz", mirror="http://127.0.0.1:8000")``.
    """
    entry = load_manifest().get(name)
    if mirror is not None and from_dir is not None:
        raise FetchError("give either --mirror or --from, not both")
    urls = _urls(entry, mirror)
    expected = trusted_sha256(entry)
    if expected is None and not accept_new:
        raise FetchError(
            f"{entry.name} has no published checksum (see {entry.landing_page}). To trust the "
            f"copy you obtain now, run `cerebrepro fetch {entry.name} --accept-new`: its sha256 "
            f"is recorded in {accepted_hashes_path()} and checked on every later fetch"
        )
    target = data_dir() / entry.name
    if expected is not None and _has_sha256(target, expected):
        return target
    _require_writable()
    try:
        with FileLock(f"{target}.lock"):
            _obtain(entry, target, urls, from_dir, progress, timeout, retries)
    except OSError as exc:
        raise FetchError(
            f"cannot write {target}: {exc.strerror or exc}; "
            f"set {DATA_DIR_ENV} to a writable directory"
        ) from exc
    return target


def _obtain(
    entry: Entry,
    target: Path,
    urls: tuple[str, ...],
    from_dir: Path | None,
    progress: bool,
    timeout: float,
    retries: int,
) -> None:
    """Place a verified copy at ``target``; the caller holds the file's lock."""
    expected = trusted_sha256(entry)  # another process may have accepted it meanwhile
    if expected is not None and _has_sha256(target, expected):
        return
    target.unlink(missing_ok=True)  # an unverified file never stays under the final name
    remove_stale_parts(target)  # left by a killed fetch; we hold the lock
    if from_dir is not None:
        source, sha256 = _copy_verified(entry, Path(from_dir) / entry.name, target, expected)
    else:
        source, sha256 = _download(entry, urls, target, expected, progress, timeout, retries)
    if expected is None:
        record_accepted_hash(entry.name, sha256, source)


def _download(
    entry: Entry,
    urls: tuple[str, ...],
    target: Path,
    expected: str | None,
    progress: bool,
    timeout: float,
    retries: int,
) -> tuple[str, str]:
    """Try each URL in turn; return the one that worked and the sha256 received."""
    import requests  # pooch's HTTP client; imported here to keep start-up fast

    failures = []
    for url in urls:
        bar = _RichProgressBar(entry.name) if progress else None
        verifier = _VerifyingDownloader(
            pooch.HTTPDownloader(progressbar=bar or False, chunk_size=_CHUNK, timeout=timeout),
            expected,
            _expected_origin(entry),
            entry.size,
        )
        fetcher = pooch.create(
            path=target.parent,
            base_url="",
            registry={entry.name: None},  # verified by the downloader, see the module docstring
            urls={entry.name: url},
            retry_if_failed=retries,
        )
        try:
            fetcher.fetch(entry.name, downloader=verifier)
            honour_umask(target)
            return url, str(verifier.sha256)
        except ValueError as exc:
            failures.append(f"{url}: {exc}")
        except requests.RequestException as exc:
            failures.append(f"{url}: {_describe(exc, timeout)}")
        finally:
            if bar is not None:
                bar.close()
    attempts = f" ({retries + 1} attempts each)" if retries else ""
    raise FetchError(
        f"could not download {entry.name}; tried{attempts}:\n"
        + "".join(f"  - {failure}\n" for failure in failures)
        + _alternatives(entry)
    )


def _copy_verified(
    entry: Entry, source: Path, target: Path, expected: str | None
) -> tuple[str, str]:
    """Copy a pre-staged file into place once its sha256 matched; return its path and hash."""
    if not source.is_file():
        raise FetchError(f"--from {source.parent}: there is no file {entry.name} in it")
    if entry.size is not None and source.stat().st_size != entry.size:
        raise FetchError(
            f"{source} has {source.stat().st_size:,} bytes, the manifest declares {entry.size:,}; "
            "nothing was copied"
        )
    with atomic_path(target) as staged:
        shutil.copyfile(source, staged)
        sha256 = pooch.file_hash(str(staged))
        if expected is not None and sha256 != expected:
            raise FetchError(
                f"{source} does not match: sha256 expected {expected} "
                f"({_expected_origin(entry)}), got {sha256}; nothing was copied"
            )
    return str(source), sha256


def _urls(entry: Entry, mirror: str | None) -> tuple[str, ...]:
    if mirror is None:
        return entry.urls
    if not mirror.startswith(("http://", "https://")):
        raise FetchError(
            f"--mirror {mirror!r} is not an http(s) URL; for a local directory use --from DIR"
        )
    return (f"{mirror.rstrip('/')}/{entry.name}",)


def _has_sha256(path: Path, expected: str) -> bool:
    return path.is_file() and pooch.file_hash(str(path)) == expected


def _trust(entry: Entry, expected: str | None) -> str:
    if entry.sha256 is not None:
        return "manifest"
    return "accepted" if expected is not None else "unaccepted"


def _expected_origin(entry: Entry) -> str:
    if entry.sha256 is not None:
        return "from the manifest"
    return f"accepted earlier, recorded in {accepted_hashes_path()}"


def _require_writable() -> None:
    try:
        writable_data_dir()
    except DataDirError as exc:
        raise FetchError(str(exc)) from exc


def _alternatives(entry: Entry) -> str:
    """What to try when no URL worked."""
    options = [
        f"--mirror URL (a server holding the file at URL/{entry.name})",
        f"--from DIR (a directory holding a copy of {entry.name})",
    ]
    if entry.kind == "scaffold":
        options.append("the offline rebuild `cerebrepro scaffold build`")
    return f"Try {', '.join(options[:-1])} or {options[-1]}. The file is described at {entry.landing_page}"


def _describe(exc: Exception, timeout: float) -> str:
    """A short reason for a failed HTTP transfer."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}"
    text = str(exc)
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the transfer broke off before the end (truncated download)"
    errno = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    if isinstance(exc, requests.ConnectionError) and errno:
        return f"cannot connect: {errno.group(0)}"
    return text


class _VerifyingDownloader:
    """A pooch downloader that checks the bytes it received before pooch moves them into place.

    Pooch calls it with a temporary file and renames that file to its final name only if the
    call returns; the ValueError raised on a mismatch makes pooch delete it (and retry).
    """

    def __init__(
        self,
        download: pooch.HTTPDownloader,
        expected: str | None,
        origin: str,
        size: int | None = None,
    ):
        self._download = download
        self._expected = expected
        self._origin = origin
        self._size = size
        self.sha256: str | None = None

    def __call__(self, url: str, output_file: str, pooch_instance: pooch.Pooch) -> None:
        with open(output_file, "w+b") as handle:
            self._download(url, _SizeLimit(handle, self._size), pooch_instance)
        self.sha256 = pooch.file_hash(output_file)
        if self._expected is not None and self.sha256 != self._expected:
            size = os.path.getsize(output_file)
            raise ValueError(
                f"sha256 mismatch: expected {self._expected} ({self._origin}), "
                f"got {self.sha256} ({size:,} bytes received); the download was deleted"
            )


class _SizeLimit:
    """A file pooch writes into that refuses more bytes than the manifest declares.

    The ValueError stops the transfer at the first chunk beyond the declared size, so a
    mirror serving far more than declared costs at most one chunk more than the file.
    """

    def __init__(self, handle: Any, size: int | None):
        self._handle = handle
        self._size = size
        self.written = 0

    def write(self, chunk: bytes) -> int:
        self.written += len(chunk)
        if self._size is not None and self.written > self._size:
            raise ValueError(
                f"the server sent more than the {self._size:,} bytes the manifest declares; "
                "the transfer was stopped and the partial file deleted"
            )
        return self._handle.write(chunk)

    def flush(self) -> None:
        self._handle.flush()


class _RichProgressBar:
    """A Rich progress bar speaking pooch's protocol: ``total``, ``update``, ``reset``, ``close``."""

    def __init__(self, label: str):
        self._label = label
        self._total = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._task = self._progress.add_task(self._label)
            self._progress.start()
        self.reset()

    def update(self, advance: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, advance)

    def reset(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.reset(self._task, total=self._total or None)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def fetch_selection(
    names: list[str], all_files: bool, accept_new: bool
) -> tuple[list[Entry], list[Entry]]:
    """The manifest entries ``cerebrepro fetch`` gets, and those it skips.

    Named files, or every file with ``all_files``; by default the files with a known
    checksum (all of them with ``accept_new``): the others are skipped, to be fetched by
    name with ``--accept-new``.
    """
    manifest = load_manifest()
    if names and all_files:
        raise FetchError("give NAMEs or --all, not both")
    if names:
        return [manifest.get(name) for name in names], []
    if all_files:
        return list(manifest), []
    selected = [entry for entry in manifest if accept_new or trusted_sha256(entry) is not None]
    return selected, [entry for entry in manifest if entry not in selected]


def fetch_each(entries: list[Entry], **options: Any) -> list[str]:
    """:func:`fetch` every entry (keyword ``options`` as there); the failures' messages, not raised."""
    failures = []
    for entry in entries:
        try:
            fetch(entry.name, **options)
        except FetchError as exc:
            failures.append(str(exc))
    return failures
