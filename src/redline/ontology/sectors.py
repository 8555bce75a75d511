"""CAMEO actor codes below the country level: roles (GOV, MIL, REB ...), sectors (BUS, MED ...),
organisation types (IGO, NGO ...), religions, regions, and common international organisations as the
CAMEO actor codebook spells them (IGOUNO, IGOEUREEC, IGOWSTNAT ...). Table: ``data/sectors.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from redline.ontology._tables import read_table, split_list

__all__ = ["KINDS", "Sector", "all", "by_kind", "lookup", "organisation", "split_code"]

KINDS = ("role", "sector", "org", "religion", "region", "igo", "ngo")


@dataclass(frozen=True, slots=True)
class Sector:
    """One actor code: ``kind`` is one of KINDS; ``aliases`` are names that refer to it (IGOs, NGOs)."""

    code: str
    kind: str
    label: str
    aliases: tuple[str, ...] = ()


@cache
def _table() -> dict[str, Sector]:
    return {
        r["code"]: Sector(code=r["code"], kind=r["kind"], label=r["label"], aliases=split_list(r["aliases"]))
        for r in read_table("sectors.tsv")
    }


def _is_acronym(s: str) -> bool:
    return not any(ch.islower() for ch in s)


def _acronym_key(s: str) -> str:
    return re.sub(r"[.\s-]", "", s)


@cache
def _org_index() -> tuple[dict[str, Sector], dict[str, Sector]]:
    acr: dict[str, Sector] = {}
    names: dict[str, Sector] = {}
    for s in _table().values():
        if s.kind not in ("igo", "ngo"):
            continue
        for a in (s.label, *s.aliases):
            if _is_acronym(a):
                acr.setdefault(_acronym_key(a), s)
            else:
                names.setdefault(" ".join(a.casefold().split()), s)
    return acr, names


def all() -> tuple[Sector, ...]:  # noqa: A001 - the API name
    return tuple(_table().values())


def lookup(code: str) -> Sector | None:
    """The entry for an exact code ("GOV", "IGOWSTNAT"), or None."""
    if not isinstance(code, str):
        return None
    return _table().get(code.strip().upper())


def by_kind(kind: str) -> tuple[Sector, ...]:
    return tuple(s for s in _table().values() if s.kind == kind)


def organisation(name: str) -> Sector | None:
    """An IGO/NGO by name or acronym: "NATO", "U.N.", "European Union". Acronyms match in capitals only."""
    if not isinstance(name, str) or not name.strip():
        return None
    acr, names = _org_index()
    s = name.strip()
    if _is_acronym(s):
        hit = acr.get(_acronym_key(s))
        if hit is not None:
            return hit
    return names.get(" ".join(s.casefold().split()))


def split_code(code: str) -> tuple[str, ...]:
    """Split a CAMEO actor code into 3-letter parts ("PRKGOVMIL" -> ("PRK", "GOV", "MIL"))."""
    c = code.strip().upper()
    return tuple(c[i : i + 3] for i in range(0, len(c), 3))
