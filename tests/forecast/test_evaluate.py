"""The evaluation protocol, pinned rule by rule on hand-built toy graphs."""

from __future__ import annotations

import numpy as np
import pytest

from redline.errors import ModelError
from redline.forecast.data import from_quads
from redline.forecast.evaluate import evaluate, filtered_ranks, metrics_from_ranks, rank_split


class Scripted:
    """A model whose scores come from a function of (query, memory); it records what it was shown."""

    def __init__(self, num_entities: int, num_relations: int, score_fn=None) -> None:
        self.ne, self.nr = num_entities, num_relations
        self.memory = np.zeros((0, 4), dtype=np.int64)
        self.seen: list[tuple[int, int]] = []  # (query time, latest memory time)
        self.score_fn = score_fn or (lambda q, mem: np.zeros((len(q), num_entities)))
        self.fitted_on: object = None

    def fit(self, graph, progress=False):
        self.fitted_on = graph
        return self

    def reset_memory(self):
        self.memory = np.zeros((0, 4), dtype=np.int64)

    def observe(self, facts):
        self.memory = np.concatenate([self.memory, np.asarray(facts).reshape(-1, 4)])

    def predict(self, q):
        t = int(q[0, 2])
        self.seen.append((t, int(self.memory[:, 3].max(initial=-1))))
        return self.score_fn(q, self.memory)


def test_ties_rank_by_average_position_never_first():
    scores = np.zeros((1, 5))
    ranks = filtered_ranks(scores, np.array([2]), np.zeros(0, int), np.zeros(0, int))
    assert ranks[0] == pytest.approx(3.0)  # 1 + 0 higher + 4 tied / 2


def test_rank_counts_higher_and_half_of_ties():
    scores = np.array([[0.9, 0.5, 0.5, 0.5, 0.1]])
    assert filtered_ranks(scores, np.array([1]), np.zeros(0, int), np.zeros(0, int))[0] == pytest.approx(3.0)


def test_filter_removes_other_true_answers_but_never_the_own():
    scores = np.array([[0.9, 0.8, 0.1]])
    # entity 0 is another true answer at this time: filtered; listing the own answer (1) changes nothing
    r = filtered_ranks(scores, np.array([1]), np.array([0, 0]), np.array([0, 1]))
    assert r[0] == 1.0


def test_nan_scores_are_refused():
    with pytest.raises(ModelError):
        filtered_ranks(np.array([[np.nan, 1.0]]), np.array([0]), np.zeros(0, int), np.zeros(0, int))


def test_metrics():
    m = metrics_from_ranks(np.array([1.0, 2.0, 4.0, 20.0]))
    assert m.mrr == pytest.approx((1 + 0.5 + 0.25 + 0.05) / 4)
    assert (m.hits1, m.hits3, m.hits10) == (0.25, 0.5, 0.75)


def _toy():
    # 5 entities, 2 relations; train at t=0..1, test at t=2 and t=3
    train = np.array([[0, 0, 1, 0], [0, 0, 2, 1], [3, 1, 4, 1]])
    test = np.array([[0, 0, 1, 2], [0, 0, 3, 2], [0, 0, 4, 3]])
    return from_quads(train, None, test, name="toy", num_entities=5, num_relations=2)


def test_both_directions_are_ranked():
    ds = _toy()
    model = Scripted(5, 2)
    q, ranks = rank_split(model, ds.test, 5, 2)
    assert len(ranks) == 2 * len(ds.test)
    inv = q[q[:, 1] >= 2]
    assert sorted(map(tuple, inv[:, :3].tolist())) == [(1, 2, 0), (3, 2, 0), (4, 2, 0)]


def test_single_step_history_includes_earlier_test_facts_never_current():
    ds = _toy()
    model = Scripted(5, 2)
    evaluate(model, ds)
    # predictions at t=2 see facts up to t=1; at t=3 they see the test facts of t=2, nothing of t=3
    assert {t: m for t, m in model.seen} == {2: 1, 3: 2}
    assert len(model.fitted_on.test) == 0  # the test split is hidden from fit


def test_time_aware_filter_only_same_timestamp():
    ds = _toy()

    def scores(q, mem):
        s = np.zeros((len(q), 5))
        s[:, 1], s[:, 3], s[:, 4] = 3.0, 2.0, 1.0  # object 1 > 3 > 4 > rest
        return s

    model = Scripted(5, 2, scores)
    q, ranks = rank_split(model, ds.test, 5, 2)
    got = {tuple(x[:4]): r for x, r in zip(q.tolist(), ranks, strict=True)}
    # (0,0,3,t=2): object 1 is also true at t=2 -> filtered -> rank 1
    assert got[(0, 0, 3, 2)] == 1.0
    assert got[(0, 0, 1, 2)] == 1.0
    # (0,0,4,t=3): objects 1 and 3 were true only at t=2 -> not filtered -> rank 3
    assert got[(0, 0, 4, 3)] == 3.0


def test_evaluate_rejects_empty_split():
    ds = from_quads(np.array([[0, 0, 1, 0]]), name="x")
    with pytest.raises(ModelError):
        evaluate(Scripted(2, 1), ds)


def test_evaluate_valid_hides_valid_and_test():
    train = np.array([[0, 0, 1, 0]])
    valid = np.array([[0, 0, 1, 1]])
    test = np.array([[0, 0, 1, 2]])
    ds = from_quads(train, valid, test, name="x")
    model = Scripted(2, 1)
    out = evaluate(model, ds, split="valid")
    assert out["n"] == 2
    assert len(model.fitted_on.valid) == 0 and len(model.fitted_on.test) == 0
