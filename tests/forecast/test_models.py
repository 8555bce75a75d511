"""Rule learner, decay counts and ensemble on hand-built graphs; registry and persistence of every model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import ModelError
from redline.forecast.data import from_quads
from redline.forecast.models import DEFAULT_MODEL, get_model, model_class, names
from redline.forecast.models.context import FEATURES
from redline.forecast.models.decay import Decay
from redline.forecast.models.rules import TemporalRules, _length1_confidence


def _pattern_graph(valid: bool = True):
    """Entity pairs (i, i+10): 'threaten' (rel 0) at t is followed by 'fight' (rel 1) at t+1; noise rel 2."""
    rng = np.random.default_rng(1)
    rows = []
    for k in range(40):
        s, o, t = k % 8, 10 + k % 8, 2 * k
        rows += [[s, 0, o, t], [s, 1, o, t + 1], [int(rng.integers(0, 20)), 2, int(rng.integers(0, 20)), t]]
    facts = np.array(rows)
    train, rest = facts[facts[:, 3] < 60], facts[facts[:, 3] >= 60]
    va, te = rest[rest[:, 3] < 70], rest[rest[:, 3] >= 70]
    return from_quads(train, va if valid else None, te, name="pattern", num_entities=20, num_relations=3)


def test_registry_has_the_three_families_and_default():
    assert {"recurrency", "tlogic", "ensemble", "decay"} <= set(names())
    assert DEFAULT_MODEL in names()
    with pytest.raises(ModelError):
        model_class("missing")
    with pytest.raises(ModelError):
        get_model("recurrency", nonsense=1)


def test_length1_confidence_is_exact():
    # body rel 0 on pair (0,1) at t=0 and t=5; head rel 1 on (0,1) at t=3 -> 1 of 2 groundings supported
    facts = np.array([[0, 0, 1, 0], [0, 0, 1, 5], [0, 1, 1, 3]])
    conf = _length1_confidence(facts, 2, 2, min_support=1, min_conf=0.0)
    assert conf[1, 0] == pytest.approx(0.5)
    assert conf[0, 1] == pytest.approx(1.0)  # head rel 0 at t=5 follows body rel 1 at t=3
    assert conf[0, 0] == pytest.approx(0.5)  # recurrency rule: t=0 is followed by t=5


def test_rules_learn_threaten_then_fight():
    g = _pattern_graph()
    m = TemporalRules(max_length=1, lam=0.1).fit(g)
    assert m.conf1[1, 0] > 0.5
    # pair (3, 13) threatened at t=70: fight predicted against 13
    m.observe(np.array([[3, 0, 13, 70]]))
    s = m.predict(np.array([[3, 1, 71]]))[0]
    assert int(np.argmax(s)) == 13
    why = m.reasons((3, 1, 71), 13)
    assert any(r.kind == "rule" and r.fact == (3, 0, 13, 70) for r in why)


def test_length2_walks_find_rules_and_application_runs():
    g = _pattern_graph()
    m = TemporalRules(max_length=2, walks=50, body_samples=50, min_confidence=0.0, lam=0.1).fit(g)
    assert m.rules2.shape[1] == 4
    s = m.predict(np.array([[3, 1, 71], [13, 4, 71]]))
    assert s.shape == (2, 20) and np.isfinite(s).all()


def test_decay_keys():
    g = from_quads(np.array([[0, 0, 1, 0], [2, 0, 1, 1], [0, 1, 3, 1]]), name="d", num_entities=4, num_relations=2)
    q = np.array([[0, 0, 2]])
    assert Decay("sr", 0.0).fit(g).predict(q)[0].tolist() == [0, 1, 0, 0]
    assert Decay("s", 0.0).fit(g).predict(q)[0].tolist() == [0, 1, 0, 1]
    assert Decay("r", 0.0).fit(g).predict(q)[0].tolist() == [0, 2, 0, 0]
    assert Decay("o", 0.0).fit(g).predict(q)[0].tolist() == [2, 2, 1, 1]
    with pytest.raises(ModelError):
        Decay("x")


def test_ensemble_learns_weights_on_valid_and_round_trips(tmp_path: Path):
    g = _pattern_graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("tlogic", {"max_length": 1, "lam": 0.1}))
    m = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=5,
                  rerank_trees=5).fit(g)
    assert "rerank" in m.selection
    assert m.selection["on"] == "valid" and len(m.w) == 4 + len(FEATURES) + 28 and (m.w[:4] >= 0).all()
    q = np.array([[3, 1, 71], [13, 4, 71]])
    p = m.save(tmp_path / "e.npz")
    m2 = model_class("ensemble").load(p)
    np.testing.assert_allclose(m2.predict(q), m.predict(q))
    top = m.explain((3, 1, 71), k=1)[0]
    assert top.reasons and top.reasons[0].kind == "component"
    with pytest.raises(ModelError):
        model_class("recurrency").load(p)  # holds an ensemble


def test_reranker_learns_an_interaction_a_weighted_sum_cannot():
    # the answer is the candidate with a high feature 0 under relation 0 and a low one under relation 1: a single
    # linear weight on feature 0 ranks it first for one relation and last for the other
    from redline.forecast.models.rerank import Reranker

    rng = np.random.default_rng(0)

    def groups(n: int) -> tuple[list[np.ndarray], list[int]]:
        out, rels = [], []
        for i in range(n):
            rel = i % 2
            x = rng.random((20, 3)).astype(np.float32)
            x[:, 2] = rel  # the relation, last column (categorical)
            x[0, 0] = 0.95 if rel == 0 else 0.05  # the answer, row 0
            out.append(x)
            rels.append(rel)
        return out, rels

    train, _ = groups(400)
    r = Reranker(trees=30, min_leaf=5).fit(train)
    test, rels = groups(100)
    s = r.score(np.stack(test))
    assert (s.argmax(axis=1) == 0).mean() > 0.9
    linear = np.stack(test)[..., 0]  # the best a single weight on feature 0 can do: right for one relation only
    assert (linear.argmax(axis=1) == 0).mean() < 0.6
    r2 = Reranker.from_array(r.to_array(), **r.config())
    np.testing.assert_allclose(r2.score(np.stack(test)), s)
    assert r.contributions(np.stack(test)[0]).shape == (20, 4)


def test_ensemble_reranks_its_top_candidates_and_explains_why(tmp_path: Path):
    g = _pattern_graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("decay", {"key": "s", "lam": 0.5}))
    m = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8,
                  rerank_trees=5).fit(g)
    assert m.selection["rerank"]["groups"] >= 10 and m._reranker is not None
    q = np.array([[3, 1, 71], [13, 4, 71]])
    s = m.predict(q)
    for row in s:  # the eight re-ranked entities stay above the others
        top = np.argsort(-row)[:8]
        assert row[top].min() > np.delete(row, top).max()
    m2 = model_class("ensemble").load(m.save(tmp_path / "e.npz"))
    np.testing.assert_allclose(m2.predict(q), s)
    reasons = m.explain((3, 1, 71), k=1)[0].reasons
    assert any(r.kind == "rerank" and "re-ranker: 1 of the top 8" in r.text for r in reasons)
    m3 = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=0).fit(g)
    assert m3._reranker is None and "rerank" not in m3.selection


def test_reranker_also_learns_from_the_end_of_train_scored_by_a_twin_that_never_saw_it(monkeypatch):
    from redline.forecast.models.ensemble import Ensemble

    g = _pattern_graph()
    calls = []
    original = Ensemble._rerank_groups

    def spy(self, graph, rng, progress, label):
        calls.append((label, graph, list(self.models)))
        return original(self, graph, rng, progress, label)

    monkeypatch.setattr(Ensemble, "_rerank_groups", spy)
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("decay", {"key": "s", "lam": 0.5}))
    m = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8,
                  rerank_trees=5, rerank_tail=10).fit(g)
    assert [c[0] for c in calls] == ["validation", "last 10 days of train"]
    label, fold, twin_models = calls[1]
    np.testing.assert_array_equal(fold.valid, g.train[g.train[:, 3] >= 50])  # the last 10 timestamps of train
    assert fold.train[:, 3].max() == 49 and len(fold.test) == 0
    assert all(a is not b for a, b in zip(twin_models, m.models, strict=True))  # components fitted without them
    sel = m.selection["rerank"]
    assert sel["tail_days"] == 10 and sel["tail_groups"] > 0 and m._reranker is not None
    calls.clear()  # a validation split with enough queries for the budget: no twin
    m2 = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8,
                   rerank_trees=5, rerank_tail=10, rerank_queries=10).fit(g)
    assert [c[0] for c in calls] == ["validation"] and "tail_groups" not in m2.selection["rerank"]


def test_ensemble_threads_change_speed_not_scores():
    g = _pattern_graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("decay", {"key": "s", "lam": 0.5}),
             ("tlogic", {"max_length": 1, "lam": 0.1}))
    q = np.array([[s, r, 71] for s in range(4) for r in (0, 1, 3, 4)])
    one = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8,
                    rerank_trees=5, threads=1).fit(g)
    two = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8,
                    rerank_trees=5, threads=2).fit(g)
    np.testing.assert_array_equal(one.w, two.w)
    np.testing.assert_array_equal(one.predict(q), two.predict(q))


def test_validation_days_scored_in_chunks_give_the_same_weights_and_groups(monkeypatch):
    from redline.forecast.models import ensemble as ens

    g = _pattern_graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("decay", {"key": "s", "lam": 0.5}))
    cfg = dict(components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8, rerank_trees=5,
               rerank_tail=0)
    q = np.array([[s, r, 71] for s in range(4) for r in (0, 1, 3, 4)])
    whole = get_model("ensemble", **cfg).fit(g)
    monkeypatch.setattr(ens, "_CHUNK", 1)  # every query of a day on its own
    chunked = get_model("ensemble", **cfg).fit(g)
    assert chunked.selection["rerank"] == whole.selection["rerank"] and whole.selection["rerank"]["groups"] >= 10
    np.testing.assert_array_equal(chunked.w, whole.w)  # the weights' replay is chunked too
    np.testing.assert_array_equal(chunked.predict(q), whole.predict(q))


def test_ensemble_without_sampled_validation_queries_keeps_default_weights():
    g = _pattern_graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("decay", {"key": "s", "lam": 0.5}))
    m = get_model("ensemble", components=comps, valid_queries=100, candidates=10, negatives=3, rerank=8,
                  rerank_trees=5, rerank_tail=0).fit(g)
    assert m.selection["on"] == "valid" and m._reranker is not None
    m.valid_queries = 0
    m.fit(g)  # a refit that learns nothing keeps neither the old weights nor the old trees
    assert m.selection["on"].startswith("default") and m._reranker is None
    np.testing.assert_array_equal(m.w, m._default_weights(len(m.w)))
    assert m.predict(np.array([[0, 1, 71]])).shape == (1, g.num_entities)


def test_answer_scores_are_comparable_across_queries_for_the_question_feature():
    from redline.forecast.questions import tkg_scores

    g = _pattern_graph()
    src, cls, dst, day = np.array([0, 1, 2]), np.array([1, 1, 0]), np.array([10, 11, 5]), np.array([71, 71, 72])
    rec = get_model("recurrency", lam=0.1, alpha=0.9).fit(g)
    q = np.column_stack([src, cls, day])
    np.testing.assert_allclose(tkg_scores(rec, src, dst, cls, day), rec.predict(q)[np.arange(3), dst])
    ens = get_model("ensemble", components=(("recurrency", {"lam": 0.1, "alpha": 0.9}),), valid_queries=100,
                    candidates=10, negatives=3, rerank=8, rerank_trees=5, rerank_tail=0).fit(g)
    assert ens._reranker is not None and ens.predict(q)[np.arange(3), dst].max() >= 1.0  # positions, not chances
    sc = tkg_scores(ens, src, dst, cls, day)
    np.testing.assert_allclose(sc, ens.proba(q)[np.arange(3), dst])
    assert ((sc >= 0) & (sc <= 1)).all()
