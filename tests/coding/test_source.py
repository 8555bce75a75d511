"""The ``text`` source: documents from text, JSONL and JSON timelines, coded into events."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from redline.coding.source import TextReader, read_documents
from redline.records import Document, Reject
from redline.sources.base import Reader


def test_reader_contract() -> None:
    r = TextReader()
    assert isinstance(r, Reader) and r.name == "text"


def test_registry_knows_text_reader() -> None:
    from redline.sources import registry

    assert isinstance(registry.get("text"), TextReader)


def test_formats(tmp_path: Path) -> None:
    t = tmp_path / "a.txt"
    t.write_text("Chile criticized Peru.")
    docs = list(read_documents(t, date=dt.date(2020, 1, 2)))
    assert docs == [Document("a", "Chile criticized Peru.", dt.date(2020, 1, 2), source=str(t))]
    j = tmp_path / "b.jsonl"
    j.write_text('{"id": "x1", "text": "Chile criticized Peru.", "date": "2021-03-04"}\n{"id": "x2"}\nnot json\n')
    out = list(read_documents(j))
    assert isinstance(out[0], Document) and out[0].doc_id == "x1" and out[0].date == dt.date(2021, 3, 4)
    assert [r.line for r in out if isinstance(r, Reject)] == [2, 3]
    a = tmp_path / "c.json"
    a.write_text(
        json.dumps(
            [
                {
                    "id": 7,
                    "year": 2023,
                    "month": 9,
                    "day": 13,
                    "headline": "Leaders meet",
                    "text": "Kim met Putin.",
                    "source": "https://example.org/x",
                }
            ]
        )
    )
    (d,) = list(read_documents(a))
    assert isinstance(d, Document)
    assert d.doc_id == "7" and d.date == dt.date(2023, 9, 13) and d.url == "https://example.org/x"
    assert d.text.startswith("Leaders meet. Kim met Putin.")


def test_batches_code_events_with_provenance(tmp_path: Path, coder: Any) -> None:
    j = tmp_path / "b.jsonl"
    j.write_text('{"id": "x1", "text": "Chile criticized Peru.", "date": "2021-03-04"}\n{"bad": 1}\n')
    (batch,) = list(TextReader(coder).batches(str(j)))
    assert len(batch.rejects) == 1 and batch.rejects[0].line == 2
    (e,) = batch.events
    assert (e.source, e.target, e.cameo[:2], e.date) == ("CHL", "PER", "11", dt.date(2021, 3, 4))
    assert e.provenance.doc_id == "x1" and e.provenance.text == "Chile criticized Peru."


def test_timeline_reads_all_items(shared_data: Path) -> None:
    docs = list(read_documents(shared_data / "korea" / "nk_russia_timeline_2022_2026.json"))
    assert len(docs) == 277 and all(isinstance(d, Document) and d.date for d in docs)
