"""What every forecasting model shares: a memory of observed facts, save/load, and the query format.

The interface (kept tiny on purpose):

* ``Model(**config)``: the constructor arguments are the whole configuration.
* ``fit(graph) -> self``: learn from ``graph.train`` (and tune on ``graph.valid`` where the model has settings to
  choose); the test split is never shown. After ``fit`` the memory holds train and valid.
* ``observe(facts)``: add facts ``(s, r, o, t)`` (original relation ids) to the memory; ``reset_memory()`` empties it.
* ``predict(queries) -> scores``: queries are rows ``(s, r, t)`` (``r >= R`` is the inverse relation, asking for
  the subject); returns an ``(n, num_entities)`` float array using only memory facts strictly before each ``t``.
* ``explain(query, k)``: the top ``k`` answers with the past facts or rules behind each and their weights.
* ``save(path)`` / ``load(path)``: one ``.npz`` file with the configuration, learned state and memory.
"""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from redline.errors import ModelError

from ..data import TKG, with_inverse
from ..index import FactIndex

__all__ = ["Reason", "Answer", "BaseModel", "cores"]


def cores() -> int:
    """The cores this process may use (its CPU affinity where the platform has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Reason:
    """One piece of support for an answer: a past fact or a rule, with its weight in the score."""

    kind: str  # "fact" | "rule" | "prior" | "component" | "context" | "rerank"
    text: str
    weight: float
    fact: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class Answer:
    entity: int
    score: float
    reasons: tuple[Reason, ...] = field(default=())


class BaseModel:
    """Memory handling and persistence; subclasses implement ``_fit``, ``predict`` and ``_explain``."""

    name = "base"

    def __init__(self) -> None:
        self.num_entities = 0
        self.num_relations = 0
        self._fitted = False
        self._chunks: list[np.ndarray] = []
        self._facts: np.ndarray | None = None
        self._indices: dict[str, FactIndex] = {}

    # ----- configuration -------------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self"}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    # ----- memory --------------------------------------------------------------------------------------------
    def reset_memory(self) -> None:
        self._chunks = []
        self._facts = None
        self._indices = {}

    def observe(self, facts: np.ndarray) -> None:
        facts = np.asarray(facts, dtype=np.int64).reshape(-1, 4)
        if len(facts) == 0:
            return
        self._chunks.append(with_inverse(facts, self.num_relations))
        self._facts = None
        self._indices = {}
        self._on_observe(facts)

    def _on_observe(self, facts: np.ndarray) -> None:
        """Hook for incremental statistics (original-direction facts)."""

    def memory(self) -> np.ndarray:
        """Observed facts with their inverses, ``(n, 4)``."""
        if self._facts is None:
            self._facts = np.concatenate(self._chunks) if self._chunks else np.zeros((0, 4), dtype=np.int64)
            self._chunks = [self._facts] if len(self._facts) else []
        return self._facts

    def index(self, by: str) -> FactIndex:
        """A cached index of the memory: ``"sr"`` keyed by ``s * 2R + r``; ``"s"`` keyed by subject."""
        if by not in self._indices:
            f = self.memory()
            if by == "sr":
                keys = f[:, 0] * (2 * self.num_relations) + f[:, 1]
            elif by == "s":
                keys = f[:, 0]
            else:
                raise ModelError(f"unknown index {by!r}")
            self._indices[by] = FactIndex(keys, f[:, 3], r=f[:, 1], o=f[:, 2], s=f[:, 0])
        return self._indices[by]

    # ----- fit / predict -------------------------------------------------------------------------------------
    def fit(self, graph: TKG, *, progress: bool = False) -> Self:
        self.num_entities = graph.num_entities
        self.num_relations = graph.num_relations
        self.reset_memory()
        self._fit(graph, progress=progress)
        self._fitted = True
        self.reset_memory()
        self.observe(graph.train)
        self.observe(graph.valid)
        return self

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        raise NotImplementedError

    def _check(self, queries: np.ndarray) -> np.ndarray:
        if not self._fitted:
            raise ModelError(f"{self.name}: predict before fit")
        q = np.asarray(queries, dtype=np.int64).reshape(-1, 3)
        if len(q) and ((q[:, 1] >= 2 * self.num_relations).any() or (q[:, 0] >= self.num_entities).any()):
            raise ModelError(f"{self.name}: query names an unknown entity or relation")
        return q

    def predict(self, queries: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def proba(self, queries: np.ndarray) -> np.ndarray:
        """A distribution over answers per query: non-negative scores scaled to sum to one (uniform when the
        model scores nothing). Models whose scores are logits override this."""
        s = np.clip(np.asarray(self.predict(queries), dtype=np.float64), 0.0, None)
        tot = s.sum(axis=1, keepdims=True)
        return np.where(tot > 0, s / np.where(tot > 0, tot, 1.0), 1.0 / max(s.shape[1], 1))

    def answer_scores(self, queries: np.ndarray) -> np.ndarray:
        """Scores comparable across queries, for use as a feature elsewhere (the question forecaster): ``predict``'s
        by default; a model whose ``predict`` only orders the answers of each query overrides this."""
        return np.asarray(self.predict(queries), dtype=np.float64)

    def explain(self, query: tuple[int, int, int], k: int = 5) -> list[Answer]:
        """Top ``k`` answers of one query ``(s, r, t)`` with the reasons behind each."""
        q = self._check(np.asarray([query]))
        scores = self.predict(q)[0]
        top = np.argsort(-scores, kind="stable")[:k]
        return [Answer(int(e), float(scores[e]), tuple(self._explain(q[0], int(e)))) for e in top]

    def reasons(self, query: tuple[int, int, int] | np.ndarray, entity: int) -> list[Reason]:
        """Why ``entity`` answers ``query = (s, r, t)``: the past facts or rules behind its score."""
        q = self._check(np.asarray(query).reshape(1, 3))
        return self._explain(q[0], int(entity))

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        return []

    # ----- persistence ---------------------------------------------------------------------------------------
    def _state(self) -> dict[str, np.ndarray]:
        return {}

    def _set_state(self, state: dict[str, np.ndarray]) -> None:
        pass

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        if not self._fitted:
            raise ModelError(f"{self.name}: save before fit")
        meta = {"model": self.name, "config": self.config(), "num_entities": self.num_entities,
                "num_relations": self.num_relations}
        arrays: dict[str, Any] = {f"state_{k}": v for k, v in self._state().items()}
        arrays["meta"] = np.asarray(json.dumps(meta))
        arrays["memory"] = self.memory()
        with p.open("wb") as fh:
            np.savez_compressed(fh, **arrays)
        return p

    @classmethod
    def load(cls, path: str | Path) -> Self:
        p = Path(path)
        try:
            with np.load(p, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                memory = np.asarray(z["memory"])
                state = {k[len("state_"):]: np.asarray(z[k]) for k in z.files if k.startswith("state_")}
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{p}: not a readable redline model file ({exc})") from exc
        if meta.get("model") != cls.name:
            raise ModelError(f"{p}: holds a {meta.get('model')!r} model, not {cls.name!r}")
        model = cls(**meta["config"])
        model.num_entities = int(meta["num_entities"])
        model.num_relations = int(meta["num_relations"])
        model._set_state(state)
        model._fitted = True
        model.reset_memory()
        if len(memory):
            orig = memory[memory[:, 1] < model.num_relations]
            model.observe(orig)
        return model
