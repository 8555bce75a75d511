"""GDELT readers: layouts, 57/58 detection, DelimitedSpecs ingested end to end, gdelt2:// ranges over HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import duckdb
import pytest

from redline.errors import SourceError
from redline.ontology import plover
from redline.sources import gdelt, registry
from redline.store import Store
from tests.sources.conftest import FAST, Site
from tests.sources.gdelt_rows import V2, row, v2_file


def test_layouts_have_the_documented_widths() -> None:
    assert len(gdelt.columns_v1(with_url=False)) == 57
    assert len(gdelt.columns_v1(with_url=True)) == 58
    assert len(V2) == 61
    for cols in (gdelt.columns_v1(False), gdelt.columns_v1(True), V2):
        names = [n for n, _ in cols]
        assert len(set(names)) == len(names)
        assert dict(cols)["EventCode"] == gdelt.CAMEO_ENUM
        assert dict(cols)["SQLDATE"] == "DATE"
    assert V2[-1] == ("SOURCEURL", "VARCHAR") and V2[-2] == ("DATEADDED", "BIGINT")


@pytest.mark.parametrize(("name", "layout"), [("gdelt_events1_columns.csv", gdelt.columns_v1(True)),
                                              ("gdelt_events2_columns.csv", V2)])
def test_layouts_match_the_gdelt_codebook(shared_data: Path, name: str, layout: tuple) -> None:
    with open(shared_data / "cameo" / name, newline="", encoding="utf-8") as f:
        documented = [r["name"] for r in csv.DictReader(f)]
    assert [n for n, _ in layout] == documented


def _ingest(tmp_path: Path, source: str, locations: list[str]) -> tuple:
    st = Store.open(tmp_path / "s.duckdb")
    rep = st.ingest(source, locations)
    return st, rep


def test_v2_file_ingests_with_rejects_by_line(tmp_path: Path) -> None:
    rows = [row(V2, i) for i in range(6)]
    rows[1] = row(V2, 1, SQLDATE="2024x101")  # bad date
    rows[2] = row(V2, 2, EventCode="999")  # unknown CAMEO code
    rows[3] = "\t".join(rows[3].split("\t")[:40])  # wrong width
    rows[4] = row(V2, 4, GoldsteinScale="lots")  # bad number
    rows[5] = row(V2, 5, QuadClass="7")  # no such quad class
    rows += [row(V2, 6, EventCode="0874", ActionGeo_CountryCode="ZZ"), row(V2, 7, EventCode="190")]
    f = tmp_path / "20241101000000.export.CSV"
    f.write_bytes(v2_file(rows))
    st, rep = _ingest(tmp_path, "gdelt.v2", [str(f)])
    try:
        assert (rep.read, rep.stored, rep.quarantined) == (8, 3, 5)
        q = st.sql("SELECT line, reason FROM quarantine ORDER BY line")
        assert q["line"].tolist() == [2, 3, 4, 5, 6]
        # DuckDB names the wrong column in some rejects, so the store keeps the bad value, not the name.
        assert "2024x101" in q["reason"][0] and "DATE" in q["reason"][0]
        assert "999" in q["reason"][1]
        assert "Expected Number of Columns: 61" in q["reason"][2]
        ev = st.sql("SELECT * FROM events ORDER BY event_id")
    finally:
        st.close()
    assert ev["event_id"].tolist() == ["gdelt:1000", "gdelt:1006", "gdelt:1007"]
    assert ev["cameo"].tolist() == ["042", "0874", "190"]
    assert ev["root"].tolist() == ["04", "08", "19"]
    assert ev["dataset"].unique().tolist() == ["gdelt.v2"]
    assert ev["date"].iloc[0] == dt.date(2024, 11, 1) or str(ev["date"].iloc[0])[:10] == "2024-11-01"
    assert ev["source_actor"][0] == "PRKGOV" and ev["target_country"][0] == "RUS"
    assert ev["location_country"].tolist() == ["PRK", "ZZ", "PRK"]  # FIPS KN -> PRK; unknown kept
    for code, ptype, mode in zip(ev["cameo"], ev["plover"], ev["mode"], strict=True):
        expected = plover.from_cameo(code)
        assert (ptype, mode) == (expected if expected else ("", ""))
    assert ev["url"][0] == "https://example.org/0" and ev["locator"][0] == "1000"
    assert ev["goldstein"][0] == pytest.approx(1.9) and ev["latitude"][0] == pytest.approx(39.02)
    assert ev["asserted"].all()


def test_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    f = tmp_path / "a.export.CSV"
    f.write_bytes(v2_file([row(V2, i) for i in range(5)]))
    st = Store.open(tmp_path / "s.duckdb")
    try:
        assert st.ingest("gdelt.v2", [str(f)]).stored == 5
        assert st.ingest("gdelt.v2", [str(f)]).stored == 0
    finally:
        st.close()


@pytest.mark.parametrize("with_url", [False, True])
def test_v1_detects_57_or_58_columns(tmp_path: Path, with_url: bool) -> None:
    cols = gdelt.columns_v1(with_url)
    f = tmp_path / "20130401.export.CSV"
    f.write_bytes(v2_file([row(cols, i, DATEADDED="20130401") for i in range(4)]))
    (spec,) = registry.get("gdelt.v1").delimited(str(f))
    assert len(spec.columns) == (58 if with_url else 57)
    assert (spec.fields["url"] == "''") is not with_url
    st, rep = _ingest(tmp_path, "gdelt.v1", [str(f)])
    try:
        assert (rep.stored, rep.quarantined) == (4, 0)
        urls = st.sql("SELECT url FROM events")["url"].tolist()
    finally:
        st.close()
    assert all(u.startswith("https://") for u in urls) if with_url else urls == [""] * 4


def test_wrong_generation_is_a_clear_error(tmp_path: Path) -> None:
    v1 = tmp_path / "v1.CSV"
    v1.write_bytes(v2_file([row(gdelt.columns_v1(False), i) for i in range(3)]))
    with pytest.raises(SourceError, match="expected 61.*use gdelt.v1"):
        registry.get("gdelt.v2").delimited(str(v1))
    v2 = tmp_path / "v2.CSV"
    v2.write_bytes(v2_file([row(V2, i) for i in range(3)]))
    with pytest.raises(SourceError, match="expected 57 or 58"):
        registry.get("gdelt.v1").delimited(str(v2))
    with pytest.raises(SourceError, match="gdelt.v2 does"):
        registry.get("gdelt.v1").delimited("gdelt2://2024-11-01")


def test_spec_runs_in_plain_duckdb(tmp_path: Path) -> None:
    f = tmp_path / "x.CSV"
    f.write_bytes(v2_file([row(V2, 0), row(V2, 1, EventCode="01")]))
    (spec,) = registry.get("gdelt.v2").delimited(str(f))
    con = duckdb.connect()
    for name, values in spec.enums.items():
        con.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(repr(v) for v in values)})")
    cols = "{" + ", ".join(f"'{n}': '{t}'" for n, t in spec.columns) + "}"
    select = ", ".join(f"{expr} AS {name}" for name, expr in spec.fields.items())
    out = con.execute(
        f"SELECT {select} FROM read_csv('{spec.path}', delim='\t', header=false, quote='', escape='', "
        f"columns={cols}, dateformat='{spec.date_format}', auto_detect=false)"
    ).fetchall()
    assert [r[6] for r in out] == ["042", "01"]  # cameo, leading zeros kept
    assert out[1][9] == ""  # CAMEO 01 has no PLOVER type


def test_zipped_export_ingests(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("20241101000000.export.CSV", v2_file([row(V2, i) for i in range(3)]))
    z = tmp_path / "20241101000000.export.CSV.zip"
    z.write_bytes(buf.getvalue())
    st, rep = _ingest(tmp_path, "gdelt.v2", [str(z)])
    st.close()
    assert (rep.read, rep.stored) == (3, 3)


# --- GDELT 2.0 master list over HTTP -------------------------------------------------------------


def _serve_range(site: Site) -> dict[str, bytes]:
    bodies: dict[str, bytes] = {}
    lines = []
    stamps = ["20241031234500", "20241101000000", "20241101001500", "20241102234500", "20241103000000"]
    for k, stamp in enumerate(stamps):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"{stamp}.export.CSV", v2_file([row(V2, 100 * k + i) for i in range(2)]))
        path = f"/gdeltv2/{stamp}.export.CSV.zip"
        site.files[path] = bodies[path] = buf.getvalue()
        lines.append(f"{len(buf.getvalue())} {hashlib.md5(buf.getvalue()).hexdigest()} {site.url(path)}")
        lines.append(f"123 {'a' * 32} {site.url(f'/gdeltv2/{stamp}.mentions.CSV.zip')}")
    lines.insert(3, "garbage line")
    site.files["/gdeltv2/masterfilelist.txt"] = ("\n".join(lines) + "\n").encode()
    site.files["/gdeltv2/lastupdate.txt"] = ("\n".join(lines[-2:]) + "\n").encode()
    return bodies


def test_resolve_range_picks_export_files_of_the_days(site: Site) -> None:
    _serve_range(site)
    entries = gdelt.resolve_range(site.url("/gdeltv2/masterfilelist.txt"), "2024-11-01", "2024-11-02",
                                  options=FAST)
    assert [e.url.rsplit("/", 1)[1] for e in entries] == [
        "20241101000000.export.CSV.zip", "20241101001500.export.CSV.zip", "20241102234500.export.CSV.zip"]
    with pytest.raises(SourceError, match="no GDELT 2.0 export files"):
        gdelt.resolve_range(site.url("/gdeltv2/masterfilelist.txt"), "2020-01-01", "2020-01-02", options=FAST)
    with pytest.raises(SourceError, match="empty date range"):
        gdelt.resolve_range(site.url("/gdeltv2/masterfilelist.txt"), "2024-11-02", "2024-11-01", options=FAST)


def test_gdelt2_range_ingests_end_to_end(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _serve_range(site)
    monkeypatch.setenv("REDLINE_GDELT_MASTER", site.url("/gdeltv2/masterfilelist.txt"))
    st, rep = _ingest(tmp_path, "gdelt.v2", ["gdelt2://2024-11-01..2024-11-01"])
    st.close()
    assert (rep.read, rep.stored, rep.quarantined) == (4, 4, 0)
    assert not any("mentions" in p for p in site.log)


def test_gdelt2_md5_mismatch_fails(site: Site) -> None:
    bodies = _serve_range(site)
    path = "/gdeltv2/20241101000000.export.CSV.zip"
    site.files[path] = bodies[path][:-1] + b"!"
    reader = gdelt.GdeltV2Reader(options=FAST)
    with pytest.raises(SourceError, match="MD5 mismatch"):
        reader.delimited(f"gdelt2://2024-11-01?master={site.url('/gdeltv2/masterfilelist.txt')}")


def test_gdelt2_last_reads_lastupdate(site: Site) -> None:
    _serve_range(site)
    reader = gdelt.GdeltV2Reader(options=FAST, master_url=site.url("/gdeltv2/masterfilelist.txt"))
    specs = reader.delimited("gdelt2://last")
    assert [s.origin.rsplit("/", 1)[1] for s in specs] == ["20241103000000.export.CSV.zip"]
    assert "/gdeltv2/lastupdate.txt" in site.log


def test_gdelt2_bad_location_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="not a date"):
        gdelt.GdeltV2Reader(options=FAST).delimited("gdelt2://yesterday..today")


def test_parse_master_skips_malformed_lines() -> None:
    text = (f"10 {'b' * 32} http://x/20150218230000.export.CSV.zip\nnonsense\n1 2 3\n"
            f"\u00b2 {'c' * 32} http://x/20150218230000.export.CSV.zip\n"
            f"11 {'d' * 32} http://x/20150218230000.mentions.CSV.zip\n")
    assert len(gdelt.parse_master(text)) == 2
    (e,) = gdelt.parse_master(text.splitlines(), kind="export")
    assert e.kind == "export" and e.stamp == dt.datetime(2015, 2, 18, 23, 0) and e.md5 == "b" * 32


def test_a_row_of_empty_fields_is_quarantined_not_fatal(tmp_path: Path) -> None:
    f = tmp_path / "x.export.CSV"
    f.write_bytes(v2_file([row(V2, 0), "\t" * 60, row(V2, 2)]))
    st, rep = _ingest(tmp_path, "gdelt.v2", [str(f)])
    st.close()
    assert (rep.stored, rep.quarantined) == (2, 1)


def test_a_short_row_of_junk_is_quarantined_for_its_column_count_not_its_first_value(tmp_path: Path) -> None:
    # DuckDB reports both the missing columns and the unreadable "a"; the column count is the reason a user can act on
    f = tmp_path / "x.export.CSV"
    f.write_bytes(v2_file([row(V2, 0), "a\tb\tc\td\te", row(V2, 2), "\t".join(row(V2, 3).split("\t") + ["z"])]))
    st, rep = _ingest(tmp_path, "gdelt.v2", [str(f)])
    try:
        q = st.sql("SELECT line, reason FROM quarantine ORDER BY line")
    finally:
        st.close()
    assert (rep.stored, rep.quarantined) == (2, 2)
    assert q["line"].tolist() == [2, 4]
    assert q["reason"][0] == "MISSING COLUMNS: Expected Number of Columns: 61 Found: 5"
    assert q["reason"][1].startswith("TOO MANY COLUMNS: Expected Number of Columns: 61")


def test_gdelt2_missing_listed_file_fails_unless_skipped(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    _serve_range(site)
    del site.files["/gdeltv2/20241101001500.export.CSV.zip"]
    master = site.url("/gdeltv2/masterfilelist.txt")
    reader = gdelt.GdeltV2Reader(options=FAST)
    with pytest.raises(SourceError, match=r"HTTP 404.*one of 2 files.*skip_missing") as err:
        reader.delimited(f"gdelt2://2024-11-01?master={master}")
    assert "20241101001500.export.CSV.zip" in str(err.value)
    with caplog.at_level("WARNING", logger="redline.sources.gdelt"):
        specs = reader.delimited(f"gdelt2://2024-11-01?master={master}&skip_missing=1")
    assert [s.origin.rsplit("/", 1)[1] for s in specs] == ["20241101000000.export.CSV.zip"]
    assert "20241101001500.export.CSV.zip" in caplog.text
