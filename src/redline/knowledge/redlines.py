"""Declared red lines as rules over event patterns, curated with sources (``knowledge/data/redlines.yaml``).

A rule: whose line it is (``actor``), what crosses it (``by`` actors, event ``classes``, ``places`` as CAMEO
country codes or named regions), and the response the actor is expected to take. ``check(trigger)`` says which
lines a trigger crosses and, for each line of the actor that is not crossed, why not (wrong actor, class or
place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from redline.errors import SourceError

from .datadir import PACKAGE_DATA

__all__ = ["RedLine", "Trigger", "LineCheck", "load_red_lines", "check", "expand_places"]


@dataclass(frozen=True, slots=True)
class Trigger:
    """What happened (or might): ``actor`` (CAMEO country) did ``event_class`` at ``place`` against
    ``adversary``."""

    actor: str
    event_class: str
    place: str = ""  # CAMEO country code where it happens
    adversary: str = ""  # whom it is directed at, if anyone
    text: str = ""
    date: str = ""


@dataclass(frozen=True, slots=True)
class RedLine:
    id: str
    actor: str
    name: str
    statement: str
    by: tuple[str, ...]
    classes: tuple[str, ...]
    places: tuple[str, ...]  # expanded to CAMEO country codes
    place_names: tuple[str, ...]
    response: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LineCheck:
    line: RedLine
    crossed: bool
    reasons: tuple[str, ...] = field(default=())


def expand_places(names: list[str] | tuple[str, ...], regions: dict[str, list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for n in names:
        out.extend(regions.get(n, [n]))
    return tuple(dict.fromkeys(out))


def load_red_lines(path: str | Path | None = None) -> list[RedLine]:
    import yaml

    p = Path(path) if path is not None else PACKAGE_DATA / "redlines.yaml"
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read red lines: {exc}", path=str(p)) from exc
    regions = {k: list(v) for k, v in (doc.get("regions") or {}).items()}
    out: list[RedLine] = []
    for i, r in enumerate(doc.get("lines") or []):
        try:
            pat = r["pattern"]
            sources = tuple(r.get("sources") or ())
            if not sources:
                raise SourceError(f"red line {r.get('id')} has no sources", path=str(p))
            out.append(
                RedLine(
                    id=str(r["id"]),
                    actor=str(r["actor"]),
                    name=str(r["name"]),
                    statement=" ".join(str(r.get("statement", "")).split()),
                    by=tuple(pat.get("by") or ()),
                    classes=tuple(pat["classes"]),
                    places=expand_places(pat.get("places") or [], regions),
                    place_names=tuple(pat.get("places") or ()),
                    response=str(r.get("response", "punitive")),
                    sources=sources,
                )
            )
        except (KeyError, TypeError) as exc:
            raise SourceError(f"red line {i}: malformed ({exc})", path=str(p)) from exc
    return out


def check(trigger: Trigger, lines: list[RedLine], actor: str | None = None) -> list[LineCheck]:
    """Check ``trigger`` against the lines (of ``actor`` only, when given)."""
    out: list[LineCheck] = []
    for ln in lines:
        if actor is not None and ln.actor != actor[:3]:
            continue
        reasons: list[str] = []
        if ln.by and trigger.actor[:3] not in ln.by:
            reasons.append(f"done by {trigger.actor or 'unknown'}, the line concerns {', '.join(ln.by)}")
        if trigger.event_class not in ln.classes:
            reasons.append(f"event class {trigger.event_class!r} is not one of {', '.join(ln.classes)}")
        if ln.places:
            if not trigger.place:
                reasons.append("place unknown; the line is limited to " + ", ".join(ln.place_names))
            elif trigger.place[:3] not in ln.places:
                reasons.append(f"happens in {trigger.place}, outside {', '.join(ln.place_names)}")
        out.append(LineCheck(ln, crossed=not reasons, reasons=tuple(reasons)))
    return out
