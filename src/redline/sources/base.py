"""The contract every source reader keeps.

A reader turns one input (a path or URL) into events. It has one of two shapes:

* **row reader** (``Reader.batches``): yields :class:`Batch` objects of ``Event`` records plus ``Reject`` records
  for rows it could not read. Each batch is stored atomically by the store; batches are numbered so an
  interrupted ingest resumes after the last whole batch.
* **delimited reader** (``Reader.delimited``): returns :class:`DelimitedSpec` objects that describe a local
  delimited file and how its columns become event fields (SQL expressions over the typed columns). The store
  reads such files with DuckDB's vectorised CSV reader: this is the fast path for GDELT-scale files. Rows that
  fail to parse or cast are quarantined with their line number and reason.

Readers never touch the store; the store never imports a reader's module directly (it goes through
``redline.sources.registry``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from redline.records import Event, Reject

__all__ = ["Batch", "DelimitedSpec", "Reader", "EVENT_COLUMNS"]

#: The event fields a DelimitedSpec may fill, in store column order.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "date",
    "source_actor",
    "source_country",
    "target_actor",
    "target_country",
    "cameo",
    "quad_class",
    "goldstein",
    "plover",
    "mode",
    "location",
    "location_country",
    "latitude",
    "longitude",
    "quantity",
    "quantity_unit",
    "asserted",
    "doc_id",
    "sentence_index",
    "span_start",
    "span_end",
    "text",
    "model",
    "model_version",
    "confidence",
    "url",
    "locator",
)


@dataclass(frozen=True, slots=True)
class Batch:
    """A unit of atomic ingest: events and rejects read from ``origin`` (a path or URL)."""

    origin: str
    index: int  # 0-based batch number within the origin
    events: tuple[Event, ...]
    rejects: tuple[Reject, ...] = ()

    @property
    def read(self) -> int:
        return len(self.events) + len(self.rejects)


@dataclass(frozen=True, slots=True)
class DelimitedSpec:
    """A delimited text file that DuckDB reads directly.

    ``columns`` are (name, DuckDB type) pairs in file order; a value that fails its type sends the row to
    quarantine (so a CAMEO code column typed as an ENUM of valid codes rejects unknown codes). ``fields`` maps
    store columns (see ``EVENT_COLUMNS``) to SQL expressions over the file's columns; ``event_id`` is required.
    ``enums`` names ENUM types the store must create first: name -> allowed values.
    """

    origin: str  # what the user gave (path or URL), for reports
    path: str  # local, readable file (plain or .gz)
    delimiter: str
    columns: tuple[tuple[str, str], ...]
    fields: Mapping[str, str]
    header: bool = False
    date_format: str = "%Y%m%d"
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: columns an event cannot do without: an empty value there rejects the row (with its line) instead of
    #: reaching a NOT NULL store column and failing the whole file.
    not_null: tuple[str, ...] = ()


@runtime_checkable
class Reader(Protocol):
    """A registered reader. Implement ``batches`` or ``delimited`` (the other raises NotImplementedError)."""

    name: str
    description: str

    def batches(self, location: str, *, batch_size: int = 50_000) -> Iterator[Batch]: ...

    def delimited(self, location: str) -> list[DelimitedSpec]: ...
