"""Two-hop propagation over the time-decayed graph: answers of the subject's neighbours (sparse matrices).

Let ``A[s, m] = sum 2 ** (-lam * (t - t_f))`` over past facts between ``s`` and ``m`` (any relation, either
direction), the decayed interaction graph before the query time ``t``. For a query ``(s, r, ?, t)``:

* ``key="rel"``: ``score(o) = sum_m A[s, m] * B_r[m, o]`` where ``B_r[m, :]`` is the decayed distribution of the
  answers of ``(m, r, ?)`` (what the entities ``s`` deals with answered for the same relation);
* ``key="any"``: ``score(o) = sum_m A[s, m] * A[m, o] / sum_o' A[m, o']`` (relation-agnostic two-hop walk).

Both score answers ``s`` has never interacted with, from the history of its neighbourhood. Decay rates are
constructor settings; the defaults were chosen on ICEWS14 validation data only.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from redline.errors import ModelError

from ..data import TKG
from .base import BaseModel, Reason

__all__ = ["Propagate"]

KEYS = ("rel", "any")


class Propagate(BaseModel):
    name = "propagate"

    def __init__(self, key: str = "rel", lam: float = 0.1, lam_hop: float = 0.1) -> None:
        super().__init__()
        if key not in KEYS:
            raise ModelError(f"propagate: key must be one of {KEYS}, got {key!r}")
        self.key = key
        self.lam = lam
        self.lam_hop = lam_hop
        self._cache: tuple[int, int, sp.csr_matrix, sp.csr_matrix] | None = None

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        return None

    def reset_memory(self) -> None:
        super().reset_memory()
        self._cache = None

    def _on_observe(self, facts: np.ndarray) -> None:
        self._cache = None

    def _matrices(self, t: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """``A`` (entities x entities) and the second-hop matrix for queries at time ``t``."""
        f = self.memory()
        if self._cache is not None and self._cache[:2] == (len(f), t):
            return self._cache[2], self._cache[3]
        e, nr = self.num_entities, 2 * self.num_relations
        f = f[f[:, 3] < t]
        age = (t - f[:, 3]).astype(np.float64)
        a = sp.csr_matrix((np.exp2(-self.lam * age), (f[:, 0], f[:, 2])), shape=(e, e))
        wh = np.exp2(-self.lam_hop * age)
        if self.key == "rel":
            b = sp.csr_matrix((wh, (f[:, 1] * e + f[:, 0], f[:, 2])), shape=(nr * e, e))
        else:
            b = sp.csr_matrix((wh, (f[:, 0], f[:, 2])), shape=(e, e))
        tot = np.asarray(b.sum(axis=1)).ravel()
        b = sp.diags(np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)) @ b
        self._cache = (len(self.memory()), t, a, b.tocsr())
        return a, self._cache[3]

    def predict(self, queries: np.ndarray) -> np.ndarray:
        q = self._check(queries)
        n, e = len(q), self.num_entities
        out = np.zeros((n, e))
        for t in np.unique(q[:, 2]).tolist():
            rows = np.flatnonzero(q[:, 2] == t)
            a, b = self._matrices(int(t))
            first = a[q[rows, 0]].tocoo()  # (query, neighbour m) -> weight
            if self.key == "rel":
                cols = q[rows[first.row], 1] * e + first.col
                hop = sp.csr_matrix((first.data, (first.row, cols)), shape=(len(rows), b.shape[0]))
            else:
                hop = first.tocsr()
            out[rows] = (hop @ b).toarray()
        return out

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        s = float(self.predict(query.reshape(1, 3))[0, entity])
        what = "answers of the subject's neighbours to this relation" if self.key == "rel" else "two-hop walk"
        return [Reason("prior", f"{what}: {s:.3g}", s)] if s > 0 else []
