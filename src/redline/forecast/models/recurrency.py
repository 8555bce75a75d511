"""Recurrency baseline (Gastinger et al., IJCAI 2024, "History repeats itself"), written from the paper's
description.

For a query ``(s, r, ?, t)`` and a candidate ``o``:

* strict recurrency with recency and frequency, ``psi(o) = 1 - prod_k (1 - 2 ** (-lambda_r * (t - t_k)))`` over
  the past times ``t_k < t`` at which ``(s, r, o)`` was observed (a noisy-or of time-decayed occurrences);
* relaxed recurrency, ``xi(o)``: the share of past ``r`` facts whose object was ``o`` (answers never seen with
  ``s`` still get a score);
* combined: ``alpha_r * psi + (1 - alpha_r) * xi``.

``lambda_r`` and ``alpha_r`` are chosen per relation (inverse relations separately) on the validation split by
MRR, first ``lambda`` with ``alpha = 1``, then ``alpha``; relations without validation queries take the value
best over all queries. Tuning uses at most ``tune_queries`` validation queries (a fixed random sample).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import TKG
from ..evaluate import _same_key_pairs, filtered_ranks, timestamp_batches
from .base import BaseModel, Reason

__all__ = ["Recurrency"]

LAMBDA_GRID = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
ALPHA_GRID = (0.0, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 0.9999, 0.99999, 1.0)
_TINY = 1e-300


class Recurrency(BaseModel):
    """Strict + relaxed recurrency with per-relation decay and mixing weights tuned on validation data."""

    name = "recurrency"

    def __init__(
        self,
        lam: float | None = None,
        alpha: float | None = None,
        lambda_grid: tuple[float, ...] = LAMBDA_GRID,
        alpha_grid: tuple[float, ...] = ALPHA_GRID,
        batch_size: int = 1024,
        tune_queries: int = 30000,
    ) -> None:
        super().__init__()
        self.lam = lam
        self.alpha = alpha
        self.lambda_grid = tuple(lambda_grid)
        self.alpha_grid = tuple(alpha_grid)
        self.batch_size = batch_size
        self.tune_queries = tune_queries
        self.lam_r = np.zeros(0)
        self.alpha_r = np.zeros(0)
        self._counts = np.zeros((0, 0))
        self.selection: dict[str, Any] = {}

    # ----- memory statistics for xi --------------------------------------------------------------------------
    def reset_memory(self) -> None:
        super().reset_memory()
        self._counts = np.zeros((2 * self.num_relations, self.num_entities), dtype=np.float64)

    def _on_observe(self, facts: np.ndarray) -> None:
        r2, e = 2 * self.num_relations, self.num_entities
        if self._counts.shape != (r2, e):
            self._counts = np.zeros((r2, e), dtype=np.float64)
        rel = np.concatenate([facts[:, 1], facts[:, 1] + self.num_relations])
        obj = np.concatenate([facts[:, 2], facts[:, 0]])
        np.add.at(self._counts.reshape(-1), rel * e + obj, 1.0)

    def xi(self, relations: np.ndarray) -> np.ndarray:
        rows = self._counts[relations]
        tot = rows.sum(axis=1, keepdims=True)
        return np.divide(rows, tot, out=np.zeros_like(rows), where=tot > 0)

    # ----- scoring -------------------------------------------------------------------------------------------
    def _psi_rows(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(query_row, object, t - t_k)`` for every past occurrence of each query's (s, r)."""
        idx = self.index("sr")
        keys = q[:, 0] * (2 * self.num_relations) + q[:, 1]
        qrow, pos = idx.gather(keys, q[:, 2])
        return qrow, idx.payload["o"][pos], q[qrow, 2] - idx.times[pos]

    @staticmethod
    def _log_terms(dt: np.ndarray, lam: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(np.maximum(1.0 - np.exp2(-lam * dt), _TINY))

    def _psi_dense(self, n: int, qrow: np.ndarray, obj: np.ndarray, logs: np.ndarray) -> np.ndarray:
        e = self.num_entities
        s = np.bincount(qrow * e + obj, weights=logs, minlength=n * e).reshape(n, e)
        return -np.expm1(s)

    def predict(self, queries: np.ndarray) -> np.ndarray:
        q = self._check(queries)
        out = np.empty((len(q), self.num_entities), dtype=np.float64)
        for lo in range(0, len(q), self.batch_size):
            qq = q[lo : lo + self.batch_size]
            qrow, obj, dt = self._psi_rows(qq)
            psi = self._psi_dense(len(qq), qrow, obj, self._log_terms(dt, self.lam_r[qq[qrow, 1]]))
            a = self.alpha_r[qq[:, 1]][:, None]
            out[lo : lo + len(qq)] = a * psi + (1.0 - a) * self.xi(qq[:, 1])
        return out

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        q = query.reshape(1, 3)
        qrow, obj, dt = self._psi_rows(q)
        r = int(q[0, 1])
        lam, alpha = float(self.lam_r[r]), float(self.alpha_r[r])
        sel = obj == entity
        reasons = []
        for d in sorted(dt[sel])[:10]:
            w = alpha * float(np.exp2(-lam * d))
            fact = (int(q[0, 0]), r, entity, int(q[0, 2] - d))
            reasons.append(Reason("fact", f"same fact seen {int(d)} step(s) before", w, fact))
        xi = float(self.xi(np.asarray([r]))[0, entity])
        if xi > 0:
            reasons.append(Reason("prior", f"{xi:.1%} of past facts of this relation point to this answer",
                                  (1 - alpha) * xi))
        return reasons

    # ----- fitting: choose lambda_r and alpha_r on validation ------------------------------------------------
    def _fit(self, graph: TKG, *, progress: bool) -> None:
        r2 = 2 * graph.num_relations
        lam0 = self.lam if self.lam is not None else 0.1
        al0 = self.alpha if self.alpha is not None else 0.99
        self.lam_r = np.full(r2, lam0)
        self.alpha_r = np.full(r2, al0)
        self.selection = {"on": "fixed"}
        if (self.lam is not None and self.alpha is not None) or len(graph.valid) == 0:
            return
        batches = self._valid_batches(graph)
        if self.lam is None:
            self.lam_r = self._choose(batches, "lam", self.lambda_grid, graph, progress)
        if self.alpha is None:
            self.alpha_r = self._choose(batches, "alpha", self.alpha_grid, graph, progress)
        self.selection = {"on": "valid", "lambda_grid": self.lambda_grid, "alpha_grid": self.alpha_grid}

    def _valid_batches(self, graph: TKG) -> list[dict[str, np.ndarray]]:
        self.reset_memory()
        self.observe(graph.train)
        out = []
        rng = np.random.default_rng(0)
        keep_p = min(1.0, self.tune_queries / max(2 * len(graph.valid), 1))
        for t, q, at in timestamp_batches(graph.valid, graph.num_relations):
            pi, pj = _same_key_pairs(q[:, 0] * (2 * graph.num_relations) + q[:, 1])
            sel = np.flatnonzero(rng.random(len(q)) < keep_p) if keep_p < 1 else np.arange(len(q))
            pos = np.full(len(q), -1)
            pos[sel] = np.arange(len(sel))
            fm = pos[pi] >= 0
            qs = q[sel]
            qt = np.column_stack([qs[:, 0], qs[:, 1], np.full(len(qs), t)])
            qrow, obj, dt = self._psi_rows(qt)
            out.append({"q": qs, "qrow": qrow, "obj": obj, "dt": dt, "pi": pos[pi[fm]], "pc": q[pj[fm], 2],
                        "facts": at})
            self.observe(at)
        return out

    def _valid_ranks(self, batches: list[dict[str, np.ndarray]], lam_r: np.ndarray, alphas: list[np.ndarray],
                     graph: TKG) -> tuple[list[np.ndarray], np.ndarray]:
        """Filtered ranks of the tuning queries under ``lam_r`` and each mixing weight vector in ``alphas`` (one
        replay of the validation days: psi and xi depend on the decay rates only, so they are computed once)."""
        self.reset_memory()
        self._on_observe(graph.train)
        ranks: list[list[np.ndarray]] = [[] for _ in alphas]
        rels = []
        for b in batches:
            q = b["q"]
            for lo in range(0, len(q), self.batch_size):
                hi = min(lo + self.batch_size, len(q))
                m = (b["qrow"] >= lo) & (b["qrow"] < hi)
                qrow = b["qrow"][m] - lo
                rel = q[lo:hi, 1]
                logs = self._log_terms(b["dt"][m], lam_r[rel[qrow]])
                psi = self._psi_dense(hi - lo, qrow, b["obj"][m], logs)
                xi = None
                fm = (b["pi"] >= lo) & (b["pi"] < hi)
                for k, alpha_r in enumerate(alphas):
                    a = alpha_r[rel][:, None]
                    if np.all(a == 1.0):
                        scores = psi
                    else:
                        xi = self.xi(rel) if xi is None else xi
                        scores = a * psi + (1.0 - a) * xi
                    ranks[k].append(filtered_ranks(scores, q[lo:hi, 2], b["pi"][fm] - lo, b["pc"][fm]))
                rels.append(rel)
            self._on_observe(b["facts"])
        return [np.concatenate(r) for r in ranks], np.concatenate(rels)

    def _choose(self, batches: list[dict[str, np.ndarray]], what: str, grid: tuple[float, ...], graph: TKG,
                progress: bool) -> np.ndarray:
        r2 = 2 * graph.num_relations
        per_rel = np.zeros((len(grid), r2))
        overall = np.zeros(len(grid))
        count = np.zeros(r2)
        if what == "lam":
            runs = [(np.full(r2, v), [np.ones(r2)]) for v in grid]
        else:  # one replay for the whole alpha grid
            runs = [(self.lam_r, [np.full(r2, v) for v in grid])]
        i = 0
        for lam_r, alphas in runs:
            all_ranks, rels = self._valid_ranks(batches, lam_r, alphas, graph)
            count = np.bincount(rels, minlength=r2).astype(float)
            for ranks in all_ranks:
                rr = 1.0 / ranks
                per_rel[i] = np.bincount(rels, weights=rr, minlength=r2)
                overall[i] = rr.mean()
                if progress:
                    import sys

                    print(f"recurrency: {what}={grid[i]:g} valid MRR {overall[i]:.4f}", file=sys.stderr)
                i += 1
        best_all = grid[int(np.argmax(overall))]
        chosen = np.asarray(grid)[np.argmax(per_rel, axis=0)]
        return np.where(count > 0, chosen, best_all).astype(np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {"lam_r": self.lam_r, "alpha_r": self.alpha_r}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        self.lam_r = state["lam_r"]
        self.alpha_r = state["alpha_r"]
