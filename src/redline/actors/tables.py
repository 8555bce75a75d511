"""The project's own actor tables (package data in ``redline/coding/data``), read once on first use.

* ``office_holders.tsv``: heads of state and government, foreign and defence ministers with the dates they held
  office (G20, both Koreas, Ukraine, Iran; EU, UN and NATO heads), 2015-2025, and back to about 2000 for these and
  for other often-reported states (Israel, the Palestinian Authority, Pakistan, Afghanistan, Iraq, Syria, Egypt,
  Lebanon, Georgia and a few more).
* ``named_actors.tsv``: international organisations, government metonyms ("the Kremlin"), extra country names, and
  places that stand for their country (US states, large cities, regions such as Darfur or South Ossetia).
* ``sectors.tsv``: role nouns -> CAMEO sector codes ("troops" -> MIL, "foreign minister" -> GOV).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["OfficeHolder", "office_holders", "named_actors", "sectors", "read_data_table"]


@dataclass(frozen=True, slots=True)
class OfficeHolder:
    """One spell in office: ``code`` is the actor code while in office (``CHNGOV``)."""

    country: str
    role: str
    name: str
    aliases: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    code: str

    def holds(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def read_data_table(name: str) -> list[dict[str, str]]:
    """Rows of a tab-separated package table in ``redline/coding/data`` (``#`` lines are comments)."""
    text = resources.files("redline.coding").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for ln in lines[1:]:
        cells = ln.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, (c.strip() for c in cells), strict=False)))
    return rows


def _date(s: str) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


@cache
def office_holders() -> tuple[OfficeHolder, ...]:
    return tuple(
        OfficeHolder(
            country=r["country"],
            role=r["role"],
            name=r["name"],
            aliases=tuple(a for a in r["aliases"].split("|") if a),
            start=_date(r["start"]),
            end=_date(r["end"]),
            code=r["code"],
        )
        for r in read_data_table("office_holders.tsv")
    )


@cache
def named_actors() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(code, names) pairs."""
    return tuple((r["code"], tuple(n for n in r["names"].split("|") if n)) for r in read_data_table("named_actors.tsv"))


@cache
def sectors() -> tuple[tuple[str, str], ...]:
    """(phrase, sector) pairs; phrases are lower-case lemmas."""
    return tuple((r["phrase"], r["sector"]) for r in read_data_table("sectors.tsv"))
