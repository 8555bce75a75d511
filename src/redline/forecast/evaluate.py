"""Time-aware filtered ranking for temporal knowledge graph forecasting (single-step, both directions).

The protocol, pinned by tests/forecast/test_evaluate.py:

* Every fact ``(s, r, o, t)`` of the evaluated split gives two queries: ``(s, r, ?, t)`` answered by ``o`` and
  ``(o, r + R, ?, t)`` answered by ``s`` (inverse relation).
* Single-step: a query at time ``t`` is answered with every fact before ``t`` known to the model, the earlier
  facts of the evaluated split included; facts at ``t`` or later are never shown.
* Time-aware filter: other true answers of the same query at the same ``t`` are removed from the ranking;
  answers true at other times stay.
* Ties count by average position: ``rank = 1 + #higher + #tied / 2`` (the true answer excluded from ``#tied``),
  so a model that gives every entity the same score ranks the answer in the middle, never first.
* MRR and Hits@1/3/10 average over all queries of both directions.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from redline.errors import ModelError

from .data import TKG, with_inverse

__all__ = [
    "Metrics",
    "filtered_ranks",
    "metrics_from_ranks",
    "timestamp_batches",
    "rank_split",
    "evaluate",
]


@dataclass(frozen=True)
class Metrics:
    mrr: float
    hits1: float
    hits3: float
    hits10: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {"mrr": self.mrr, "hits@1": self.hits1, "hits@3": self.hits3, "hits@10": self.hits10, "n": self.n}


def metrics_from_ranks(ranks: np.ndarray) -> Metrics:
    r = np.asarray(ranks, dtype=np.float64)
    if len(r) == 0:
        return Metrics(0.0, 0.0, 0.0, 0.0, 0)
    return Metrics(
        mrr=float(np.mean(1.0 / r)),
        hits1=float(np.mean(r <= 1)),
        hits3=float(np.mean(r <= 3)),
        hits10=float(np.mean(r <= 10)),
        n=len(r),
    )


def filtered_ranks(
    scores: np.ndarray, answers: np.ndarray, filter_rows: np.ndarray, filter_cols: np.ndarray
) -> np.ndarray:
    """Rank of each row's answer among all entities, ties by average position.

    ``(filter_rows[k], filter_cols[k])`` name other true answers to drop from the ranking (the row's own answer
    is never dropped). ``scores`` is not modified.
    """
    n = scores.shape[0]
    if n == 0:
        return np.zeros(0)
    if np.isnan(scores).any():
        raise ModelError("model returned NaN scores")
    rows = np.arange(n)
    true = scores[rows, answers].astype(np.float64)
    s = scores.astype(np.float64, copy=False)
    higher = (s > true[:, None]).sum(axis=1).astype(np.float64)
    tied = (s == true[:, None]).sum(axis=1).astype(np.float64) - 1.0
    if len(filter_rows):
        keep = filter_cols != answers[filter_rows]
        fr, fc = filter_rows[keep], filter_cols[keep]
        # an answer may be listed twice (duplicate facts); drop each entity once
        code = np.unique(fr.astype(np.int64) * scores.shape[1] + fc)
        fr, fc = code // scores.shape[1], code % scores.shape[1]
        fs = s[fr, fc]
        higher -= np.bincount(fr, weights=(fs > true[fr]).astype(np.float64), minlength=n)
        tied -= np.bincount(fr, weights=(fs == true[fr]).astype(np.float64), minlength=n)
    return 1.0 + higher + tied / 2.0


def _same_key_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ``(i, j)`` with ``keys[i] == keys[j]`` (i != j allowed to equal j; callers drop the own answer)."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    bounds = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1], True])
    sizes = np.diff(bounds)
    group_of_sorted = np.repeat(np.arange(len(sizes)), sizes)
    # for each row (in sorted order) pair it with every member of its group
    reps = sizes[group_of_sorted]
    i_sorted = np.repeat(np.arange(len(sk)), reps)
    starts = np.repeat(bounds[:-1][group_of_sorted], reps)
    offs = np.arange(len(i_sorted)) - np.repeat(np.cumsum(reps) - reps, reps)
    j_sorted = starts + offs
    return order[i_sorted], order[j_sorted]


def timestamp_batches(facts: np.ndarray, num_relations: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Per timestamp (ascending): ``(t, queries, facts_at_t)``; queries are ``(s, r, o)`` rows, both directions."""
    if len(facts) == 0:
        return
    order = np.argsort(facts[:, 3], kind="stable")
    f = facts[order]
    bounds = np.flatnonzero(np.r_[True, f[1:, 3] != f[:-1, 3], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        at = f[a:b]
        q = with_inverse(at, num_relations)[:, :3]
        yield int(at[0, 3]), q, at


def rank_split(
    model: Any,
    facts: np.ndarray,
    num_entities: int,
    num_relations: int,
    *,
    batch_size: int = 1024,
    progress: bool = False,
    label: str = "ranking",
) -> tuple[np.ndarray, np.ndarray]:
    """Rank every query of ``facts`` with ``model`` (already holding the history before them), feeding the facts of
    each timestamp to ``model.observe`` after its queries are ranked. Returns ``(queries (s, r, o, t), ranks)``."""
    all_q: list[np.ndarray] = []
    all_r: list[np.ndarray] = []
    times = np.unique(facts[:, 3]) if len(facts) else np.zeros(0, dtype=np.int64)
    prog = _progress(progress, label, len(times))
    try:
        for t, q, at in timestamp_batches(facts, num_relations):
            keys = q[:, 0] * (2 * num_relations) + q[:, 1]
            pi, pj = _same_key_pairs(keys)
            for lo in range(0, len(q), batch_size):
                hi = min(lo + batch_size, len(q))
                qq = q[lo:hi]
                qt = np.column_stack([qq[:, 0], qq[:, 1], np.full(len(qq), t)])
                scores = np.asarray(model.predict(qt))
                if scores.shape != (len(qq), num_entities):
                    raise ModelError(f"predict returned shape {scores.shape}, expected {(len(qq), num_entities)}")
                sel = (pi >= lo) & (pi < hi)
                ranks = filtered_ranks(scores, qq[:, 2], pi[sel] - lo, q[pj[sel], 2])
                all_q.append(np.column_stack([qq, np.full(len(qq), t)]))
                all_r.append(ranks)
            model.observe(at)
            if prog is not None:
                prog.advance()
    finally:
        if prog is not None:
            prog.close()
    if not all_r:
        return np.zeros((0, 4), dtype=np.int64), np.zeros(0)
    return np.concatenate(all_q), np.concatenate(all_r)


class _Progress:
    def __init__(self, label: str, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._p = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._p.start()
        self._task = self._p.add_task(label, total=total)

    def advance(self) -> None:
        self._p.advance(self._task)

    def close(self) -> None:
        self._p.stop()


def _progress(enabled: bool, label: str, total: int) -> _Progress | None:
    return _Progress(label, total) if enabled else None


def evaluate(
    model: Any,
    dataset: TKG,
    *,
    split: str = "test",
    fit: bool = True,
    progress: bool = False,
) -> dict[str, Any]:
    """Fit ``model`` on the data before ``split`` (the test split is hidden from ``fit``), then rank ``split``.

    ``split="valid"`` fits on train only (valid hidden). Returns the metrics plus ``seconds`` and ``fit_seconds``.
    """
    if split not in ("test", "valid"):
        raise ModelError(f"unknown split {split!r}: expected 'test' or 'valid'")
    empty = np.zeros((0, 4), dtype=np.int64)
    target = dataset.test if split == "test" else dataset.valid
    if split == "test":
        visible = dataclasses.replace(dataset, test=empty)
    else:
        visible = dataclasses.replace(dataset, valid=empty, test=empty)
    if len(target) == 0:
        raise ModelError(f"dataset {dataset.name!r} has no {split} facts to evaluate")
    # facts of other splits dated at or after the first target time belong to the target period only if earlier
    t0 = time.perf_counter()
    if fit:
        model.fit(visible, progress=progress)
    fit_s = time.perf_counter() - t0
    memory = np.concatenate([visible.train, visible.valid])
    model.reset_memory()
    model.observe(memory[memory[:, 3] < target[:, 3].min()] if len(memory) else memory)
    # history facts that fall inside the target period are fed in time order alongside the target facts
    late = memory[memory[:, 3] >= target[:, 3].min()] if len(memory) else memory
    _, ranks = _rank_with_late(model, target, late, dataset, progress)
    m = metrics_from_ranks(ranks)
    out: dict[str, Any] = m.as_dict()
    out["seconds"] = time.perf_counter() - t0
    out["fit_seconds"] = fit_s
    out["split"] = split
    return out


def _rank_with_late(
    model: Any, target: np.ndarray, late: np.ndarray, dataset: TKG, progress: bool
) -> tuple[np.ndarray, np.ndarray]:
    if len(late) == 0:
        return rank_split(model, target, dataset.num_entities, dataset.num_relations, progress=progress)

    class _Feeder:
        """Wraps the model so that history facts of a timestamp are observed together with the target facts."""

        def __init__(self) -> None:
            self._late = late

        def predict(self, q: np.ndarray) -> np.ndarray:
            t = int(q[0, 2])
            due = self._late[:, 3] < t
            if due.any():
                model.observe(self._late[due])
                self._late = self._late[~due]
            return np.asarray(model.predict(q))

        def observe(self, facts: np.ndarray) -> None:
            model.observe(facts)

    return rank_split(_Feeder(), target, dataset.num_entities, dataset.num_relations, progress=progress)
