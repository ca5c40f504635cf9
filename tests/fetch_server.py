"""A real HTTP server on 127.0.0.1 for the data-layer tests, and the fixtures built on it.

Test modules import the helpers and load the fixtures with ``pytest_plugins = ["fetch_server"]``.
PYTEST_DONT_REWRITE: it holds no assertions, and the test modules import it before pytest would.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STIMULUS = "400x400_stimulus_3.npz"
STIMULUS_SHA256 = "5f594617e625579e6403d92e639b8fd069f4eeca213a0e9e5579931ba55faed0"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    declared_length: int | None = None  # a Content-Length larger than the body: truncation
    stall: float = 0.0  # seconds to hold the connection without answering
    chunk_delay: float = 0.0  # seconds between 64 KiB chunks: a slow download


class FileServer:
    """A threaded HTTP server with scripted routes; ``requests`` logs every path asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, address: None  # clients hang up on purpose
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def add(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``/path``; return its URL."""
        self.routes[f"/{path}"] = route
        return f"{self.base_url}/{path}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                server.requests.append(self.path)
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                elif route.stall:
                    server._stopping.wait(route.stall)
                    self.close_connection = True
                elif route.status != 200:
                    self.send_error(route.status)
                else:
                    self._send(route)

            def _send(self, route: Route) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(route.declared_length or len(route.body)))
                self.end_headers()
                for start in range(0, len(route.body), 1 << 16):
                    self.wfile.write(route.body[start : start + (1 << 16)])
                    self.wfile.flush()
                    time.sleep(route.chunk_delay)
                self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def leftovers(directory: Path) -> list[str]:
    """What a directory holds besides lock files: after a failed fetch, this must be empty."""
    if not directory.exists():
        return []
    return sorted(path.name for path in directory.iterdir() if not path.name.endswith(".lock"))


def manifest_entry(name: str, urls: list[str], sha256: str, kind: str = "stimulus") -> dict:
    """A manifest entry with every field filled in."""
    return {
        "name": name,
        "kind": kind,
        "description": f"test file {name}",
        "citation": "none",
        "licence": "CC0-1.0",
        "landing_page": "https://example.org/landing",
        "urls": urls,
        "sha256": sha256,
        "size": None,
    }


@pytest.fixture(scope="session")
def stimulus_bytes() -> bytes:
    """The published stimulus npz (a copy kept in ../shared/data beside the repository)."""
    path = SHARED_DATA / STIMULUS
    if not path.is_file():
        pytest.skip(f"the published stimulus is not at {path}")
    return path.read_bytes()


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data cache (``$CEREBREPRO_DATA_DIR``), not yet created."""
    path = tmp_path / "cache"
    monkeypatch.setenv("CEREBREPRO_DATA_DIR", str(path))
    return path


@pytest.fixture
def use_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write a manifest of the given entries and make it the one in use (``$CEREBREPRO_MANIFEST``)."""

    def write(*entries: dict) -> Path:
        path = tmp_path / "manifest.yaml"
        path.write_text(yaml.safe_dump({"version": 1, "files": list(entries)}), encoding="utf-8")
        monkeypatch.setenv("CEREBREPRO_MANIFEST", str(path))
        return path

    return write
