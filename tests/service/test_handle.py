"""The service's store handle: cursors per reader, one writer, a cache that single-flights and follows writes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from redline.errors import StoreError
from redline.service.handle import ResultCache, StoreHandle

from .conftest import sample_events


def test_cache_computes_a_missing_key_once_for_concurrent_callers() -> None:
    cache = ResultCache(8)
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    out: list[int] = []
    threads = [threading.Thread(target=lambda: out.append(cache.get_or_compute("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42] * 8 and len(calls) == 1


def test_cache_recovers_from_a_failed_computation_and_evicts() -> None:
    cache = ResultCache(2)

    def boom() -> int:
        raise RuntimeError("x")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", boom)
    assert cache.get_or_compute("k", lambda: 1) == 1
    cache.get_or_compute("a", lambda: 2)
    cache.get_or_compute("b", lambda: 3)
    assert cache.get_or_compute("k", lambda: 99) == 99  # evicted (LRU of 2), computed again


def test_reads_in_threads_and_a_write_bump_the_generation(store_file: Path) -> None:
    h = StoreHandle(store_file, writable=True)
    try:
        counts: list[int] = []

        def read() -> None:
            with h.reader() as st:
                counts.append(int(st.sql("SELECT count(*) AS n FROM events")["n"].iloc[0]))

        threads = [threading.Thread(target=read) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert counts == [len(sample_events())] * 6
        assert h.cached("x", lambda: 1) == 1 and h.cached("x", lambda: 2) == 1
        with h.writer() as st:
            st.sql("CREATE TABLE scratch AS SELECT 1 AS x")
        assert h.generation == 1 and h.cached("x", lambda: 2) == 2
    finally:
        h.close()


def test_read_only_handle_refuses_writes_and_missing_files(store_file: Path, tmp_path: Path) -> None:
    h = StoreHandle(store_file, writable=False)
    try:
        with pytest.raises(StoreError), h.writer():
            pass
    finally:
        h.close()
    with pytest.raises(StoreError, match="no store here"):
        StoreHandle(tmp_path / "absent.duckdb", writable=False)


def test_warm_start_fills_the_cache(store_file: Path) -> None:
    from redline.service import create_app

    app = create_app(store_file, warm_dyads=2)
    try:
        h = app.state.handle
        deadline = time.time() + 20
        while time.time() < deadline and len(h.cache._data) < 4:  # 2 dyads x (series, figure)
            time.sleep(0.05)
        keys = {k[1][:3] for k in h.cache._data}
        assert ("series", "CHN", "PRK") in keys or ("series", "JPN", "PRK") in keys, keys
    finally:
        app.state.handle.close()


def _random_store(path: Path, n: int = 3000) -> Path:
    import datetime as dt
    import random

    from redline.records import Event, Provenance
    from redline.store import Store

    rng = random.Random(5)
    codes = [("042", 1, 1.9), ("057", 2, 8.0), ("112", 3, -2.0), ("190", 4, -10.0), ("036", 1, 4.0)]
    actors = ["CHN", "CHNGOV", "PRK", "PRKMIL", "USA", "KOR", "JPN", "RUS", ""]
    events = []
    for i in range(n):
        s, t = rng.choice(actors), rng.choice(actors)
        code, quad, gold = rng.choice(codes)
        events.append(Event(
            event_id=f"r{i}", date=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(900)), source=s, target=t,
            cameo=code, quad_class=quad, goldstein=gold, source_country=s[:3], target_country=t[:3],
            asserted=rng.random() > 0.1, provenance=Provenance(dataset="rand")))
    with Store.open(path) as st:
        st.ingest_events(events, dataset="rand", origin="tests")
    return path


def test_summary_and_event_scan_agree_on_partners_and_warm_up(tmp_path: Path) -> None:
    """Partners and the warm-up's busiest dyads read the store's dyad-day summary; a store without one (a v1 file
    served read-only, not migrated) scans the events instead: both give the same answers."""
    import shutil

    import duckdb
    from fastapi.testclient import TestClient

    from redline.service import create_app

    with_summary = _random_store(tmp_path / "v2.duckdb")
    without = tmp_path / "v1.duckdb"
    shutil.copy(with_summary, without)
    con = duckdb.connect(str(without))
    con.execute("DROP TABLE dyad_days")
    con.close()

    def answers(path: Path) -> tuple[list[object], ...]:
        app = create_app(path, warm_dyads=3)
        h = app.state.handle
        try:
            c = TestClient(app)
            out = []
            for code in ("PRK", "CHN", "FRA"):
                rows = c.get(f"/api/countries/{code}", params={"on": "2022-01-01"}).json()["partners"]
                out.append([(r["partner"], r["events"], r["cooperation"], r["conflict"],
                             round(r["goldstein_mean"], 9), r["last"]) for r in rows])
            deadline = time.time() + 20
            while time.time() < deadline and not c.get("/api/info").json()["warm"]["done"]:
                time.sleep(0.05)
            warmed = sorted(k[1][1:3] for k in h.cache._data if k[1][0] == "figure")
            return out, warmed
        finally:
            h.close()

    got, want = answers(with_summary), answers(without)
    assert got == want
    assert got[0][0] and len(got[1]) == 3 and got[0][2] == []  # PRK has partners, FRA none


@pytest.mark.parametrize("a,b", [("CHN", "PRK"), ("USA", "KOR"), ("PRK", "JPN"), ("FRA", "DEU")])
def test_summary_in_memory_gives_the_store_series(tmp_path: Path, a: str, b: str) -> None:
    import pandas as pd

    from redline.indicators import dyad_series
    from redline.service.dyads import DyadDays

    h = StoreHandle(_random_store(tmp_path / "r.duckdb"), writable=False)
    try:
        table = h.summary()
        assert isinstance(table, DyadDays) and h.summary() is table  # loaded once per generation
        for by in ("day", "week", "month", "year"):
            for directed in (False, True):
                for start, end in ((None, None), ("2020-06-03", "2021-03-31"), (None, "2019-01-01")):
                    got = table.series(a, b, by=by, directed=directed, start=start, end=end)
                    with h.reader() as st:
                        want = dyad_series(st, a, b, by=by, directed=directed, start=start, end=end)
                    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    finally:
        h.close()


def test_series_follow_writes_and_a_store_without_summary(store_file: Path, tmp_path: Path) -> None:
    import json
    import shutil

    import duckdb
    from fastapi.testclient import TestClient

    from redline.service import create_app

    from .conftest import TOKEN

    app = create_app(store_file, token=TOKEN)
    h = app.state.handle
    try:
        c = TestClient(app)
        before = c.get("/api/dyad", params={"a": "CHN", "b": "PRK"}).json()["series"]
        first = h.summary()
        assert first is not None
        line = json.dumps({"event_id": "w1", "date": "2024-03-21", "source_actor": "PRK", "source_country": "PRK",
                           "target_actor": "CHN", "target_country": "CHN", "cameo": "042"}) + "\n"
        r = c.post("/api/ingest", data={"source": "jsonl"}, files={"file": ("a.jsonl", line.encode(), "text/plain")},
                   headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and r.json()["stored"] == 1
        after = c.get("/api/dyad", params={"a": "CHN", "b": "PRK"}).json()["series"]
        assert sum(x["events"] for x in after) == sum(x["events"] for x in before) + 1
        assert h.summary() is not first  # a new copy for the new generation
    finally:
        h.close()
    # a v1 store served read-only (not migrated, no summary): the same series, read from the events
    old = tmp_path / "v1.duckdb"
    shutil.copy(store_file, old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE dyad_days")
    con.close()
    app = create_app(old)
    try:
        assert app.state.handle.summary() is None
        got = TestClient(app).get("/api/dyad", params={"a": "CHN", "b": "PRK"}).json()["series"]
        assert got == after
    finally:
        app.state.handle.close()
