"""A small store built by hand, the app on it, a live server on a loopback port, and Debian's chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from redline.records import Document, Event, Provenance

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "s3cret-token-for-tests"
REPO = Path(__file__).resolve().parents[2]


def _ev(i: int, date: str, src: str, tgt: str, cameo: str, quad: int, gold: float, text: str = "",
        doc: str = "", **kw: Any) -> Event:
    return Event(
        event_id=f"t{i:04d}", date=dt.date.fromisoformat(date), source=src, target=tgt, cameo=cameo,
        quad_class=quad, goldstein=gold, source_country=src[:3], target_country=tgt[:3],
        provenance=Provenance(dataset="coder.test", locator=f"doc:{doc}" if doc else f"row:{i}", doc_id=doc,
                              sentence_index=0 if doc else None, text=text, model="rules" if doc else "",
                              url=f"https://example.org/{doc}" if doc else "", confidence=0.9 if doc else None),
        **kw,
    )


def sample_events() -> list[Event]:
    """CHN-PRK over three months (with coded sentences), plus KOR/USA/JPN background."""
    out = [
        _ev(1, "2024-01-05", "CHN", "PRK", "042", 1, 1.9, "Chinese officials visited Pyongyang on Friday.", "d1"),
        _ev(2, "2024-01-20", "PRK", "CHN", "036", 1, 4.0, "North Korea said it wants closer ties with Beijing.",
            "d1"),
        _ev(3, "2024-02-11", "CHN", "PRK", "163", 4, -8.0, "China halted oil shipments to North Korea.", "d2"),
        _ev(4, "2024-02-12", "CHNGOV", "PRKGOV", "112", 3, -2.0, "Beijing accused Pyongyang of provocation.",
            "d2"),
        _ev(5, "2024-03-03", "PRK", "CHN", "057", 2, 8.0, "The two sides signed a trade agreement.", "d3"),
        _ev(6, "2024-03-04", "GBR", "IND", "036", 1, 4.0, "London praised New Delhi.", "d3#2"),
    ]
    i = 100
    for m in range(1, 4):
        for d, (s, t, c, q, g) in enumerate([("USA", "KOR", "042", 1, 1.9), ("KOR", "PRK", "112", 3, -2.0),
                                             ("JPN", "PRK", "130", 3, -4.4), ("USA", "CHN", "036", 1, 4.0)]):
            out.append(_ev(i, f"2024-{m:02d}-{d + 2:02d}", s, t, c, q, g))
            i += 1
    return out


def sample_documents() -> list[Document]:
    return [Document(doc_id=f"d{k}", text=f"Body of article {k}.", date=dt.date(2024, k, 1),
                     title=f"Test article {k}", url=f"https://example.org/d{k}", source="Test Wire")
            for k in (1, 2, 3)]


def build_store(path: Path) -> Path:
    from redline.store import Store

    with Store.open(path) as st:
        st.ingest_events(sample_events(), dataset="coder.test", origin="tests")
        st.add_documents(sample_documents())
    return path


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    return build_store(tmp_path / "svc.duckdb")


@pytest.fixture
def client(store_file: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from redline.service import create_app

    app = create_app(store_file, token=TOKEN, max_upload_bytes=4096)
    with TestClient(app) as c:
        yield c
    app.state.handle.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn in a thread on 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 15
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def ensure_chromium() -> str | None:
    """Path of Debian's chromium, installing it with apt when missing and possible; None (a reason) otherwise."""
    if Path(CHROMIUM).exists():
        return None
    if shutil.which("apt-get") is None:
        return "chromium is missing and apt-get is not available to install it"
    if os.geteuid() != 0:
        return "chromium is missing and installing it with apt needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"], check=True,
                       capture_output=True, timeout=900, env=env)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"chromium is missing and `apt-get install chromium` failed: {exc}"
    return None if Path(CHROMIUM).exists() else "apt-get installed no /usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"  # never let Playwright fetch a browser of its own
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("python playwright is not installed (pip install -e '.[dev]')")
    reason = ensure_chromium()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def artefacts() -> Path:
    """Where screenshots go: $REDLINE_TEST_ARTIFACTS, else artifacts/service/ in the checkout (gitignored)."""
    d = Path(os.environ.get("REDLINE_TEST_ARTIFACTS") or REPO / "artifacts" / "service")
    d.mkdir(parents=True, exist_ok=True)
    return d
