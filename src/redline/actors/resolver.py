"""Name -> actor resolution: countries, demonyms, capitals as metonyms, office holders, organisations, sectors.

``ActorResolver`` holds two gazetteers: *names* (countries, organisations, office holders, and any PETRARCH
dictionaries loaded with ``--actors``) matched on the surface words, and *sectors* (role nouns) matched on lemmas.
``combine`` turns the matches found inside one noun phrase into one CAMEO actor code: a person in office wins,
then an organisation, then country + sector ("North Korean troops" -> ``PRKMIL``), then the country alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from redline.actors.gazetteer import Entry, Gazetteer, split_name
from redline.actors.tables import named_actors, office_holders, sectors
from redline.records import Actor

__all__ = ["ActorResolver", "Match", "default_resolver", "resolve"]

_ELITE = "ELI"


@dataclass(frozen=True, slots=True)
class Match:
    """Entries for the words ``start:end`` (indices into the caller's word list)."""

    start: int
    end: int
    entries: tuple[Entry, ...]


def _person_code(entries: Sequence[Entry], day: dt.date | None) -> str:
    """The code of a person on ``day``: the spell in office that covers it, else the country's elite code."""
    for e in entries:
        if e.holds(day):
            return e.code
    if day is None:
        return entries[-1].code
    code = entries[-1].code
    if code.startswith("IGO"):
        return code
    return code[:3] + _ELITE


def _plural(demonym: str) -> str:
    """The people of a demonym ("Iraqi" -> "Iraqis", "South Korean" -> "South Koreans"); "" when English uses
    the same word or another ("Chinese", "Swiss", "French", "British")."""
    if not demonym or demonym.endswith(("s", "h", "ese")):
        return ""
    return demonym + "s"


class ActorResolver:
    """Resolves names to CAMEO actor codes; build with :func:`default_resolver` or ``ActorResolver.build``."""

    def __init__(self, names: Gazetteer, sector_words: Gazetteer) -> None:
        self.names = names
        self.sectors = sector_words

    @classmethod
    def build(cls, dictionaries: Iterable[str | Path] = ()) -> ActorResolver:
        """The project's own tables, plus PETRARCH-format dictionaries (files or folders) if given."""
        from redline.ontology import countries

        names, secs = Gazetteer(), Gazetteer()
        for c in countries.all():
            e = Entry("country", c.cameo, c.name)
            for n in (c.name, *c.aliases, *c.demonyms, *(_plural(d) for d in c.demonyms)):
                if "," in n or not n:
                    continue
                names.add(n, e)
            if c.capital:
                names.add(c.capital, e)
        for code, aliases in named_actors():
            if len(code) == 3 and not code.startswith("IGO"):
                e = Entry("country", code, aliases[0])
            else:
                e = Entry("actor", code, aliases[0])
            for n in aliases:
                names.add(n, e)
        for h in office_holders():
            e = Entry("person", h.code, h.name, h.start, h.end)
            for n in (h.name, *h.aliases):
                names.add(n, e)
        for phrase, sector in sectors():
            secs.add(phrase, Entry("sector", sector, phrase))
        if dictionaries:
            from redline.actors.petrarch import load_dictionaries

            load_dictionaries(dictionaries, names, secs)
        return cls(names, secs)

    # -- matching -------------------------------------------------------------------------------------------------
    def match_names(self, words: Sequence[str], raw: Sequence[str] = ()) -> list[Match]:
        return [Match(s, e, tuple(ent)) for s, e, ent in self.names.match(words, raw)]

    def match_sectors(self, lemmas: Sequence[str]) -> list[Match]:
        return [Match(s, e, tuple(ent)) for s, e, ent in self.sectors.match(lemmas)]

    @staticmethod
    def combine(
        name_entries: Sequence[Sequence[Entry]], sector_codes: Sequence[str], day: dt.date | None
    ) -> Actor | None:
        """One actor from the name matches (in phrase order, head-nearest first preferred) and sector codes."""
        persons = [es for es in name_entries if any(e.kind == "person" for e in es)]
        dated_country = None
        if persons:
            es = [e for e in persons[0] if e.kind == "person"]
            code = _person_code(es, day)
            if len(code) != 3 or code.startswith("IGO"):
                return Actor(code, es[0].name, "" if code.startswith("IGO") else code[:3], code[3:6])
            # a dictionary country whose code changed over time ("GEORGIA_ [USRGEO <910409] [GEO >911221]"):
            # on the day it is a plain country, and takes the phrase's sector like any country
            dated_country = Entry("country", code, es[0].name)
        actors = [e for es in name_entries for e in es if e.kind == "actor"]
        country = next((e for es in name_entries for e in es if e.kind == "country"), dated_country)
        sector = sector_codes[0] if sector_codes else ""
        if actors and (country is None or actors[0].code.startswith("IGO")):
            a = actors[0]
            return Actor(a.code, a.name, "" if a.code.startswith("IGO") else a.code[:3], a.code[3:6])
        if country is None:
            if actors:
                a = actors[0]
                return Actor(a.code, a.name, a.code[:3], a.code[3:6])
            return None
        code = country.code + sector if sector and not sector.startswith("~") else country.code
        return Actor(code, country.name, country.code, sector)

    def resolve(self, text: str, day: dt.date | None = None) -> Actor | None:
        """Resolve a short phrase ("Russia's Deputy Foreign Minister", "Xi Jinping") without a parser."""
        words = list(split_name(text.replace("'s", "")))
        raw = [w for w in text.replace("'s", "").replace("-", " ").split() if w]
        if len(raw) != len(words):
            raw = []
        ms = self.match_names(words, raw)
        lemmas = [w[:-1] if w.endswith("s") and len(w) > 3 and not w.endswith("ss") else w for w in words]
        ss = self.match_sectors(lemmas) or self.match_sectors(words)
        return self.combine([m.entries for m in ms], [m.entries[0].code for m in reversed(ss)], day)


@cache
def default_resolver() -> ActorResolver:
    """The resolver over the project's own tables (built once)."""
    return ActorResolver.build()


def resolve(text: str, day: dt.date | None = None) -> Actor | None:
    """Resolve a short phrase with the default tables: ``resolve("North Korean troops").code == "PRKMIL"``."""
    return default_resolver().resolve(text, day)
