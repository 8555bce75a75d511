"""Dyad-series endpoint under load: latency percentiles with N concurrent clients (loopback only, bounded).

Phases against `redline serve` in its own process:
  uncached:  no result cache: every request computes its series (from the store's dyad-day summary);
  cached:    the default result cache, primed by one request per dyad, then the same load.
Requests pick country dyads at random (seeded) among the store's busiest countries, by month.
Prints one JSON line. Target (issue 6): p95 <= 200 ms with 16 clients over a 10-million-event store, no errors.

  python benchmarks/service/dyad_load.py --store /tmp/x.duckdb          # an existing store
  python benchmarks/service/dyad_load.py --rows 10000000 --work /tmp/w  # build one with gen_gdelt.py
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

from common import Server, build_store, percentiles


def load(base: str, pairs: list[tuple[str, str]], *, clients: int, requests: int, seconds: float, seed: int,
         by: str) -> dict[str, Any]:
    import httpx

    rng = random.Random(seed)
    plan = [rng.choice(pairs) for _ in range(requests)]
    it = iter(plan)
    lock = threading.Lock()
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            while time.perf_counter() < deadline:
                with lock:
                    nxt = next(it, None)
                if nxt is None:
                    return
                t0 = time.perf_counter()
                try:
                    r = c.get("/api/dyad", params={"a": nxt[0], "b": nxt[1], "by": by})
                    ok = r.status_code == 200 and "series" in r.json()
                except httpx.HTTPError as exc:
                    ok, r = False, exc  # type: ignore[assignment]
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    lat.append(ms)
                    if not ok:
                        errors.append(str(getattr(r, "status_code", r))[:80])

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    out = percentiles(lat)
    out.update({"errors": len(errors), "error_kinds": sorted(set(errors))[:5], "seconds": round(wall, 1),
                "rps": round(len(lat) / wall, 1) if wall else 0.0, "planned": requests,
                "stopped_by_time": len(lat) < requests})
    return out


def dyads(base: str, countries: int) -> tuple[list[tuple[str, str]], int]:
    import httpx

    info = httpx.get(base + "/api/info", timeout=60).json()
    acts = httpx.get(base + "/api/actors", params={"limit": 200}, timeout=300).json()["actors"]
    codes = [a["code"] for a in acts if a["kind"] == "country" and a["events"] > 0][:countries]
    return list(itertools.combinations(codes, 2)), int(info["events"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", help="An existing store (else one is built with --rows under --work).")
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--work", default="/tmp/redline-svc-bench")
    ap.add_argument("--tsv", help="A generated GDELT file to ingest instead of generating one.")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=800, help="Requests per phase (bounded).")
    ap.add_argument("--seconds", type=float, default=120, help="Time limit per phase.")
    ap.add_argument("--countries", type=int, default=14)
    ap.add_argument("--by", default="month")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phases", default="uncached,cached")
    a = ap.parse_args()

    build_s = 0.0
    if a.store:
        store = Path(a.store)
    else:
        store, build_s = build_store(Path(a.work), a.rows, a.tsv)
    result: dict[str, Any] = {"benchmark": "service.dyad_series", "store": store.name, "clients": a.clients,
                              "by": a.by, "target_p95_ms": 200, "build_seconds": round(build_s, 1)}
    phases = a.phases.split(",")
    settings = {"uncached": ["--cache-size", "0", "--warm", "0"], "cached": ["--warm", "0"]}
    for ph in phases:
        with Server(store, *settings[ph]) as srv:
            pairs, events = dyads(srv.base, a.countries)
            result.update({"events": events, "dyads": len(pairs)})
            if ph == "cached":
                import httpx

                t0 = time.perf_counter()
                for x, y in pairs:  # prime: one request per dyad
                    httpx.get(srv.base + "/api/dyad", params={"a": x, "b": y, "by": a.by}, timeout=300)
                result["prime_seconds"] = round(time.perf_counter() - t0, 1)
            result[ph] = load(srv.base, pairs, clients=a.clients, requests=a.requests, seconds=a.seconds,
                              seed=a.seed + phases.index(ph), by=a.by)
    for ph in settings:
        if ph in result:
            result[f"{ph}_pass"] = bool(result[ph]["errors"] == 0 and result[ph].get("p95_ms", 1e9) <= 200)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
