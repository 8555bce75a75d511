"""ICEWS reader: header by name, actor names -> CAMEO codes, rejects with lines, zipped input."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile
from pathlib import Path

import pytest

from redline.errors import SourceError
from redline.records import Event, Reject
from redline.sources import registry
from redline.sources.icews import restore_code

HEADER = "\t".join([
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
    "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number",
    "Publisher", "City", "District", "Province", "Country", "Latitude", "Longitude",
])


def line(eid: str, date: str, src: str, src_sectors: str, src_country: str, text: str, code: str,
         intensity: str, tgt: str, tgt_sectors: str, tgt_country: str, city: str = "", country: str = "",
         lat: str = "", lon: str = "") -> str:
    return "\t".join([eid, date, src, src_sectors, src_country, text, code, intensity, tgt, tgt_sectors,
                      tgt_country, "s1", "2", "Pub", city, "", "", country, lat, lon])


ROWS = [
    line("1", "2014-01-01", "Xi Jinping", "Government,Executive", "China", "Make a visit", "042", "1.9",
         "North Korea", "", "North Korea", "Pyongyang", "North Korea", "39.03", "125.75"),
    line("2", "2014-01-02", "Police (India)", "Police", "India", "Arrest, detain", "173", "-5",
         "Citizen (India)", "", "India", "", "India"),
    line("3", "2014-01-03", "Military (Russia)", "Military", "Russia", "Use force", "190", "-10",
         "Ukraine", "", "Ukraine"),
    line("4", "2014-01-04", "Someone", "", "", "Consult", "40", "1", "Other", "", ""),  # lost leading zero
    line("5", "2014-13-01", "A", "", "", "x", "042", "1", "B", "", ""),
    line("6", "2014-01-05", "A", "", "", "x", "999", "1", "B", "", ""),
    line("7", "2014-01-05", "A", "", "", "x", "042", "strong", "B", "", ""),
    "8\t2014-01-05\ttoo few",
    line("9", "2014-01-05", "A", "", "", "x", "042", "1", "B", "", "", lat="95", lon="0"),
]


def _read(path: Path, batch_size: int = 50_000) -> tuple[list[Event], list[Reject]]:
    events: list[Event] = []
    rejects: list[Reject] = []
    for b in registry.get("icews").batches(str(path), batch_size=batch_size):
        events.extend(b.events)
        rejects.extend(b.rejects)
    return events, rejects


def test_icews_rows_become_events_and_rejects(tmp_path: Path) -> None:
    f = tmp_path / "events.2014.tab"
    f.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    events, rejects = _read(f)
    assert [e.event_id for e in events] == ["icews:1", "icews:2", "icews:3", "icews:4"]
    e1, e2, e3, e4 = events
    assert (e1.source, e1.target, e1.source_country, e1.target_country) == ("CHNGOV", "PRK", "CHN", "PRK")
    assert e1.date == dt.date(2014, 1, 1) and e1.cameo == "042" and e1.goldstein == 1.9
    assert e1.quad_class == 1 and e1.plover and e1.location == "Pyongyang, North Korea"
    assert e1.location_country == "PRK" and e1.latitude == pytest.approx(39.03)
    assert e1.provenance.doc_id == "s1" and e1.provenance.sentence_index == 2
    assert "Xi Jinping" in e1.provenance.text and e1.provenance.locator == "events.2014.tab:2"
    assert (e2.source, e2.target) == ("INDCOP", "INDCVL")
    assert (e3.source, e3.target, e3.quad_class) == ("RUSMIL", "UKR", 4)
    assert (e4.source, e4.cameo) == ("", "040")
    by_line = {r.line or 0: r.reason for r in rejects}
    assert sorted(by_line) == [6, 7, 8, 9, 10]
    assert "Event Date" in by_line[6]
    assert "unknown CAMEO code '999'" in by_line[7]
    assert "Intensity" in by_line[8]
    assert "expected 20 tab-separated fields, found 3" in by_line[9]
    assert "out of range" in by_line[10]
    assert all(r.dataset == "icews" and r.path == str(f) for r in rejects)


def test_batches_are_numbered_and_sized(tmp_path: Path) -> None:
    f = tmp_path / "e.tab"
    f.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    batches = list(registry.get("icews").batches(str(f), batch_size=3))
    assert [b.index for b in batches] == [0, 1, 2]
    assert [b.read for b in batches] == [3, 3, 3]


def test_zipped_and_gzipped_files_read(tmp_path: Path) -> None:
    body = (HEADER + "\n" + ROWS[0] + "\n").encode()
    z = tmp_path / "events.2014.tab.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("events.2014.tab", body)
    z.write_bytes(buf.getvalue())
    g = tmp_path / "events.tab.gz"
    g.write_bytes(gzip.compress(body))
    assert len(_read(z)[0]) == 1
    assert len(_read(g)[0]) == 1


def test_not_an_icews_file(tmp_path: Path) -> None:
    f = tmp_path / "x.tab"
    f.write_text("a\tb\n1\t2\n")
    with pytest.raises(SourceError, match="header lacks Event ID"):
        _read(f)
    f.write_text("")
    with pytest.raises(SourceError, match=r"x\.tab:1: .*no header row \(the file is empty\)"):
        _read(f)


def test_bad_utf8_is_a_reject(tmp_path: Path) -> None:
    f = tmp_path / "x.tab"
    f.write_bytes((HEADER + "\n").encode() + b"\xff\xfe\t2014\n" + (ROWS[0] + "\n").encode())
    events, rejects = _read(f)
    assert len(events) == 1 and [(r.line, r.reason) for r in rejects] == [(2, "not valid UTF-8 text")]


def test_restore_code() -> None:
    assert restore_code("042") == "042"
    assert restore_code("42") == "042"
    assert restore_code("10") == "10"  # a valid root stays as given
    assert restore_code("999") is None and restore_code("") is None
