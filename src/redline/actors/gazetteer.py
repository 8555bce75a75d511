"""Name -> actor entries, matched over word sequences (longest match first).

Words are normalised the same way on both sides: lower case, dots dropped, names split on spaces, underscores and
hyphens. Acronym entries (written in capitals, up to five letters) only match words written in capitals, so "US"
is the United States but "us" is not. A person's one-word name (a surname such as "Rice" or "Gates") only matches a
word that starts with a capital, or one right after a title ("President obama").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Entry", "Gazetteer", "norm_word", "split_name"]

_SPLIT = re.compile(r"[\s_\-]+")
# words before a name that make a lower-case surname a name all the same ("president obama")
_TITLES = frozenset(
    {"president", "premier", "minister", "secretary", "chancellor", "king", "queen", "general", "gen", "leader", "pm"}
)


def norm_word(w: str) -> str:
    return w.lower().replace(".", "").replace("\u2019", "'")


def split_name(name: str) -> tuple[str, ...]:
    return tuple(x for x in (norm_word(p) for p in _SPLIT.split(name.strip())) if x)


@dataclass(frozen=True, slots=True)
class Entry:
    """What a name stands for.

    ``kind``: ``country`` (``code`` is the 3-letter CAMEO country), ``actor`` (a full actor code, e.g. ``IGOUNO``
    or ``RUSGOV``), ``person`` (``code`` valid between ``start`` and ``end``), ``sector`` (``code`` is a role
    code such as ``MIL``).
    """

    kind: str
    code: str
    name: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    acronym: bool = False
    cased: bool = False  # a one-word person name: matches only a capitalised word (or one after a title)

    def holds(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Gazetteer:
    """A phrase table: word tuples -> entries, indexed by first word."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, ...], list[Entry]] = {}
        self._lengths: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self._table)

    def add(self, name: str, entry: Entry, acronyms: bool = True) -> None:
        """Add a name; with ``acronyms``, a short name in capitals only matches capitals."""
        words = split_name(name)
        if not words:
            return
        stripped = name.replace(".", "").strip()
        if acronyms and stripped.isupper() and len(stripped) <= 5 and entry.kind != "sector":
            entry = Entry(entry.kind, entry.code, entry.name, entry.start, entry.end, True)
        elif entry.kind == "person" and len(words) == 1:
            entry = Entry(entry.kind, entry.code, entry.name, entry.start, entry.end, entry.acronym, True)
        bucket = self._table.setdefault(words, [])
        if entry not in bucket:
            bucket.append(entry)
        self._lengths.setdefault(words[0], set()).add(len(words))

    def get(self, name: str) -> list[Entry]:
        return list(self._table.get(split_name(name), ()))

    def match(self, words: Sequence[str], raw: Sequence[str] = ()) -> list[tuple[int, int, list[Entry]]]:
        """Longest non-overlapping matches: (start, end, entries) over ``words`` (already normalised).

        ``raw`` (the original spellings) lets acronym entries demand capitals.
        """
        out: list[tuple[int, int, list[Entry]]] = []
        i, n = 0, len(words)
        table, lengths = self._table, self._lengths
        while i < n:
            lens = lengths.get(words[i])
            hit = None
            if lens:
                for k in sorted(lens, reverse=True):
                    if i + k > n:
                        continue
                    entries = table.get(tuple(words[i : i + k]))
                    if not entries:
                        continue
                    if raw and k == 1:
                        r = raw[i].replace(".", "")
                        titled = i > 0 and words[i - 1] in _TITLES
                        entries = [
                            e
                            for e in entries
                            if (not e.acronym or r.isupper()) and (not e.cased or r[:1].isupper() or titled)
                        ]
                        if not entries:
                            continue
                    hit = (i, i + k, entries)
                    break
            if hit:
                out.append(hit)
                i = hit[1]
            else:
                i += 1
        return out
