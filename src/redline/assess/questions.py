"""Questions: plain English or JSON -> a structured question (actor, target, event class, window, trigger).

Handled forms (case-insensitive), e.g.::

    Will China impose sanctions on North Korea before 2025-06-30?
    Will Russia and North Korea hold a summit in 2025?
    Will China take punitive measures - sanctions, reduced relations or coercion - against North Korea
      within 6 months of 2024-11-25?
    Will the United States threaten Iran in the next 30 days?
    Will China punish North Korea by 2025-03-01 after North Korea sends troops to Russia?

The window: ``before D`` (as-of date .. D - 1 day), ``by D`` / ``until D`` (.. D), ``in YEAR`` / ``during
YEAR``,
``in MONTH YEAR``, ``within N days|weeks|months|years [of|after D]`` and ``in the next N ...`` (from the as-of
date). Anything not understood raises QuestionError naming the part.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from redline.coding.numbers import CARDINALS
from redline.errors import QuestionError
from redline.knowledge.redlines import Trigger
from redline.records import Question

from . import classes

__all__ = [
    "ParsedQuestion",
    "parse_question",
    "parse_spec",
    "parse_trigger",
    "with_trigger",
    "find_countries",
    "question_to_dict",
]


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """A question as understood: the record, the class names, whether either direction counts, the trigger."""

    question: Question
    classes: tuple[str, ...]
    mutual: bool = False
    trigger: Trigger | None = None
    notes: tuple[str, ...] = field(default=())


_UNITS = {"day": 1, "week": 7, "month": 30.4375, "year": 365.25}
_NUM = {
    **CARDINALS,
    "twelve": 12,
    "a": 1,
    "an": 1,
}
_DATE = r"(\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2},? \d{4})"


def _parse_date(s: str) -> dt.date:
    s = s.strip().rstrip(",")
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        pass
    for fmt in ("%d %B %Y", "%B %d %Y", "%B %d, %Y", "%d %b %Y", "%b %d %Y", "%b %d, %Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise QuestionError(f"could not read the date {s!r} (use YYYY-MM-DD)")


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _span(n: float, unit: str, start: dt.date) -> dt.date:
    unit = unit.rstrip("s")
    if unit == "month" and float(n).is_integer():
        return _add_months(start, int(n))
    if unit == "year" and float(n).is_integer():
        return _add_months(start, 12 * int(n))
    return start + dt.timedelta(days=round(n * _UNITS[unit]))


def _window(text: str, as_of: dt.date) -> tuple[dt.date, dt.date, tuple[int, int]]:
    """(start, end inclusive, span of the window phrase in text)."""
    t = text
    m = re.search(
        r"\bwithin (\d+|" + "|".join(_NUM) + r") (day|week|month|year)s?(?: (?:of|after|from) " + _DATE + r")?",
        t,
        re.I,
    )
    if m:
        n = float(_NUM.get(m.group(1).lower(), m.group(1)))  # type: ignore[arg-type]
        start = _parse_date(m.group(3)) if m.group(3) else as_of
        return start, _span(n, m.group(2).lower(), start) - dt.timedelta(days=1), m.span()
    m = re.search(
        r"\b(?:in|over|during) the (?:next|coming) (\d+|" + "|".join(_NUM) + r") (day|week|month|year)s?",
        t,
        re.I,
    )
    if m:
        n = float(_NUM.get(m.group(1).lower(), m.group(1)))  # type: ignore[arg-type]
        return as_of, _span(n, m.group(2).lower(), as_of) - dt.timedelta(days=1), m.span()
    m = re.search(r"\bbefore " + _DATE, t, re.I)
    if m:
        return as_of, _parse_date(m.group(1)) - dt.timedelta(days=1), m.span()
    m = re.search(r"\b(?:by|until|no later than) " + _DATE, t, re.I)
    if m:
        return as_of, _parse_date(m.group(1)), m.span()
    m = re.search(r"\b(?:in|during) ([A-Z][a-z]+) (\d{4})\b", t)
    if m and m.group(1) in calendar.month_name[1:]:
        mo, y = list(calendar.month_name).index(m.group(1)), int(m.group(2))
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), m.span()
    m = re.search(r"\b(?:in|during|by the end of) (\d{4})\b", t, re.I)
    if m:
        y = int(m.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31), m.span()
    m = re.search(r"\bbetween " + _DATE + r" and " + _DATE, t, re.I)
    if m:
        return _parse_date(m.group(1)), _parse_date(m.group(2)), m.span()
    raise QuestionError(
        "could not find the time window (use e.g. 'before 2025-06-30', 'in 2025', "
        "'within 6 months of 2024-11-25' or 'in the next 30 days')"
    )


def find_countries(text: str) -> list[tuple[str, int, int]]:
    """Country mentions as (CAMEO code, start, end), in order; longest capitalised n-grams first."""
    from redline.ontology import countries

    toks = list(re.finditer(r"[A-Z][\w.'’-]*|the|of|and", text))
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(toks):
        hit = None
        for n in (5, 4, 3, 2, 1):
            if i + n > len(toks):
                continue
            grp = toks[i : i + n]
            if not grp[0].group(0)[0].isupper() or not grp[-1].group(0)[0].isupper():
                continue
            # tokens must be adjacent (only spaces between)
            if any(text[a.end() : b.start()].strip() for a, b in zip(grp, grp[1:], strict=False)):
                continue
            phrase = text[grp[0].start() : grp[-1].end()].rstrip(".'’")
            if phrase.lower() in {"will", "i", "a", "in", "is"} or len(phrase) < 2:
                continue
            c = countries.lookup(phrase)
            if c is None and phrase.endswith("s"):
                c = countries.lookup(phrase.rstrip("s"))  # demonym plurals: "Chinese" stays, "Russians" -> Russian
            if c is not None and c.cameo:
                hit = (c.cameo, grp[0].start(), grp[-1].end(), n)
                break
        if hit:
            out.append(hit[:3])
            i += hit[3]
        else:
            i += 1
    return out


def _trigger(clause: str) -> Trigger | None:
    found = find_countries(clause)
    cls = classes.find_in_text(clause)
    if not found or not cls:
        return None
    actor = found[0][0]
    place = ""
    adversary = ""
    for code, s, _ in found[1:]:
        before = clause[max(0, s - 12) : s].lower()
        if re.search(r"\b(to|in|into|inside|at)\s+(the\s+)?$", before):
            place = place or code
        elif re.search(r"\b(against|on|with)\s+(the\s+)?$", before):
            adversary = adversary or code
    return Trigger(actor=actor, event_class=cls[0], place=place, adversary=adversary, text=clause.strip())


def parse_trigger(clause: str) -> Trigger | None:
    """A trigger from a clause such as 'North Korea sends troops to Russia': actor, event class, place,
    adversary; None when no country or no event class is named."""
    return _trigger(clause)


def parse_question(text: str, as_of: dt.date | None = None) -> ParsedQuestion:
    """Parse a plain-English yes/no question about two countries. Raises QuestionError naming what failed."""
    as_of = as_of or dt.date.today()
    raw = " ".join(text.split())
    if not raw:
        raise QuestionError("empty question")
    body = raw.rstrip("?").strip()
    if not re.match(r"(?i)^(will|would|does|is|are|can)\b", body):
        raise QuestionError(f"expected a yes/no question starting with 'Will ...': {raw!r}")
    trig = None
    m = re.search(r"\b(?:after|following|in response to|if|once|because)\b(.*)$", body, re.I)
    main = body
    if m:
        clause = m.group(1)
        # the window phrase may follow the trigger clause; keep it in the main part
        trig = _trigger(re.sub(r"\b(before|by|within|in the next|in \d{4}).*$", "", clause, flags=re.I))
        wm = re.search(r"\b(before|by|within|in the next|in \d{4}).*$", clause, re.I)
        main = body[: m.start()] + " " + (wm.group(0) if wm else "")
    start, end, wspan = _window(main, as_of)
    head = main[: wspan[0]] + main[wspan[1] :]
    found = find_countries(head)
    if len(found) < 2:
        names = ", ".join(c for c, _, _ in found) or "none"
        raise QuestionError(f"need two countries (actor and target); found {names} in {raw!r}")
    (a, _, a_e), (b, b_s, _) = found[0], found[1]
    between = head[a_e:b_s]
    mutual = bool(re.fullmatch(r"\s*(and|&)\s*", between))
    verb = head[b_s:] if mutual else between
    cls = classes.find_in_text(verb)
    if not cls:
        cls = classes.find_in_text(head)
    if not cls:
        raise QuestionError(
            f"could not tell which kind of event {verb.strip()!r} is; known: " + ", ".join(sorted(classes.CLASSES))
        )
    # "punitive measures - sanctions, reduced relations or coercion" names one class and spells it out
    if "punitive" in cls:
        cls = ["punitive"]
    if start > end:
        raise QuestionError(f"the window ends ({end}) before it starts ({start})")
    codes = classes.codes_for(cls)
    label = " or ".join(classes.get(c).label for c in cls)
    notes: list[str] = []
    if not codes:
        notes.append(f"{label}: no CAMEO code; matched by phrase and curated records only")
    q = Question(
        actor=a,
        target=b,
        event_codes=codes,
        start=start,
        end=end,
        trigger=trig.text if trig else "",
        text=raw,
        label=label,
    )
    return ParsedQuestion(q, tuple(cls), mutual, trig, tuple(notes))


def parse_spec(spec: dict[str, Any] | str, as_of: dt.date | None = None) -> ParsedQuestion:
    """A question from JSON: ``{"actor", "target", "event_class" | "event_codes", "start", "end" | "days",
    "mutual"?, "trigger"?: {"actor", "event_class", "place", "adversary", "text"}, "text"?}``."""
    from redline.knowledge.datadir import to_cameo

    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise QuestionError(f"question spec is not valid JSON: {exc}") from exc
    if not isinstance(spec, dict):
        raise QuestionError("question spec must be a JSON object")
    if "question" in spec and not {"actor", "target"} <= set(spec):
        pq = parse_question(str(spec["question"]), as_of)
        return pq
    missing = [k for k in ("actor", "target") if not spec.get(k)]
    if missing:
        raise QuestionError(f"question spec lacks {', '.join(missing)}")
    actor, target = to_cameo(str(spec["actor"])), to_cameo(str(spec["target"]))
    cls_in = spec.get("event_class") or spec.get("classes") or []
    cls = [cls_in] if isinstance(cls_in, str) else list(cls_in)
    for c in cls:
        classes.get(c)
    given = tuple(str(c) for c in spec.get("event_codes") or ())
    codes = given if given else classes.codes_for(cls)
    if not codes and not cls:
        raise QuestionError("question spec needs event_class or event_codes")
    as_of = as_of or dt.date.today()
    try:
        start = dt.date.fromisoformat(str(spec["start"])) if spec.get("start") else as_of
        if spec.get("end"):
            end = dt.date.fromisoformat(str(spec["end"]))
        elif spec.get("days"):
            end = start + dt.timedelta(days=int(spec["days"]) - 1)
        else:
            raise QuestionError("question spec needs end or days")
    except ValueError as exc:
        raise QuestionError(f"bad date in question spec: {exc}") from exc
    trig = None
    t = spec.get("trigger")
    if isinstance(t, dict):
        trig = Trigger(
            actor=to_cameo(str(t.get("actor", ""))) if t.get("actor") else "",
            event_class=str(t.get("event_class", "")),
            place=str(t.get("place", "")),
            adversary=str(t.get("adversary", "")),
            text=str(t.get("text", "")),
        )
        if trig.event_class:
            classes.get(trig.event_class)
    elif isinstance(t, str) and t:
        trig = _trigger(t)
    label = " or ".join(classes.get(c).label for c in cls) if cls else ",".join(codes)
    q = Question(
        actor=actor,
        target=target,
        event_codes=codes,
        start=start,
        end=end,
        trigger=trig.text if trig else "",
        text=str(spec.get("text", "")),
        label=label,
    )
    return ParsedQuestion(q, tuple(cls), bool(spec.get("mutual", False)), trig)


def with_trigger(pq: ParsedQuestion, trigger: Trigger | None) -> ParsedQuestion:
    if trigger is None:
        return pq
    return replace(pq, trigger=trigger, question=replace(pq.question, trigger=trigger.text))


def question_to_dict(pq: ParsedQuestion) -> dict[str, Any]:
    q = pq.question
    d: dict[str, Any] = {
        "actor": q.actor,
        "target": q.target,
        "event_codes": list(q.event_codes),
        "classes": list(pq.classes),
        "label": q.label,
        "start": q.start.isoformat(),
        "end": q.end.isoformat(),
        "days": (q.end - q.start).days + 1,
        "mutual": pq.mutual,
        "text": q.text,
    }
    if pq.trigger is not None:
        t = pq.trigger
        d["trigger"] = {
            "actor": t.actor,
            "event_class": t.event_class,
            "place": t.place,
            "adversary": t.adversary,
            "text": t.text,
        }
    if pq.notes:
        d["notes"] = list(pq.notes)
    return d
