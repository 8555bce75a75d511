"""Dashboard first load on loopback, measured in Debian's chromium: from navigation to the dyad chart drawn.

Each run opens a fresh browser context (empty cache) against `redline serve` in its own process; the first run
also meets the service's cold result cache. Prints one JSON line. Target (issue 6): <= 2 s.

  python benchmarks/service/dashboard_load.py --store out/demo.duckdb --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from common import Server, percentiles

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warm", type=int, default=0, help="serve --warm N (0: the first load meets a cold cache)")
    ap.add_argument("--ready", action="store_true", help="Wait for the warm-up to finish before the first load "
                    "(a service that has been running a while).")
    ap.add_argument("--dyad", default="CHN,PRK")
    a = ap.parse_args()
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright.sync_api import sync_playwright

    a_code, b_code = a.dyad.split(",")
    loads: list[float] = []
    detail: list[dict[str, Any]] = []
    with Server(Path(a.store), "--warm", str(a.warm)) as srv, sync_playwright() as pw:
        if a.ready:
            import httpx

            deadline = time.time() + 600
            while time.time() < deadline:
                info = httpx.get(srv.base + "/api/info", timeout=60).json()
                if info["warm"]["done"]:
                    break
                time.sleep(0.5)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
        try:
            for _ in range(a.runs):
                ctx = browser.new_context(viewport={"width": 1300, "height": 900})
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(f"{srv.base}/ui/#dyad/{a_code}/{b_code}/month")
                page.wait_for_selector("#dyad-chart g.point path", timeout=120_000)
                ms = (time.perf_counter() - t0) * 1000
                nav = page.evaluate(
                    "() => { const n = performance.getEntriesByType('navigation')[0];"
                    " const end = (p) => { const r = performance.getEntriesByType('resource')"
                    "   .find((e) => e.name.includes(p)); return r ? r.responseEnd : -1; };"
                    " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
                    "  plotly: end('/ui/plotly.min.js'), figure: end('/api/dyad/figure')}; }")
                loads.append(ms)
                detail.append({"chart_ms": round(ms, 1), "dom_content_loaded_ms": round(nav["dcl"], 1),
                               "load_event_ms": round(nav["load"], 1),
                               "plotly_received_ms": round(nav["plotly"], 1),
                               "figure_received_ms": round(nav["figure"], 1)})
                ctx.close()
        finally:
            browser.close()
    out: dict[str, Any] = {"benchmark": "service.dashboard_first_load", "store": Path(a.store).name,
                           "dyad": a.dyad, "warm": a.warm, "ready": a.ready, "target_ms": 2000,
                           "first_ms": round(loads[0], 1),
                           "runs": percentiles(loads), "detail": detail}
    out["pass"] = bool(max(loads) <= 2000)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
