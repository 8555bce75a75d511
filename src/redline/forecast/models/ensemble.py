"""An ensemble that learns on validation data how much to trust each component.

Each component is fitted on its own (and tunes its own settings on the validation split). The ensemble then
scores a sample of validation queries with every component (history = train plus the validation facts before
each query, as at test time), normalises each component's scores per query by their maximum, and chooses the
weights of the sum by coordinate ascent on validation MRR.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from redline.errors import ModelError

from ..data import TKG
from ..evaluate import _same_key_pairs, filtered_ranks, timestamp_batches
from .base import BaseModel, Reason

__all__ = ["Ensemble", "DEFAULT_COMPONENTS"]

DEFAULT_COMPONENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("recurrency", {}),
    ("tlogic", {"max_length": 1}),
)
WEIGHT_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


def _normalise(s: np.ndarray) -> np.ndarray:
    m = s.max(axis=1, keepdims=True)
    return np.divide(s, m, out=np.zeros_like(s), where=m > 0)


class Ensemble(BaseModel):
    """Weighted sum of per-query normalised component scores; weights learned on validation MRR."""

    name = "ensemble"

    def __init__(
        self,
        components: tuple[tuple[str, dict[str, Any]], ...] | list[Any] = DEFAULT_COMPONENTS,
        weights: tuple[float, ...] | list[float] | None = None,
        valid_queries: int = 3000,
        weight_grid: tuple[float, ...] = WEIGHT_GRID,
        passes: int = 2,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.components = tuple((str(n), dict(c)) for n, c in components)
        self.weights = tuple(weights) if weights is not None else None
        self.valid_queries = valid_queries
        self.weight_grid = tuple(weight_grid)
        self.passes = passes
        self.seed = seed
        self.models: list[Any] = []
        self.w = np.ones(len(self.components))
        self.selection: dict[str, Any] = {}

    # memory is forwarded to every component
    def reset_memory(self) -> None:
        super().reset_memory()
        for m in getattr(self, "models", []):
            m.reset_memory()

    def observe(self, facts: np.ndarray) -> None:
        super().observe(facts)
        for m in self.models:
            m.observe(facts)

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        from . import get_model

        if not self.components:
            raise ModelError("ensemble needs at least one component")
        self.models = []
        for name, cfg in self.components:
            if progress:
                print(f"ensemble: fitting {name}", file=sys.stderr)
            self.models.append(get_model(name, **cfg).fit(graph, progress=progress))
        if self.weights is not None:
            if len(self.weights) != len(self.models):
                raise ModelError("ensemble: one weight per component expected")
            self.w = np.asarray(self.weights, dtype=np.float64)
            self.selection = {"on": "fixed", "weights": self.w.tolist()}
            return
        self.w = np.ones(len(self.models))
        if len(graph.valid) == 0 or len(self.models) == 1:
            self.selection = {"on": "default", "weights": self.w.tolist()}
            return
        feats, answers, frows, fcols = self._valid_scores(graph)
        self.w = self._ascend(feats, answers, frows, fcols, progress)
        self.selection = {"on": "valid", "weights": self.w.tolist(), "valid_queries": len(answers)}

    def _valid_scores(self, graph: TKG) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
        nq = 2 * len(graph.valid)
        rng = np.random.default_rng(self.seed)
        keep_p = min(1.0, self.valid_queries / max(nq, 1))
        for m in self.models:
            m.reset_memory()
            m.observe(graph.train)
        feats: list[list[np.ndarray]] = [[] for _ in self.models]
        answers, frows, fcols = [], [], []
        offset = 0
        for t, q, at in timestamp_batches(graph.valid, graph.num_relations):
            sel = np.flatnonzero(rng.random(len(q)) < keep_p)
            if len(sel):
                qt = np.column_stack([q[sel, 0], q[sel, 1], np.full(len(sel), t)])
                for k, m in enumerate(self.models):
                    feats[k].append(_normalise(np.asarray(m.predict(qt), dtype=np.float64)).astype(np.float32))
                pi, pj = _same_key_pairs(q[:, 0] * (2 * graph.num_relations) + q[:, 1])
                pos = np.full(len(q), -1)
                pos[sel] = np.arange(len(sel))
                fm = pos[pi] >= 0
                frows.append(pos[pi[fm]] + offset)
                fcols.append(q[pj[fm], 2])
                answers.append(q[sel, 2])
                offset += len(sel)
            for m in self.models:
                m.observe(at)
        return ([np.concatenate(f) for f in feats], np.concatenate(answers), np.concatenate(frows),
                np.concatenate(fcols))

    def _ascend(self, feats: list[np.ndarray], answers: np.ndarray, frows: np.ndarray, fcols: np.ndarray,
                progress: bool) -> np.ndarray:
        def mrr(w: np.ndarray) -> float:
            total = np.zeros_like(feats[0])
            for k, f in enumerate(feats):
                if w[k]:
                    total += np.float32(w[k]) * f
            return float(np.mean(1.0 / filtered_ranks(total, answers, frows, fcols)))

        w = np.ones(len(feats))
        best = mrr(w)
        for _ in range(self.passes):
            improved = False
            for k in range(1, len(feats)):
                for v in self.weight_grid:
                    if v == w[k]:
                        continue
                    trial = w.copy()
                    trial[k] = v
                    score = mrr(trial)
                    if score > best + 1e-6:
                        best, w, improved = score, trial, True
            if progress:
                print(f"ensemble: weights {w.tolist()} valid MRR {best:.4f}", file=sys.stderr)
            if not improved:
                break
        self.selection["valid_mrr"] = best
        return w

    def predict(self, queries: np.ndarray) -> np.ndarray:
        q = self._check(queries)
        total = np.zeros((len(q), self.num_entities))
        for k, m in enumerate(self.models):
            if self.w[k]:
                total += self.w[k] * _normalise(np.asarray(m.predict(q), dtype=np.float64))
        return total

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        out = []
        for k, m in enumerate(self.models):
            if not self.w[k]:
                continue
            s = np.asarray(m.predict(query.reshape(1, 3)), dtype=np.float64)[0]
            share = float(self.w[k] * (s[entity] / s.max() if s.max() > 0 else 0.0))
            out.append(Reason("component", f"{m.name} (weight {self.w[k]:g})", share))
            out.extend(m.reasons(query, entity)[:5])
        return out

    # persistence: components are stored inside the ensemble file
    def _state(self) -> dict[str, np.ndarray]:
        import io
        import json

        state: dict[str, np.ndarray] = {"w": self.w}
        for k, m in enumerate(self.models):
            buf = io.BytesIO()
            comp = m._state()
            np.savez(buf, **comp)
            state[f"comp{k}"] = np.frombuffer(buf.getvalue(), dtype=np.uint8)
            state[f"comp{k}_meta"] = np.asarray(json.dumps({"name": m.name, "config": m.config()}))
        return state

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        import io
        import json

        from . import get_model

        self.w = state["w"]
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
