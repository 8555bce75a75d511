"""Text -> events: a spaCy parse, then cheap rule components (actors, event phrases, assertion, time, place,
quantities) and an optional trained classifier. Heavy imports (spaCy, scikit-learn) happen on first use."""

from __future__ import annotations

__all__ = ["Coder", "code_texts"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from redline.coding import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
