"""redline's ontology: CAMEO event codes, PLOVER types, countries and actor-role codes.

``from redline.ontology import cameo, plover, countries, sectors``. Every table is package data written by
redline (``data/*.tsv``) and loads lazily, once, on first use; importing this package reads no file.
"""

from __future__ import annotations

from redline.ontology import cameo, countries, plover, sectors

__all__ = ["cameo", "countries", "plover", "sectors"]
