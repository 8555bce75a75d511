"""Answer a question: event history -> base rate -> evidence items -> calibrated probability + argument.

Method (printed with every answer):

* **History model (fitted).** Base rate for the window's length from the dyad's event history in the store,
  shrunk towards the class's rate over active dyads, then moved by recent activity, reciprocity, dyad activity
  and the Goldstein trend with weights fitted and calibrated (isotonic/Platt) on historical questions
  (``redline backtest``; shipped weights from ICEWS18). Each feature's move is shown in log-odds.
* **Knowledge (set by judgement, not fitted).** Red lines, treaty obligations and scope (entrapment), trade
  dependence and curated precedents shift the log-odds by stated amounts (``SHIFTS``). There are too few
  historical trigger-response questions to fit these; they are shown separately so a reader can discount them.

Only information dated before the as-of date is used.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from redline.errors import QuestionError, RedlineError
from redline.knowledge.redlines import RedLine, check, load_red_lines
from redline.records import Evidence, Forecast

from . import classes as cls_table
from .questions import ParsedQuestion, question_to_dict

__all__ = ["Context", "Answer", "answer", "SHIFTS", "PUNITIVE", "COOPERATIVE", "METHOD"]

PUNITIVE = {"punitive", "sanctions", "reduce_relations", "coerce", "threaten", "disapprove", "use_force"}
COOPERATIVE = {"summit", "consult", "agree", "cooperate", "aid", "military_support"}

# log-odds shifts for knowledge evidence (judgement, documented; not fitted)
SHIFTS = {
    "red_line_crossed": 1.5,  # a declared red line of the actor crossed by the target, punitive question
    "red_line_not_crossed": -0.3,  # trigger examined and no line crossed, punitive question
    "alliance_punitive": -0.3,  # a defence/mutual-assistance treaty binds actor and target, punitive question
    "alliance_cooperative": 0.3,  # same, cooperative question
    "entrapment": 0.4,  # trigger falls inside the actor's obligations (actor drawn in), punitive question
    "dependence_punitive": -0.2,  # target depends on actor for >= half its trade, punitive question
    "dependence_cooperative": 0.2,
    "precedent": 0.5,  # curated precedents: actor punished target after most past triggers of this kind
}

METHOD = (
    "base rate of the event class for the window length from the dyad's history in the store (shrunk to the "
    "class rate over active dyads), moved by history features with weights fitted and "
    "isotonic/Platt-calibrated on historical questions (redline backtest, ICEWS18); then knowledge evidence "
    "(red lines, treaties and scope, "
    "trade dependence, precedents) shifts the log-odds by documented judgement amounts (not fitted). Only "
    "information before the as-of date is used."
)


@dataclass
class Context:
    """What the gatherers read. Any part may be None: its evidence is then reported as unavailable."""

    as_of: dt.date
    store: Any = None  # redline.store.Store
    data: Path | None = None
    treaties: Any = None  # TreatyBook
    trade: Any = None  # TradeBook
    lines: list[RedLine] = field(default_factory=list)
    provocations: list[Any] | None = None
    weights: Any = None  # EvidenceWeights
    history_years: int = 5
    notes: list[str] = field(default_factory=list)
    _span: int | None = None

    @classmethod
    def load(
        cls,
        as_of: dt.date,
        *,
        store: Any = None,
        data: str | Path | None = None,
        trade_extra: str | Path | None = None,
    ) -> Context:
        """Load knowledge from the data folder (what is missing is noted, not fatal) and the shipped
        weights."""
        from redline.forecast.questions import default_weights
        from redline.knowledge import TradeBook, TreatyBook, data_dir, load_provocations

        ctx = cls(as_of=as_of, store=store, lines=load_red_lines(), weights=default_weights())
        try:
            ctx.data = data_dir(data)
        except RedlineError as exc:
            ctx.notes.append(f"no data folder: {exc}; ATOP, COW trade and provocations unavailable")
        try:
            ctx.treaties = TreatyBook.load(ctx.data) if ctx.data else TreatyBook.load(atop=False)
        except RedlineError as exc:
            ctx.notes.append(f"treaties: {exc}")
            ctx.treaties = TreatyBook.load(atop=False)
        try:
            ctx.trade = TradeBook.load(ctx.data, extra=trade_extra, cow=ctx.data is not None)
        except RedlineError as exc:
            ctx.notes.append(f"trade: {exc}")
        if ctx.data is not None:
            try:
                ctx.provocations = load_provocations(ctx.data)
            except RedlineError as exc:
                ctx.notes.append(f"provocations: {exc}")
        return ctx


@dataclass(frozen=True)
class Answer:
    forecast: Forecast
    parsed: ParsedQuestion
    base_rate: float
    history_probability: float
    moves: dict[str, float]
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        f = self.forecast
        return {
            "probability": round(f.probability, 4),
            "question": question_to_dict(self.parsed),
            "evidence": [
                {
                    "kind": e.kind,
                    "direction": e.direction,
                    "weight": round(e.weight, 4),
                    "summary": e.summary,
                    "citation": e.citation,
                    **({"data": _jsonable(e.data)} if e.data else {}),
                }
                for e in f.evidence
            ],
            "method": f.method,
            "base_rate": round(self.base_rate, 4),
            "history_probability": round(self.history_probability, 4),
            "moves": {k: round(v, 4) for k, v in self.moves.items()},
            "details": _jsonable(self.details),
        }



def store_citation(store: Any) -> str:
    """How evidence from the store is cited: the store's file name, never its full path (briefs served over the API
    must not show the server's directories)."""
    path = getattr(store, "path", "")
    return f"redline store ({Path(str(path)).name if path else 'none'})"

def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, float | np.floating):
        v = float(x)
        return round(v, 5) if math.isfinite(v) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))


def _code_match(codes: tuple[str, ...], cameo: pd.Series) -> np.ndarray:
    c = cameo.fillna("").astype(str)
    m = np.zeros(len(c), dtype=bool)
    for p in codes:
        m |= c.str.startswith(p).to_numpy()
    return m


# ------------------------------------------------------------------------------------------------ history
def _history(ctx: Context, a: str, b: str) -> pd.DataFrame:
    if ctx.store is None:
        return pd.DataFrame()
    start = ctx.as_of - dt.timedelta(days=365 * ctx.history_years)
    q = (
        "SELECT date, source_country, target_country, cameo, goldstein, quad_class, dataset, event_id "
        "FROM events WHERE asserted AND date >= ? AND date < ? AND dataset <> 'article' AND "
        "((source_country = ? AND target_country = ?) OR (source_country = ? AND target_country = ?))"
    )
    return ctx.store.sql(q, [start, ctx.as_of, a, b, b, a])


def _class_rate(ctx: Context, codes: tuple[str, ...], window: int, lookback: int, top: int = 20) -> tuple[float, str]:
    """The class rate as the backtest defines it: among directed pairs of the ``top`` most active countries in
    the
    year before, the share of past ``window``-day windows (within the look-back) with at least one such
    event."""
    if ctx.store is None or not codes or _store_span(ctx) == 0:
        w = ctx.weights
        p = w.prior(codes, window) if w is not None else None
        if p is not None:
            return p, (
                f"no usable history in the store: class rate of {w.fitted_on} (20 most active countries, "
                f"{w.window_days}-day rate scaled to {window} days)"
            )
        return 0.05, "no usable history and no fitted class rates: flat prior 0.05"
    n_w = max(lookback // window, 1)
    lo_hist = ctx.as_of - dt.timedelta(days=n_w * window)
    lo_year = ctx.as_of - dt.timedelta(days=365)
    cond = " OR ".join("starts_with(cameo, ?)" for _ in codes)
    q = (
        "WITH c AS (SELECT source_country x FROM events WHERE asserted AND date >= ? AND date < ? "
        "AND source_country <> '' UNION ALL SELECT target_country FROM events WHERE asserted AND date >= ? "
        "AND date < ? AND target_country <> ''), topc AS (SELECT x FROM c GROUP BY x ORDER BY count(*) DESC "
        f"LIMIT {int(top)}), w AS (SELECT DISTINCT source_country, target_country, "
        f"CAST(floor(datediff('day', date, ?) / {int(window)}) AS INTEGER) AS k FROM events WHERE asserted "
        f"AND date >= ? AND date < ? AND ({cond}) AND source_country IN (SELECT x FROM topc) "
        "AND target_country IN (SELECT x FROM topc) AND source_country <> target_country) "
        "SELECT (SELECT count(*) FROM topc) AS n, (SELECT count(*) FROM w) AS hits"
    )
    params = [
        lo_year,
        ctx.as_of,
        lo_year,
        ctx.as_of,
        ctx.as_of - dt.timedelta(days=1),
        lo_hist,
        ctx.as_of,
        *codes,
    ]
    df = ctx.store.sql(q, params)
    k_c = int(df["n"].iloc[0] or 0)
    hits = int(df["hits"].iloc[0] or 0)
    if k_c < 5:
        return 0.05, f"only {k_c} active countries in the store: flat prior 0.05"
    pairs = k_c * (k_c - 1) * n_w
    rate = (hits + 0.5) / (pairs + 1)
    return rate, (
        f"{hits} of {pairs} directed dyad-windows among the {k_c} most active countries had it "
        f"({n_w} x {window}-day windows)"
    )


MIN_HISTORY_EVENTS = 200  # events (not from briefed articles) in the year before as-of for a usable history


def _store_span(ctx: Context) -> int:
    """Days of event history the store holds before the as-of date; 0 when none or too thin to use (fewer than
    MIN_HISTORY_EVENTS events in the year before, not counting articles stored by ``redline brief``)."""
    if ctx.store is None:
        return 0
    if ctx._span is not None:
        return ctx._span
    df = ctx.store.sql(
        "SELECT min(date) AS lo, count(*) FILTER (WHERE date >= ?) AS n FROM events WHERE asserted AND date < ? "
        "AND dataset <> 'article'",
        [ctx.as_of - dt.timedelta(days=365), ctx.as_of],
    )
    lo = df["lo"].iloc[0] if len(df) else None
    n = int(df["n"].iloc[0] or 0) if len(df) else 0
    if lo is None or pd.isna(lo) or n < MIN_HISTORY_EVENTS:
        ctx._span = 0
        if n:
            ctx.notes.append(
                f"the store holds only {n} events in the year before {ctx.as_of} (besides briefed "
                "articles): too few for the history model, which falls back to a flat prior"
            )
    else:
        ctx._span = (ctx.as_of - pd.Timestamp(lo).date()).days
    return ctx._span


def _tkg_score(
    ctx: Context, a: str, b: str, codes: tuple[str, ...], history_days: int, model: str
) -> tuple[float | None, str]:
    """The forecasting model's score that ``a`` does one of the question's CAMEO roots to ``b`` next, fitted
    on
    the store's country-level events of the look-back (roots combined as independent)."""
    from redline.forecast.questions import _fit_tkg, events_from_frame, tkg_scores

    roots = sorted({c[:2] for c in codes})
    lo = ctx.as_of - dt.timedelta(days=history_days)
    try:
        df = ctx.store.sql(
            "SELECT date, source_country, target_country, cameo, goldstein FROM events WHERE asserted AND "
            "date >= ? AND date < ? AND dataset <> 'article'",
            [lo, ctx.as_of],
        )
        ev = events_from_frame(df)
        if a not in ev.actors or b not in ev.actors:
            return None, f"{a} or {b} has no events in the look-back: model score left at its average"
        day = (ctx.as_of - dt.date.fromisoformat(ev.first_day)).days
        span = int(ev.day.max()) + 1
        m = _fit_tkg(ev, int(span * 0.8), span, model)
        ia, ib = ev.actors.index(a), ev.actors.index(b)
        scores = []
        for r in roots:
            if r in ev.classes:
                sc = tkg_scores(m, np.array([ia]), np.array([ib]), np.array([ev.classes.index(r)]), np.array([day]))
                scores.append(float(sc[0]))
        if not scores:
            return None, "no events of the question's classes in the look-back"
        p = 1.0 - float(np.prod([1.0 - min(max(v, 0.0), 1.0) for v in scores]))
        return p, f"{model} fitted on {len(df)} store events since {lo}"
    except RedlineError as exc:
        return None, f"forecasting model unavailable: {exc}"


def _days(series: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_datetime(series).map(lambda t: t.toordinal()).to_numpy(dtype=np.int64))


def _history_model(
    ctx: Context, pq: ParsedQuestion, a: str, b: str, hist: pd.DataFrame
) -> tuple[float, float, dict[str, float], dict[str, Any]]:
    """(calibrated probability, base rate, moves by feature, info) for a -> b."""
    from redline.forecast.questions import dyad_features

    q = pq.question
    window = (q.end - q.start).days + 1
    w = ctx.weights
    lookback = int(getattr(w, "lookback_days", 0) or 90)
    history_days = min(max(lookback, 3 * window), max(_store_span(ctx), window))
    class_rate, cr_note = _class_rate(ctx, q.event_codes, window, history_days)
    d = ctx.as_of.toordinal()
    if len(hist):
        ab = hist[(hist["source_country"] == a) & (hist["target_country"] == b)]
        ba = hist[(hist["source_country"] == b) & (hist["target_country"] == a)]
        m_ab = _code_match(q.event_codes, ab["cameo"])
        m_ba = _code_match(q.event_codes, ba["cameo"])
        days_ab, days_ba = _days(ab["date"])[m_ab], _days(ba["date"])[m_ba]
        any_days, any_g = _days(ab["date"]), ab["goldstein"].fillna(0.0).to_numpy(dtype=float)
    else:
        days_ab = days_ba = any_days = np.zeros(0, dtype=np.int64)
        any_g = np.zeros(0)
    x, info = dyad_features(days_ab, days_ba, any_days, any_g, d, window, class_rate, history_days)
    info["class_rate_note"] = cr_note  # type: ignore[assignment]
    info["class_rate"] = class_rate
    info["history_days"] = float(history_days)
    base = float(info["dyad_rate"])
    if w is None or _store_span(ctx) == 0:
        return class_rate, class_rate, {}, info
    if "tkg_model" in w.names:
        score, note = _tkg_score(ctx, a, b, q.event_codes, history_days, w.tkg_model)
        info["tkg_model_note"] = note  # type: ignore[assignment]
        if score is None:
            x = np.append(x, w.means[w.names.index("tkg_model")])
        else:
            info["tkg_model_score"] = score
            x = np.append(x, math.log(min(max(score, 1e-4), 1 - 1e-4) / (1 - min(max(score, 1e-4), 1 - 1e-4))))
    p = float(w.predict(x[None, :])[0])
    moves = w.contributions(x)
    return p, base, moves, info


# ---------------------------------------------------------------------------------------------- gatherers
def _red_line(ctx: Context, pq: ParsedQuestion, punitive: bool) -> Evidence:
    a = pq.question.actor
    own = [ln for ln in ctx.lines if ln.actor == a[:3]]
    if not own:
        return Evidence("red_line", 0, 0.0, f"no declared red lines of {a} on record", "knowledge/data/redlines.yaml")
    cite = "; ".join(dict.fromkeys(s for ln in own for s in ln.sources[:1]))
    if pq.trigger is None:
        names = "; ".join(ln.name for ln in own)
        return Evidence("red_line", 0, 0.0, f"{a}'s declared red lines: {names}. No trigger given to check.", cite)
    res = check(pq.trigger, own)
    crossed = [c for c in res if c.crossed]
    t = pq.trigger
    tlabel = cls_table.get(t.event_class).label if t.event_class in cls_table.CLASSES else t.event_class
    tdesc = f"{t.actor} {tlabel}"
    tdesc += f" in {t.place}" if t.place else ""
    data: dict[str, object] = {
        "checked": [{"line": c.line.id, "crossed": c.crossed, "reasons": list(c.reasons)} for c in res]
    }
    if crossed:
        s = SHIFTS["red_line_crossed"] if punitive else 0.0
        names = "; ".join(c.line.name for c in crossed)
        return Evidence(
            "red_line",
            1 if s else 0,
            abs(s),
            f"the trigger ({tdesc}) crosses {a}'s line: {names}",
            "; ".join(crossed[0].line.sources),
            data,
        )
    s = SHIFTS["red_line_not_crossed"] if punitive else 0.0
    why = "; ".join(f"{c.line.name}: {c.reasons[0]}" for c in res if c.reasons)
    return Evidence(
        "red_line",
        -1 if s else 0,
        abs(s),
        f"the trigger ({tdesc}) crosses none of {a}'s declared red lines ({why})",
        cite,
        data,
    )


def _treaty(ctx: Context, pq: ParsedQuestion, punitive: bool, cooperative: bool) -> list[Evidence]:
    out: list[Evidence] = []
    book = ctx.treaties
    q = pq.question
    if book is None:
        return [Evidence("treaty", 0, 0.0, "treaty records unavailable", "")]
    on = ctx.as_of
    between = book.between(q.actor, q.target, on)
    mil = [o for o in between if o.military]
    if mil:
        s = SHIFTS["alliance_punitive"] if punitive else SHIFTS["alliance_cooperative"] if cooperative else 0.0
        desc = "; ".join(o.describe() + (" [ATOP, carried past 2018]" if o.carried_forward else "") for o in mil)
        out.append(
            Evidence(
                "treaty",
                int(np.sign(s)),
                abs(s),
                f"{q.actor} and {q.target} are allies: {desc}",
                mil[0].citation,
                {"obligations": [o.describe() for o in between]},
            )
        )
    elif between:
        desc = "; ".join(o.describe() for o in between[:4])
        out.append(
            Evidence(
                "treaty",
                0,
                0.0,
                f"no military obligation between {q.actor} and {q.target}; other ties: {desc}",
                between[0].citation,
            )
        )
    else:
        out.append(
            Evidence(
                "treaty",
                0,
                0.0,
                f"no treaty obligation on record between {q.actor} and {q.target}",
                "ATOP v5.1 + knowledge/data/treaties.yaml",
            )
        )
    t = pq.trigger
    if t is not None and t.actor:
        out.append(_entrapment(ctx, pq, punitive))
    return out


def _entrapment(ctx: Context, pq: ParsedQuestion, punitive: bool) -> Evidence:
    """Does the trigger (who, where, against whom) activate an obligation of the question's actor?"""
    book = ctx.treaties
    q, t = pq.question, pq.trigger
    assert t is not None
    on = ctx.as_of
    lines: list[str] = []
    engaged = False
    # the trigger's actor's own obligations that cover its act (e.g. PRK assisting RUS under Article 4)
    if t.place and t.place[:3] != t.actor[:3]:
        host = [o for o in book.between(t.actor, t.place, on) if o.military]
        if host:
            o = host[0]
            lines.append(f"{t.actor}'s act in {t.place} falls under its own {o.describe()} with {t.place}")
        else:
            later = [
                o for o in book.obligations if o.military and o.binds(_cow(t.actor), _cow(t.place)) and o.start > on
            ]
            if later:
                o = later[0]
                lines.append(f"{t.actor}'s {o.describe()} with {t.place} is signed but in force only from {o.start}")
            else:
                lines.append(f"{t.actor} has no military obligation with {t.place} on record")
    # the question actor's obligations towards the trigger's actor, its place, and its adversary
    for party in dict.fromkeys(p for p in (t.actor, t.place, t.adversary) if p and p[:3] != q.actor[:3]):
        obs = [o for o in book.between(q.actor, party, on) if o.military]
        if not obs:
            lines.append(f"{q.actor} has no military obligation towards {party}")
            continue
        for o in obs:
            needs_attack = "armed_attack_on_party" in o.conditions or o.kind == "defense"
            attacked = party == t.adversary  # the trigger is directed at this party
            where_ok = not o.location_limited
            if needs_attack and not attacked:
                lines.append(
                    f"{q.actor}'s {o.kind} obligation to {party} ({o.treaty_name}) is triggered only by an "
                    f"armed attack on {party}; the trigger is {party}'s own act"
                    + ("" if where_ok else f", and it is limited to {o.location}")
                )
            else:
                engaged = True
                lines.append(f"{q.actor}'s {o.describe()} towards {party} is engaged by the trigger")
    s = SHIFTS["entrapment"] if (engaged and punitive) else 0.0
    verdict = f"{q.actor} could be entrapped" if engaged else f"{q.actor} is not entrapped by the trigger"
    return Evidence(
        "treaty",
        1 if s else 0,
        abs(s),
        f"{verdict}: " + "; ".join(lines),
        "ATOP v4.01/v5.1 (Leeds et al.) + knowledge/data/treaties.yaml",
        {"engaged": engaged, "reasons": lines},
    )


def _cow(x: str) -> int:
    from redline.knowledge.datadir import to_cow

    return to_cow(x)


def _dependence(ctx: Context, pq: ParsedQuestion, punitive: bool, cooperative: bool) -> Evidence:
    q = pq.question
    tb = ctx.trade
    if tb is None:
        return Evidence("dependence", 0, 0.0, "trade data unavailable", "")
    year = ctx.as_of.year - 1
    s_t = tb.series(q.target, q.actor, 1990, year)
    s_a = tb.series(q.actor, q.target, 1990, year)
    if s_t.empty:
        return Evidence(
            "dependence", 0, 0.0, f"no trade figures for {q.target}-{q.actor} up to {year}", "COW Trade v4.0"
        )
    last = s_t.iloc[-1]
    share = float(last["share"])
    cow = s_t[s_t["origin"] == "cow"]
    trend_txt = ""
    if len(cow) >= 6:
        a5, b5 = float(cow["share"].iloc[-1]), float(cow["share"].iloc[-6])
        trend_txt = f"; COW share {int(cow['year'].iloc[-6])}->{int(cow['year'].iloc[-1])}: {b5:.0%} -> {a5:.0%}"
    rev = f"; {q.actor}'s share with {q.target}: {float(s_a['share'].iloc[-1]):.1%}" if len(s_a) else ""
    summary = (
        f"{q.target} conducts {share:.1%} of its trade with {q.actor} ({int(last['year'])}, "
        f"{last['origin']}){trend_txt}{rev}"
    )
    s = 0.0
    if share >= 0.5:
        s = SHIFTS["dependence_punitive"] if punitive else SHIFTS["dependence_cooperative"] if cooperative else 0.0
    if ctx.as_of.year - int(last["year"]) > 3:
        summary += f" (latest figure is {ctx.as_of.year - int(last['year'])} years old)"
    return Evidence(
        "dependence",
        int(np.sign(s)),
        abs(s),
        summary,
        str(last["citation"]),
        {"series": s_t[["year", "share", "origin"]].tail(12).to_dict("records")},
    )


def _trend(
    ctx: Context, pq: ParsedQuestion, hist: pd.DataFrame, moves: dict[str, float], info: dict[str, Any]
) -> Evidence:
    q = pq.question
    cite = store_citation(ctx.store)
    if hist is None or not len(hist):
        return Evidence("trend", 0, 0.0, f"no {q.actor}-{q.target} events in the store before {ctx.as_of}", cite)
    h = hist.copy()
    h["date"] = pd.to_datetime(h["date"])
    cut = pd.Timestamp(ctx.as_of - dt.timedelta(days=365))
    both = h
    last, before = both[both["date"] >= cut], both[both["date"] < cut]

    def stats(df: pd.DataFrame) -> dict[str, float]:
        if not len(df):
            return {"events": 0.0, "goldstein_mean": float("nan"), "conflict_share": float("nan")}
        return {
            "events": float(len(df)),
            "goldstein_mean": float(df["goldstein"].mean()),
            "conflict_share": float((df["quad_class"] >= 3).mean()),
        }

    s_last, s_before = stats(last), stats(before)
    move = sum(moves.get(k, 0.0) for k in ("trend", "reciprocity", "dyad_activity"))
    summary = (
        f"{q.actor}<->{q.target}: last 12 months {int(s_last['events'])} events, Goldstein mean "
        f"{s_last['goldstein_mean']:+.2f}, conflict share {s_last['conflict_share']:.0%}; the "
        f"{ctx.history_years - 1} years before: {int(s_before['events'])} events, Goldstein mean "
        f"{s_before['goldstein_mean']:+.2f}, conflict share {s_before['conflict_share']:.0%}"
    )
    return Evidence(
        "trend",
        int(np.sign(round(move, 3))),
        abs(move),
        summary.replace("nan", "n/a"),
        cite,
        {
            "last_12_months": s_last,
            "before": s_before,
            "fitted_features": {k: moves.get(k, 0.0) for k in ("trend", "reciprocity", "dyad_activity")},
        },
    )


def _precedent(
    ctx: Context,
    pq: ParsedQuestion,
    hist: pd.DataFrame,
    moves: dict[str, float],
    info: dict[str, Any],
    punitive: bool,
) -> list[Evidence]:
    q = pq.question
    out: list[Evidence] = []
    if _store_span(ctx) == 0:
        out.append(
            Evidence(
                "precedent",
                0,
                0.0,
                f"no event history in the store before {ctx.as_of}: the "
                "history model falls back to the flat class prior",
                "redline store",
            )
        )
        return out + _trigger_precedents(ctx, pq, punitive)
    move = sum(moves.get(k, 0.0) for k in ("recent", "intensity", "recency"))
    n_w, k_w = int(info.get("windows", 0)), int(info.get("windows_with_event", 0))
    window = (q.end - q.start).days + 1
    summary = (
        f"{q.actor} did {q.label} to {q.target} in {k_w} of the last {n_w} {window}-day windows before "
        f"{ctx.as_of}; {int(info.get('count_last_30d', 0))} such events in the last 30 days; last one "
        f"{int(info.get('days_since_last', 0))} days before"
    )
    out.append(
        Evidence(
            "precedent",
            int(np.sign(round(move, 3))),
            abs(move),
            summary,
            store_citation(ctx.store),
            {"windows": n_w, "windows_with_event": k_w},
        )
    )
    return out + _trigger_precedents(ctx, pq, punitive)


def _trigger_precedents(ctx: Context, pq: ParsedQuestion, punitive: bool) -> list[Evidence]:
    """Trigger -> response pairs: past triggers of the same kind (nuclear tests from the provocations
    list)."""
    q = pq.question
    out: list[Evidence] = []
    window = (q.end - q.start).days + 1
    t = pq.trigger
    if t is not None and t.event_class == "nuclear_test" and ctx.provocations:
        from redline.knowledge.korea import nuclear_tests

        tests = [p for p in nuclear_tests(ctx.provocations) if p.date < ctx.as_of]
        pairs: list[dict[str, Any]] = []
        for p in tests:
            lo, hi = p.date, p.date + dt.timedelta(days=window)
            n = 0
            if ctx.store is not None:
                h = _responses(ctx, q.actor, q.target, q.event_codes, lo, hi)
                n = len(h)
            pairs.append({"trigger": p.date.isoformat(), "responses_in_store": n})
        covered = [x for x in pairs if x["responses_in_store"] > 0]
        s = SHIFTS["precedent"] if (punitive and tests and len(covered) * 2 >= len(tests)) else 0.0
        out.append(
            Evidence(
                "precedent",
                1 if s else 0,
                s,
                f"after {len(tests)} earlier DPRK nuclear tests, the store holds {q.actor}->{q.target} "
                f"{q.label} within {window} days after {len(covered)} of them",
                "CSIS Beyond Parallel provocations list; redline store",
                {"pairs": pairs},
            )
        )
    return out


def _responses(ctx: Context, a: str, b: str, codes: tuple[str, ...], lo: dt.date, hi: dt.date) -> pd.DataFrame:
    cond = " OR ".join("starts_with(cameo, ?)" for _ in codes) or "TRUE"
    return ctx.store.sql(  # type: ignore[no-any-return]
        "SELECT date, cameo FROM events WHERE asserted AND source_country = ? AND target_country = ? "
        f"AND date >= ? AND date <= ? AND ({cond})",
        [a, b, lo, min(hi, ctx.as_of - dt.timedelta(days=1)), *codes],
    )


# ------------------------------------------------------------------------------------------------- answer
def answer(pq: ParsedQuestion, ctx: Context) -> Answer:
    """The calibrated probability of the question with the evidence behind it."""
    q = pq.question
    if q.end < ctx.as_of:
        ctx.notes.append(
            f"the window ended ({q.end}) before the as-of date ({ctx.as_of}); answering as of then "
            "would need --as-of on or before the window start"
        )
    if q.actor == q.target:
        raise QuestionError("actor and target are the same country")
    names = set(pq.classes)
    punitive = bool(names & PUNITIVE)
    cooperative = bool(names & COOPERATIVE)
    hist = _history(ctx, q.actor, q.target)
    p_ab, base_ab, moves_ab, info_ab = _history_model(ctx, pq, q.actor, q.target, hist)
    p_hist, base, moves, info = p_ab, base_ab, moves_ab, info_ab
    if pq.mutual:
        p_ba, base_ba, moves_ba, info_ba = _history_model(ctx, pq, q.target, q.actor, hist)
        if p_ba > p_ab:
            p_hist, base, moves, info = p_ba, base_ba, moves_ba, info_ba
    evidence: list[Evidence] = []
    w = ctx.weights
    window = (q.end - q.start).days + 1
    evidence.append(
        Evidence(
            "base_rate",
            0,
            0.0,
            (
                f"base rate {base:.1%} for a {window}-day window: the dyad had it in "
                f"{int(info.get('windows_with_event', 0))} of {int(info.get('windows', 0))} past windows, shrunk "
                f"towards the class rate {float(info.get('class_rate', 0.0)):.1%} "
                f"({info.get('class_rate_note', '')})"
                if moves
                else f"base rate {base:.1%} for a {window}-day window: {info.get('class_rate_note', '')}"
            ),
            store_citation(ctx.store)
            if moves
            else f"class rates fitted on {w.fitted_on if w else 'none'}",
            {"class_rate": info.get("class_rate"), "dyad_rate": info.get("dyad_rate")},
        )
    )
    tkg_move = moves.get("tkg_model", 0.0)
    tkg_txt = (
        f"forecasting model {w.tkg_model} (redline.forecast.models) scores {q.actor}->{q.target} "
        f"{info['tkg_model_score']:.3f} ({info.get('tkg_model_note', '')}), moving the log-odds {tkg_move:+.2f}; "
        if w is not None and info.get("tkg_model_score") is not None
        else (
            f"forecasting model: {info.get('tkg_model_note')}; "
            if info.get("tkg_model_note")
            else "forecasting model: no usable event history in the store; "
        )
    )
    evidence.append(
        Evidence(
            "model",
            int(np.sign(round(_logit(p_hist) - _logit(base), 3))),
            abs(_logit(p_hist) - _logit(base)),
            tkg_txt
            + f"history model with fitted weights and calibration: {base:.1%} -> {p_hist:.1%}"
            + (" (either direction, the larger)" if pq.mutual else ""),
            f"redline.forecast.questions weights fitted on {w.fitted_on or 'historical questions'}"
            if w
            else "no fitted weights: base rate only",
            {
                "moves_log_odds": moves,
                "tkg_model_score": info.get("tkg_model_score"),
                "tkg_model_note": info.get("tkg_model_note"),
            },
        )
    )
    evidence.append(_red_line(ctx, pq, punitive))
    evidence.extend(_treaty(ctx, pq, punitive, cooperative))
    evidence.append(_dependence(ctx, pq, punitive, cooperative))
    evidence.append(_trend(ctx, pq, hist, moves, info))
    evidence.extend(_precedent(ctx, pq, hist, moves, info, punitive))
    z = _logit(p_hist)
    shifts: dict[str, float] = {}
    for e in evidence:
        if e.kind in ("red_line", "treaty", "dependence") or (e.kind == "precedent" and "nuclear" in e.summary):
            key = e.kind.replace("_", " ")
            n = sum(1 for k in shifts if k.split(" #")[0] == key)
            shifts[key if n == 0 else f"{key} #{n + 1}"] = e.direction * e.weight
            z += e.direction * e.weight
    p = min(max(_sigmoid(z), 0.01), 0.99)
    all_moves = {f"history:{k}": v for k, v in moves.items()}
    all_moves.update({k: v for k, v in shifts.items() if v})
    details = {
        "as_of": ctx.as_of,
        "history_events": len(hist),
        "history_info": info,
        "notes": list(ctx.notes),
        "store": getattr(ctx.store, "path", None),
        "knowledge_shift_log_odds": sum(shifts.values()),
    }
    fc = Forecast(question=q, probability=p, evidence=tuple(evidence), method=METHOD)
    return Answer(fc, pq, base, p_hist, all_moves, details)
