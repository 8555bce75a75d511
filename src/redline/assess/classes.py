"""Named event classes: each a set of CAMEO code prefixes and PLOVER types, plus the phrases that name it.

This table is written by the project. CAMEO prefixes match any code that starts with them (``"16"`` is the
whole
REDUCE RELATIONS root, ``"163"`` only embargo/boycott/sanctions). PLOVER types follow the 2021 CAMEO->PLOVER
table.
``keywords`` are lower-case phrases that name the class in a question or a sentence; ``nuclear_test`` and
``missile_test`` have no CAMEO code of their own and are matched by phrase (and by the DPRK provocations
list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.errors import QuestionError

__all__ = ["EventClass", "CLASSES", "get", "codes_for", "matches", "find_in_text", "class_of_code"]


@dataclass(frozen=True, slots=True)
class EventClass:
    name: str
    label: str
    cameo: tuple[str, ...]
    plover: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


_C = EventClass
CLASSES: dict[str, EventClass] = {
    c.name: c
    for c in (
        _C(
            "sanctions",
            "sanctions",
            ("163", "1312"),
            ("SANCTION",),
            ("impose sanctions", "sanctions", "sanction", "embargo", "boycott"),
        ),
        _C(
            "reduce_relations",
            "reduced relations",
            ("16",),
            ("SANCTION",),
            (
                "reduce relations",
                "reduced relations",
                "reduce ties",
                "cut ties",
                "downgrade relations",
                "break relations",
                "break off relations",
                "sever relations",
                "recall its ambassador",
                "cut aid",
                "reduce aid",
                "halt negotiations",
                "expel",
            ),
        ),
        _C(
            "coerce",
            "coercion",
            ("17",),
            ("COERCE",),
            ("coerce", "coercion", "coercive measures", "blockade", "seize"),
        ),
        _C(
            "punitive",
            "punitive measures",
            ("16", "17", "1312"),
            ("SANCTION", "COERCE"),
            ("punitive measures", "punitive measure", "punish", "penalize", "penalise", "retaliate"),
        ),
        _C(
            "summit",
            "a summit or high-level meeting",
            ("042", "043", "044"),
            ("CONSULT",),
            ("hold a summit", "summit", "hold talks", "meet", "visit"),
        ),
        _C(
            "consult",
            "consultations or negotiations",
            ("04",),
            ("CONSULT",),
            ("consult", "negotiate", "negotiations", "talks", "mediate"),
        ),
        _C(
            "agree",
            "a formal agreement",
            ("057",),
            ("AGREE",),
            (
                "sign an agreement",
                "sign a treaty",
                "sign a formal agreement",
                "sign",
                "conclude an agreement",
            ),
        ),
        _C(
            "cooperate",
            "material cooperation",
            ("06",),
            ("COOPERATE",),
            ("cooperate", "cooperation", "cooperate militarily", "military cooperation"),
        ),
        _C("aid", "aid", ("07",), ("AID",), ("provide aid", "give aid", "send aid", "aid", "assistance")),
        _C(
            "military_support",
            "military support or deployment",
            ("062", "072", "074", "0312", "0332"),
            ("AID", "COOPERATE"),
            (
                "send troops",
                "sent troops",
                "sending troops",
                "deploy troops",
                "deployed troops",
                "dispatch troops",
                "dispatching troops",
                "military assistance",
                "military aid",
                "troops",
            ),
        ),
        _C(
            "disapprove",
            "criticism or accusation",
            ("11", "12"),
            ("ACCUSE", "REJECT"),
            ("criticize", "criticise", "condemn", "denounce", "accuse", "criticism"),
        ),
        _C("threaten", "threats", ("13",), ("THREATEN",), ("threaten", "threats", "warn")),
        _C("protest", "protests", ("14",), ("PROTEST",), ("protest", "demonstrate", "rally")),
        _C(
            "unrest",
            "unrest or instability",
            ("145", "14"),
            ("PROTEST",),
            ("instability", "unrest", "riot", "collapse", "uprising"),
        ),
        _C(
            "mobilize",
            "a show of force or mobilization",
            ("15",),
            ("MOBILIZE",),
            ("mobilize", "mobilise", "show of force", "raise military alert", "military exercise"),
        ),
        _C(
            "use_force",
            "use of force",
            ("18", "19", "20"),
            ("ASSAULT",),
            (
                "use force",
                "use military force",
                "attack",
                "strike",
                "invade",
                "war",
                "fight",
                "bomb",
                "shell",
            ),
        ),
        _C(
            "nuclear_test",
            "a nuclear test",
            (),
            (),
            ("nuclear test", "test a nuclear", "conduct a nuclear", "nuclear device", "detonate"),
        ),
        _C(
            "missile_test",
            "a missile launch",
            (),
            (),
            (
                "missile test",
                "missile launch",
                "launch a missile",
                "fire a missile",
                "ballistic missile",
                "icbm",
                "test-fire",
                "launch",
            ),
        ),
    )
}

# Order in which phrases are tried: longer phrases first so "military aid" beats "aid".
_PHRASES = sorted(((kw, c.name) for c in CLASSES.values() for kw in c.keywords), key=lambda t: -len(t[0]))


def get(name: str) -> EventClass:
    try:
        return CLASSES[name]
    except KeyError:
        raise QuestionError(f"unknown event class {name!r}; known: {', '.join(sorted(CLASSES))}") from None


def codes_for(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """CAMEO prefixes for classes, deduplicated, most general first (a prefix covered by another is
    dropped)."""
    prefixes = sorted({p for n in names for p in get(n).cameo}, key=lambda p: (len(p), p))
    out: list[str] = []
    for p in prefixes:
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return tuple(out)


def matches(code: str, prefixes: tuple[str, ...] | list[str]) -> bool:
    """Does CAMEO ``code`` fall under any prefix (or equal a PLOVER type in the list)?"""
    return any(code.startswith(p) for p in prefixes)


def class_of_code(code: str) -> list[str]:
    """Classes whose CAMEO prefixes cover ``code`` (most specific first)."""
    hits = [
        (max(len(p) for p in c.cameo if code.startswith(p)), c.name)
        for c in CLASSES.values()
        if c.cameo and any(code.startswith(p) for p in c.cameo)
    ]
    return [n for _, n in sorted(hits, reverse=True)]


def find_in_text(text: str) -> list[str]:
    """Class names whose phrases occur in ``text`` (word-bounded), in order of first occurrence, no
    overlaps."""
    low = text.lower()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str]] = []
    for kw, name in _PHRASES:
        for m in re.finditer(r"\b" + re.escape(kw) + r"\w*", low):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append((s, name))
    seen: list[str] = []
    for _, n in sorted(found):
        if n not in seen:
            seen.append(n)
    return seen
