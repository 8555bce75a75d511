"""The store: schema, batched idempotent ingest, quarantine, crash consistency, queries, export."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from redline.errors import SourceError, StoreError
from redline.records import Reject
from redline.sources.base import Batch, DelimitedSpec
from redline.store import SCHEMA_VERSION, Store
from tests.conftest import make_event


def _events(n: int, start: int = 0) -> list:
    return [
        make_event(f"e{i}", f"2024-01-{1 + i % 28:02d}", "CHNGOV", "PRK", "036", 1, 4.0)
        for i in range(start, start + n)
    ]


def test_open_creates_schema(tmp_store_path: Path) -> None:
    with Store.open(tmp_store_path) as st:
        info = st.info()
    assert info["schema_version"] == SCHEMA_VERSION
    assert info["events"] == 0
    con = duckdb.connect(str(tmp_store_path))
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"events", "documents", "actors", "ingest_runs", "batches", "quarantine", "meta"} <= tables


def test_read_only_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here"):
        Store.open(tmp_path / "nope.duckdb", read_only=True)


def test_ingest_events_is_idempotent(tmp_store_path: Path) -> None:
    with Store.open(tmp_store_path) as st:
        first = st.ingest_events(_events(10), dataset="test", origin="mem")
        again = st.ingest_events(_events(10), dataset="test", origin="mem")
        more = st.ingest_events(_events(10, start=5), dataset="test", origin="mem")
        assert (first.read, first.stored, first.duplicates) == (10, 10, 0)
        assert (again.read, again.stored, again.duplicates) == (10, 0, 10)
        assert (more.stored, more.duplicates) == (5, 5)
        assert st.info()["events"] == 15


def test_duplicates_within_one_batch_are_stored_once(tmp_store_path: Path) -> None:
    evs = _events(3) + _events(3)
    with Store.open(tmp_store_path) as st:
        rep = st.ingest_events(evs, dataset="test", origin="mem")
        assert (rep.read, rep.stored, rep.duplicates) == (6, 3, 3)


def test_rejects_go_to_quarantine_with_file_line_reason(tmp_store_path: Path) -> None:
    rej = [Reject("test", "in.csv", 7, "unknown CAMEO code '999'", raw="a,b,999")]
    with Store.open(tmp_store_path) as st:
        rep = st.ingest_events(_events(2), dataset="test", origin="in.csv", rejects=rej)
        assert rep.quarantined == 1 and rep.read == 3
        q = st.quarantine()
    assert q.iloc[0]["path"] == "in.csv" and q.iloc[0]["line"] == 7
    assert "999" in q.iloc[0]["reason"]


def test_batch_ledger_skips_whole_batches(tmp_store_path: Path, tmp_path: Path) -> None:
    origin = tmp_path / "x.txt"
    origin.write_text("content")
    with Store.open(tmp_store_path) as st:
        batch = Batch(str(origin), 0, tuple(_events(4)))
        r1 = st._ingest_batch("test", batch, run_id=1)
        r2 = st._ingest_batch("test", batch, run_id=2)
    assert (r1.stored, r1.skipped_batches) == (4, 0)
    assert (r2.stored, r2.duplicates, r2.skipped_batches) == (0, 4, 1)


def _tsv_spec(path: Path) -> DelimitedSpec:
    return DelimitedSpec(
        origin=str(path),
        path=str(path),
        delimiter="\t",
        columns=(("id", "BIGINT"), ("day", "DATE"), ("src", "VARCHAR"), ("tgt", "VARCHAR"),
                 ("code", "test_code"), ("gs", "DOUBLE")),
        fields={
            "event_id": "'t:' || id",
            "date": "day",
            "source_actor": "src",
            "source_country": "substr(src, 1, 3)",
            "target_actor": "tgt",
            "target_country": "substr(tgt, 1, 3)",
            "cameo": "CAST(code AS VARCHAR)",
            "quad_class": "1",
            "goldstein": "gs",
            "locator": "CAST(id AS VARCHAR)",
        },
        enums={"test_code": ("010", "036", "190")},
    )


def test_delimited_ingest_quarantines_bad_rows_with_line_numbers(tmp_store_path: Path, tmp_path: Path) -> None:
    f = tmp_path / "events.tsv"
    f.write_text(
        "1\t20240101\tCHNGOV\tPRK\t036\t4.0\n"
        "2\t20241345\tCHN\tPRK\t036\t4.0\n"  # impossible date
        "3\t20240102\tCHN\tPRK\t999\t4.0\n"  # unknown code
        "4\t20240103\tCHN\tPRK\t010\n"  # truncated
        "5\t20240104\tCHN\tPRK\t010\tx\n"  # not a number
        "6\t20240105\tCHN\tPRK\t190\t-10\textra\n"  # extra column
        "7\t20240106\tPRK\tCHN\t010\t0.0\n"
        "7\t20240106\tPRK\tCHN\t010\t0.0\n"  # duplicate id
    )
    with Store.open(tmp_store_path) as st:
        rep = st._ingest_delimited("t", _tsv_spec(f), run_id=1)
        assert (rep.read, rep.stored, rep.duplicates, rep.quarantined) == (8, 2, 1, 5)
        q = st.quarantine()
        lines = sorted(int(x) for x in q["line"])
        assert lines == [2, 3, 4, 5, 6]
        reasons = dict(zip(q["line"].astype(int), q["reason"], strict=True))
        assert "DATE" in reasons[2] or "date" in reasons[2].lower()
        assert "known code" in reasons[3]
        assert "MISSING COLUMNS" in reasons[4]
        assert "TOO MANY COLUMNS" in reasons[6]
        again = st._ingest_delimited("t", _tsv_spec(f), run_id=2)
        assert again.stored == 0 and again.quarantined == 0
        assert st.info()["events"] == 2 and st.info()["quarantined"] == 5
        ev = st.events()
        assert list(ev["cameo"]) == ["010", "036"]  # strings keep their leading zeros
        assert set(ev["root"]) == {"01", "03"}


def test_delimited_missing_file_names_it(tmp_store_path: Path, tmp_path: Path) -> None:
    with Store.open(tmp_store_path) as st, pytest.raises(SourceError, match="no such file"):
        st._ingest_delimited("t", _tsv_spec(tmp_path / "missing.tsv"), run_id=1)


def test_event_queries_and_filters(tmp_store_path: Path) -> None:
    evs = [
        make_event("a", "2024-01-05", "CHNGOV", "PRKGOV", "036", 1, 4.0),
        make_event("b", "2024-02-05", "PRKMIL", "RUS", "190", 4, -10.0),
        make_event("c", "2024-03-05", "USA", "CHN", "111", 3, -2.0),
    ]
    with Store.open(tmp_store_path) as st:
        st.ingest_events(evs, dataset="test", origin="mem")
        assert set(st.events(actor="PRK")["event_id"]) == {"a", "b"}
        assert set(st.events(actor="PRKMIL")["event_id"]) == {"b"}
        assert set(st.events(dyad=("PRK", "CHN"))["event_id"]) == {"a"}
        assert set(st.events(code="19")["event_id"]) == {"b"}
        assert set(st.events(start="2024-02-01", end="2024-02-28")["event_id"]) == {"b"}
        assert len(st.events(limit=2)) == 2
        assert st.events(dataset="other").empty
        with pytest.raises(StoreError, match="not a date"):
            st.events(start="yesterday")


def test_export_parquet_and_csv(tmp_store_path: Path, tmp_path: Path) -> None:
    with Store.open(tmp_store_path) as st:
        st.ingest_events(_events(5), dataset="test", origin="mem")
        where, params = st.events_where(actor="CHN")
        n = st.export(tmp_path / "e.parquet", where=where, params=params)
        m = st.export(tmp_path / "e.csv")
        with pytest.raises(StoreError):
            st.export(tmp_path / "e.txt")
    assert n == 5 and m == 5
    df = pd.read_parquet(tmp_path / "e.parquet")
    assert list(df["cameo"].unique()) == ["036"]
    assert len(pd.read_csv(tmp_path / "e.csv", dtype=str)) == 5


CRASH_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from redline.store import Store
    from tests.conftest import make_event
    evs = [make_event(f"e{{i}}", "2024-01-01", "CHN", "PRK", "036", 1, 4.0) for i in range(1000)]
    count = [0]
    def gen():
        for i, e in enumerate(evs):
            if i == {kill_at}:
                os.kill(os.getpid(), signal.SIGKILL)
            yield e
    st = Store.open({path!r})
    st.ingest_events(gen(), dataset="test", origin="mem", batch_size=100)
    """
)


def test_sigkill_mid_ingest_leaves_whole_batches_and_rerun_completes(tmp_store_path: Path) -> None:
    repo = str(Path(__file__).resolve().parents[2])
    script = CRASH_SCRIPT.format(repo=repo, path=str(tmp_store_path), kill_at=450)
    proc = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": repo + "/src"})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Store.open(tmp_store_path) as st:
        n = st.info()["events"]
        assert n == 400  # four whole batches of 100, nothing of the fifth
        rerun = st.ingest_events(
            [make_event(f"e{i}", "2024-01-01", "CHN", "PRK", "036", 1, 4.0) for i in range(1000)],
            dataset="test", origin="mem", batch_size=100,
        )
        assert rerun.stored == 600 and rerun.duplicates == 400
        assert st.info()["events"] == 1000
        runs = st.sql("SELECT status FROM ingest_runs ORDER BY run_id")
    assert list(runs["status"]) == ["running", "done"]  # the killed run stays visible as unfinished


def test_documents_round_trip(tmp_store_path: Path) -> None:
    from redline.records import Document

    with Store.open(tmp_store_path) as st:
        assert st.add_documents([Document("d1", "Text.", dt.date(2024, 1, 1), title="T")]) == 1
        assert st.add_documents([Document("d1", "Text 2.", dt.date(2024, 1, 1), title="T")]) == 1
        df = st.sql("SELECT * FROM documents")
    assert len(df) == 1 and df.iloc[0]["text"] == "Text 2."


def test_schema_plover_types_match_the_ontology() -> None:
    from redline.ontology import plover
    from redline.store.schema import PLOVER_TYPES

    assert tuple(t.name for t in plover.types()) == PLOVER_TYPES  # same types, same column order


def test_v1_store_migrates_and_backfills_the_dyad_summary(tmp_store_path: Path) -> None:
    from redline.store.schema import MIGRATIONS

    con = duckdb.connect(str(tmp_store_path))
    for statement in MIGRATIONS[1]:
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute(
        "INSERT INTO events (event_id, dataset, date, source_country, target_country, cameo, root, quad_class, "
        "goldstein, plover, asserted) VALUES ('a', 't', DATE '2024-01-02', 'CHN', 'PRK', '036', '03', 1, 4.0, "
        "'AGREE', true), ('b', 't', DATE '2024-01-02', 'CHN', 'PRK', '190', '19', 4, -10.0, 'ASSAULT', true), "
        "('c', 't', DATE '2024-01-02', 'CHN', 'PRK', '190', '19', 4, -10.0, 'ASSAULT', false)"
    )
    con.close()
    with Store.open(tmp_store_path) as st:
        assert st.info()["schema_version"] == SCHEMA_VERSION
        rows = st.sql("SELECT events, verbal_coop, material_conflict, goldstein_sum, plover_assault FROM dyad_days")
    assert rows.iloc[0].tolist() == [2, 1, 1, -6.0, 1]  # the unasserted event is not counted


def test_dyad_summary_counts_each_event_once_across_reingests(tmp_store_path: Path, tmp_path: Path) -> None:
    f = tmp_path / "events.tsv"
    f.write_text("1\t20240101\tCHNGOV\tPRK\t036\t4.0\n2\t20240101\tCHN\tPRK\t036\t4.0\n2\t20240101\tCHN\tPRK\t036\t4.0\n")
    with Store.open(tmp_store_path) as st:
        st._ingest_delimited("t", _tsv_spec(f), run_id=1)
        st._ingest_delimited("t", _tsv_spec(f), run_id=2)
        st.ingest_events(_events(3), dataset="test", origin="mem")  # CHNGOV -> PRK, other days
        st.ingest_events(_events(3), dataset="test", origin="mem")  # all duplicates
        total = st.sql("SELECT sum(events)::BIGINT AS n FROM dyad_days").iloc[0]["n"]
        assert total == st.info()["events"] == 5


def test_queries_return_arrow_too(tmp_store_path: Path) -> None:
    with Store.open(tmp_store_path) as st:
        st.ingest_events(_events(3), dataset="test", origin="mem")
        table = st.arrow("SELECT event_id, cameo FROM events ORDER BY event_id")
    assert table.num_rows == 3 and table.column("cameo").to_pylist() == ["036"] * 3
