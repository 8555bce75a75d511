"""Forecasting models, registered by name (explicit table, imported lazily)."""

from __future__ import annotations

import importlib
from typing import Any

from redline.errors import ModelError

__all__ = ["MODELS", "DEFAULT_MODEL", "get_model", "model_class", "names"]

#: name -> (module, class). Versioned names stay stable once published.
MODELS: dict[str, tuple[str, str]] = {
    "recurrency": ("redline.forecast.models.recurrency", "Recurrency"),
    "tlogic": ("redline.forecast.models.rules", "TemporalRules"),
    "ensemble": ("redline.forecast.models.ensemble", "Ensemble"),
    "decay": ("redline.forecast.models.decay", "Decay"),
    "embed": ("redline.forecast.models.embed", "Embed"),
    "propagate": ("redline.forecast.models.propagate", "Propagate"),
    "typed": ("redline.forecast.models.context", "TypedPrior"),
    "kin": ("redline.forecast.models.context", "Kin"),
}
DEFAULT_MODEL = "ensemble"


def names() -> list[str]:
    return sorted(MODELS)


def model_class(name: str) -> Any:
    try:
        module, cls = MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(names())}") from None
    return getattr(importlib.import_module(module), cls)


def get_model(name: str | None = None, **config: Any) -> Any:
    """A new, unfitted model by registered name (default: the best one)."""
    cls = model_class(name or DEFAULT_MODEL)
    try:
        return cls(**config)
    except TypeError as exc:
        raise ModelError(f"bad configuration for model {name!r}: {exc}") from exc
