"""redline: political event data for analysts of international relations.

Code text into events, store events from text and standard datasets in an embedded DuckDB store, measure relations
between countries, forecast events and binary questions, and explain every answer.

The public API is listed in ``__all__``; heavy parts (DuckDB, pandas, spaCy) load on first use, so ``import
redline`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from redline.errors import (
    CodingError,
    ModelError,
    OntologyError,
    QuestionError,
    RedlineError,
    SourceError,
    StoreError,
)
from redline.records import Actor, Document, Event, Evidence, Forecast, Provenance, Question, Reject

__version__ = "0.1.0"

_LAZY = {
    "Store": "redline.store:Store",
    "IngestReport": "redline.store:IngestReport",
    "dyad_series": "redline.indicators:dyad_series",
    "panel": "redline.indicators:panel",
    "plot_dyad": "redline.indicators:plot_dyad",
}

__all__ = [
    "__version__",
    "Actor",
    "Document",
    "Event",
    "Evidence",
    "Forecast",
    "Provenance",
    "Question",
    "Reject",
    "RedlineError",
    "SourceError",
    "CodingError",
    "StoreError",
    "ModelError",
    "QuestionError",
    "OntologyError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'redline' has no attribute {name!r}")
    module, attr = target.split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
