"""TKG reader: quadruples -> events with actor and CAMEO codes, dates from time steps, rejects by line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from redline.errors import SourceError
from redline.records import Event, Reject
from redline.sources import registry
from redline.sources.tkg import TimeAxis, relation_codes, resolve_location


def _dataset(folder: Path, train: str, *, entities: str | None = None, relations: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entity2id.txt").write_text(entities if entities is not None else (
        "North_Korea\t0\nGovernment_(North_Korea)\t1\nCitizen (China)\t2\nMilitary (Russia)\t3\n"
        "Xi Jinping\t4\nChina\t5\n"))
    (folder / "relation2id.txt").write_text(relations if relations is not None else (
        "Make_an_appeal_or_request\t0\nUse conventional military force\t1\nConsult\t2\n"))
    (folder / "train.txt").write_text(train)
    return folder


def _read(location: str, batch_size: int = 50_000) -> tuple[list[Event], list[Reject]]:
    events: list[Event] = []
    rejects: list[Reject] = []
    for b in registry.get("tkg").batches(location, batch_size=batch_size):
        events.extend(b.events)
        rejects.extend(b.rejects)
    return events, rejects


def test_icews14_style_dataset(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "ICEWS14", "0\t0\t5\t1\n1\t1\t3\t365\n2\t2\t4\t32\n4\t2\t0\t2\n")
    (folder / "test.txt").write_text("5\t2\t0\t10\n")
    events, rejects = _read(str(folder))
    assert rejects == []
    assert [(e.source, e.target) for e in events] == [
        ("PRK", "CHN"), ("PRKGOV", "RUSMIL"), ("CHNCVL", ""), ("", "PRK"), ("CHN", "PRK")]
    assert [e.date for e in events] == [dt.date(2014, 1, 1), dt.date(2014, 12, 31), dt.date(2014, 2, 1),
                                         dt.date(2014, 1, 2), dt.date(2014, 1, 10)]
    assert [e.cameo for e in events] == ["020", "190", "040", "040", "040"]
    assert events[1].quad_class == 4 and events[0].plover
    assert events[3].provenance.text == "Xi Jinping | Consult | North Korea"
    assert events[4].provenance.locator == "ICEWS14/test.txt:1"
    assert len({e.event_id for e in events}) == 5 and all(e.event_id.startswith("tkg:") for e in events)
    # one split only, and ids stable across reads
    only_test, _ = _read(str(folder / "test.txt"))
    assert [e.event_id for e in only_test] == [events[4].event_id]


def test_icews18_hours(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "ICEWS18", "0\t0\t5\t0\n0\t0\t5\t48\n0\t0\t5\t30\n")
    events, rejects = _read(str(folder))
    assert [e.date for e in events] == [dt.date(2018, 1, 1), dt.date(2018, 1, 3)]
    assert [(r.line, r.reason) for r in rejects] == [(3, "time 30 is not a whole day (step 24)")]


def test_unknown_dataset_needs_a_time_axis(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "MYTKG", "0\t0\t5\t7\n")
    with pytest.raises(SourceError, match="start="):
        _read(str(folder))
    events, _ = _read(f"{folder}?start=2020-01-01&step=1&first=0")
    assert events[0].date == dt.date(2020, 1, 8)


def test_malformed_lines_are_rejected_with_reasons(tmp_path: Path) -> None:
    train = "0\t0\t5\t1\n0 0 5\nx\t0\t5\t1\n99\t0\t5\t1\n0\t9\t5\t1\n0\t0\t99\t1\n0\t0\t5\t-4\n\n0\t3\t5\t1\n"
    folder = _dataset(tmp_path / "ICEWS14", train,
                      relations="Make_an_appeal_or_request\t0\nUse conventional military force\t1\n"
                                "Consult\t2\nDance a jig\t3\n")
    events, rejects = _read(str(folder))
    assert len(events) == 1
    reasons = {r.line: r.reason for r in rejects}
    assert reasons[2].startswith("expected 4 ids")
    assert reasons[3] == "ids and time must be integers"
    assert reasons[4] == "unknown subject entity id 99"
    assert reasons[5] == "unknown relation id 9"
    assert reasons[6] == "unknown object entity id 99"
    assert "before the dataset's first step" in reasons[7]
    assert reasons[9] == "relation 'Dance a jig' has no CAMEO code"


def test_bad_dictionary_lines_are_rejects_not_crashes(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "ICEWS14", "0\t0\t0\t1\n", entities="7128\nNorth_Korea\t0\nno id here\n"
                      "North_Korea\t0\n")
    events, rejects = _read(str(folder))
    assert len(events) == 1
    assert [(Path(r.path).name, r.line) for r in rejects] == [("entity2id.txt", 3), ("entity2id.txt", 4)]


def test_missing_pieces_are_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        _read(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no train.txt"):
        _read(str(tmp_path / "empty"))
    folder = _dataset(tmp_path / "ICEWS14", "0\t0\t0\t1\n")
    (folder / "relation2id.txt").unlink()
    with pytest.raises(SourceError, match="missing relation2id.txt"):
        _read(str(folder))
    with pytest.raises(SourceError, match="not a TKG split"):
        _read(str(folder / "entity2id.txt"))


def test_batches_per_split(tmp_path: Path) -> None:
    folder = _dataset(tmp_path / "ICEWS14", "".join(f"0\t0\t5\t{t}\n" for t in range(1, 8)))
    (folder / "valid.txt").write_text("0\t0\t5\t9\n")
    batches = list(registry.get("tkg").batches(str(folder), batch_size=3))
    assert [(Path(b.origin).name, b.index, b.read) for b in batches] == [
        ("train.txt", 0, 3), ("train.txt", 1, 3), ("train.txt", 2, 1), ("valid.txt", 0, 1)]


def test_time_axis() -> None:
    axis = TimeAxis(dt.date(2018, 1, 1), step=24, first=0)
    assert axis.date(7272) == dt.date(2018, 10, 31)
    with pytest.raises(ValueError):
        axis.date(10**12)


@pytest.mark.parametrize("name", ["ICEWS14", "ICEWS18"])
def test_every_shared_relation_maps_to_cameo(shared_data: Path, name: str) -> None:
    folder, splits, _ = resolve_location(str(shared_data / "tkg" / name))
    assert splits == ("train", "valid", "test")
    relations = {}
    for ln in (folder / "relation2id.txt").read_text(encoding="utf-8").splitlines():
        rel, ident = ln.rsplit("\t", 1)
        relations[int(ident)] = rel
    codes = relation_codes(relations)
    unmatched = [relations[i] for i, (c, _) in codes.items() if not c]
    assert unmatched == []


def test_icews14_ingests_with_a_china_north_korea_series(shared_data: Path, tmp_path: Path) -> None:
    from redline.store import Store

    with Store.open(tmp_path / "s.duckdb") as st:
        rep = st.ingest("tkg", [str(shared_data / "tkg" / "ICEWS14" / "valid.txt")])
        assert (rep.read, rep.quarantined) == (8514, 0)
        assert rep.stored + rep.duplicates == 8514
        df = st.events(dyad=("CHN", "PRK"))
    assert len(df) > 0
    assert set(df["date"].astype(str).str[:4]) == {"2014"}
