"""PLOVER event types (16, with modes and quad class) and the CAMEO -> PLOVER (type, mode) map.

Tables: ``data/plover_types.tsv`` and ``data/cameo_plover.tsv`` (redline's own, built by
``tools/ontology_build.py`` from the PLOVER codebook and Schrodt's 2021 CAMEO2PLOVER table; the
reconciliation choices are listed in ``data/README.md``). CAMEO 01 (public statements) has no PLOVER type:
``from_cameo`` returns None for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from redline.errors import OntologyError
from redline.ontology import cameo
from redline.ontology._tables import read_table, split_list

__all__ = [
    "PloverMapping",
    "PloverType",
    "cameo_codes_for",
    "from_cameo",
    "get",
    "is_valid",
    "lookup",
    "mapping",
    "names",
    "types",
]


@dataclass(frozen=True, slots=True)
class PloverType:
    """One PLOVER event type: upper-case name, quad class 1-4, its modes ("" means no mode), a definition."""

    name: str
    quad_class: int
    modes: tuple[str, ...]
    definition: str


@dataclass(frozen=True, slots=True)
class PloverMapping:
    """One row of the CAMEO -> PLOVER map.

    ``mode`` is redline's current mode ("" = none); ``map_mode`` is the mode as the 2021 map spells it;
    ``origin`` is "map" (from CAMEO2PLOVER-2021) or "redline" (added by redline: CAMEO 02 appeals).
    """

    cameo: str
    plover_type: str
    mode: str
    map_mode: str
    context: tuple[str, ...]
    origin: str


@cache
def _types() -> dict[str, PloverType]:
    out: dict[str, PloverType] = {}
    for row in read_table("plover_types.tsv"):
        out[row["type"]] = PloverType(
            name=row["type"],
            quad_class=int(row["quad_class"]),
            modes=split_list(row["modes"], ","),
            definition=row["definition"],
        )
    return out


@cache
def _map() -> dict[str, PloverMapping]:
    out: dict[str, PloverMapping] = {}
    for row in read_table("cameo_plover.tsv"):
        out[row["cameo"]] = PloverMapping(
            cameo=row["cameo"],
            plover_type=row["plover_type"],
            mode=row["mode"],
            map_mode=row["map_mode"],
            context=split_list(row["context"]),
            origin=row["origin"],
        )
    return out


def types() -> tuple[PloverType, ...]:
    """The 16 PLOVER types in codebook order (cooperation first)."""
    return tuple(_types().values())


def names() -> tuple[str, ...]:
    return tuple(_types())


def get(name: str) -> PloverType | None:
    """A PLOVER type by name (case-insensitive), or None."""
    if not isinstance(name, str):
        return None
    return _types().get(name.strip().upper())


def lookup(name: str) -> PloverType:
    """A PLOVER type by name (case-insensitive); OntologyError when unknown."""
    t = get(name)
    if t is None:
        raise OntologyError(f"unknown PLOVER event type {name!r}")
    return t


def is_valid(name: object) -> bool:
    return isinstance(name, str) and get(name) is not None


def mapping(code: str) -> PloverMapping | None:
    """The map row that applies to a CAMEO code: its own entry, else its 3-digit, else its root entry.

    None when no entry applies (CAMEO 01). OntologyError when ``code`` is neither a CAMEO code nor in the map.
    """
    c = cameo.normalize(code)
    table = _map()
    if c not in table and not cameo.is_valid(c):
        raise OntologyError(f"unknown CAMEO event code {code!r}")
    for key in (c, c[:3], c[:2]):
        if key in table:
            return table[key]
    return None


def from_cameo(code: str) -> tuple[str, str] | None:
    """(PLOVER type, mode) for a CAMEO code, falling back to the 3-digit then root entry; mode "" = none.

    None for CAMEO 01 (public statements), which PLOVER does not code.
    """
    m = mapping(code)
    return None if m is None else (m.plover_type, m.mode)


def cameo_codes_for(plover_type: str, mode: str | None = None) -> tuple[str, ...]:
    """Every CAMEO code (from the CAMEO table) whose mapping gives ``plover_type`` (and ``mode`` if given)."""
    t = lookup(plover_type).name
    out = []
    for c in cameo.all_codes():
        m = mapping(c.code)
        if m is not None and m.plover_type == t and (mode is None or m.mode == mode):
            out.append(c.code)
    return tuple(out)
