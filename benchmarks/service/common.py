"""Shared by the service benchmarks: build a GDELT-shaped store, run `redline serve` on loopback, percentiles."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "store"))


def build_store(work: Path, rows: int, tsv: str | None = None) -> tuple[Path, float]:
    """A store of ``rows`` generated GDELT 2.0 rows (gen_gdelt.py, seed 7) under ``work``; reused if present."""
    from gen_gdelt import generate

    from redline.store import Store

    work.mkdir(parents=True, exist_ok=True)
    store = work / f"svc_{rows}.duckdb"
    if store.exists():
        return store, 0.0
    src = Path(tsv) if tsv else work / f"gdelt2_{rows}.tsv"
    started = time.perf_counter()
    if not src.exists():
        generate(str(src), rows)
    with Store.open(store) as st:
        st.ingest("gdelt.v2", [str(src)])
    return store, time.perf_counter() - started


class Server:
    """`redline serve` in a subprocess on 127.0.0.1 (port chosen by the OS); the URL it prints."""

    def __init__(self, store: Path, *extra: str) -> None:
        self.cmd = [sys.executable, "-m", "redline.cli", "serve", "--store", str(store), "--host", "127.0.0.1",
                    "--port", "0", *extra]
        self.proc: subprocess.Popen[str] | None = None
        self.base = ""

    def __enter__(self) -> Server:
        import httpx

        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("dashboard:"):
                self.base = line.split()[1].removesuffix("/ui/")
                break
            if not line and self.proc.poll() is not None:
                raise RuntimeError("redline serve exited")
        if not self.base.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"not a loopback URL: {self.base!r}")
        while time.time() < deadline:
            try:
                httpx.get(self.base + "/api/info", timeout=30)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the service did not answer")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def percentiles(ms: list[float]) -> dict[str, Any]:
    if not ms:
        return {"n": 0}
    s = sorted(ms)

    def q(p: float) -> float:
        return round(s[min(len(s) - 1, max(0, int(round(p * len(s))) - 1))], 1)

    return {"n": len(s), "p50_ms": q(0.50), "p95_ms": q(0.95), "p99_ms": q(0.99), "max_ms": round(s[-1], 1),
            "mean_ms": round(sum(s) / len(s), 1)}
