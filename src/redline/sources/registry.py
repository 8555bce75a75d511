"""The source registry: reader names -> the class that reads them.

An explicit table (no registration by import side effect): the store and the CLI look readers up here by
name and only then import the module that implements them, so ``import redline`` stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from redline.errors import SourceError
from redline.sources.base import Reader

__all__ = ["get", "names", "READERS"]


@dataclass(frozen=True, slots=True)
class _Entry:
    target: str  # "module:Class"
    description: str


#: name -> where the reader lives and what it reads. Names are stable; a new format gets a new name.
READERS: dict[str, _Entry] = {
    "gdelt.v1": _Entry(
        "redline.sources.gdelt:GdeltV1Reader",
        "GDELT 1.0 event files (57-column back files, 58-column daily files), plain or zipped, path or URL",
    ),
    "gdelt.v2": _Entry(
        "redline.sources.gdelt:GdeltV2Reader",
        "GDELT 2.0 event exports (61 columns), plain or zipped, path or URL, or gdelt2://FROM..TO ranges",
    ),
    "icews": _Entry(
        "redline.sources.icews:IcewsReader",
        "ICEWS coded-event files (Dataverse TSV with header), plain, gzipped or zipped",
    ),
    "tkg": _Entry(
        "redline.sources.tkg:TkgReader",
        "temporal knowledge graph quadruples (train/valid/test.txt + entity2id/relation2id)",
    ),
    "jsonl": _Entry("redline.sources.own:JsonlReader", "redline's own JSON lines: one event per line"),
    "csv": _Entry("redline.sources.own:CsvReader", "redline's own CSV: event-column header, one event a row"),
    "text": _Entry("redline.coding.source:TextReader", "plain text or JSONL documents, coded into events"),
}


def names() -> list[tuple[str, str]]:
    """``(name, description)`` of every registered reader, sorted by name (imports nothing)."""
    return sorted((name, entry.description) for name, entry in READERS.items())


def get(name: str) -> Reader:
    """A new reader instance for ``name``; unknown names raise :class:`SourceError` listing the known ones."""
    entry = READERS.get(name)
    if entry is None:
        known = ", ".join(sorted(READERS))
        raise SourceError(f"unknown source {name!r}; known sources: {known}")
    module_name, _, class_name = entry.target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except (ImportError, AttributeError) as exc:
        raise SourceError(f"source {name!r} is not available: {exc}") from exc
    reader = cls()
    if not isinstance(reader, Reader):
        raise SourceError(f"source {name!r}: {entry.target} does not implement the Reader contract")
    return reader
