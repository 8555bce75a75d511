"""Store benchmarks, one JSON line each:

* ``ingest``: a 2-million-row GDELT 2.0-shaped file (~1% malformed) ingested by redline against DuckDB's own
  ``read_csv`` of the same file into a table, side by side (target: redline <= 1.5x DuckDB).
* ``idempotence``: the same file ingested twice adds 0 rows.
* ``crash``: SIGKILL in the middle of an ingest; the store opens, holds only whole batches, and a re-run ends with
  exactly the rows of a clean ingest.
* ``memory``: peak RSS of an ingest of a 10-million-row file (target <= 2 GB), measured in a child process.
* ``panel``: a monthly dyad panel over the 10 million events against the equivalent hand-written GROUP BY
  (target <= 2x).

Usage: python benchmarks/store/ingest.py [--rows 2000000] [--big-rows 10000000] [--work DIR] [--skip-big]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_gdelt import generate  # noqa: E402

from redline.store import Store  # noqa: E402


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def ensure_file(work: Path, rows: int) -> tuple[Path, int]:
    path = work / f"gdelt2_{rows}.tsv"
    meta = work / f"gdelt2_{rows}.bad"
    if not path.exists() or not meta.exists():
        bad = generate(str(path), rows, 0.01, seed=7)
        meta.write_text(str(bad))
    return path, int(meta.read_text())


def fresh(path: Path) -> Path:
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    return path


def bench_ingest(work: Path, rows: int) -> Path:
    path, bad = ensure_file(work, rows)
    base_db = fresh(work / "duckdb_baseline.duckdb")
    con = duckdb.connect(str(base_db))
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, delim='\t', header=false, ignore_errors=true)", [str(path)]
    )
    duck = time.perf_counter() - t
    duck_rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    fresh(base_db)
    store_path = fresh(work / "redline.duckdb")
    with Store.open(store_path) as st:
        t = time.perf_counter()
        rep = st.ingest("gdelt.v2", [str(path)])
        ours = time.perf_counter() - t
        again = st.ingest("gdelt.v2", [str(path)])
        total = st.info()["events"]
    emit({
        "benchmark": "store.ingest", "rows": rows, "malformed_generated": bad,
        "redline_seconds": round(ours, 3), "duckdb_read_csv_seconds": round(duck, 3),
        "ratio": round(ours / duck, 3), "target_ratio": 1.5,
        "read": rep.read, "stored": rep.stored, "duplicates": rep.duplicates, "quarantined": rep.quarantined,
        "duckdb_rows": duck_rows, "nothing_lost": rep.read == rows and rep.quarantined == bad,
    })
    emit({
        "benchmark": "store.idempotence", "rows": rows, "second_run_stored": again.stored,
        "events_after_two_runs": total, "ok": again.stored == 0 and total == rep.stored,
    })
    return store_path


CRASH_CHILD = """
import sys
from redline.store import Store
st = Store.open(sys.argv[1])
print("ready", flush=True)
st.ingest("gdelt.v2", sys.argv[2:])
"""


def bench_crash(work: Path, rows: int) -> None:
    path, _ = ensure_file(work, rows)
    # Two files: the kill lands during the second, after the first committed.
    small = work / "gdelt2_crash_first.tsv"
    if not small.exists():
        generate(str(small), 50_000, 0.01, seed=11)
    store_path = fresh(work / "crash.duckdb")
    proc = subprocess.Popen([sys.executable, "-c", CRASH_CHILD, str(store_path), str(small), str(path)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    # The first (small) file commits within a second or two; the kill lands while the big one is being read.
    time.sleep(4.0)
    assert proc.poll() is None, "the ingest finished before it could be killed: use more rows"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store.open(store_path) as st:
        after_kill = st.info()["events"]
        batches = st.sql("SELECT origin, stored FROM batches")
        whole = int(batches["stored"].sum()) == after_kill
        st.ingest("gdelt.v2", [str(small), str(path)])
        final = st.info()["events"]
    clean_path = fresh(work / "clean.duckdb")
    with Store.open(clean_path) as st:
        st.ingest("gdelt.v2", [str(small), str(path)])
        clean = st.info()["events"]
    fresh(clean_path)
    fresh(store_path)
    emit({
        "benchmark": "store.crash", "killed_with": "SIGKILL", "events_after_kill": after_kill,
        "only_whole_batches": whole, "events_after_rerun": final, "events_clean_ingest": clean,
        "ok": whole and final == clean,
    })


MEM_CHILD = """
import resource, sys, time, json
from redline.store import Store
st = Store.open(sys.argv[1])
t = time.perf_counter()
rep = st.ingest("gdelt.v2", [sys.argv[2]])
secs = time.perf_counter() - t
st.close()
print(json.dumps({"seconds": secs, "stored": rep.stored, "quarantined": rep.quarantined, "read": rep.read,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def bench_memory_and_panel(work: Path, rows: int, keep: bool = False) -> None:
    path, bad = ensure_file(work, rows)
    store_path = fresh(work / "big.duckdb")
    out = subprocess.run([sys.executable, "-c", MEM_CHILD, str(store_path), str(path)], capture_output=True,
                         text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    peak_gb = res["maxrss_kb"] / 1024 / 1024
    emit({
        "benchmark": "store.memory", "rows": rows, "peak_rss_gb": round(peak_gb, 3), "target_gb": 2.0,
        "seconds": round(res["seconds"], 2), "stored": res["stored"], "quarantined": res["quarantined"],
        "nothing_lost": res["read"] == rows and res["quarantined"] == bad, "ok": peak_gb <= 2.0,
    })
    from redline.indicators import panel, panel_sql
    from redline.store.schema import PLOVER_TYPES

    with Store.open(store_path, read_only=True) as st:
        sql = panel_sql(by="month", directed=True)
        # The equivalent hand-written GROUP BY: the same outputs (quad-class and PLOVER counts, Goldstein sum
        # and mean) in one plain query, without redline's balance and rolling trend. A quad-only GROUP BY is
        # timed too, to show what the 16 PLOVER counts cost.
        plover = ", ".join(f"count(*) FILTER (WHERE plover = '{p}') AS p_{p.lower()}" for p in PLOVER_TYPES)
        core = """date_trunc('month', date)::DATE AS period, source_country, target_country, count(*) AS n,
          count(*) FILTER (WHERE quad_class = 1) q1, count(*) FILTER (WHERE quad_class = 2) q2,
          count(*) FILTER (WHERE quad_class = 3) q3, count(*) FILTER (WHERE quad_class = 4) q4,
          sum(goldstein) gs, avg(goldstein) gm"""
        where = "WHERE source_country <> '' AND target_country <> '' AND source_country <> target_country"
        hand = f"SELECT {core}, {plover} FROM events {where} GROUP BY ALL"
        quad_only = f"SELECT {core} FROM events {where} GROUP BY ALL"
        timings: dict[str, list[float]] = {"panel": [], "hand": [], "quad_only": [], "events_scan": []}
        for _ in range(3):
            t = time.perf_counter()
            frame = panel(st, by="month")
            timings["panel"].append(time.perf_counter() - t)
            t = time.perf_counter()
            base = st.con.execute(hand).df()
            timings["hand"].append(time.perf_counter() - t)
            t = time.perf_counter()
            st.con.execute(quad_only).df()
            timings["quad_only"].append(time.perf_counter() - t)
            t = time.perf_counter()
            st.con.execute(sql).df()  # the same panel computed from the events, not the dyad-day summary
            timings["events_scan"].append(time.perf_counter() - t)
        ours, theirs, quad = min(timings["panel"]), min(timings["hand"]), min(timings["quad_only"])
    emit({
        "benchmark": "store.panel", "events": res["stored"], "by": "month", "rows_out": len(frame),
        "redline_seconds": round(ours, 3), "hand_written_group_by_seconds": round(theirs, 3),
        "ratio": round(ours / theirs, 3), "target_ratio": 2.0, "hand_rows": len(base),
        "quad_only_group_by_seconds": round(quad, 3), "ratio_vs_quad_only": round(ours / quad, 3),
        "panel_from_events_seconds": round(min(timings["events_scan"]), 3),
        "panel_from_events_ratio": round(min(timings["events_scan"]) / theirs, 3),
        "note": "panel() reads the dyad-day summary the ingest keeps; panel_from_events is the same panel "
                "computed from the raw events",
        "sql_chars": len(sql),
    })
    if not keep:
        fresh(store_path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--big-rows", type=int, default=10_000_000)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--skip-big", action="store_true")
    a = ap.parse_args()
    work = a.work or Path(tempfile.gettempdir()) / "redline-bench-store"
    work.mkdir(parents=True, exist_ok=True)
    store_path = bench_ingest(work, a.rows)
    fresh(store_path)
    bench_crash(work, a.rows)
    if not a.skip_big:
        bench_memory_and_panel(work, a.big_rows)
    _ = resource  # keep the import for children that reuse this module


if __name__ == "__main__":
    main()
