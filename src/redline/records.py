"""The core records that flow through redline: frozen, typed, cheap to build.

``Event`` is the one record every part produces or consumes: who did what to whom, when, where, how sure, and
where it was read (``Provenance``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

__all__ = [
    "Actor",
    "Provenance",
    "Event",
    "Document",
    "Reject",
    "Question",
    "Evidence",
    "Forecast",
    "event_id_for",
]


@dataclass(frozen=True, slots=True)
class Actor:
    """A resolved actor in CAMEO form: ``code`` such as ``PRK``, ``PRKMIL``, ``CHNGOV``, ``IGOUNO``.

    ``country`` is the 3-letter CAMEO country part (empty for international actors), ``sector`` the role part
    (``GOV``, ``MIL``...). ``name`` is the surface text or canonical name.
    """

    code: str
    name: str = ""
    country: str = ""
    sector: str = ""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an event was read: a dataset row or a sentence of a document."""

    dataset: str  # registry name of the source or coder, e.g. "gdelt.v2", "tkg.v1", "coder.default"
    locator: str = ""  # file:line, URL, or dataset row id
    doc_id: str = ""
    sentence_index: int | None = None
    span: tuple[int, int] | None = None  # character span of the event phrase in the sentence
    text: str = ""  # the sentence, for coded text
    model: str = ""
    model_version: str = ""
    confidence: float | None = None
    url: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One political event.

    ``cameo`` is a string (leading zeros are significant: ``"010"`` is not ``"10"``). ``root`` is its first two
    digits. ``quad_class``: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
    """

    event_id: str
    date: dt.date
    source: str  # actor code, "" when absent
    target: str
    cameo: str
    quad_class: int
    goldstein: float
    provenance: Provenance
    source_country: str = ""
    target_country: str = ""
    plover: str = ""
    mode: str = ""
    location: str = ""
    location_country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    quantity: float | None = None
    quantity_unit: str = ""
    asserted: bool = True

    @property
    def root(self) -> str:
        return self.cameo[:2]


@dataclass(frozen=True, slots=True)
class Document:
    """A text that events were coded from."""

    doc_id: str
    text: str
    date: dt.date | None = None
    title: str = ""
    url: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Reject:
    """A row that could not be read: kept aside in quarantine, never dropped silently."""

    dataset: str
    path: str
    line: int | None
    reason: str
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """A binary question: will ``actor`` do one of ``event_codes`` to ``target`` within the window?"""

    actor: str
    target: str
    event_codes: tuple[str, ...]  # CAMEO codes or roots, or PLOVER types
    start: dt.date
    end: dt.date
    trigger: str = ""
    text: str = ""
    label: str = ""  # human-readable event class, e.g. "punitive measures"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One item of an argument: which way it points, how much, and where it comes from."""

    kind: str  # "red_line", "treaty", "dependence", "trend", "precedent", "model"
    direction: int  # +1 raises the probability, -1 lowers it, 0 neutral
    weight: float
    summary: str
    citation: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Forecast:
    """A probability for a question, with its argument."""

    question: Question
    probability: float
    evidence: tuple[Evidence, ...] = ()
    method: str = ""


def event_id_for(*parts: object) -> str:
    """A stable id from the parts that make an event unique within its dataset (for idempotent ingest)."""
    h = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode("utf-8"), digest_size=12)
    return h.hexdigest()
