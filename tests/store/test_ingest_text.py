"""Ingest of text through the registry: events are coded and the documents they cite are stored too."""

from __future__ import annotations

import json
from pathlib import Path

from redline.store import Store


def test_text_ingest_stores_documents_and_their_events(tmp_store_path: Path, tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(
        json.dumps({"id": "d1", "date": "2024-06-19", "text": "Russia and North Korea signed a treaty in Pyongyang."})
        + "\n"
        + json.dumps({"id": "d2", "date": "2024-06-20", "text": "China did not condemn the treaty."})
        + "\n"
    )
    with Store.open(tmp_store_path) as st:
        rep = st.ingest("text", [str(src)])
        docs = st.sql("SELECT doc_id FROM documents ORDER BY doc_id")
        events = st.events()
        again = st.ingest("text", [str(src)])
        n_docs = st.info()["documents"]
    assert list(docs["doc_id"]) == ["d1", "d2"]
    assert rep.stored >= 1 and again.stored == 0 and n_docs == 2
    assert set(events["doc_id"].str.split("#").str[0]) <= {"d1", "d2"}
