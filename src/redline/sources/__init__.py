"""Source readers, one per input format, looked up by name through :mod:`redline.sources.registry`."""

from __future__ import annotations

from redline.sources import registry
from redline.sources.base import EVENT_COLUMNS, Batch, DelimitedSpec, Reader
from redline.sources.registry import get, names

__all__ = ["Batch", "DelimitedSpec", "Reader", "EVENT_COLUMNS", "get", "names", "registry"]
