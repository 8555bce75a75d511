"""What comes next between two actors: a TKG built from stored events (entities = actor or country codes,
relations = CAMEO codes), a model fitted on it, and the event codes ranked with their explanations.

The core (``graph_from_events``, ``forecast_pair``) is pure over a DataFrame; ``events_from_store`` is the I/O edge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from redline.errors import ModelError

from .data import TKG, from_quads

__all__ = ["PairForecast", "RankedCode", "graph_from_events", "events_from_store", "forecast_pair"]


@dataclass(frozen=True)
class RankedCode:
    code: str
    label: str
    score: float
    reasons: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class PairForecast:
    source: str
    target: str
    as_of: str
    days: int
    model: str
    events_used: int
    codes: tuple[RankedCode, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "as_of": self.as_of,
            "days": self.days,
            "model": self.model,
            "events_used": self.events_used,
            "codes": [
                {"code": c.code, "label": c.label, "score": c.score, "reasons": list(c.reasons)} for c in self.codes
            ],
        }


def _code_of(cameo: str, level: str) -> str:
    c = str(cameo).strip()
    if level == "root":
        return c[:2]
    if level == "base":
        return c[:3]
    return c


def _entity_of(row_actor: pd.Series, row_country: pd.Series | None, level: str) -> pd.Series:
    actor = row_actor.fillna("").astype(str).str.strip()
    if level == "actor":
        return actor
    if row_country is not None:
        country = row_country.fillna("").astype(str).str.strip()
        return country.where(country != "", actor.str[:3])
    return actor.str[:3]


def graph_from_events(
    events: pd.DataFrame, *, entity_level: str = "country", code_level: str = "base"
) -> tuple[TKG, pd.Timestamp]:
    """A daily TKG from an events frame (``date``, ``source_actor``, ``target_actor``, ``cameo``, optionally
    ``source_country``/``target_country``). Returns the graph (times = days since the first date) and that date."""
    if events.empty:
        raise ModelError("no events to build a graph from")
    src = _entity_of(events["source_actor"], events.get("source_country"), entity_level)
    tgt = _entity_of(events["target_actor"], events.get("target_country"), entity_level)
    code = events["cameo"].fillna("").astype(str).map(lambda c: _code_of(c, code_level))
    date = pd.to_datetime(events["date"])
    keep = (src != "") & (tgt != "") & (code != "") & date.notna()
    src, tgt, code, date = src[keep], tgt[keep], code[keep], date[keep]
    if len(src) == 0:
        raise ModelError("no events with a source, a target, a CAMEO code and a date")
    ents = sorted(set(src) | set(tgt))
    rels = sorted(set(code))
    eid = {e: i for i, e in enumerate(ents)}
    rid = {r: i for i, r in enumerate(rels)}
    t0 = date.min().normalize()
    days = ((date.dt.normalize() - t0).dt.days).to_numpy(dtype=np.int64)
    quads = np.column_stack(
        [src.map(eid).to_numpy(np.int64), code.map(rid).to_numpy(np.int64), tgt.map(eid).to_numpy(np.int64), days]
    )
    quads = np.unique(quads, axis=0)
    graph = from_quads(quads, name="store", entity_names=dict(enumerate(ents)), relation_names=dict(enumerate(rels)))
    # keep times in days even when the data happen to be sparser
    graph = TKG(
        name=graph.name, train=quads, valid=graph.valid, test=graph.test, num_entities=graph.num_entities,
        num_relations=graph.num_relations, entity_names=graph.entity_names, relation_names=graph.relation_names,
        granularity=1, time_origin=0,
    )
    return graph, t0


def events_from_store(store: Any, *, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """The columns a pair forecast needs, from a :class:`redline.store.Store`, asserted events only."""
    clauses, params = ["asserted"], []
    if start is not None:
        clauses.append("date >= ?")
        params.append(start)
    if end is not None:
        clauses.append("date <= ?")
        params.append(end)
    where = " AND ".join(clauses)
    q = ("SELECT date, source_actor, source_country, target_actor, target_country, cameo FROM events "
         f"WHERE {where}")
    return store.sql(q, params)


def _label(code: str) -> str:
    try:
        from redline.ontology import cameo

        return str(cameo.lookup(code).label)
    except Exception:  # unknown code or ontology absent: the code is its own label
        return code


def forecast_pair(
    events: pd.DataFrame,
    source: str,
    target: str,
    *,
    model_name: str | None = None,
    days: int = 30,
    top: int = 10,
    entity_level: str = "country",
    code_level: str = "base",
    valid_days: int = 30,
    config: dict[str, Any] | None = None,
    activity_half_life: float = 30.0,
) -> PairForecast:
    """Rank the CAMEO codes ``source`` is most likely to direct at ``target`` in the ``days`` after the last date.

    The model is fitted on the events (the last ``valid_days`` serve to tune it). Each code ``r`` is scored by
    ``P(target | source, r) * P(r | source)``: the model's share of ``target`` among the answers of the query
    ``(source, r, ?)`` (averaged over the horizon), times the share of ``r`` among the source's recent events
    (exponentially decayed counts with half-life ``activity_half_life`` days).
    """
    from .models import DEFAULT_MODEL, get_model

    graph, t0 = graph_from_events(events, entity_level=entity_level, code_level=code_level)
    names = {n: i for i, n in enumerate(graph.entity_names)}
    for who in (source, target):
        if who not in names:
            raise ModelError(f"actor {who!r} has no events in the store's window")
    s, o = names[source], names[target]
    facts = graph.train
    last = int(facts[:, 3].max())
    cut = last - valid_days + 1
    train, valid = facts[facts[:, 3] < cut], facts[facts[:, 3] >= cut]
    if len(train) == 0:
        train, valid = facts, facts[:0]
    fit_graph = TKG(
        name="store", train=train, valid=valid, test=facts[:0], num_entities=graph.num_entities,
        num_relations=graph.num_relations, entity_names=graph.entity_names, relation_names=graph.relation_names,
    )
    name = model_name or DEFAULT_MODEL
    cfg = dict(config or {})
    if name == "ensemble":  # the answer uses proba(); the re-ranker only orders candidates, so it is not trained
        cfg.setdefault("rerank", 0)
    model = get_model(name, **cfg)
    model.fit(fit_graph)
    horizon = sorted({last + 1, last + max(1, days // 2), last + max(1, days)})
    nrel = graph.num_relations
    total = np.zeros(nrel)
    for t in horizon:
        q = np.column_stack([np.full(nrel, s), np.arange(nrel), np.full(nrel, t)])
        total += np.asarray(model.proba(q))[:, o]
    total /= len(horizon)
    # the model gives P(target | source, code); weigh each code by how often the source has used it lately
    mine = facts[facts[:, 0] == s]
    activity = np.bincount(mine[:, 1], weights=np.exp2(-(last + 1 - mine[:, 3]) / activity_half_life),
                           minlength=nrel) + 1e-3
    total = total * (activity / activity.sum())
    order = np.argsort(-total, kind="stable")[:top]
    codes = []
    def as_fact(fs: int, fr: int, fo: int, ft: int) -> dict[str, str]:
        return {
            "source": graph.entity(fs if fr < nrel else fo),
            "code": graph.relation_names[fr % nrel],
            "target": graph.entity(fo if fr < nrel else fs),
            "date": str((t0 + pd.Timedelta(days=int(ft))).date()),
        }

    for r in order:
        reasons: list[dict[str, Any]] = []
        same = facts[(facts[:, 0] == s) & (facts[:, 1] == r) & (facts[:, 2] == o)]
        if len(same):
            latest = same[np.argsort(-same[:, 3])[:3]]
            reasons.append({"kind": "history", "text": f"{len(same)} past event(s) of this code for the pair",
                            "weight": float(len(same)), "fact": as_fact(*(int(x) for x in latest[0]))})
        model_reasons = sorted(model.reasons((s, int(r), last + 1), o), key=lambda x: (x.fact is None, -x.weight))
        for reason in model_reasons[:5]:
            d = {"kind": reason.kind, "text": reason.text, "weight": round(float(reason.weight), 6)}
            if reason.fact is not None:
                d["fact"] = as_fact(*reason.fact)
            reasons.append(d)
        code = graph.relation_names[int(r)]
        codes.append(RankedCode(code, _label(code), float(total[r]), tuple(reasons)))
    return PairForecast(
        source=source, target=target, as_of=str((t0 + pd.Timedelta(days=last)).date()), days=days, model=name,
        events_used=len(facts), codes=tuple(codes),
    )
