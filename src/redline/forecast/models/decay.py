"""Time-decayed counts of past facts: small signals the ensemble weighs.

``score(o) = sum over matching past facts of 2 ** (-lam * (t - t_fact))``, where "matching" depends on ``key``:

* ``"sr"``: facts ``(s, r, o)`` (the exact triple, frequency when ``lam = 0``);
* ``"s"``: facts ``(s, any relation, o)`` (how much ``s`` and ``o`` interact at all);
* ``"r"``: facts ``(any subject, r, o)`` (how popular ``o`` is as the answer of ``r``);
* ``"o"``: facts ``(any, any, o)`` (how active ``o`` is).
"""

from __future__ import annotations

import numpy as np

from redline.errors import ModelError

from ..data import TKG
from ..index import FactIndex
from .base import BaseModel, Reason

__all__ = ["Decay"]

KEYS = ("sr", "s", "r", "o")


class Decay(BaseModel):
    name = "decay"

    def __init__(self, key: str = "sr", lam: float = 0.1, max_rows: int = 3_000_000) -> None:
        super().__init__()
        if key not in KEYS:
            raise ModelError(f"decay: key must be one of {KEYS}, got {key!r}")
        self.key = key
        self.lam = lam
        self.max_rows = max_rows

    def _fit(self, graph: TKG, *, progress: bool) -> None:
        return None

    def _by(self, what: str) -> FactIndex:
        name = f"decay_{what}"
        if name not in self._indices:
            f = self.memory()
            keys = f[:, 1] if what == "r" else np.zeros(len(f), dtype=np.int64)
            self._indices[name] = FactIndex(keys, f[:, 3], o=f[:, 2])
        return self._indices[name]

    def predict(self, queries: np.ndarray) -> np.ndarray:
        q = self._check(queries)
        n, e = len(q), self.num_entities
        out = np.zeros((n, e))
        if self.key in ("sr", "s"):
            idx = self.index(self.key)
            keys = q[:, 0] * (2 * self.num_relations) + q[:, 1] if self.key == "sr" else q[:, 0]
            for ids, owner, pos in idx.gather_chunks(keys, q[:, 2], self.max_rows):
                qi = ids[owner]
                w = np.exp2(-self.lam * (q[qi, 2] - idx.times[pos]))
                out += np.bincount(qi * e + idx.payload["o"][pos], weights=w, minlength=n * e).reshape(n, e)
            return out
        idx = self._by(self.key)
        gk = q[:, 1] if self.key == "r" else np.zeros(n, dtype=np.int64)
        combo = np.unique(np.column_stack([gk, q[:, 2]]), axis=0)
        for k, t in combo.tolist():
            _, pos = idx.gather(np.asarray([k]), np.asarray([t]))
            vec = np.bincount(idx.payload["o"][pos], weights=np.exp2(-self.lam * (t - idx.times[pos])), minlength=e)
            out[(gk == k) & (q[:, 2] == t)] = vec
        return out

    def _explain(self, query: np.ndarray, entity: int) -> list[Reason]:
        s = float(self.predict(query.reshape(1, 3))[0, entity])
        what = {"sr": "same fact", "s": "any interaction of the pair", "r": "answers of this relation",
                "o": "activity of the answer"}[self.key]
        return [Reason("prior", f"decayed count of {what}: {s:.3g}", s)] if s > 0 else []
