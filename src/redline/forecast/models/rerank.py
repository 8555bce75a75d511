"""A learned re-ranker for the ensemble's top answers: gradient-boosted trees with a ranking objective.

The ensemble's weighted sum is linear in its features: a candidate's recency counts the same whatever the relation,
however many answers the subject has had before, however far the candidate is behind the leader. Trees see those
interactions. For each query the top ``top`` entities of the ensemble's component sum are described by

* the ensemble's candidate features (component scores and their logs, context features, products),
* the component sum, its distance to the query's best, the candidate's rank by it, and the ensemble's full linear
  score (components plus context),
* four numbers about the query (how many candidates the subject has had this relation with, how many it has met at
  all, the margin between the first two by the component sum, the spread of the linear scores),
* the relation (a categorical feature, inverse relations apart),

and LightGBM's LambdaRank (Burges 2010; Ke et al. 2017) learns to order them from validation queries whose answer
made the top ``top``, other true answers at the same time left out (the filtered setting of the evaluation).
Training mirrors prediction: the candidates are chosen by the same component sum, from the same history.

Settings chosen on ICEWS14 validation data only (ensemble fitted on train plus the first half of the validation
days, re-ranker trained on that half, MRR by full filtered ranking on the second half; the linear ensemble alone
0.4645 there): 200 trees of 15 leaves at rate 0.05 0.4740 (100 / 300 trees: 0.4723 / 0.4733; 31 leaves 0.4731;
a binary objective and the ``rank_xendcg`` objective did worse, 0.4709 for the latter; 7 leaves with bagging and
L2 rate 0.03: 0.4742 after 600 trees); with the query and relation features 0.4747. The linear weights retrained
on the same mirrored candidates instead gave 0.4702. Tried and left out (same held-out split, top 100): the kinds
of subject and candidate as categorical features 0.4738; eight more counts (the pair's meetings in the last 1 / 7
/ 30 days, the triple's in 7, the candidate's and the subject's facts of the day before, the candidate as this
relation's answer in 7 days, common neighbours in 7 days) 0.4726; the features without the products 0.4732;
three bagged models of different seeds averaged 0.4731; the number of trees chosen by early stopping on the last
quarter of the training days 0.4729. The top 100 (0.4742) rather than 200 halves the cost.

With more training groups (the ensemble's twin, see :mod:`.ensemble`: 0.4774 on the same split with the code of
that version, 0.4722 without) the settings were checked again and kept: 300 trees 0.4777 (0.4765 against 0.4768 in
a second pair), 350 trees at rate 0.03 0.4772, 31 leaves with at least 100 rows each 0.4772, the top 200 0.4765.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from redline.errors import ModelError

from .base import cores

__all__ = ["Reranker", "QUERY_FEATURES"]

QUERY_FEATURES = ("seen_relation", "seen_pair", "margin", "spread")


def _lightgbm() -> Any:
    try:
        import lightgbm
    except ImportError as exc:  # a declared dependency; only a broken install lacks it
        raise ModelError("the ensemble's re-ranker needs lightgbm (pip install lightgbm)") from exc
    return lightgbm


class Reranker:
    """LambdaRank trees over an ensemble's top candidates (see the module docstring)."""

    def __init__(self, trees: int = 200, leaves: int = 15, learning_rate: float = 0.05, min_leaf: int = 50,
                 threads: int = 0, seed: int = 0) -> None:
        self.trees = trees
        self.leaves = leaves
        self.learning_rate = learning_rate
        self.min_leaf = min_leaf
        self.threads = threads  # 0: every core this process may use
        self.seed = seed
        self.booster: Any = None

    @staticmethod
    def matrix(feats: np.ndarray, stage1: np.ndarray, linear: np.ndarray, relation: np.ndarray,
               seen_relation: np.ndarray, seen_pair: np.ndarray) -> np.ndarray:
        """``(n, c, F)`` features of the candidates of ``n`` queries.

        ``feats``: the ensemble's candidate features; ``stage1``: the component sum; ``linear``: the full linear
        score; ``relation``: the query relation per query; ``seen_relation`` / ``seen_pair``: per candidate, whether
        the subject has had this relation / anything with it."""
        n, c = stage1.shape
        rank = np.argsort(np.argsort(-stage1, axis=1, kind="stable"), axis=1, kind="stable").astype(np.float32)
        best = stage1.max(axis=1, keepdims=True)
        second = np.sort(stage1, axis=1)[:, -2:-1] if c > 1 else best
        q = np.column_stack([seen_relation.sum(axis=1), seen_pair.sum(axis=1), (best - second)[:, 0],
                             linear.std(axis=1)]).astype(np.float32)
        cols = [feats.astype(np.float32), stage1[..., None].astype(np.float32),
                (stage1 - best)[..., None].astype(np.float32), linear[..., None].astype(np.float32), rank[..., None],
                np.broadcast_to(q[:, None, :], (n, c, q.shape[1])),
                np.broadcast_to(relation.astype(np.float32)[:, None, None], (n, c, 1))]
        return np.concatenate(cols, axis=-1)

    @property
    def _threads(self) -> int:
        return self.threads or cores()

    def fit(self, x: list[np.ndarray]) -> Reranker:
        """Train on groups: each array ``(c_i, F)`` holds one query's candidates, the answer in row 0."""
        lgb = _lightgbm()
        if not x:
            raise ModelError("re-ranker: no validation query has its answer among the top candidates")
        sizes = [len(g) for g in x]
        y = np.zeros(sum(sizes))
        y[np.cumsum([0] + sizes[:-1])] = 1.0
        params = {"objective": "lambdarank", "learning_rate": self.learning_rate, "num_leaves": self.leaves,
                  "min_data_in_leaf": self.min_leaf, "lambdarank_truncation_level": 20, "verbose": -1,
                  "num_threads": self._threads, "seed": self.seed, "deterministic": True}
        # the groups go in as they are (LightGBM bins a list of arrays): no concatenated copy of them all
        ds = lgb.Dataset(x, y, group=sizes, categorical_feature=[x[0].shape[1] - 1])
        self.booster = lgb.train(params, ds, num_boost_round=self.trees)
        self.booster.free_dataset()  # the binned training data is not needed to predict
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """``(n, c)`` scores: higher ranks first."""
        if self.booster is None:
            raise ModelError("re-ranker: score before fit")
        return np.asarray(self.booster.predict(x.reshape(-1, x.shape[-1]), num_threads=self._threads)
                          ).reshape(x.shape[:2])

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature additive contributions to the score of each row of ``x`` ``(m, F)`` (last column: bias)."""
        return np.asarray(self.booster.predict(x, pred_contrib=True, num_threads=self._threads))

    # persistence: the booster as LightGBM's own text format (no pickle)
    def to_array(self) -> np.ndarray:
        return np.frombuffer(self.booster.model_to_string().encode("utf-8"), dtype=np.uint8)

    @classmethod
    def from_array(cls, a: np.ndarray, **config: Any) -> Reranker:
        r = cls(**config)
        r.booster = _lightgbm().Booster(model_str=a.tobytes().decode("utf-8"))
        return r

    def config(self) -> dict[str, Any]:
        return {"trees": self.trees, "leaves": self.leaves, "learning_rate": self.learning_rate,
                "min_leaf": self.min_leaf, "threads": self.threads, "seed": self.seed}
