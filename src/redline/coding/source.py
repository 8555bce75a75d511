"""The ``text`` source: documents read from files, coded into events (``redline ingest text FILE``).

Formats (chosen by ``fmt`` or the file name):

* plain text (``.txt`` or anything else): one document, id = file stem, no date unless given;
* JSON lines (``.jsonl``): ``{"id", "text", "date"?, "title"?, "url"?}`` per line;
* JSON (``.json``): an array (or ``{"events": [...]}``) of dated items with ``text`` and either ``date`` or
  ``year``/``month``/``day``, optional ``headline``/``title`` and ``source``/``url`` (e.g. a timeline).

Bad records become rejects with file, line (JSONL) or item index (JSON) and reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redline.errors import SourceError
from redline.records import Document, Reject
from redline.sources.base import Batch, DelimitedSpec

__all__ = ["TextReader", "read_documents"]


def _date_of(rec: dict[str, Any]) -> dt.date | None:
    d = rec.get("date")
    if isinstance(d, str) and d.strip():
        return dt.date.fromisoformat(d.strip()[:10])
    if "year" in rec and rec.get("year") not in (None, ""):
        return dt.date(int(rec["year"]), int(rec.get("month") or 1), int(rec.get("day") or 1))
    return None


def _doc_of(rec: Any, default_id: str, origin: str) -> Document:
    if not isinstance(rec, dict):
        raise ValueError("record is not a JSON object")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("record has no text")
    title = rec.get("headline") or rec.get("title") or ""
    url = rec.get("url") or (rec.get("source") if str(rec.get("source", "")).startswith("http") else "") or ""
    body = f"{title.rstrip('.')}. {text}" if title and rec.get("headline") else text
    doc_id = str(rec.get("id")) if rec.get("id") not in (None, "") else default_id
    return Document(doc_id=doc_id, text=body, date=_date_of(rec), title=str(title), url=str(url), source=origin)


def read_documents(
    path: str | Path, fmt: str | None = None, date: dt.date | None = None
) -> Iterator[Document | Reject]:
    """Documents (or rejects) from a file; ``fmt`` is ``text``, ``jsonl`` or ``json`` (default: by suffix)."""
    p = Path(path)
    if str(path) == "-":
        import sys

        text = sys.stdin.read()
        p = Path("stdin")
    else:
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    kind = fmt or {".jsonl": "jsonl", ".json": "json"}.get(p.suffix.lower(), "text")
    stem = p.stem
    if kind == "text":
        if text.strip():
            yield Document(doc_id=stem, text=text, date=date, source=str(path))
        return
    if kind == "jsonl":
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc = _doc_of(json.loads(line), f"{stem}:{lineno}", str(path))
            except (ValueError, TypeError) as exc:
                yield Reject("text", str(path), lineno, str(exc)[:300], line[:1000])
                continue
            yield (
                doc
                if doc.date or date is None
                else Document(doc.doc_id, doc.text, date, doc.title, doc.url, doc.source)
            )
        return
    if kind == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SourceError(f"not valid JSON: {exc}", path=str(path)) from exc
        if isinstance(data, dict):
            data = data.get("events") or data.get("items") or data.get("documents") or [data]
        if not isinstance(data, list):
            raise SourceError("expected a JSON array of items", path=str(path))
        for i, rec in enumerate(data):
            try:
                doc = _doc_of(rec, f"{stem}:{i}", str(path))
            except (ValueError, TypeError) as exc:
                yield Reject("text", str(path), i, f"item {i}: {exc}"[:300], json.dumps(rec)[:1000])
                continue
            yield (
                doc
                if doc.date or date is None
                else Document(doc.doc_id, doc.text, date, doc.title, doc.url, doc.source)
            )
        return
    raise SourceError(f"unknown text format {kind!r} (text, jsonl or json)", path=str(path))


class TextReader:
    """Row reader ``text``: reads documents and codes them with the default coder."""

    name = "text"
    description = "plain text, JSONL {id, text, date} or JSON arrays of dated items, coded into events"

    def __init__(self, coder: Any | None = None) -> None:
        self._coder = coder

    @property
    def coder(self) -> Any:
        if self._coder is None:
            from redline.coding.pipeline import Coder

            self._coder = Coder.load()
        return self._coder

    def documents(self, location: str) -> Iterator[Document]:
        """The documents of ``location`` (for ``Store.add_documents``)."""
        for d in read_documents(location):
            if isinstance(d, Document):
                yield d

    def batches(self, location: str, *, batch_size: int = 50_000) -> Iterator[Batch]:
        rejects: list[Reject] = []
        docs: list[Document] = []
        for d in read_documents(location):
            if isinstance(d, Reject):
                rejects.append(d)
            else:
                docs.append(d if d.date else Document(d.doc_id, d.text, dt.date.today(), d.title, d.url, d.source))
        events = []
        index = 0
        for _doc, evs in self.coder.code(docs):
            events.extend(evs)
            if len(events) >= batch_size:
                yield Batch(location, index, tuple(events), tuple(rejects))
                events, rejects, index = [], [], index + 1
        if events or rejects or index == 0:
            yield Batch(location, index, tuple(events), tuple(rejects))

    def delimited(self, location: str) -> list[DelimitedSpec]:
        raise NotImplementedError
