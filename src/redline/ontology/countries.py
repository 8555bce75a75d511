"""Countries across CAMEO 3-letter, ISO 3166 alpha-3/alpha-2, COW numeric and FIPS 10-4 (GDELT geography).

Covers the 193 UN members, the two UN observer states (Holy See, Palestine) and Taiwan, Kosovo, Western Sahara
and Hong Kong. Table: ``data/countries.tsv`` (written by redline; see ``data/README.md``).

``lookup`` accepts a code or a name:

- an int or a string of digits is a COW code;
- a string with no lower-case letters is first tried as a code: 3 letters as CAMEO, ISO3 or a former code
  (ROM, ZAR, TMP, BUR, GZ ...), 2 letters as ISO2 then FIPS, then as an acronym alias ("DPRK", "U.S.", "UK");
- otherwise names, aliases and demonyms match case-insensitively, accents, dots and "the" ignored.

Codes and acronyms match in capitals only, so "us", "in" or "can" never resolve to a country. Two-letter codes
are ambiguous between ISO2 and FIPS ("AU" is Australia in ISO2, Austria in FIPS): ``lookup`` prefers ISO2; use
``by_fips`` for GDELT geography codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from redline.ontology._tables import read_table, split_list

__all__ = [
    "Country",
    "all",
    "by_cameo",
    "by_cow",
    "by_fips",
    "by_iso2",
    "by_iso3",
    "by_name",
    "cameo_for",
    "lookup",
    "normalize_name",
    "surface_forms",
]


@dataclass(frozen=True, slots=True)
class Country:
    """One country. ``cow`` is None where COW has no code (Palestine, Western Sahara, Hong Kong, Holy See).

    ``other_codes`` are former or alternative codes still seen in data (ROM for Romania, ZAR, TMP, GZ ...);
    ``status`` is "un" (UN member), "observer" (UN observer state) or "other".
    """

    name: str
    cameo: str
    iso3: str
    iso2: str
    cow: int | None
    fips: str
    capital: str
    demonyms: tuple[str, ...]
    aliases: tuple[str, ...]
    other_codes: tuple[str, ...] = ()
    status: str = "un"


def normalize_name(s: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Côte d'Ivoire" -> "cote divoire"."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold().replace("&", " and ")
    s = re.sub(r"[.'\u2019]", "", s)
    s = re.sub(r"[^0-9a-z]+", " ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def _is_acronym(s: str) -> bool:
    return not any(ch.islower() for ch in s)


def _acronym_key(s: str) -> str:
    return re.sub(r"[.\s]", "", s)


@cache
def _rows() -> tuple[Country, ...]:
    out = []
    for r in read_table("countries.tsv"):
        out.append(
            Country(
                name=r["name"],
                cameo=r["cameo"],
                iso3=r["iso3"],
                iso2=r["iso2"],
                cow=int(r["cow"]) if r["cow"] else None,
                fips=r["fips"],
                capital=r["capital"],
                demonyms=split_list(r["demonyms"]),
                aliases=split_list(r["aliases"]),
                other_codes=split_list(r["other_codes"]),
                status=r["status"],
            )
        )
    return tuple(out)


@cache
def _index() -> dict[str, dict[str, Country]]:
    idx: dict[str, dict[str, Country]] = {
        k: {} for k in ("cameo", "iso3", "iso2", "fips", "other", "acr", "name")
    }
    for c in _rows():
        idx["cameo"].setdefault(c.cameo, c)
        idx["iso3"].setdefault(c.iso3, c)
        idx["iso2"].setdefault(c.iso2, c)
        if c.fips:
            idx["fips"].setdefault(c.fips, c)
        for o in c.other_codes:
            idx["other"].setdefault(o, c)
        for n in (c.name, *c.aliases, *c.demonyms):
            if _is_acronym(n):
                idx["acr"].setdefault(_acronym_key(n), c)
            else:
                idx["name"].setdefault(normalize_name(n), c)
    return idx


@cache
def _cow_index() -> dict[int, Country]:
    out: dict[int, Country] = {}
    for c in _rows():
        if c.cow is not None:
            out.setdefault(c.cow, c)
    return out


def all() -> tuple[Country, ...]:  # noqa: A001 - the API name
    """Every country in the table, UN members first (alphabetical), then observers and others."""
    return _rows()


def by_cow(n: int | str) -> Country | None:
    """By COW numeric code (2 -> United States); accepts "2" too."""
    if isinstance(n, bool):
        return None
    if isinstance(n, str):
        if not n.strip().isdigit():
            return None
        n = int(n.strip())
    if not isinstance(n, int):
        return None
    return _cow_index().get(n)


def _by(kind: str, code: str) -> Country | None:
    if not isinstance(code, str):
        return None
    return _index()[kind].get(code.strip().upper())


def by_cameo(code: str) -> Country | None:
    """By CAMEO country code ("PRK"); former codes such as "ROM" are accepted too."""
    return _by("cameo", code) or _by("other", code)


def by_iso3(code: str) -> Country | None:
    return _by("iso3", code)


def by_iso2(code: str) -> Country | None:
    return _by("iso2", code)


def by_fips(code: str) -> Country | None:
    """By FIPS 10-4 code as GDELT's geography fields use it ("KN" North Korea, "KS" South Korea)."""
    return _by("fips", code) or _by("other", code)


def by_name(name: str) -> Country | None:
    """By name, alias or demonym only (no codes)."""
    if not isinstance(name, str) or not name.strip():
        return None
    s = name.strip()
    idx = _index()
    if _is_acronym(s):
        hit = idx["acr"].get(_acronym_key(s))
        if hit is not None:
            return hit
    return idx["name"].get(normalize_name(s))


def lookup(x: str | int) -> Country | None:
    """A country from any code (CAMEO/ISO3/ISO2/FIPS/COW) or name/alias/demonym; None when unknown."""
    if isinstance(x, bool):
        return None
    if isinstance(x, int):
        return by_cow(x)
    if not isinstance(x, str):
        return None
    s = x.strip()
    if not s:
        return None
    if s.isdigit():
        return by_cow(s)
    idx = _index()
    if _is_acronym(s):
        key = _acronym_key(s)
        if len(key) == 3:
            hit = idx["cameo"].get(key) or idx["iso3"].get(key) or idx["other"].get(key)
            if hit is not None:
                return hit
        elif len(key) == 2:
            hit = idx["iso2"].get(key) or idx["fips"].get(key) or idx["other"].get(key)
            if hit is not None:
                return hit
    return by_name(s)


def cameo_for(x: str | int) -> str | None:
    """The CAMEO country code for anything ``lookup`` accepts, or None."""
    c = lookup(x)
    return None if c is None else c.cameo


def surface_forms() -> tuple[tuple[str, Country, bool], ...]:
    """Every (name, country, case_sensitive) that ``lookup`` resolves by name: names, aliases, demonyms.

    Acronyms ("DPRK", "U.S.") are case-sensitive; the rest match case-insensitively. For gazetteer building.
    """
    out = []
    for c in _rows():
        for n in dict.fromkeys((c.name, *c.aliases, *c.demonyms)):
            out.append((n, c, _is_acronym(n)))
    return tuple(out)
