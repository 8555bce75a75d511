"""Hostile input: every row reader and the fetch/zip path either read (events + rejects, one per line) or
raise SourceError; never another exception, never a hang (hypothesis deadlines, small example counts)."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.errors import SourceError
from redline.sources import fetch, registry
from redline.sources.gdelt import GdeltV2Reader
from tests.sources.conftest import FAST, Site
from tests.sources.gdelt_rows import V2, row
from tests.sources.test_icews import HEADER, ROWS

FUZZ = settings(max_examples=40, deadline=3000, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOSTILE = [
    b"",
    b"\n\n\n",
    b"\x00\x00\x00\n",
    b"\xff\xfe\xfd\n",
    b"x" * (1 << 20) + b"y\n",  # one line just over the row readers' limit
    b"\t" * 5000 + b"\n",
    b"\r\r\r",
    "é€漢\u2028\u0085\n".encode(),
    b'"' * 100 + b"\n",
    b"{" * 5000 + b"\n",
    b"[" * 100000 + b"\n",
    b"PK\x03\x04" + b"\x00" * 100,
    b"\x1f\x8b\x08\x00" + b"\x00" * 50,
]

chunks = st.one_of(st.binary(max_size=300), st.sampled_from(HOSTILE),
                   st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))
payloads = st.lists(chunks, max_size=6).map(b"".join)


def _lines_after(data: bytes, skip: int) -> int:
    """Non-blank lines after the first ``skip`` lines, as the row readers count them."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    n = 0
    for raw in pieces[skip:]:
        raw = raw.rstrip(b"\r")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            n += 1
            continue
        if len(raw) > (1 << 20) or "\x00" in text or text.removeprefix("\ufeff").strip():
            n += 1
    return n


def _run(name: str, location: str, batch_size: int = 7) -> tuple[int, int]:
    events = rejects = 0
    index: dict[str, int] = {}
    for b in registry.get(name).batches(location, batch_size=batch_size):
        assert b.index == index.get(b.origin, 0)
        index[b.origin] = b.index + 1
        assert 0 < b.read <= batch_size or b.rejects
        events += len(b.events)
        rejects += len(b.rejects)
        for r in b.rejects:
            assert r.reason and (r.line is None or r.line >= 1)
        for e in b.events:
            assert isinstance(e.cameo, str) and e.cameo
    return events, rejects


@FUZZ
@given(body=payloads, keep=st.integers(0, len(ROWS)))
def test_icews_hostile_rows(body: bytes, keep: int) -> None:
    data = (HEADER + "\n" + "\n".join(ROWS[:keep]) + "\n").encode() + body
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "e.tab"
        f.write_bytes(data)
        try:
            events, rejects = _run("icews", str(f))
        except SourceError:
            return
    assert events + rejects == _lines_after(data, 1)


@FUZZ
@given(body=payloads)
def test_icews_hostile_whole_file(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "e.tab"
        f.write_bytes(body)
        with contextlib.suppress(SourceError):
            _run("icews", str(f))


quads = st.lists(st.tuples(st.integers(-3, 8), st.integers(-1, 4), st.integers(-3, 8),
                           st.integers(-50, 400)), max_size=20)


@FUZZ
@given(good=quads, junk=payloads, entities=payloads)
def test_tkg_hostile_lines(good: list[tuple[int, int, int, int]], junk: bytes, entities: bytes) -> None:
    train = "".join(f"{s}\t{r}\t{o}\t{t}\n" for s, r, o, t in good).encode() + junk
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "ICEWS14"
        folder.mkdir()
        (folder / "entity2id.txt").write_bytes(b"North_Korea\t0\nChina\t1\nXi Jinping\t2\n" + entities)
        (folder / "relation2id.txt").write_bytes(b"Consult\t0\nThreaten\t1\nUnknown thing\t2\n")
        (folder / "train.txt").write_bytes(train)
        try:
            events, rejects = _run("tkg", str(folder))
        except SourceError:
            return
        dict_rejects = _lines_after(entities, 0) if entities else 0
    # every non-blank train line is an event or a reject; entity-file rejects come on top
    assert rejects - dict_rejects <= _lines_after(train, 0) - events
    assert events + rejects >= _lines_after(train, 0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=3),
    max_leaves=10,
)
records = st.fixed_dictionaries(
    {},
    optional={"date": st.sampled_from(["2024-11-01", "2024-02-30", "", "x"]) | json_values,
              "cameo": st.sampled_from(["042", "190", "01", "999", " 042 "]) | json_values,
              "goldstein": json_values, "latitude": json_values, "quad_class": json_values,
              "source_actor": json_values, "span_start": json_values, "span_end": json_values,
              "asserted": json_values, "event_id": json_values, "plover": json_values},
)


@FUZZ
@given(recs=st.lists(records | json_values, max_size=8), junk=payloads)
def test_jsonl_hostile_lines(recs: list[object], junk: bytes) -> None:
    data = "\n".join(json.dumps(r) for r in recs).encode() + b"\n" + junk
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "e.jsonl"
        f.write_bytes(data)
        try:
            events, rejects = _run("jsonl", str(f))
        except SourceError:
            return
    assert events + rejects == _lines_after(data, 0)


@FUZZ
@given(body=payloads, header=st.sampled_from([b"date,cameo\n", b"event_id,date,cameo,goldstein\n", b""]))
def test_csv_hostile(body: bytes, header: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "e.csv"
        f.write_bytes(header + b"e1,2024-11-01,042,1\n" + body)
        with contextlib.suppress(SourceError):
            _run("csv", str(f))


@FUZZ
@given(body=payloads, cut=st.integers(0, 400))
def test_zip_and_gzip_hostile(body: bytes, cut: int) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.export.CSV", body)
        zf.writestr("../b.CSV", body[::-1])
    zipped = buf.getvalue()
    with tempfile.TemporaryDirectory() as d:
        for name, data in [("t.zip", zipped[:cut]), ("r.zip", body), ("ok.zip", zipped),
                           ("t.gz", gzip.compress(body)[:cut]), ("r.gz", b"\x1f\x8b" + body)]:
            f = Path(d) / name
            f.write_bytes(data)
            try:
                for p in fetch.local_files(str(f)):
                    assert Path(d) in p.parents or p == f or "unzipped" in str(p)
                    list(fetch.iter_lines(p, max_line=1000))
            except SourceError:
                continue
            for reader in ("icews", "jsonl", "csv"):
                with contextlib.suppress(SourceError):
                    _run(reader, str(f))


@settings(max_examples=15, deadline=5000, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(junk=st.lists(chunks, min_size=1, max_size=4))
def test_gdelt_hostile_rows_are_quarantined(junk: list[bytes]) -> None:
    from redline.store import Store

    good = [row(V2, i).encode() for i in range(20)]
    lines = good[:10] + [j.replace(b"\n", b" ") for j in junk] + good[10:]
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "x.export.CSV"
        f.write_bytes(b"\n".join(lines) + b"\n")
        try:
            with Store.open(Path(d) / "s.duckdb") as store:
                rep = store.ingest("gdelt.v2", [str(f)])
        except SourceError:
            return
    assert rep.stored == 20
    assert rep.read == rep.stored + rep.duplicates + rep.quarantined


def test_hostile_zip_over_http(site: Site) -> None:
    site.files["/bad.export.CSV.zip"] = b"PK\x03\x04 this is not a zip"
    with pytest.raises(SourceError, match="bad zip"):
        GdeltV2Reader(options=FAST).delimited(site.url("/bad.export.CSV.zip"))
