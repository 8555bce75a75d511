"""One exception tree for redline.

Every error a user can cause is a :class:`RedlineError`; the CLI and the service translate it into one clear
line (CLI) or a 4xx response (service). Foreign exceptions are wrapped with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = [
    "RedlineError",
    "SourceError",
    "CodingError",
    "StoreError",
    "ModelError",
    "QuestionError",
    "OntologyError",
]


class RedlineError(Exception):
    """Base of every error redline raises on purpose."""


class SourceError(RedlineError):
    """An input file, URL or record could not be read.

    ``path`` and ``line`` name where, when known.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.reason = message


class OntologyError(RedlineError):
    """An unknown code (CAMEO, PLOVER, country) was asked for."""


class CodingError(RedlineError):
    """Text could not be coded into events (model missing, bad input format)."""


class StoreError(RedlineError):
    """The event store could not be opened, migrated, written or queried."""


class ModelError(RedlineError):
    """A forecasting model was misused (predict before fit, bad config, unreadable save file)."""


class QuestionError(RedlineError):
    """A question could not be understood or answered."""
