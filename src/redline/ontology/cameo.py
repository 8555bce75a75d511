"""CAMEO event codes: label, root, Goldstein weight and GDELT quad class for every code.

Codes are always strings with their leading zeros ("010", not 10). The table is redline's own
(``data/cameo_events.tsv``, built by ``tools/ontology_build.py``) and loads once, on first use.

Quad classes follow GDELT's QuadClass: roots 01-05 verbal cooperation (1), 06-09 material cooperation (2),
10-14 verbal conflict (3), 15-20 material conflict (4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from redline.errors import OntologyError
from redline.ontology._tables import read_table

__all__ = [
    "CameoCode",
    "QUAD_CLASSES",
    "all_codes",
    "children",
    "find",
    "get",
    "goldstein",
    "is_valid",
    "label",
    "lookup",
    "normalize",
    "quad_class",
    "quad_label",
    "root",
    "roots",
]

QUAD_CLASSES: dict[int, str] = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}


@dataclass(frozen=True, slots=True)
class CameoCode:
    """One CAMEO event code. ``level`` is 1 for a root (2 digits), 2 for 3 digits, 3 for 4 digits."""

    code: str
    label: str
    root: str
    goldstein: float
    quad_class: int
    level: int = 1
    parent: str | None = None

    @property
    def is_root(self) -> bool:
        return self.level == 1


@cache
def _table() -> dict[str, CameoCode]:
    out: dict[str, CameoCode] = {}
    for row in read_table("cameo_events.tsv"):
        code = row["code"]
        out[code] = CameoCode(
            code=code,
            label=row["label"],
            root=row["root"],
            goldstein=float(row["goldstein"]),
            quad_class=int(row["quad_class"]),
            level=int(row["level"]),
            parent=row["parent"] or None,
        )
    return out


@cache
def _children() -> dict[str, tuple[CameoCode, ...]]:
    kids: dict[str, list[CameoCode]] = {}
    for c in _table().values():
        if c.parent is not None:
            kids.setdefault(c.parent, []).append(c)
    return {k: tuple(v) for k, v in kids.items()}


def normalize(code: object) -> str:
    """``code`` as a canonical CAMEO string (whitespace stripped). Raises OntologyError for non-strings.

    Integers are refused: 10 could be "10" (DEMAND) or "010" (Make statement).
    """
    if not isinstance(code, str):
        raise OntologyError(f"CAMEO codes are strings with leading zeros, got {type(code).__name__} {code!r}")
    return code.strip()


def get(code: str) -> CameoCode | None:
    """The CameoCode for ``code``, or None when unknown."""
    if not isinstance(code, str):
        return None
    return _table().get(code.strip())


def lookup(code: str) -> CameoCode:
    """The CameoCode for ``code``; OntologyError when the code is unknown."""
    c = get(normalize(code))
    if c is None:
        raise OntologyError(f"unknown CAMEO event code {code!r}")
    return c


def is_valid(code: object) -> bool:
    """True when ``code`` is a CAMEO event code string in the table."""
    return isinstance(code, str) and code.strip() in _table()


def all_codes() -> tuple[CameoCode, ...]:
    """Every CAMEO code, roots first within each root's block, in codebook order."""
    return tuple(_table().values())


def roots() -> tuple[CameoCode, ...]:
    """The 20 root codes, "01" to "20"."""
    return tuple(c for c in _table().values() if c.level == 1)


def root(code: str) -> str:
    """The 2-digit root of a known code ("0231" -> "02")."""
    return lookup(code).root


def label(code: str) -> str:
    return lookup(code).label


def quad_class(code: str) -> int:
    """GDELT quad class 1-4 of a known code."""
    return lookup(code).quad_class


def quad_label(q: int) -> str:
    """ "verbal cooperation" ... "material conflict" for quad class 1..4."""
    try:
        return QUAD_CLASSES[q]
    except KeyError:
        raise OntologyError(f"quad class must be 1-4, got {q!r}") from None


def goldstein(code: str) -> float:
    """Goldstein weight (-10 .. +10) of a known code."""
    return lookup(code).goldstein


def children(code: str, *, recursive: bool = False) -> tuple[CameoCode, ...]:
    """Direct sub-codes of ``code`` ("19" -> "190".."196"); all descendants with ``recursive=True``."""
    parent = lookup(code).code
    direct = _children().get(parent, ())
    if not recursive:
        return direct
    out: list[CameoCode] = []
    for c in direct:
        out.append(c)
        out.extend(children(c.code, recursive=True))
    return tuple(out)


def _label_key(text: str) -> str:
    s = text.replace("_", " ").casefold()
    s = re.sub(r",?\s*not spec(ified)? below", "", s)
    s = s.replace("non-", "non ").replace("\u2019", "'")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", s).split())


@cache
def _label_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    codes = sorted(_table().values(), key=lambda c: c.level == 1)  # "130 Threaten" before root "13 THREATEN"
    for c in codes:
        idx.setdefault(_label_key(c.label), c.code)
    for row in read_table("cameo_label_variants.tsv"):
        idx.setdefault(_label_key(row["label"]), row["code"])
    return idx


def find(label: str) -> CameoCode | None:
    """The code whose label is ``label``, or None. For resolving relation names such as ICEWS's.

    Case, punctuation, underscores and ", not specified below" are ignored; CAMEO-manual / ICEWS wordings that
    differ from the table's labels are known too (``data/cameo_label_variants.tsv``). Where a root and its
    "x0" code share a label ("Threaten"), the 3-digit code wins, as event data code it that way.
    """
    if not isinstance(label, str):
        return None
    code = _label_index().get(_label_key(label))
    return None if code is None else _table()[code]
