"""Name -> actor resolution: countries (names, demonyms, capitals), office holders with dates, organisations,
sectors, and optional PETRARCH-format dictionaries."""

from __future__ import annotations

from redline.actors.gazetteer import Entry, Gazetteer
from redline.actors.resolver import ActorResolver, Match, default_resolver, resolve

__all__ = ["ActorResolver", "Entry", "Gazetteer", "Match", "default_resolver", "resolve"]
