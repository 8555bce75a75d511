"""Fixtures for the source tests: a private cache directory and a loopback HTTP server serving test files."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from redline.sources.fetch import FetchOptions

#: Downloads in tests: few, quick retries and short timeouts.
FAST = FetchOptions(retries=3, backoff=0.01, max_backoff=0.05, timeout=5.0)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("REDLINE_CACHE", str(cache))
    return cache


@dataclass
class Site:
    """What the loopback server answers: path -> body, plus scripted failures and a request log."""

    files: dict[str, bytes] = field(default_factory=dict)
    fail_first: dict[str, list[int]] = field(default_factory=dict)  # path -> status codes to answer first
    truncate_first: dict[str, int] = field(default_factory=dict)  # path -> times to send a short body first
    log: list[str] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            path = self.path.split("?", 1)[0]
            site.log.append(path)
            queue = site.fail_first.get(path)
            if queue:
                code = queue.pop(0)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = site.files.get(path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if site.truncate_first.get(path, 0) > 0:
                site.truncate_first[path] -= 1
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
            return

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield s
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
