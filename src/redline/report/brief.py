"""The brief: code an article, store its events, answer its question, check its claims, write an HTML report.

The HTML is one self-contained file that opens offline: plotly.js is inlined once in its head, and the charts are
plotly figures, the dyad series drawn by :func:`redline.indicators.dyad_figure` (the dashboard's own chart).
It holds the answer with its evidence chart, the treaty table, the dyad's event series from the store, and the
claim table. ``make_brief`` also returns the lines of a terminal summary.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

from redline.errors import QuestionError, RedlineError

__all__ = ["make_brief", "infer_question", "EXAMPLE_ARTICLE", "render_html", "evidence_figure"]

EXAMPLE_ARTICLE = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "example_article.txt"


def infer_question(text: str, as_of: dt.date) -> tuple[Any, str]:
    """The article's own question: "A ... punish B" -> punitive measures within 6 months; else a '?' sentence
    that parses (a missing window becomes 'within 6 months of the as-of date')."""
    from redline.assess.claims import split_sentences
    from redline.assess.questions import find_countries, parse_question

    sents = split_sentences(text)
    window = f"within 6 months of {as_of.isoformat()}"
    for s in sents:
        m = re.search(r"\bpunish", s, re.I)
        if not m:
            continue
        before = [c for c, _, e in find_countries(s) if e <= m.start()]
        after = [c for c, st, _ in find_countries(s) if st >= m.end()]
        if before and after and before[-1] != after[0]:
            from redline.ontology import countries

            a, b = countries.lookup(before[-1]), countries.lookup(after[0])
            if a is not None and b is not None:
                q = f"Will {a.name} take punitive measures against {b.name} {window}?"
                return parse_question(q, as_of), q
    for s in sents:
        if not s.endswith("?"):
            continue
        for cand in (s, s[:-1] + f" {window}?"):
            try:
                return parse_question(cand, as_of), cand
            except QuestionError:
                continue
    raise QuestionError("could not find the article's question; give one with --question")


def infer_trigger(text: str, pq: Any) -> Any:
    """What the article says the target did: its first military-support, nuclear, force or missile act, with
    the place it happened when the article names one ("... troops to Russia")."""
    from redline.assess import classes
    from redline.assess.claims import split_sentences
    from redline.assess.questions import _trigger, find_countries
    from redline.knowledge.redlines import Trigger

    tgt = pq.question.target
    sents = split_sentences(text)
    fallback = None
    for kind in ("military_support", "nuclear_test", "use_force", "missile_test"):
        for s in sents:
            if kind not in classes.find_in_text(s):
                continue
            if tgt not in [c for c, _, _ in find_countries(s)]:
                continue
            place = ""
            for code, st, _ in find_countries(s):
                if code != tgt and re.search(r"\b(to|in|into|inside)\s+(the\s+)?$", s[max(0, st - 12) : st]):
                    place = code
                    break
            t = _trigger(s)
            adversary = t.adversary if t is not None else ""
            trig = Trigger(actor=tgt, event_class=kind, place=place, adversary=adversary, text=s)
            if place:
                return trig
            fallback = fallback or trig
    return fallback


def _plotly_js() -> str:
    """plotly.js as shipped inside the installed ``plotly`` package (inlined: the report needs no network)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _figure_div(fig: Any, div_id: str) -> str:
    """A plotly figure as a <div> and its script, for a page that loads plotly.js once itself."""
    import plotly.io as pio

    return str(pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id,
                           config={"displaylogo": False, "responsive": True}))


def evidence_figure(ans: dict[str, Any]) -> Any:
    """The evidence chart: each factor's move in log-odds (history moves relative to an average question)."""
    import plotly.graph_objects as go

    moves = ans.get("moves") or {}
    items = [(k.replace("history:", "history: "), float(v)) for k, v in moves.items() if abs(v) > 1e-3]
    labels = [k for k, _ in items]
    vals = [v for _, v in items]
    fig = go.Figure(go.Bar(x=vals, y=labels, orientation="h",
                           marker_color=["#c0392b" if v > 0 else "#2c7fb8" for v in vals],
                           hovertemplate="%{y}: %{x:+.2f} log-odds<extra></extra>"))
    fig.add_vline(x=0, line_color="#333", line_width=1)
    fig.update_layout(
        title=f"P = {ans['probability']:.0%} (base rate {ans['base_rate']:.1%})", template="plotly_white",
        height=int(28 * max(len(items), 3) + 140), margin={"l": 20, "r": 20, "t": 50, "b": 50},
        xaxis_title="move in log-odds (history moves relative to an average question)",
        yaxis={"autorange": "reversed"}, showlegend=False,
    )
    return fig


def _dyad_chart(store: Any, a: str, b: str, as_of: dt.date) -> str | None:
    """The dyad's monthly series up to ``as_of`` from the store, drawn as the dashboard draws it."""
    if store is None:
        return None
    from redline.indicators import dyad_figure, dyad_series

    s = dyad_series(store, a, b, by="month", end=as_of)
    if s is None or len(s) < 2:
        return None
    return _figure_div(dyad_figure(s, f"{a} - {b}: events by month (store)"), "dyad-chart")


def _table(rows: list[list[str]], head: list[str]) -> str:
    h = "".join(f"<th>{html.escape(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def _link(cite: str) -> str:
    parts = []
    for c in re.split(r";\s*", cite):
        m = re.search(r"https?://\S+", c)
        if m:
            url = m.group(0).rstrip(").,")
            parts.append(html.escape(c.replace(url, "")) + f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        else:
            parts.append(html.escape(c))
    return "; ".join(parts)


def render_html(
    title: str,
    ans: dict[str, Any],
    claims: dict[str, Any],
    treaties: list[list[str]],
    dyad_chart: str | None,
    evidence_chart: str,
    meta: dict[str, Any],
    plotly_js: str | None = None,
) -> str:
    """The page. ``dyad_chart`` and ``evidence_chart`` are plotly <div>s (see :func:`_figure_div`);
    ``plotly_js``: the plotly.js source to inline (default: the installed package's)."""
    q = ans["question"]
    ev_rows = [
        [
            html.escape(e["kind"]),
            {1: "raises", -1: "lowers", 0: "neutral"}[e["direction"]],
            f"{e['weight']:.2f}",
            html.escape(e["summary"]),
            _link(e["citation"]),
        ]
        for e in ans["evidence"]
    ]
    colour = {"supported": "#1e8449", "contradicted": "#c0392b", "unverifiable": "#7f8c8d"}
    cl_rows = [
        [
            f'<b style="color:{colour[c["verdict"]]}">{c["verdict"]}</b>',
            html.escape(c["kind"]),
            html.escape(c["text"]),
            html.escape(c["evidence"]),
            _link(c["citation"]),
        ]
        for c in claims["claims"]
    ]
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in meta.get("notes", []))
    dyad = (
        f'<div class="chart">{dyad_chart}</div>'
        if dyad_chart
        else "<p>No events for this dyad in the store before the as-of date.</p>"
    )
    counts = claims.get("counts", {})
    js = plotly_js if plotly_js is not None else _plotly_js()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script type="text/javascript">{js}</script>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;color:#222;
line-height:1.4}} h1{{font-size:1.5em}} h2{{border-bottom:1px solid
#ddd;padding-bottom:.2em;margin-top:1.6em}}
table{{border-collapse:collapse;width:100%;font-size:.88em}} td,th{{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left}} th{{background:#f4f4f4}} .big{{font-size:2.4em;font-weight:700}}
.muted{{color:#666;font-size:.9em}} .chart{{max-width:100%}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">redline brief &middot; as of {html.escape(str(meta.get("as_of")))} &middot; article
{html.escape(str(meta.get("doc_id")))} &middot; {meta.get("coded_events", 0)} events coded from the article,
{meta.get("stored", 0)} stored</p>
<h2>The question</h2>
<p><b>{html.escape(q.get("text") or q["label"])}</b><br>
{html.escape(q["actor"])} &rarr; {html.escape(q["target"])}: {html.escape(q["label"])} (CAMEO
{html.escape(", ".join(q["event_codes"]))}), {q["start"]} to {q["end"]}
{("<br>Trigger: " + html.escape(q["trigger"]["text"])) if q.get("trigger") else ""}</p>
<p class="big">{ans["probability"]:.0%}</p>
<p>Base rate {ans["base_rate"]:.1%}; history model {ans["history_probability"]:.1%}; knowledge evidence shifts
the
log-odds by {meta.get("knowledge_shift", 0):+.2f}.</p>
<div class="chart">{evidence_chart}</div>
<h2>Evidence</h2>{_table(ev_rows, ["kind", "direction", "log-odds", "summary", "citation"])}
<h2>Treaties in force</h2>{
        _table(treaties, ["parties", "treaty", "obligation", "scope", "source"])
        if treaties
        else "<p>None on record.</p>"
    }
<h2>Behaviour: {html.escape(q["actor"])} &ndash; {html.escape(q["target"])} events</h2>{dyad}
<h2>Claims in the article</h2>
<p>{counts.get("supported", 0)} supported, {counts.get("contradicted", 0)} contradicted,
{counts.get("unverifiable", 0)} unverifiable with the data redline holds.</p>
{_table(cl_rows, ["verdict", "kind", "sentence", "evidence", "citation"])}
<h2>Method</h2><p class="muted">{html.escape(ans["method"])}</p>
{"<h2>Notes</h2><ul>" + notes + "</ul>" if notes else ""}
</body></html>
"""


def _treaty_rows(ctx: Any, countries: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    book = ctx.treaties
    if book is None:
        return rows
    for i, a in enumerate(countries):
        for b in countries[i + 1 :]:
            for o in book.between(a, b, ctx.as_of):
                key = (o.treaty_id, o.kind)
                if key in seen or not (o.military or o.origin == "curated"):
                    continue
                seen.add(key)
                scope = "no location limit" if not o.location_limited else f"limited: {o.location}"
                if o.conditions:
                    scope += "; " + ", ".join(o.conditions)
                rows.append(
                    [
                        f"{a}-{b}",
                        html.escape(o.treaty_name),
                        html.escape(f"{o.kind} {o.article}".strip()),
                        html.escape(scope + (" (ATOP, carried past 2018)" if o.carried_forward else "")),
                        _link(o.citation),
                    ]
                )
    return rows


def make_brief(
    text: str,
    *,
    doc_id: str = "article",
    question: str | None = None,
    out: str | Path = "brief.html",
    as_of: dt.date | None = None,
    store_path: str | None = None,
    data: str | Path | None = None,
    ingest: bool = True,
    store: Any = None,
) -> dict[str, Any]:
    """Run the whole brief; returns ``summary`` (JSON-able), ``terminal`` (lines) and ``html`` (path).

    The store: ``store`` (an open :class:`redline.store.Store`, left open; what a process that already holds the
    file passes, since DuckDB lets no second connection open a file held for writing), else the one at
    ``store_path`` (opened read-only unless ``ingest``, and closed at the end), else none without ``ingest``.
    ``ingest``: store the article's asserted events and the article itself first."""
    from redline.assess.answer import Context, answer
    from redline.assess.claims import check_text, code_sentences, split_sentences
    from redline.assess.questions import parse_question, with_trigger
    from redline.records import Document

    when = as_of or dt.date.today()
    notes: list[str] = []
    sentences = split_sentences(text)
    try:
        coded = code_sentences(sentences, when, doc_id)
    except RedlineError as exc:
        notes.append(str(exc))
        coded = []
    events = [e for _, e in coded]
    owned = store is None
    stored = 0
    if ingest:
        if store is None:
            from redline.store import Store

            store = Store.open(store_path)
        asserted = [e for e in events if e.asserted]
        if asserted:
            rep = store.ingest_events(asserted, dataset="article", origin=doc_id)
            stored = rep.stored
        store.add_documents([Document(doc_id, text, when, title=sentences[0] if sentences else "")])
    elif store is None and store_path:
        from redline.store import Store

        store = Store.open(store_path, read_only=True)
    try:
        if question:
            pq = parse_question(question, when)
            qtext = question
        else:
            pq, qtext = infer_question(text, when)
        if pq.trigger is None:
            pq = with_trigger(pq, infer_trigger(text, pq))
        ctx = Context.load(when, store=store, data=data)
        ans_obj = answer(pq, ctx)
        ans = ans_obj.to_json()
        claims = check_text(text, as_of=when, store=store, data=data, doc_id=doc_id, coded=coded)
        countries = list(
            dict.fromkeys(
                [pq.question.actor, pq.question.target]
                + ([pq.trigger.place] if pq.trigger and pq.trigger.place else [])
            )
        )
        treaties = _treaty_rows(ctx, countries)
        dyad_chart = _dyad_chart(store, pq.question.actor, pq.question.target, when)
    finally:
        if store is not None and owned:
            store.close()
    ev_chart = _figure_div(evidence_figure(ans), "evidence-chart")
    meta = {
        "as_of": when,
        "doc_id": doc_id,
        "coded_events": len(events),
        "stored": stored,
        "notes": notes + ans["details"].get("notes", []) + claims.get("notes", []),
        "knowledge_shift": ans["details"].get("knowledge_shift_log_odds", 0.0),
    }
    heads = [x for x in sentences[:4] if x.endswith("?") and len(x) < 160]
    title = heads[0] if heads else (sentences[0] if sentences and len(sentences[0]) < 160 else f"Brief: {doc_id}")
    page = render_html(title, ans, claims, treaties, dyad_chart, ev_chart, meta)
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    counts = claims["counts"]
    terminal = [
        f"[bold]{title}[/bold]",
        f"Question: {qtext}",
        f"  -> [bold]{ans['probability']:.0%}[/bold] (base rate {ans['base_rate']:.1%}, history model "
        f"{ans['history_probability']:.1%}, knowledge shift {meta['knowledge_shift']:+.2f} log-odds)",
    ]
    for e in ans["evidence"]:
        sign = {1: "+", -1: "-", 0: " "}[e["direction"]]
        terminal.append(f"  {sign} {e['kind']:<10} {e['summary'][:150]}")
    terminal.append(
        f"Claims: {counts['supported']} supported, {counts['contradicted']} contradicted, "
        f"{counts['unverifiable']} unverifiable"
    )
    for c in claims["claims"]:
        if c["verdict"] != "unverifiable":
            terminal.append(f"  {c['verdict']:<12} {c['text'][:100]}")
    terminal.append(f"{len(events)} events coded, {stored} stored; report: {out_path}")
    summary = {
        "question": ans["question"],
        "probability": ans["probability"],
        "evidence": ans["evidence"],
        "claims": claims["counts"],
        "html": str(out_path),
        "coded_events": len(events),
        "stored": stored,
    }
    return {"summary": summary, "terminal": terminal, "html": str(out_path)}
