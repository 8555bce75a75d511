"""Candidate features for re-scoring an ensemble's top answers: who the answer is, and how the pair has behaved.

The ensemble's components each give one score per entity. This module describes a (query, candidate) pair by a
few more numbers, computed from the memory before the query time and from the entities' names, which the ensemble
weighs (with signed weights learned on validation data) for its top candidates only:

* ``same_country``: the candidate belongs to the subject's country; ``country_entity``: the candidate is the
  subject's country itself. Countries come from the names: ICEWS's ``Sector (Country)`` form, CAMEO actor codes
  of a known country (``CHNGOV`` -> ``CHN``) and the countries those name; an entity named otherwise (a person)
  takes the country of most of its partners in the training facts when one dominates.
* ``type_logp``: ``log P(type of candidate, same country | type of subject, relation)`` from the training facts
  (types: the sector part of the name, ``COUNTRY`` or ``NAMED``), smoothed towards ``P(. | relation)``: what kind of
  actor answers this kind of question.
* ``last_sro`` / ``count_sro``: ``log(1 + days since the triple last happened)`` (capped) and ``log(1 + times)``;
  the same for the pair with any relation (``_so``) and for the reverse triple ``(candidate, relation, subject)``
  (``_rev``).
* ``activity_*``: ``log(1 + decayed number of facts of the candidate)`` with decay rates 0.05, 0.3 and 1 per step
  (how much the candidate is in the news now); ``answer_rel``: the same, as the answer of this relation, rate 0.3.

These features were chosen on ICEWS14 validation data only (components and weights fitted on the first half of the
validation days, the top 200 re-scored, filtered MRR on the second half): the ensemble without them 0.4491, with
the name features 0.4545, with the history features as well 0.4569. Weights per query group (inverse relations;
how broad the history is) and a small neural or tree re-ranker on the same features did not beat the linear
weights held-out.

:class:`TypedPrior` (registered as ``typed``) turns the kind statistics into a component that scores every entity:
the probability of the answer's kind times the candidate's share of its kind's recent activity. On the same
held-out split, as a ninth ensemble component, it took the ensemble from 0.4605 to 0.4645.

:class:`Kin` (registered as ``kin``) generalises answers over countries: the decayed answers of the subject's
compatriots (``key="subject"``), or the subject's decayed answers pooled by country and shared among that country's
entities by their recent activity (``key="answer"``). Both are ensemble components (see :mod:`.ensemble` for their
measurement).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from redline.errors import ModelError
from redline.ontology import countries as ontology_countries

from ..data import TKG
from ..index import expand_ranges
from .base import BaseModel, Reason

__all__ = ["Context", "FEATURES", "Kin", "TypedPrior", "entity_meta"]

FEATURES = ("same_country", "country_entity", "type_logp", "last_sro", "count_sro", "last_so", "count_so",
            "last_rev", "count_rev", "activity_0.05", "activity_0.3", "activity_1", "answer_rel")
_NEVER = 1e4  # steps: "never happened" reads as this long ago
_PAREN = re.compile(r"^(.*?)[ _]*\(([^()]+)\)$")
_CODE = re.compile(r"^(?:[A-Z]{3})+$")


def entity_meta(names: tuple[str, ...] | list[str], facts: np.ndarray, num_entities: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """``(country id per entity or -1, type id per entity, entity of each country or -1, type names)``."""
    names = [str(n).replace("_", " ").strip() for n in names] + [""] * max(0, num_entities - len(names))
    parts: list[tuple[str, str]] = []  # (type, country name)
    for n in names[:num_entities]:
        m = _PAREN.match(n)
        if m:
            parts.append((m.group(1).strip() or "NAMED", m.group(2).strip()))
        elif _CODE.match(n) and ontology_countries.by_cameo(n[:3]) is not None:
            parts.append((n[3:] or "COUNTRY", n[:3]))
        else:
            parts.append(("NAMED", ""))
    countries = sorted({c for _, c in parts if c})
    cid = {c: i for i, c in enumerate(countries)}
    country = np.full(num_entities, -1, dtype=np.int64)
    types: list[str] = []
    for e, ((ty, c), n) in enumerate(zip(parts, names, strict=False)):
        if c:
            country[e] = cid[c]
        elif n in cid:  # an entity named like a country is that country
            country[e], ty = cid[n], "COUNTRY"
        types.append(ty)
    centre = np.full(len(countries), -1, dtype=np.int64)
    for e, ty in enumerate(types):
        if ty == "COUNTRY" and country[e] >= 0:
            centre[country[e]] = e
    # a NAMED entity takes the country of most of its partners when one country has at least 30 % and 2 facts
    if len(facts) and len(countries):
        s, o = facts[:, 0], facts[:, 2]
        a = np.concatenate([s, o])
        b = np.concatenate([o, s])
        keep = (country[a] < 0) & (country[b] >= 0)
        a, cb = a[keep], country[b][keep]
        if len(a):
            key = a * len(countries) + cb
            u, cnt = np.unique(key, return_counts=True)
            ent, cty = u // len(countries), u % len(countries)
            tot = np.bincount(ent, weights=cnt, minlength=num_entities)
            order = np.lexsort((-cnt, ent))  # per entity, most frequent country first
            first = order[np.r_[True, ent[order][1:] != ent[order][:-1]]]
            ok = (cnt[first] >= 2) & (cnt[first] >= 0.3 * tot[ent[first]])
            country[ent[first][ok]] = cty[first][ok]
    tnames = tuple(sorted(set(types)))
    tid = {t: i for i, t in enumerate(tnames)}
    return country, np.array([tid[t] for t in types], dtype=np.int64), centre, tnames


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: float) -> np.ndarray:
    """``values`` at the positions of ``query`` in the sorted unique ``keys`` (``default`` where absent)."""
    out = np.full(query.shape, default, dtype=np.float64)
    if len(keys) == 0:
        return out
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    hit = keys[pos] == query
    out[hit] = values[pos[hit]]
    return out


def _last_and_count(keys: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.lexsort((times, keys))
    k, t = keys[order], times[order]
    u, first, cnt = np.unique(k, return_index=True, return_counts=True)
    return u, t[first + cnt - 1].astype(np.float64), cnt.astype(np.float64)


def _decayed_sum(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    u, start = np.unique(k, return_index=True)
    return u, np.add.reduceat(weights[order], start) if len(k) else np.zeros(0)


class Context(BaseModel):
    """Features of (query, candidate) pairs; not a forecaster on its own (the ensemble uses it)."""

    name = "context"

    def __init__(self, smoothing: float = 5.0) -> None:
        super().__init__()
        self.smoothing = smoothing
        self.country = np.zeros(0, dtype=np.int64)
        self.etype = np.zeros(0, dtype=np.int64)
        self.centre = np.zeros(0, dtype=np.int64)
        self.num_types = 1
        self._joint_keys = np.zeros(0, dtype=np.int64)
        self._joint = np.zeros(0)
        self._tot_keys = np.zeros(0, dtype=np.int64)
        self._tot = np.zeros(0)
        self._rel = np.zeros((0, 0))
        self._cache: tuple[int, int, dict[str, Any]] | None = None

    def reset_memory(self) -> None:
        super().reset_memory()
        self._cache = None

    def _on_observe(self, facts: np.ndarray) -> None:
        self._cache = None

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        self.country, self.etype, self.centre, tnames = entity_meta(graph.entity_names, graph.train,
                                                                    graph.num_entities)
        self.num_types = len(tnames)
        f = graph.train
        r2 = 2 * graph.num_relations
        s = np.concatenate([f[:, 0], f[:, 2]])
        r = np.concatenate([f[:, 1], f[:, 1] + graph.num_relations])
        o = np.concatenate([f[:, 2], f[:, 0]])
        cls = self._classes(s[:, None], o[:, None])[:, 0]
        nc = 2 * self.num_types
        joint_keys, joint = np.unique((self.etype[s] * r2 + r) * nc + cls, return_counts=True)
        tot_keys, tot = np.unique(self.etype[s] * r2 + r, return_counts=True)
        self._joint_keys, self._joint = joint_keys, joint.astype(np.float64)
        self._tot_keys, self._tot = tot_keys, tot.astype(np.float64)
        rel = np.zeros((r2, nc))
        np.add.at(rel, (r, cls), 1.0)
        self._rel = rel

    def kind_probs(self, s: np.ndarray, r: np.ndarray) -> np.ndarray:
        """``(n, 2 * kinds)``: P(kind, same country | kind of subject s, relation r) from the training facts,
        smoothed towards the relation's own distribution; the column of a candidate is ``_classes(s, candidate)``."""
        nc, r2 = 2 * self.num_types, 2 * self.num_relations
        rel = self._rel[r]
        prior = (rel + 0.1) / (rel.sum(axis=1, keepdims=True) + 0.1 * nc)
        k = self.etype[s] * r2 + r
        counts = np.zeros((len(s), nc))
        lo = np.searchsorted(self._joint_keys, k * nc)
        hi = np.searchsorted(self._joint_keys, (k + 1) * nc)
        row, pos = expand_ranges(lo, hi - lo)
        counts[row, self._joint_keys[pos] - k[row] * nc] = self._joint[pos]
        tot = _lookup(self._tot_keys, self._tot, k, 0.0)
        return (counts + self.smoothing * prior) / (tot + self.smoothing)[:, None]

    def _classes(self, s: np.ndarray, cand: np.ndarray) -> np.ndarray:
        cs = self.country[s]
        same = (cs >= 0) & (cs == self.country[cand])
        return self.etype[cand] * 2 + same

    def predict(self, queries: np.ndarray) -> np.ndarray:
        raise ModelError("context: gives features of candidates (features()), not scores")

    # ----- features --------------------------------------------------------------------------------------------
    def _aggregates(self, t: int) -> dict[str, Any]:
        """Statistics of the memory before ``t`` (cached for the last time asked)."""
        mem = self.memory()
        if self._cache is not None and self._cache[:2] == (len(mem), t):
            return self._cache[2]
        h = mem[mem[:, 3] < t]
        e, r2 = self.num_entities, 2 * self.num_relations
        s, r, o, tt = h[:, 0], h[:, 1], h[:, 2], h[:, 3]
        agg: dict[str, Any] = {
            "sro": _last_and_count((s * r2 + r) * e + o, tt),
            "so": _last_and_count(s * e + o, tt),
        }
        age = (t - tt).astype(np.float64)
        for lam in (0.05, 0.3, 1.0):
            agg[f"act{lam}"] = np.bincount(s, weights=np.exp(-lam * age), minlength=e)
        agg["ro"] = _decayed_sum(r * e + o, np.exp(-0.3 * age))
        self._cache = (len(mem), t, agg)
        return agg

    def features(self, queries: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """``(n, c, len(FEATURES))`` float32 features of candidates ``cand[i]`` for query ``(s, r, t)`` row i."""
        q = self._check(queries)
        cand = np.asarray(cand, dtype=np.int64)
        if cand.shape[0] != len(q):
            raise ModelError("context: one row of candidates per query")
        out = np.zeros(cand.shape + (len(FEATURES),), dtype=np.float32)
        for t in np.unique(q[:, 2]).tolist():
            rows = np.flatnonzero(q[:, 2] == t)
            out[rows] = self._features_at(q[rows], cand[rows], int(t))
        return out

    def _features_at(self, q: np.ndarray, cand: np.ndarray, t: int) -> np.ndarray:
        agg = self._aggregates(t)
        e, r2 = self.num_entities, 2 * self.num_relations
        s, r = q[:, :1], q[:, 1:2]
        cs = self.country[s]
        cols: list[np.ndarray] = []
        cls = self._classes(s, cand)
        cols.append((cls % 2).astype(np.float64))
        centre = self.centre[np.maximum(cs, 0)] if len(self.centre) else np.full(cs.shape, -1)
        cols.append(((cs >= 0) & (cand == centre)).astype(np.float64))
        cols.append(np.log(np.take_along_axis(self.kind_probs(s[:, 0], r[:, 0]), cls, axis=1)))
        for name, key in (("sro", (s * r2 + r) * e + cand), ("so", s * e + cand),
                          ("sro", (cand * r2 + r) * e + s)):
            u, last, cnt = agg[name]
            lt = _lookup(u, last, key, -_NEVER)
            cols.append(np.log1p(np.minimum(t - lt, _NEVER)))
            cols.append(np.log1p(_lookup(u, cnt, key, 0.0)))
        for lam in (0.05, 0.3, 1.0):
            cols.append(np.log1p(agg[f"act{lam}"][cand]))
        u, w = agg["ro"]
        cols.append(np.log1p(_lookup(u, w, r * e + cand, 0.0)))
        return np.stack(cols, axis=-1).astype(np.float32)

    def describe(self, values: np.ndarray, weights: np.ndarray) -> list[tuple[str, float, float]]:
        """``(feature, value, weight * value)`` for one candidate's features, largest contribution first."""
        rows = [(n, float(v), float(w * v)) for n, v, w in zip(FEATURES, values, weights, strict=True) if w * v]
        return sorted(rows, key=lambda x: -abs(x[2]))

    # ----- persistence -----------------------------------------------------------------------------------------
    def _state(self) -> dict[str, np.ndarray]:
        return {"country": self.country, "etype": self.etype, "centre": self.centre,
                "num_types": np.asarray(self.num_types), "joint_keys": self._joint_keys, "joint": self._joint,
                "tot_keys": self._tot_keys, "tot": self._tot, "rel": self._rel}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self.country, self.etype, self.centre = state["country"], state["etype"], state["centre"]
        self.num_types = int(state["num_types"])
        self._joint_keys, self._joint = state["joint_keys"], state["joint"]
        self._tot_keys, self._tot, self._rel = state["tot_keys"], state["tot"], state["rel"]


class TypedPrior(BaseModel):
    """A generative back-off over kinds of actors: ``P(o | s, r) = P(kind of o, same country | kind of s, r) *
    share of o in the recent activity of its kind`` (kinds and countries as in :func:`entity_meta`; kind statistics
    from the training facts, smoothed towards the relation; activity decayed at rate ``lam`` per step). Scores every
    entity, so answers the subject never dealt with can reach the ensemble's top."""

    name = "typed"

    def __init__(self, lam: float = 0.1, smoothing: float = 5.0) -> None:
        super().__init__()
        self.lam = lam
        self.smoothing = smoothing
        self._ctx = Context(smoothing=smoothing)

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        self._ctx = Context(smoothing=self.smoothing).fit(graph)

    def predict(self, queries: np.ndarray) -> np.ndarray:
        q = self._check(queries)
        c, e = self._ctx, self.num_entities
        out = np.zeros((len(q), e))
        mem = self.memory()
        ncty = int(c.country.max(initial=-1)) + 2
        for t in np.unique(q[:, 2]).tolist():
            rows = np.flatnonzero(q[:, 2] == t)
            h = mem[mem[:, 3] < t]
            act = np.bincount(h[:, 0], weights=np.exp(-self.lam * (t - h[:, 3])), minlength=e) + 1e-3
            by_tc = np.bincount(c.etype * ncty + c.country + 1, weights=act, minlength=c.num_types * ncty)
            by_tc = by_tc.reshape(c.num_types, ncty)
            by_t = by_tc.sum(axis=1)
            kp = c.kind_probs(q[rows, 0], q[rows, 1])
            cs = c.country[q[rows, 0]]
            # the entities' classes and their kinds' totals depend on the subject only through its country
            for cty in np.unique(cs).tolist():
                sub = np.flatnonzero(cs == cty)
                same = (c.country == cty) if cty >= 0 else np.zeros(e, dtype=bool)
                tot_same = by_tc[c.etype, cty + 1] if cty >= 0 else np.zeros(e)
                tot = np.where(same, tot_same, by_t[c.etype] - tot_same)
                out[rows[sub]] = kp[sub][:, c.etype * 2 + same] * (act / np.maximum(tot, 1e-12))[None, :]
        return out

    def _state(self) -> dict[str, np.ndarray]:
        return self._ctx._state()

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self._ctx = Context(smoothing=self.smoothing)
        self._ctx.num_entities, self._ctx.num_relations = self.num_entities, self.num_relations
        self._ctx._set_state(state)
        self._ctx._fitted = True


class Kin(BaseModel):
    """Answers generalised over countries (countries as in :func:`entity_meta`), decayed at rate ``lam`` per step:

    * ``key="subject"``: ``score(o) = sum 2 ** (-lam * (t - t_f))`` over past facts ``(s', r, o)`` whose subject
      ``s'`` belongs to the country of the query's subject (what its compatriots did with this relation, and to
      whom);
    * ``key="answer"``: ``score(o) = D(s, r, country of o) * share of o in its country's recent activity``, where
      ``D`` sums the decayed past facts ``(s, r, o')`` over the answers ``o'`` of that country (an entity without a
      country is its own group).
    """

    name = "kin"
    KEYS = ("subject", "answer")

    def __init__(self, key: str = "subject", lam: float = 0.1) -> None:
        super().__init__()
        if key not in self.KEYS:
            raise ModelError(f"kin: key must be one of {self.KEYS}, got {key!r}")
        self.key = key
        self.lam = lam
        self.country = np.zeros(0, dtype=np.int64)
        self._cache: tuple[int, int, Any, Any] | None = None

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        self.country = entity_meta(graph.entity_names, graph.train, graph.num_entities)[0]

    def reset_memory(self) -> None:
        super().reset_memory()
        self._cache = None

    def _on_observe(self, facts: np.ndarray) -> None:
        self._cache = None

    def _matrix(self, t: int, g: np.ndarray, ng: int) -> tuple[Any, Any]:
        """The decayed counts before ``t`` (rows: the query's key; columns: entities or groups) and each entity's
        share of its group's activity, cached for the last time asked (a replayed day is scored in chunks)."""
        import scipy.sparse as sp

        mem = self.memory()
        if self._cache is not None and self._cache[:2] == (len(mem), t):
            return self._cache[2], self._cache[3]
        e, r2 = self.num_entities, 2 * self.num_relations
        h = mem[mem[:, 3] < t]
        w = np.exp2(-self.lam * (t - h[:, 3]).astype(np.float64))
        share = None
        if self.key == "subject":
            m = sp.csr_matrix((w, (g[h[:, 0]] * r2 + h[:, 1], h[:, 2])), shape=(ng * r2, e))
        else:  # counts by group, times the (group x entity) matrix of each member's share of its group's activity
            m = sp.csr_matrix((w, (h[:, 0] * r2 + h[:, 1], g[h[:, 2]])), shape=(e * r2, ng))
            act = np.bincount(h[:, 0], weights=w, minlength=e) + 1e-3
            share = sp.csr_matrix((act / np.bincount(g, weights=act, minlength=ng)[g], (g, np.arange(e))),
                                  shape=(ng, e))
        m.sum_duplicates()
        self._cache = (len(mem), t, m, share)
        return m, share

    def _groups(self) -> np.ndarray:
        """Group of each entity: its country, or a group of its own."""
        nc = int(self.country.max(initial=-1)) + 1
        return np.where(self.country >= 0, self.country, nc + np.arange(len(self.country)))

    def predict(self, queries: np.ndarray) -> np.ndarray:
        q = self._check(queries)
        r2 = 2 * self.num_relations
        out = np.zeros((len(q), self.num_entities))
        g = self._groups()
        ng = int(g.max(initial=-1)) + 1
        for t in np.unique(q[:, 2]).tolist():
            rows = np.flatnonzero(q[:, 2] == t)
            m, share = self._matrix(int(t), g, ng)
            qs, qr = q[rows, 0], q[rows, 1]
            x = m[g[qs] * r2 + qr] if share is None else m[qs * r2 + qr] @ share
            x.sum_duplicates()
            # the sparse rows scattered into the output (densifying the group columns and indexing them per entity
            # took three times as long on an ICEWS18 day)
            row = np.repeat(rows, np.diff(x.indptr))
            out[row, x.indices] = x.data
        return out

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        s = float(self.predict(query.reshape(1, 3))[0, entity])
        what = {"subject": "answers of the subject's compatriots", "answer": "the subject's answers in this country"}
        return [Reason("prior", f"decayed count of {what[self.key]}: {s:.3g}", s)] if s > 0 else []

    def _state(self) -> dict[str, np.ndarray]:
        return {"country": self.country}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self.country = state["country"]
