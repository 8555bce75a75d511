"""redline's own JSONL and CSV formats: validation, defaults from the ontology, rejects with lines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from redline.errors import SourceError
from redline.ontology import cameo
from redline.records import Event, Reject
from redline.sources import registry


def _read(name: str, path: Path) -> tuple[list[Event], list[Reject]]:
    events: list[Event] = []
    rejects: list[Reject] = []
    for b in registry.get(name).batches(str(path), batch_size=4):
        events.extend(b.events)
        rejects.extend(b.rejects)
    return events, rejects


def test_jsonl_reads_and_validates(tmp_path: Path) -> None:
    good = {"event_id": "x1", "date": "2024-11-01", "cameo": "042", "source_actor": "PRK",
            "target_actor": "RUS", "text": "Kim visited Moscow.", "span_start": 4, "span_end": 11,
            "confidence": 0.8, "asserted": False, "dataset": "coder.default", "root": "04"}
    lines = [
        json.dumps(good),
        json.dumps({"date": "2024-11-02", "cameo": "190", "quad_class": 4, "goldstein": -10}),
        json.dumps({"date": "2024-11-02", "cameo": 190}),
        json.dumps({"date": "2024-11-02", "cameo": "9999"}),
        json.dumps({"date": "02/11/2024", "cameo": "190"}),
        json.dumps({"date": "2024-11-02", "cameo": "190", "latitude": 300}),
        json.dumps({"date": "2024-11-02", "cameo": "190", "quad_class": 9}),
        json.dumps({"date": "2024-11-02", "cameo": "190", "plover": "DANCE"}),
        json.dumps({"date": "2024-11-02", "cameo": "190", "source_actor": 5}),
        "{not json",
        "[1, 2]",
        "",
        json.dumps({"date": "2024-11-02T10:00:00Z", "cameo": "0874", "goldstein": "NaN"}),
    ]
    f = tmp_path / "events.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    events, rejects = _read("jsonl", f)
    assert len(events) == 2
    e1, e2 = events
    assert e1.event_id == "x1" and e1.cameo == "042" and e1.source == "PRK" and not e1.asserted
    assert e1.quad_class == cameo.quad_class("042") and e1.goldstein == cameo.goldstein("042")
    assert e1.provenance.span == (4, 11) and e1.provenance.confidence == 0.8
    assert e1.provenance.locator == "events.jsonl:1" and e1.provenance.dataset == "jsonl"
    assert e2.event_id.startswith("own:") and e2.date == dt.date(2024, 11, 2) and e2.goldstein == -10.0
    reasons = {r.line or 0: r.reason for r in rejects}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert "cameo must be a string" in reasons[3]
    assert "unknown CAMEO code '9999'" in reasons[4]
    assert "bad date" in reasons[5]
    assert "latitude" in reasons[6]
    assert "quad_class must be 1-4" in reasons[7]
    assert "unknown PLOVER type" in reasons[8]
    assert "source_actor must be a string" in reasons[9]
    assert reasons[10].startswith("not JSON")
    assert "expected a JSON object" in reasons[11]
    assert "goldstein" in reasons[13]


def test_content_ids_are_stable(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"date": "2024-11-02", "cameo": "190", "source_actor": "RUS"}) + "\n")
    assert _read("jsonl", f)[0][0].event_id == _read("jsonl", f)[0][0].event_id


def test_csv_reads_and_validates(tmp_path: Path) -> None:
    f = tmp_path / "events.csv"
    f.write_text(
        "event_id,date,source_actor,target_actor,cameo,goldstein,text,asserted,dataset\n"
        "a,2024-11-01,PRK,RUS,042,,\"Kim, in Moscow\",true,x\n"
        "b,2024-11-01,PRK,RUS,42,,,,\n"
        "c,2024-11-01,PRK,RUS,190,-10,\"two\nlines\",false,\n"
        "d,2024-11-01,PRK,RUS,190,abc,,,\n"
        "e,2024-11-01,PRK\n"
        "f,2024-11-01,PRK,RUS,190,1,,maybe,\n"
        "g,2024-11-01,PRK,RUS,0211,,\"bad \"quote,,\n"
        "h,2024-11-03,USA,CHN,1712,,,,\n",
        encoding="utf-8",
    )
    events, rejects = _read("csv", f)
    assert [e.event_id for e in events] == ["a", "c", "h"]
    assert events[0].cameo == "042" and events[0].provenance.text == "Kim, in Moscow"
    assert events[1].provenance.text == "two\nlines" and not events[1].asserted
    reasons = {r.line or 0: r.reason for r in rejects}
    assert sorted(reasons) == [3, 6, 7, 8, 9]
    assert "unknown CAMEO code '42'" in reasons[3]
    assert "goldstein" in reasons[6]
    assert "expected 9 fields, found 3" in reasons[7]
    assert "asserted" in reasons[8]
    assert reasons[9].startswith("bad CSV")


def test_csv_needs_date_and_cameo_columns(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(SourceError, match="'date' and 'cameo'"):
        _read("csv", f)
    f.write_text("\n\n")
    with pytest.raises(SourceError, match=r"x\.csv:1: .*no header row \(the file is empty\)"):
        _read("csv", f)


def test_csv_bad_utf8_line_is_a_reject(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_bytes(b"date,cameo\n2024-01-01,\xff\xfe\n2024-01-02,042\n")
    events, rejects = _read("csv", f)
    assert [e.cameo for e in events] == ["042"]
    assert [(r.line, r.reason) for r in rejects] == [(2, "not valid UTF-8 text")]


def test_export_round_trip_through_the_store(tmp_path: Path) -> None:
    from redline.store import Store

    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps({"date": f"2024-11-0{i}", "cameo": "036", "source_actor": "CHNGOV",
                                       "target_actor": "PRK"}) for i in range(1, 4)) + "\n")
    with Store.open(tmp_path / "s.duckdb") as st:
        rep = st.ingest("jsonl", [str(f)])
        again = st.ingest("jsonl", [str(f)])
        df = st.events()
    assert (rep.stored, again.stored) == (3, 0)
    assert sorted(df["cameo"]) == ["036"] * 3 and set(df["dataset"]) == {"jsonl"}
