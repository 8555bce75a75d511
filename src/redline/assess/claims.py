"""Claim check: find an article's checkable claims and judge each against the data redline holds.

Claim kinds and how each is judged:

* ``trade_share`` ("In 2023, 98% of North Korean trade involved China"): COW trade v4.0 or a curated/user
  series for that year; supported within 3 percentage points, contradicted beyond, unverifiable without data.
* ``no_alliance`` ("X does not have an alliance treaty with Y"): military obligations between X and Y in force
at
  the as-of date (ATOP + curated records).
* ``treaty_scope`` ("its alliance treaty with Y only covers the Far East"): the location condition of that
  obligation (ATOP ``defcoloc`` and the curated text). No location limit on record contradicts the claim.
* ``treaty_obligation`` ("Per the treaty, X could help Y defend against military aggression"): a military
  obligation between X and Y in force at the as-of date.
* ``red_line`` ("...did not violate China's red line on not testing a nuclear device"; "policy ... no war, no
  instability, no nukes"; "does not violate any of the principles"): the curated red-line rules and, for
  nuclear
  tests, the DPRK provocations list.
* ``has_not`` ("China has not sought to punish North Korea"): the store's events for the year before the as-of
  date, from datasets other than the article itself; unverifiable when the store does not cover that period.
* ``dated_event`` (an asserted event the coder finds): a matching event (same countries and CAMEO root within
30
  days) in the store from another dataset; absence is reported as unverifiable, never as contradiction.
* ``quantity`` (troop numbers, workers...): unverifiable unless the store holds the figure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redline.errors import RedlineError
from redline.knowledge.redlines import Trigger, check, load_red_lines

from . import classes as cls_table
from .answer import store_citation
from .questions import find_countries

__all__ = ["Claim", "split_sentences", "extract_claims", "check_text", "judge"]

SUPPORTED, CONTRADICTED, UNVERIFIABLE = "supported", "contradicted", "unverifiable"
_CURATED_NOTE = "; a figure the project entered from the cited report"


@dataclass
class Claim:
    text: str
    sentence_index: int
    kind: str
    claim: dict[str, Any]
    verdict: str = UNVERIFIABLE
    evidence: str = ""
    citation: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sentence_index": self.sentence_index,
            "kind": self.kind,
            "claim": self.claim,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "citation": self.citation,
        }


def split_sentences(text: str) -> list[str]:
    """Sentences: paragraph breaks, then ., ! or ? followed by space and a capital or quote."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        p = " ".join(para.split())
        if not p:
            continue
        parts = re.split(r"(?:(?<=[.!?])|(?<=[.!?][”\"’']))\s+(?=[A-Z“\"‘(])", p)
        out.extend(s.strip() for s in parts if s and s.strip())
    return out


def _codes(sent: str) -> list[str]:
    return [c for c, _, _ in find_countries(sent)]


def _country_phrase(s: str) -> str:
    from redline.ontology import countries

    s = re.sub(r"['’]s$", "", s.strip())
    c = countries.lookup(s)
    if c is None:
        found = find_countries(s)
        return found[0][0] if found else ""
    return str(c.cameo)


# ----------------------------------------------------------------------------------------------- extractors
_SHARE = re.compile(
    r"(?:[Ii]n (?P<year>\d{4}),?\s*)?(?P<pct>\d+(?:\.\d+)?)\s*(?:%|per ?cent)\s+of\s+"
    r"(?P<rep>[A-Z][\w'’ -]*?)\s+"
    r"(?:total\s+|foreign\s+|external\s+)?trade\s+(?:involved|was with|went to|with|came from|depended on)\s+"
    r"(?P<par>[A-Z][\w -]+)"
)
_NO_ALLIANCE = re.compile(
    r"(?P<x>[A-Z][\w ]+?) (?:does|did) not have an? (?:alliance|defen[cs]e|military) "
    r"(?:treaty|pact|alliance) "
    r"with (?P<y>[A-Z][\w ]+?)\b(?: and|[,.;]|$)"
)
_SCOPE = re.compile(
    r"(?:its|their|the) (?:alliance|defen[cs]e|mutual[- ]assistance)? ?treaty with (?P<y>(?:the )?[A-Z][\w ]+?) "
    r"(?:only|just) (?:covers|applies to|extends to) (?:the )?[“\"']?(?P<loc>[^”\"'.]+)"
)
_HAS_NOT = re.compile(r"\b(?:has|have|had) (?:not|never)\b|\b(?:hasn['’]t|haven['’]t|did not|didn['’]t)\b")


def extract_claims(sentences: list[str]) -> list[Claim]:
    """Rule-based claims per sentence (several kinds may come from one sentence)."""
    claims: list[Claim] = []
    owner_hint = ""
    for i, s in enumerate(sentences):
        low = s.lower()
        if s.rstrip().endswith("?"):
            continue  # a question asserts nothing
        m = _SHARE.search(s)
        if m:
            rep, par = _country_phrase(m.group("rep")), _country_phrase(m.group("par"))
            year = m.group("year")
            if rep and par:
                claims.append(
                    Claim(
                        s,
                        i,
                        "trade_share",
                        {
                            "reporter": rep,
                            "partner": par,
                            "share": float(m.group("pct")) / 100,
                            "year": int(year) if year else None,
                        },
                    )
                )
        m = _NO_ALLIANCE.search(s)
        if m:
            x, y = _country_phrase(m.group("x")), _country_phrase(m.group("y"))
            if x and y:
                claims.append(Claim(s, i, "no_alliance", {"a": x, "b": y}))
        m = _SCOPE.search(s)
        if m:
            y = _country_phrase(m.group("y"))
            cs = _codes(s[: m.start()])
            x = next((c for c in cs if c != y), "")  # the sentence's subject ("its" refers back to it)
            if x and y and x != y:
                claims.append(Claim(s, i, "treaty_scope", {"a": x, "b": y, "location": m.group("loc").strip()}))
        if "treaty" in low and re.search(r"\b(defend|assist|assistance|aggression|attack)\b", low) and not m:
            cs = list(dict.fromkeys(_codes(s)))
            if len(cs) < 2 and i > 0:  # "Under the treaty, each side ..." names the parties a sentence earlier
                cs = list(dict.fromkeys(cs + _codes(sentences[i - 1])))
            if len(cs) >= 2:
                claims.append(Claim(s, i, "treaty_obligation", {"a": cs[0], "b": cs[1]}))
        if "red line" in low or "no war, no instability" in low or "principles" in low:
            cs = _codes(s)
            found = cls_table.find_in_text(s)
            act = next((c for c in found if c != "nuclear_test"), "nuclear_test" if "nuclear_test" in found else "")
            lines_by = {ln.actor for ln in load_red_lines()}
            owner_hint = next((x for x in cs if x in lines_by), owner_hint)
            claims.append(
                Claim(
                    s,
                    i,
                    "red_line",
                    {
                        "countries": cs,
                        "act": act,
                        "owner": owner_hint,
                        "line": "nuclear_test" if "nuclear" in low else "",
                    },
                )
            )
        elif _HAS_NOT.search(s):
            cs = list(dict.fromkeys(_codes(s)))
            found = cls_table.find_in_text(s)
            if len(cs) >= 2 and found:
                claims.append(Claim(s, i, "has_not", {"actor": cs[0], "target": cs[1], "class": found[0]}))
        for q in re.finditer(r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+(troops|soldiers|workers|missiles|people)\b", s):
            claims.append(Claim(s, i, "quantity", {"value": int(q.group(1).replace(",", "")), "unit": q.group(2)}))
    return claims


# ---------------------------------------------------------------------------------------------- judgement
@dataclass
class Sources:
    as_of: dt.date
    store: Any = None
    treaties: Any = None
    trade: Any = None
    provocations: list[Any] | None = None
    timeline: list[Any] | None = None
    doc_id: str = ""
    notes: list[str] = field(default_factory=list)


def judge(c: Claim, src: Sources) -> Claim:
    fn = {
        "trade_share": _j_trade,
        "no_alliance": _j_no_alliance,
        "treaty_scope": _j_scope,
        "treaty_obligation": _j_obligation,
        "red_line": _j_red_line,
        "has_not": _j_has_not,
        "quantity": _j_quantity,
        "dated_event": _j_dated,
    }.get(c.kind)
    if fn is None:
        c.evidence = "no judge for this kind of claim"
        return c
    try:
        fn(c, src)
    except RedlineError as exc:
        c.verdict, c.evidence = UNVERIFIABLE, f"could not check: {exc}"
    return c


def _j_trade(c: Claim, src: Sources) -> None:
    tb = src.trade
    k = c.claim
    if tb is None:
        c.evidence = "no trade data loaded"
        return
    year = k["year"] or src.as_of.year - 1
    s = tb.share(k["reporter"], k["partner"], year)
    if s is None:
        last = tb.latest(k["reporter"], k["partner"], year)
        c.evidence = f"no {k['reporter']}-{k['partner']} trade figure for {year}" + (
            f"; latest on record: {last.share:.1%} in {last.year} ({last.origin})" if last else ""
        )
        c.citation = last.citation if last else ""
        return
    diff = abs(s.share - k["share"])
    c.verdict = SUPPORTED if diff <= 0.03 else CONTRADICTED
    c.evidence = (
        f"{k['reporter']}'s trade with {k['partner']} in {year}: {s.share:.1%} of its total "
        f"({s.origin}{_CURATED_NOTE if s.origin == 'curated' else ''})"
        f"; claimed {k['share']:.0%}"
    )
    cow = tb.latest(k["reporter"], k["partner"], tb.last_cow_year or year) if tb.last_cow_year else None
    if cow is not None and cow.origin == "cow" and cow.year != year:
        c.evidence += f"; COW's latest year ({cow.year}): {cow.share:.1%}"
    c.citation = s.citation


def _military(src: Sources, a: str, b: str) -> list[Any]:
    return [o for o in src.treaties.between(a, b, src.as_of) if o.military]


def _j_no_alliance(c: Claim, src: Sources) -> None:
    a, b = c.claim["a"], c.claim["b"]
    obs = _military(src, a, b)
    if obs:
        c.verdict = CONTRADICTED
        c.evidence = f"on record: {obs[0].describe()}"
        c.citation = obs[0].citation
    else:
        other = src.treaties.between(a, b, src.as_of)
        c.verdict = SUPPORTED
        c.evidence = f"no defence, offence or mutual-assistance obligation between {a} and {b} on {src.as_of}" + (
            f"; other ties: {', '.join(sorted({o.kind for o in other}))}" if other else ""
        )
        c.citation = "ATOP v5.1/v4.01 (Leeds et al.) + knowledge/data/treaties.yaml"


def _j_scope(c: Claim, src: Sources) -> None:
    a, b, loc = c.claim["a"], c.claim["b"], c.claim["location"]
    obs = _military(src, a, b)
    if not obs:
        c.evidence = f"no military obligation between {a} and {b} on record to have a scope"
        return
    limited = [o for o in obs if o.location_limited]
    if limited:
        c.verdict = SUPPORTED
        c.evidence = f"location-limited obligation on record: {limited[0].describe()}"
        c.citation = limited[0].citation
        return
    o = obs[0]
    c.verdict = CONTRADICTED
    c.evidence = (
        f"{o.describe()}: the obligation has no location condition (ATOP defcoloc = 0); the claimed limit "
        f"'{loc}' is not in the treaty as coded" + (f". Trigger: {o.trigger}" if o.trigger else "")
    )
    c.citation = "; ".join(dict.fromkeys([o.citation, *o.sources]))


def _j_obligation(c: Claim, src: Sources) -> None:
    a, b = c.claim["a"], c.claim["b"]
    obs = _military(src, a, b)
    if obs:
        c.verdict = SUPPORTED
        c.evidence = f"{obs[0].describe()}" + (f"; trigger: {obs[0].trigger}" if obs[0].trigger else "")
        c.citation = obs[0].citation
    else:
        any_obs = [o for o in src.treaties.obligations if o.binds(_cow(a), _cow(b)) and o.military]
        if any_obs:
            o = sorted(any_obs, key=lambda o: o.start)[-1]
            c.evidence = (
                f"the treaty provides it: {o.describe()}; in force from {o.start}, i.e. not yet on "
                f"{src.as_of}" + (f"; trigger: {o.trigger}" if o.trigger else "")
            )
            c.citation = o.citation
            c.verdict = SUPPORTED if o.start > src.as_of else UNVERIFIABLE
        else:
            c.verdict = CONTRADICTED
            c.evidence = f"no military obligation between {a} and {b} on record"
            c.citation = "ATOP v5.1/v4.01 + knowledge/data/treaties.yaml"


def _cow(x: str) -> int:
    from redline.knowledge.datadir import to_cow

    return to_cow(x)


def _j_red_line(c: Claim, src: Sources) -> None:
    lines = load_red_lines()
    s = c.text
    low = s.lower()
    cs = c.claim["countries"]
    owner = next((x for x in cs if any(ln.actor == x for ln in lines)), "") or c.claim.get("owner", "")
    if not owner:
        c.evidence = "no curated red lines for the countries named"
        return
    own = [ln for ln in lines if ln.actor == owner]
    cite = "; ".join(dict.fromkeys(ln.sources[0] for ln in own))
    if "no war, no instability" in low or ("policy" in low and "no nukes" in low):
        c.verdict = SUPPORTED
        c.evidence = "curated red lines of " + owner + ": " + "; ".join(ln.name for ln in own)
        c.citation = cite
        return
    actor = next((x for x in cs if x != owner), "PRK")
    act = c.claim.get("act") or ""
    place = ""
    if re.search(r"far from|abroad|outside", low):
        place = "RUS" if "RUS" in cs else "outside the region"
    if not act:
        c.evidence = "could not tell which act the claim is about"
        return
    res = check(Trigger(actor, act, place), own)
    crossed = [r for r in res if r.crossed]
    negative = bool(re.search(r"\b(not|no|never|did not|does not|doesn['’]t)\b", low))
    ev = [
        f"{actor} {act}"
        + (f" in {place}" if place else "")
        + ": "
        + (
            "crosses " + ", ".join(r.line.name for r in crossed)
            if crossed
            else "crosses none of "
            + owner
            + "'s lines ("
            + "; ".join(f"{r.line.name}: {r.reasons[0]}" for r in res if r.reasons)
            + ")"
        )
    ]
    if c.claim.get("line") == "nuclear_test" and src.provocations:
        from redline.knowledge.korea import nuclear_tests

        before = [p for p in nuclear_tests(src.provocations) if p.date < src.as_of]
        if before:
            ev.append(f"last DPRK nuclear test on record before {src.as_of}: {before[-1].date} ({len(before)} in all)")
            cite += "; CSIS Beyond Parallel provocations list"
    c.verdict = SUPPORTED if (negative and not crossed) or (not negative and crossed) else CONTRADICTED
    c.evidence = "; ".join(ev)
    c.citation = cite


def _coverage(src: Sources, country: str, lo: dt.date, hi: dt.date) -> int:
    if src.store is None:
        return 0
    df = src.store.sql(
        "SELECT count(*) AS n FROM events WHERE asserted AND date >= ? AND date < ? AND "
        "(source_country = ? OR target_country = ?) AND dataset <> 'article' AND coalesce(doc_id, '') <> ?",
        [lo, hi, country, country, src.doc_id],
    )
    return int(df["n"].iloc[0])


def _j_has_not(c: Claim, src: Sources) -> None:
    a, b, name = c.claim["actor"], c.claim["target"], c.claim["class"]
    codes = cls_table.codes_for([name])
    lo, hi = src.as_of - dt.timedelta(days=365), src.as_of
    cov = _coverage(src, a, lo, hi)
    if not codes or cov < 20:
        c.evidence = (
            f"the store holds {cov} events involving {a} between {lo} and {hi} (from other sources): too "
            "few to judge a 'has not' claim"
        )
        return
    cond = " OR ".join("starts_with(cameo, ?)" for _ in codes)
    hits = src.store.sql(
        "SELECT date, cameo, text, dataset FROM events WHERE asserted AND source_country = ? "
        "AND target_country = ? "
        f"AND date >= ? AND date < ? AND ({cond}) AND dataset <> 'article' AND coalesce(doc_id, '') <> ? "
        "ORDER BY date DESC LIMIT 5",
        [a, b, lo, hi, *codes, src.doc_id],
    )
    label = cls_table.get(name).label
    if len(hits):
        c.verdict = CONTRADICTED
        c.evidence = f"{len(hits)}+ {a}->{b} events of {label} in the year before {hi}: " + "; ".join(
            f"{r.date} {r.cameo}" for r in hits.itertuples()
        )
    else:
        c.verdict = SUPPORTED
        c.evidence = f"no {a}->{b} {label} among {cov} events involving {a} in the store, {lo}..{hi}"
    c.citation = store_citation(src.store)


def _numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b", text)]


def _j_quantity(c: Claim, src: Sources) -> None:
    """A count (troops, workers...) is supported when a dated source before the as-of date reports the same
    figure
    (within 10%) with the same noun; otherwise unverifiable."""
    value, unit = float(c.claim["value"]), str(c.claim["unit"])
    lo = src.as_of - dt.timedelta(days=365)
    hits = []
    for e in src.timeline or []:
        if not (lo <= e.date < src.as_of):
            continue
        body = f"{e.headline}. {e.text}"
        for m in re.finditer(r"(\d{1,3}(?:,\d{3})+|\d+)\s+(?:[\w-]+\s+){0,3}" + re.escape(unit), body):
            n = float(m.group(1).replace(",", ""))
            if abs(n - value) <= 0.1 * value:
                hits.append(e)
                break
    if hits:
        e = hits[0]
        c.verdict = SUPPORTED
        c.evidence = (
            f"reported before {src.as_of}: {e.date} '{e.headline}' ({len(hits)} matching report(s) in "
            "the CSIS North Korea-Russia timeline); a report of the figure, not an independent count"
        )
        c.citation = e.url
        return
    c.evidence = f"no dated source in the store or knowledge base reports {int(value):,} {unit}"


def _timeline_match(src: Sources, a: str, b: str, cameo: str, d: dt.date) -> Any:
    """The best timeline entry within 30 days (before the as-of date) that names both countries and an event of
    the same class: the class named in the headline first, then the source named in the headline, then nearest."""
    classes_of = cls_table.class_of_code(cameo)
    if not classes_of:
        return None
    main = classes_of[0]
    best: tuple[int, int, Any] | None = None
    for e in src.timeline or []:
        if abs((e.date - d).days) > 30 or e.date >= src.as_of:
            continue
        body = f"{e.headline}. {e.text}"
        cs = {x for x, _, _ in find_countries(body)}
        if not ({a, b} <= cs and main in cls_table.find_in_text(body)):
            continue
        head_cs = {x for x, _, _ in find_countries(e.headline)}
        score = 2 * (main in cls_table.find_in_text(e.headline)) + (a in head_cs)
        key = (score, -abs((e.date - d).days), e)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best is not None else None


def _j_dated(c: Claim, src: Sources) -> None:
    k = c.claim
    d = dt.date.fromisoformat(k["date"])
    lo, hi = d - dt.timedelta(days=30), d + dt.timedelta(days=31)
    if src.store is None:
        e = _timeline_match(src, k["source"], k["target"], k["cameo"], d)
        if e is not None:
            c.verdict = SUPPORTED
            c.evidence = f"reported in the CSIS North Korea-Russia timeline: {e.date} '{e.headline}'"
            c.citation = e.url
        else:
            c.evidence = "no store to check against and no matching timeline entry"
        return
    hits = src.store.sql(
        "SELECT date, cameo, dataset FROM events WHERE asserted AND source_country = ? "
        "AND target_country = ? AND "
        "root = ? AND date >= ? AND date < ? AND dataset <> 'article' AND coalesce(doc_id, '') <> ? LIMIT 3",
        [k["source"], k["target"], k["cameo"][:2], lo, hi, src.doc_id],
    )
    if len(hits):
        c.verdict = SUPPORTED
        c.evidence = "matching events in the store: " + "; ".join(
            f"{r.date} {r.cameo} ({r.dataset})" for r in hits.itertuples()
        )
        c.citation = store_citation(src.store)
    else:
        cov = _coverage(src, k["source"], lo, hi)
        e = _timeline_match(src, k["source"], k["target"], k["cameo"], d)
        if e is not None:
            c.verdict = SUPPORTED
            c.evidence = f"reported in the CSIS North Korea-Russia timeline: {e.date} '{e.headline}'"
            c.citation = e.url
            return
        c.evidence = f"no matching event in the store ({cov} events involving {k['source']} in that period)"


# ---------------------------------------------------------------------------------------------- top level
def code_sentences(sentences: list[str], as_of: dt.date | None, doc_id: str, coder: Any = None) -> list[Any]:
    """Code each sentence as its own document (one failure loses one sentence); events carry the sentence
    index."""
    from redline.records import Document

    try:
        from redline.coding.pipeline import Coder

        c = coder or Coder.load()
    except Exception as exc:  # noqa: BLE001 - the coder is optional for claim checking
        raise RedlineError(f"the coder is unavailable: {exc}") from exc
    docs = [Document(f"{doc_id}#{i}", s, as_of) for i, s in enumerate(sentences)]
    out: list[Any] = []
    for doc, evs in c.code(docs, include_all=True):
        i = int(doc.doc_id.rsplit("#", 1)[1])
        out.extend((i, e) for e in evs)
    return out


def check_text(
    text: str,
    *,
    as_of: dt.date | None = None,
    store: Any = None,
    data: str | Path | None = None,
    doc_id: str = "article",
    coded: list[Any] | None = None,
    use_coder: bool = True,
) -> dict[str, Any]:
    """Extract and judge the claims of ``text``. ``coded``: (sentence index, Event) pairs if already coded."""
    from redline.knowledge import TradeBook, TreatyBook, data_dir, load_provocations
    from redline.knowledge.korea import load_timeline

    when = as_of or dt.date.today()
    src = Sources(as_of=when, store=store, doc_id=doc_id)
    try:
        d = data_dir(data)
        src.treaties = TreatyBook.load(d)
        src.trade = TradeBook.load(d)
        src.provocations = load_provocations(d)
        try:
            src.timeline = load_timeline(d)
        except RedlineError as exc:
            src.notes.append(f"timeline unavailable: {exc}")
    except RedlineError as exc:
        src.notes.append(f"data folder unavailable ({exc}): curated records only")
        src.treaties = TreatyBook.load(atop=False)
        try:
            src.trade = TradeBook.load(cow=False)
        except RedlineError:
            src.trade = None
    sentences = split_sentences(text)
    claims = extract_claims(sentences)
    if coded is None and use_coder:
        try:
            coded = code_sentences(sentences, when, doc_id)
        except RedlineError as exc:
            src.notes.append(str(exc))
            coded = []
    taken = {c.sentence_index for c in claims if c.kind != "quantity"}
    for i, e in coded or []:
        if i in taken or not e.asserted or not e.source_country or not e.target_country:
            continue
        if sentences[i].rstrip().endswith("?"):
            continue  # a question asserts nothing
        if e.source_country == e.target_country:
            continue
        claims.append(
            Claim(
                sentences[i],
                i,
                "dated_event",
                {
                    "source": e.source_country,
                    "target": e.target_country,
                    "cameo": e.cameo,
                    "date": e.date.isoformat(),
                },
            )
        )
        taken.add(i)
    claims.sort(key=lambda c: c.sentence_index)
    for c in claims:
        judge(c, src)
    counts = {v: sum(1 for c in claims if c.verdict == v) for v in (SUPPORTED, CONTRADICTED, UNVERIFIABLE)}
    return {
        "claims": [c.to_json() for c in claims],
        "counts": counts,
        "as_of": when.isoformat(),
        "notes": src.notes,
        "sentences": len(sentences),
    }
