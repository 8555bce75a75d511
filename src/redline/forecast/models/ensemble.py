"""An ensemble that learns on validation data how much to trust each component.

Each component is fitted on its own (and tunes its own settings on the validation split). The ensemble then
scores a sample of validation queries with every component (history = train plus the validation facts before
each query, as at test time), normalises each component's scores per query by their maximum, and learns the
weights of a log-linear model, ``logit(o) = sum_k a_k * x_k(o) + b_k * log(1e-4 + x_k(o))`` with non-negative
weights, by minimising the softmax cross-entropy of the answer among its top candidates (plus random ones).

With ``context=True`` (the default) the top ``context_top`` (200) entities of that sum are re-scored: features of
each (query, candidate) pair from :mod:`.context` (the candidate's country and kind relative to the subject's, how
recently and often the pair met, how active the candidate is now) are added with signed weights learned together
with the component weights, and the re-scored entities are ranked above all others. The pairwise products of a few
standardised features (``products``: the recurrency and rule scores and six context features) are weighed too,
and the L2 penalty is 1e-2. On the held-out validation half described below: 0.4494 without context, 0.4566 with
the context features, 0.4605 with the products as well (on cached candidate features: L2 1e-3 0.4570, 1e-2 0.4575;
products at L2 1e-3 / 3e-3 / 1e-2 / 3e-2 / 1e-1: 0.4597 / 0.4603 / 0.4617 / 0.4612 / 0.4608; products of 18
features instead of 8: 0.4600); conditioning the weights on the query's group did worse held-out, and so did a
neural or tree re-ranker trained on the weights' candidates (drawn unlike prediction's; see below for one that is
not). Adding the kind-based prior ``typed`` (:class:`.context.TypedPrior`, which scores every entity, so that
answers the subject never met can reach the top 200) as a ninth component: 0.4645.

Then (``rerank``, 100 by default) the top 100 entities of the component sum are ordered by LambdaRank trees
(:mod:`.rerank`), which see the features above, the linear score and the relation. They are trained after the
weights, in a second pass over (up to ``rerank_queries``) validation queries whose candidates are chosen as at
prediction; ``proba`` stays the softmax of the linear score (the trees order candidates, they give no
probabilities). On the held-out validation half below: linear 0.4645, re-ranked top 200 0.4735 (top 100 on cached
features 0.4742 against 0.4747 for the top 200; the trees trained on half the training queries 0.4702, so the
reranker gains with data: the full validation split trains it before a test).

When the validation split has fewer than half as many queries as ``rerank_queries`` (100,000; ICEWS14 has 17,000,
ICEWS18 92,000, which all train the trees), the trees also learn from the last ``rerank_tail`` (30) timestamps of
train, replayed by a *twin*: an ensemble with the same components and settings fitted on the train facts before
those days (its components tuning on them as on a validation split) and this ensemble's weights, so that the
components never saw the facts they score, as at prediction (scored by components fitted on them, the same groups
hurt: the trees learn to trust the memorised embedding). Held-out, with the code of this version: 0.4722 without the
twin, 0.4774 with it (30 days, 15,912 more queries); 60 days 0.4772, the top 200 0.4765, 300 trees 0.4777, 16,000
queries for the weights 0.4768 (with 300 trees 0.4765): none kept. Later, on the same split: a second twin for the
30 days before (32,256 tail queries) 0.4768; components with learned state (the embedding) refitted on train + valid
before the test 0.4769; each candidate's rank by each component as a feature of the trees 0.4764: none kept, the
data beyond about 24,000 queries adds nothing there. The twin costs a second fit of the components.

Tried later and not kept, on two splits of non-test data: the held-out half above and a *shifted* split (train
without its last 30 days; those days as validation; the validation split as test, all of it ranked), whose
baselines are 0.4774 and 0.4914 on ICEWS14 and 0.3632 on ICEWS18. Re-training the trees every 7 test days on the
queries answered so far (online, as the single-step protocol would allow): 0.4918 (+0.0003, at twice the time);
LambdaRank weighted by the change in reciprocal rank instead of NDCG: 0.4914 / 0.4765; the pair's history with
any relation of the query's CAMEO root and quad class (6 more context features): 0.4920 / 0.4772, and 0.3632 on
ICEWS18; the embedding trained on twice the drawn facts: 0.4914 / 0.4769. None moved both splits by more than
the noise of these figures (about 0.0005).

Kept, from the same two splits: two :class:`.context.Kin` components (``kin``), which generalise answers over
countries: what the subject's compatriots did with the relation, and to whom (``key="subject"``), and the subject's
past answers spread over the entities of their country by recent activity (``key="answer"``). Alone on ICEWS14's
validation split the first reaches MRR 0.369 (recurrency: 0.37). As the tenth and eleventh components: 0.4774 ->
0.4780 held-out and 0.4914 -> 0.4932 on the shifted split (Hits@10 0.6751 -> 0.6792), the first change in many
above the noise on both.

The validation days (for the weights and for the trees) are scored 1,024 queries at a time (a whole ICEWS18 day
held components x queries x entities floats: the peak memory grew with the budget). The components score side
by side on ``threads`` threads (default: every core) and the sum and its top candidates are taken per half of the
queries: on ICEWS18 test queries, 7.0 -> 4.4 ms per query on two cores, the same scores.

The default components were chosen on ICEWS14 validation data only: components and weights fitted on the first
half of the validation days, MRR measured by full filtered ranking on the second half (8520 queries). The history
components alone (recurrency, length-1 rules, three decayed counts) reach 0.4370 there; adding the two-hop
propagation scores (``propagate``: answers of the subject's neighbours) 0.4465; adding the learned ComplEx
embedding as well (``embed``: answers never seen near the subject) 0.4482 (the embedding alone on top of the
history components: 0.4413). Weights conditioned on how much history the query has (each weight plus terms
times the breadth of the component's scores and of the first component's) lost 0.003-0.004 held-out and were
dropped; other decay rates of ``propagate`` (0.03, 0.3, a slower second hop) moved it by less than 0.001.
With the rules at their own defaults (lengths 1-3) instead of length 1, the same held-out figure is 0.4494
(length 1 measured again on the same code: 0.4479), so the default takes the rules as they come.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from redline.errors import ModelError

from ..data import TKG
from ..evaluate import timestamp_batches
from .base import BaseModel, Reason, cores
from .context import FEATURES, Context
from .rerank import QUERY_FEATURES, Reranker

__all__ = ["Ensemble", "DEFAULT_COMPONENTS"]

DEFAULT_COMPONENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("recurrency", {}),
    ("tlogic", {}),
    ("decay", {"key": "sr", "lam": 0.0}),
    ("decay", {"key": "r", "lam": 0.1}),
    ("decay", {"key": "s", "lam": 1.0}),
    ("propagate", {"key": "rel"}),
    ("propagate", {"key": "any"}),
    ("embed", {}),
    ("typed", {}),
    ("kin", {"key": "subject"}),
    ("kin", {"key": "answer"}),
)
#: features whose pairwise products (standardised on the validation candidates) the ensemble also weighs: a
#: component's name stands for its normalised score, other names are context features
PRODUCTS = ("recurrency", "tlogic", "same_country", "type_logp", "last_sro", "count_sro", "last_so", "activity_1")
_EPS = 1e-4
_CHUNK = 1024  # queries scored at once while validation days are replayed


@dataclasses.dataclass(frozen=True)
class _Chunk:
    """Sampled queries of one replayed validation day (or part of it): ``queries`` ``(s, r, t)`` rows, their
    ``answers`` and ``(s, r)`` keys, the day's true ``(key, answer)`` pairs; ``last``: the day's last chunk."""

    day: int
    queries: np.ndarray
    answers: np.ndarray
    keys: np.ndarray
    true: set[tuple[int, int]]
    last: bool


def _in_threads(fn: Any, items: list[Any], threads: int) -> list[Any]:
    """``[fn(x) for x in items]``, on up to ``threads`` threads side by side (numpy releases the GIL)."""
    if threads < 2 or len(items) < 2:
        return [fn(x) for x in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(threads, len(items))) as ex:
        return list(ex.map(fn, items))


def _run_rows(fn: Any, n: int, threads: int) -> None:
    """``fn(lo, hi)`` over ``threads`` contiguous slices of ``range(n)`` (one slice when ``n`` is small)."""
    cuts = np.linspace(0, n, threads + 1).astype(int) if n >= 2 * threads else np.asarray([0, n])
    _in_threads(lambda ab: fn(*ab), [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)], threads)


def _normalise(s: np.ndarray, dtype: Any = np.float64) -> np.ndarray:
    """Scores divided by their row's maximum (a row whose maximum is not positive: zeros), as a new ``dtype`` array."""
    x = np.array(s, dtype=dtype)
    m = x.max(axis=1, keepdims=True) if x.shape[1] else np.zeros((len(x), 1), dtype=dtype)
    np.divide(x, m, out=x, where=m > 0)
    x[m[:, 0] <= 0] = 0.0
    return x


def _add_weighted(total: np.ndarray, x: np.ndarray, wl: float, wg: float, tmp: np.ndarray) -> None:
    """``total += wl * x + wg * log(eps + x)`` in ``total``'s dtype, with ``tmp`` as the only scratch array."""
    if wl:
        np.multiply(x, total.dtype.type(wl), out=tmp)
        total += tmp
    if wg:
        np.add(x, total.dtype.type(_EPS), out=tmp)
        np.log(tmp, out=tmp)
        tmp *= total.dtype.type(wg)
        total += tmp


class Ensemble(BaseModel):
    """Weighted sum of per-query normalised component scores; weights learned on validation MRR."""

    name = "ensemble"

    def __init__(
        self,
        components: tuple[tuple[str, dict[str, Any]], ...] | list[Any] = DEFAULT_COMPONENTS,
        weights: tuple[float, ...] | list[float] | None = None,
        valid_queries: int = 4000,
        candidates: int = 100,
        negatives: int = 30,
        l2: float = 1e-2,
        rerank: int = 100,
        rerank_queries: int = 100_000,
        rerank_tail: int = 30,
        rerank_trees: int = 200,
        context: bool = True,
        context_top: int = 200,
        products: tuple[str, ...] | list[str] = PRODUCTS,
        threads: int = 0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.threads = threads  # 0: every core this process may use
        self.components = tuple((str(n), dict(c)) for n, c in components)
        self.weights = tuple(weights) if weights is not None else None
        self.valid_queries = valid_queries
        self.candidates = candidates
        self.negatives = negatives
        self.l2 = l2
        self.rerank = rerank
        self.rerank_queries = rerank_queries
        self.rerank_tail = rerank_tail
        self.rerank_trees = rerank_trees
        self._reranker: Reranker | None = None
        self.context = context
        self.context_top = context_top
        self.products = tuple(products)
        self._context: Any = None
        self._pmu = np.zeros(0)
        self._psd = np.ones(0)
        self.seed = seed
        self.models: list[Any] = []
        self.w = np.ones(len(self.components))
        self.selection: dict[str, Any] = {}

    # memory is forwarded to every component
    def _parts(self) -> list[Any]:
        """Everything with a memory: the components and the context features."""
        parts = list(getattr(self, "models", []))
        return parts + [self._context] if getattr(self, "_context", None) is not None else parts

    def reset_memory(self) -> None:
        super().reset_memory()
        for m in self._parts():
            m.reset_memory()

    def observe(self, facts: np.ndarray) -> None:
        super().observe(facts)
        for m in self._parts():
            m.observe(facts)

    @property
    def _threads(self) -> int:
        return self.threads or cores()

    @property
    def _n_component_weights(self) -> int:
        return 2 * len(self.models)

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        from . import get_model

        if not self.components:
            raise ModelError("ensemble needs at least one component")
        self.models = []
        self._reranker = None  # a refit that learns no trees keeps none from an earlier fit
        for name, cfg in self.components:
            if progress:
                print(f"ensemble: fitting {name} {cfg}", file=sys.stderr)
            self.models.append(get_model(name, **cfg).fit(graph, progress=progress))
        self._context = Context().fit(graph) if self.context else None
        nb = len(self._product_base_columns())
        self._pmu, self._psd = np.zeros(nb), np.ones(nb)
        nf = 2 * len(self.models) + (len(FEATURES) if self.context else 0) + nb * (nb - 1) // 2
        if self.weights is not None:
            if len(self.weights) != nf:
                raise ModelError(f"ensemble: {nf} weights expected (linear and log term per component"
                                 + (f", then one per context feature ({', '.join(FEATURES)}) and one per product"
                                    " of two of the products' features" if self.context else "") + ")")
            self.w = np.asarray(self.weights, dtype=np.float64)
            self.selection = {"on": "fixed", "weights": self.w.tolist()}
            return
        self.w = self._default_weights(nf)
        if len(graph.valid) == 0 or graph.num_entities < 3:
            self.selection = {"on": "default", "weights": self.w.tolist()}
            return
        feats, mask = self._valid_features(graph)
        if len(feats) == 0:  # no validation query sampled (valid_queries=0): nothing to learn from
            self.selection = {"on": "default (no validation query sampled)", "weights": self.w.tolist()}
            return
        if nb:
            base = self._product_base(feats)
            self._pmu = base.reshape(-1, nb).mean(axis=0).astype(np.float64)
            self._psd = base.reshape(-1, nb).std(axis=0).astype(np.float64) + 1e-6
            feats = np.concatenate([feats, self._pairwise(base)], axis=-1)
        self.w = self._learn(feats, mask, progress)
        self.selection = {"on": "valid", "weights": [round(x, 4) for x in self.w.tolist()],
                          "valid_queries": int(feats.shape[0]), "valid_mrr_candidates": self._mrr(feats, mask, self.w)}
        if self.rerank > 1 and self._context is not None:
            self._reranker = self._learn_reranker(graph, progress)

    # ----- products of features ---------------------------------------------------------------------------------
    def _product_base_columns(self) -> list[int]:
        """Columns (in the layout: 2 per component, then the context features) whose products are features."""
        if self._context is None:
            return []
        comps = [n for n, _ in self.components]
        cols = []
        for name in self.products:
            if name in FEATURES:
                cols.append(2 * len(comps) + FEATURES.index(name))
            elif name in comps:
                cols.append(2 * comps.index(name))
        return cols

    def _product_base(self, feats: np.ndarray) -> np.ndarray:
        return feats[..., self._product_base_columns()]

    def _pairwise(self, base: np.ndarray) -> np.ndarray:
        """Pairwise products of the standardised base features, ``(n, c, B (B - 1) / 2)``."""
        z = (base.astype(np.float64) - self._pmu) / self._psd
        i, j = np.triu_indices(z.shape[-1], k=1)
        return (z[..., i] * z[..., j]).astype(np.float32)

    def _candidate_features(self, q: np.ndarray, top: np.ndarray, xs: dict[int, np.ndarray]) -> np.ndarray:
        """The features of candidates ``top`` in the training layout: components (zero where not kept), context,
        products."""
        comp = np.zeros(top.shape + (2 * len(self.models),), dtype=np.float32)
        for k, x in xs.items():
            v = np.take_along_axis(x, top, axis=1)
            comp[..., 2 * k] = v
            comp[..., 2 * k + 1] = np.log(np.float32(_EPS) + v)
        parts = [comp]
        if self._context is not None:
            parts.append(self._context.features(q, top))
        f = np.concatenate(parts, axis=-1)
        if self._product_base_columns():
            f = np.concatenate([f, self._pairwise(self._product_base(f))], axis=-1)
        return f

    def _default_weights(self, nf: int) -> np.ndarray:
        """Equal weight on every component's linear term; nothing on log terms and context features."""
        w = np.zeros(nf)
        w[0 : self._n_component_weights : 2] = 1.0
        return w

    def _features(self, q: np.ndarray) -> list[np.ndarray]:
        """Per component: scores normalised per query (max 1), as float32; the components run side by side on
        ``threads`` threads (numpy releases the GIL in their array work; each component owns its memory)."""
        return _in_threads(lambda m: _normalise(m.predict(q), np.float32), self.models, self._threads)

    @staticmethod
    def _expand(xs: list[np.ndarray]) -> np.ndarray:
        """(n, c) normalised scores of each component -> (n, c, 2k) features: x and log(eps + x)."""
        out = []
        for x in xs:
            out.append(x)
            out.append(np.log(np.float32(_EPS) + x))
        return np.stack(out, axis=-1)

    def _replay_valid(self, graph: TKG, budget: int, rng: np.random.Generator) -> Iterator[_Chunk]:
        """The validation days in order, as at test time: every part's memory reset to the train facts, then per day
        its sampled queries in chunks of at most ``_CHUNK`` (one empty chunk for a day with none), yielded before
        the day's facts are observed; each query is sampled with probability ``budget`` / all validation queries.
        In chunks because the components score every entity for each query: a whole day at once would hold
        components x queries x entities floats, a size that grows with the budget (ICEWS18: gigabytes)."""
        keep_p = min(1.0, budget / max(2 * len(graph.valid), 1))
        for m in self._parts():
            m.reset_memory()
            m.observe(graph.train)
        for day, (t, q, at) in enumerate(timestamp_batches(graph.valid, graph.num_relations)):
            sel = np.flatnonzero(rng.random(len(q)) < keep_p)
            keys = q[:, 0] * (2 * graph.num_relations) + q[:, 1]
            true = set(zip(keys.tolist(), q[:, 2].tolist(), strict=True))
            starts = range(0, max(len(sel), 1), _CHUNK)
            for lo in starts:
                rows = sel[lo : lo + _CHUNK]
                qt = np.column_stack([q[rows, 0], q[rows, 1], np.full(len(rows), t)])
                yield _Chunk(day, qt, q[rows, 2], keys[rows], true, lo == starts[-1])
            for m in self._parts():
                m.observe(at)

    @staticmethod
    def _unfiltered(keys: np.ndarray, cand: np.ndarray, true: set[tuple[int, int]]) -> np.ndarray:
        """False where candidate ``j >= 1`` of query ``i`` is another true answer of its (s, r) at that time (the
        filtered setting); column 0 holds the query's own answer."""
        mask = np.ones(cand.shape, dtype=bool)
        for i in range(len(cand)):
            for j in range(1, cand.shape[1]):
                if (int(keys[i]), int(cand[i, j])) in true:
                    mask[i, j] = False
        return mask

    def _valid_features(self, graph: TKG) -> tuple[np.ndarray, np.ndarray]:
        """Features of the top candidates (equal-weight pre-ranking) of a sample of validation queries; the
        answer sits in column 0; ``mask`` is False for other true answers at the same time (filtered)."""
        rng = np.random.default_rng(self.seed)
        c = max(2, min(self.candidates, self.num_entities))
        negatives = min(self.negatives, (c - 1) // 3)
        feats, masks = [], []
        for ch in self._replay_valid(graph, self.valid_queries, rng):
            if len(ch.queries):
                xs = self._features(ch.queries)
                prior = np.sum(xs, axis=0)
                ans = ch.answers
                prior[np.arange(len(ans)), ans] = -np.inf
                n_top = c - 1 - negatives
                top = np.argpartition(-prior, n_top - 1, axis=1)[:, :n_top]
                rand = rng.integers(0, self.num_entities, size=(len(ans), negatives))
                cand = np.column_stack([ans, top, rand])
                cand[:, 1:][cand[:, 1:] == ans[:, None]] = (ans[:, None].repeat(c - 1, 1)[cand[:, 1:] == ans[:, None]]
                                                            + 1) % self.num_entities
                f = self._expand([np.take_along_axis(x, cand, axis=1) for x in xs])
                if self._context is not None:
                    f = np.concatenate([f, self._context.features(ch.queries, cand)], axis=-1)
                feats.append(f)
                masks.append(self._unfiltered(ch.keys, cand, ch.true))
        if not feats:
            return np.zeros((0, c, 0), dtype=np.float32), np.zeros((0, c), dtype=bool)
        return np.concatenate(feats), np.concatenate(masks)

    @staticmethod
    def _mrr(feats: np.ndarray, mask: np.ndarray, w: np.ndarray) -> float:
        """MRR over candidate sets (answer in column 0, ties by average position)."""
        logit = feats.astype(np.float64) @ w
        true = logit[:, :1]
        higher = ((logit[:, 1:] > true) & mask[:, 1:]).sum(1)
        tied = ((logit[:, 1:] == true) & mask[:, 1:]).sum(1)
        return float(np.mean(1.0 / (1.0 + higher + tied / 2.0)))

    def _learn(self, feats: np.ndarray, mask: np.ndarray, progress: bool) -> np.ndarray:
        """Weights minimising the softmax cross-entropy of the answer among its candidates (L2-regularised)."""
        from scipy.optimize import minimize

        f = feats.astype(np.float64)
        n = f.shape[0]
        neg = np.where(mask, 0.0, -np.inf)

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            logit = f @ w + neg
            mx = logit.max(axis=1, keepdims=True)
            p = np.exp(logit - mx)
            z = p.sum(axis=1, keepdims=True)
            p /= z
            ll = (mx[:, 0] + np.log(z[:, 0]) - logit[:, 0]).mean() + self.l2 * float(w @ w)
            grad = np.einsum("nc,ncf->f", p, f) / n - f[:, 0, :].mean(axis=0) + 2 * self.l2 * w
            return float(ll), grad

        w0 = self._default_weights(f.shape[-1])
        # every component is evidence for an answer: its weights are kept non-negative; context features are
        # descriptions whose sign is learned
        nc = self._n_component_weights
        bounds = [(0.0, None)] * nc + [(None, None)] * (len(w0) - nc)
        res = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
        w = np.asarray(res.x)
        before, after = self._mrr(feats, mask, w0), self._mrr(feats, mask, w)
        if progress:
            print(f"ensemble: valid MRR on candidates {before:.4f} (equal) -> {after:.4f} (learned)", file=sys.stderr)
        return w if after >= before else w0

    def _top_candidates(self, q: np.ndarray, xs: dict[int, np.ndarray], exclude: np.ndarray | None = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The component sum of every entity, and the re-ranker's candidates: the top ``rerank`` entities by it (with
        ``exclude``, a column per query is left out) and their features ``(n, k, F)``."""
        total = np.zeros((len(q), self.num_entities), dtype=np.float32)
        k = min(self.rerank, self.num_entities - (exclude is not None))
        top = np.zeros((len(q), k), dtype=np.int64)

        def rows(lo: int, hi: int) -> None:  # the sum and its top k for queries lo..hi (disjoint rows per thread)
            tmp = np.empty_like(total[lo:hi])
            for c, x in xs.items():
                _add_weighted(total[lo:hi], x[lo:hi], float(self.w[2 * c]), float(self.w[2 * c + 1]), tmp)
            pick = total[lo:hi]
            if exclude is not None:
                pick = pick.copy()
                pick[np.arange(hi - lo), exclude[lo:hi]] = -np.inf
            top[lo:hi] = np.argpartition(-pick, k - 1, axis=1)[:, :k]

        _run_rows(rows, len(q), self._threads)
        if exclude is not None:
            top = np.column_stack([exclude, top])
        return total, top, self._rerank_features(q, top, total, xs)

    def _rerank_features(self, q: np.ndarray, top: np.ndarray, total: np.ndarray, xs: dict[int, np.ndarray]
                         ) -> np.ndarray:
        feats = self._candidate_features(q, top, xs)
        nc = self._n_component_weights
        stage1 = np.take_along_axis(total, top, axis=1)
        linear = stage1 + feats[..., nc:].astype(np.float64) @ self.w[nc:]
        sro = feats[..., nc + FEATURES.index("count_sro")] > 0
        so = feats[..., nc + FEATURES.index("count_so")] > 0
        return Reranker.matrix(feats, stage1, linear, q[:, 1], sro, so)

    def _learn_reranker(self, graph: TKG, progress: bool) -> Reranker | None:
        """LambdaRank trees (:mod:`.rerank`) trained on validation queries with candidates chosen as at prediction:
        the top ``rerank`` by the component sum, history = train plus the validation facts before the query; with
        ``rerank_tail``, also on the last days of train, scored by a twin fitted without them (:meth:`_tail_groups`)."""
        rng = np.random.default_rng(self.seed + 1)
        groups, seen = self._rerank_groups(graph, rng, progress, "validation")
        self.selection["rerank"] = {"top": self.rerank, "queries": seen, "groups": len(groups),
                                    "trees": self.rerank_trees}
        if self.rerank_tail > 0 and 2 * len(graph.valid) < self.rerank_queries // 2:  # validation is short of data
            tail, tail_seen = self._tail_groups(graph, rng, progress)
            groups += tail
            self.selection["rerank"].update(tail_days=self.rerank_tail, tail_queries=tail_seen, tail_groups=len(tail))
        if len(groups) < 10:
            self.selection["rerank"]["used"] = "no: fewer than 10 validation queries to learn from"
            return None
        return Reranker(trees=self.rerank_trees, seed=self.seed).fit(groups)

    def _rerank_groups(self, graph: TKG, rng: np.random.Generator, progress: bool, label: str
                       ) -> tuple[list[np.ndarray], int]:
        """The re-ranker's training groups from a replay of ``graph.valid``: per sampled query whose answer made the
        top ``rerank`` (filtered), its candidates' features with the answer in row 0; and the number of queries."""
        groups: list[np.ndarray] = []
        seen = 0
        days = len(np.unique(graph.valid[:, 3]))
        for ch in self._replay_valid(graph, self.rerank_queries, rng):
            if len(ch.queries):
                ans = ch.answers
                xs = dict(enumerate(self._features(ch.queries)))
                total, top, x = self._top_candidates(ch.queries, xs, exclude=ans)
                keep = self._unfiltered(ch.keys, top, ch.true)
                for j in range(len(ans)):
                    higher = total[j, top[j, 1:]][keep[j, 1:]] > total[j, ans[j]]
                    if higher.sum() < self.rerank:  # the answer made the cut (filtered)
                        groups.append(x[j][keep[j]])
                seen += len(ans)
            if progress and ch.last and (ch.day % 10 == 9 or ch.day == days - 1):
                print(f"ensemble: re-ranker training queries ({label}) {seen}, {ch.day + 1}/{days} days",
                      file=sys.stderr)
        return groups, seen

    def _tail_groups(self, graph: TKG, rng: np.random.Generator, progress: bool) -> tuple[list[np.ndarray], int]:
        """More training groups for the re-ranker, from the last ``rerank_tail`` days of train: a twin ensemble (same
        components and settings, this ensemble's weights) is fitted on the train facts before those days, tuning on
        them as on a validation split, and replays them. The components never saw the facts they score, as at
        prediction (groups scored by components fitted on them teach the trees to trust memorised answers)."""
        times = np.unique(graph.train[:, 3])
        if len(times) <= 2 * self.rerank_tail:
            return [], 0
        cut = times[-self.rerank_tail]
        tr = graph.train
        fold = dataclasses.replace(graph, train=tr[tr[:, 3] < cut], valid=tr[tr[:, 3] >= cut], test=tr[:0])
        if progress:
            print(f"ensemble: twin fitted without the last {self.rerank_tail} days of train", file=sys.stderr)
        cfg = self.config() | {"weights": tuple(self.w.tolist()), "rerank_tail": 0}  # fixed weights: no learning
        twin = Ensemble(**cfg).fit(fold, progress=progress)
        twin._pmu, twin._psd = self._pmu, self._psd
        return twin._rerank_groups(fold, rng, progress, f"last {self.rerank_tail} days of train")

    def predict(self, queries: np.ndarray) -> np.ndarray:
        return self._scores(self._check(queries), rank=True)

    def _scores(self, q: np.ndarray, rank: bool) -> np.ndarray:
        """The weighted sum; with context features, the top ``context_top`` entities re-scored with them (for
        ranking, ``rank=True``, they are kept above every other entity, in their new order); with the re-ranker
        (ranking only), the top ``rerank`` entities of the component sum are ordered by its trees instead."""
        if rank and self._reranker is not None and len(q):
            return self._reranked(q)
        total = np.zeros((len(q), self.num_entities), dtype=np.float64)
        tmp = np.empty_like(total)
        need = {c // 2 for c in self._product_base_columns() if c < self._n_component_weights}
        xs: dict[int, np.ndarray] = {}
        for k, m in enumerate(self.models):
            wl, wg = float(self.w[2 * k]), float(self.w[2 * k + 1])
            if not (wl or wg) and k not in need:
                continue  # a component the validation data gave no weight is not even run
            x = _normalise(m.predict(q))
            if k in need:
                xs[k] = x.astype(np.float32)
            _add_weighted(total, x, wl, wg, tmp)
        if self._context is not None and len(q) and np.any(self.w[self._n_component_weights :]):
            total, _ = self._with_context(q, total, rank, xs)
        return total

    def _reranked(self, q: np.ndarray) -> np.ndarray:
        """Every entity's component sum, with the top ``rerank`` moved above the rest in the trees' order."""
        assert self._reranker is not None
        xs = dict(enumerate(self._features(q)))
        total, top, x = self._top_candidates(q, xs)
        p = self._reranker.score(x)
        p -= p.min(axis=1, keepdims=True)
        out = total.astype(np.float64)
        # the top entities are the largest of the component sum: their minimum is at least any other entity's score
        floor = np.take_along_axis(out, top, axis=1).min(axis=1, keepdims=True)
        np.put_along_axis(out, top, floor + 1.0 + p, axis=1)
        return out

    def _with_context(self, q: np.ndarray, total: np.ndarray, rank: bool, xs: dict[int, np.ndarray]
                      ) -> tuple[np.ndarray, np.ndarray]:
        k = min(self.context_top, self.num_entities)
        top = np.argpartition(-total, k - 1, axis=1)[:, :k]
        old = np.take_along_axis(total, top, axis=1)
        nc = self._n_component_weights
        extra = self._candidate_features(q, top, xs)[..., nc:].astype(np.float64) @ self.w[nc:]
        new = old + extra
        if rank and k < self.num_entities:
            rest = total.copy()
            np.put_along_axis(rest, top, -np.inf, axis=1)
            new += rest.max(axis=1, keepdims=True) + 1.0 - new.min(axis=1, keepdims=True)
        np.put_along_axis(total, top, new, axis=1)
        return total, top

    def proba(self, queries: np.ndarray) -> np.ndarray:
        """``P(entity | s, r, t)``: the softmax of the weighted sum, which is what the weights were trained for."""
        logit = self._scores(self._check(queries), rank=False)
        logit -= logit.max(axis=1, keepdims=True)
        p = np.exp(logit)
        return p / p.sum(axis=1, keepdims=True)

    def answer_scores(self, queries: np.ndarray) -> np.ndarray:
        """``proba``: with the re-ranker, ``predict`` gives the top answers positions above a floor (>= 1), which
        order each query's answers but mean nothing across queries."""
        return self.proba(queries)

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        out = []
        for k, m in enumerate(self.models):
            wl, wg = float(self.w[2 * k]), float(self.w[2 * k + 1])
            if not (wl or wg):
                continue
            s = np.asarray(m.predict(query.reshape(1, 3)), dtype=np.float64)[0]
            x = s[entity] / s.max() if s.max() > 0 else 0.0
            share = wl * x + wg * float(np.log(_EPS + x))
            label = m.name + (f"({m.key}, lam={m.lam:g})" if m.name in ("decay", "propagate") else "")
            out.append(Reason("component", f"{label}: weight {wl:.3g} + {wg:.3g} on log", share))
            out.extend(m.reasons(query, entity)[:5])
        nc = self._n_component_weights
        if self._context is not None and np.any(self.w[nc:]):
            q = query.reshape(1, 3)
            xs = {k: _normalise(self.models[k].predict(q)).astype(np.float32)
                  for k in {c // 2 for c in self._product_base_columns() if c < nc}}
            f = self._candidate_features(q, np.asarray([[entity]]), xs)[0, 0]
            nctx = len(FEATURES)
            for feat, value, share in self._context.describe(f[nc : nc + nctx], self.w[nc : nc + nctx]):
                out.append(Reason("context", f"{feat} = {value:.3g} (weight {share / value:.3g})", share))
            inter = float(f[nc + nctx :].astype(np.float64) @ self.w[nc + nctx :])
            if inter:
                out.append(Reason("context", f"products of {', '.join(self.products)}: {inter:.3g} in all", inter))
        if self._reranker is not None:
            out.extend(self._explain_rerank(query, entity))
        return out

    def _rerank_feature_names(self) -> list[str]:
        comp = [f"{n}{'' if not c else ' ' + str(c)}" for n, c in self.components]
        names = [x for c in comp for x in (c, f"log {c}")]
        if self._context is not None:
            names += list(FEATURES)
            base = [names[c] for c in self._product_base_columns()]
            i, j = np.triu_indices(len(base), k=1)
            names += [f"{base[a]} x {base[b]}" for a, b in zip(i, j, strict=True)]
        return names + ["component sum", "distance to the best", "linear score", "rank by component sum",
                        *QUERY_FEATURES, "relation"]

    def _explain_rerank(self, query: np.ndarray, entity: int) -> list[Reason]:
        """Where the trees put ``entity`` among the top candidates, and the features that moved it most."""
        assert self._reranker is not None
        q = query.reshape(1, 3)
        xs = dict(enumerate(self._features(q)))
        _, top, x = self._top_candidates(q, xs)
        where = np.flatnonzero(top[0] == entity)
        if not len(where):
            return [Reason("rerank", f"not among the top {top.shape[1]} that the re-ranker orders", 0.0)]
        score = self._reranker.score(x)[0]
        position = 1 + int((score > score[where[0]]).sum())
        contrib = self._reranker.contributions(x[0, where])[0, :-1]
        names = self._rerank_feature_names()
        order = np.argsort(-np.abs(contrib))[:3]
        parts = ", ".join(f"{names[i] if i < len(names) else i} {contrib[i]:+.2f}" for i in order)
        return [Reason("rerank", f"re-ranker: {position} of the top {top.shape[1]} (tree score {score[where[0]]:.2f}; "
                       f"largest contributions: {parts})", float(score[where[0]]))]

    # persistence: components are stored inside the ensemble file
    def _state(self) -> dict[str, np.ndarray]:
        import io
        import json

        state: dict[str, np.ndarray] = {"w": self.w}
        if self._reranker is not None:
            state["reranker"] = self._reranker.to_array()
            state["reranker_meta"] = np.asarray(json.dumps(self._reranker.config()))
        for k, m in enumerate(self.models):
            buf = io.BytesIO()
            comp = m._state()
            np.savez(buf, **comp)
            state[f"comp{k}"] = np.frombuffer(buf.getvalue(), dtype=np.uint8)
            state[f"comp{k}_meta"] = np.asarray(json.dumps({"name": m.name, "config": m.config()}))
        if self._context is not None:
            buf = io.BytesIO()
            np.savez(buf, **self._context._state())
            state["context"] = np.frombuffer(buf.getvalue(), dtype=np.uint8)
            state["context_meta"] = np.asarray(json.dumps(self._context.config()))
            state["product_mu"], state["product_sd"] = self._pmu, self._psd
        return state

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        import io
        import json

        from . import get_model

        self.w = state["w"]
        self._reranker = None
        self._context = None
        if "context" in state:
            self._context = Context(**json.loads(str(state["context_meta"])))
            self._context.num_entities, self._context.num_relations = self.num_entities, self.num_relations
            with np.load(io.BytesIO(state["context"].tobytes()), allow_pickle=False) as z:
                self._context._set_state({key: np.asarray(z[key]) for key in z.files})
            self._context._fitted = True
            self._pmu = state.get("product_mu", np.zeros(0))
            self._psd = state.get("product_sd", np.ones(0))
        if "reranker" in state:
            self._reranker = Reranker.from_array(state["reranker"], **json.loads(str(state["reranker_meta"])))
        self.models = []
        k = 0
        while f"comp{k}" in state:
            meta = json.loads(str(state[f"comp{k}_meta"]))
            m = get_model(meta["name"], **meta["config"])
            m.num_entities, m.num_relations = self.num_entities, self.num_relations
            with np.load(io.BytesIO(state[f"comp{k}"].tobytes()), allow_pickle=False) as z:
                m._set_state({key: np.asarray(z[key]) for key in z.files})
            m._fitted = True
            self.models.append(m)
            k += 1

    def fit(self, graph: TKG, *, progress: bool = False) -> Ensemble:
        super().fit(graph, progress=progress)
        return self
