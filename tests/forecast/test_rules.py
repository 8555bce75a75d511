"""TLogic-family rules: walks find longer rules, grounding respects the time order and inverse relations,
the decay uses the body edge at the query subject, top_k stops rule application, persistence and reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.forecast.data import from_quads, with_inverse
from redline.forecast.models.rules import TemporalRules, _sample_confidence, _Sampler, _Walker

R = 4  # relations: 0 = b1, 1 = b2, 2 = head, 3 = noise


def _chain_graph() -> object:
    """Triples (x, z, y): b1(x, z) and b2(z, y) at t, head(x, y) at t + 2; distinct entities per triple."""
    rng = np.random.default_rng(0)
    rows = []
    for k in range(30):
        x, z, y, t = 3 * k, 3 * k + 1, 3 * k + 2, 3 * k
        rows += [[x, 0, z, t], [z, 1, y, t], [x, 2, y, t + 2]]
        rows.append([int(rng.integers(0, 90)), 3, int(rng.integers(0, 90)), t])
    facts = np.array(rows)
    train = facts[facts[:, 3] < 60]
    valid = facts[(facts[:, 3] >= 60) & (facts[:, 3] < 75)]
    test = facts[facts[:, 3] >= 75]
    return from_quads(train, valid, test, name="chain", num_entities=100, num_relations=R)


def _fit(**kw) -> TemporalRules:
    cfg = {"max_length": 2, "walks": 50, "a": 0.5, "lam": 0.1, "fallback": 0.0}
    cfg.update(kw)
    return TemporalRules(**cfg).fit(_chain_graph())


def test_walks_find_the_length2_rule_with_high_confidence():
    m = _fit()
    rules = {tuple(int(v) for v in r[:3]): r[3] for r in m.rules2}
    assert rules.get((2, 0, 1), 0.0) > 0.8  # head(X,Y) <- b1(X,Z), b2(Z,Y)
    # its inverse reading (same-day body edges keep the time order): head^-1(Y,X) <- b2^-1(Y,Z), b1^-1(Z,X)
    assert rules.get((2 + R, 1 + R, 0 + R), 0.0) > 0.8


def test_walks_keep_the_time_order_of_the_body():
    # b1 strictly before b2: the inverse reading would need b2^-1 before b1^-1, so it is no temporal rule
    rows = []
    for k in range(30):
        x, z, y, t = 3 * k, 3 * k + 1, 3 * k + 2, 3 * k
        rows += [[x, 0, z, t], [z, 1, y, t + 1], [x, 2, y, t + 2]]
    g = from_quads(np.array(rows), None, None, name="order", num_entities=90, num_relations=R)
    m = TemporalRules(max_length=2, walks=50, a=0.5, lam=0.1).fit(g)
    rules = {tuple(int(v) for v in r[:3]) for r in m.rules2}
    assert (2, 0, 1) in rules and (2 + R, 1 + R, 0 + R) not in rules


def test_sampled_confidence_counts_only_heads_after_the_body():
    # body b1(0,1)@0, b2(1,2)@1 -> head(0,2)@2 supports; body b1(3,4)@5, b2(4,5)@6 has its head before it (@4)
    f = np.array([[0, 0, 1, 0], [1, 1, 2, 1], [0, 2, 2, 2], [3, 0, 4, 5], [4, 1, 5, 6], [3, 2, 5, 4]])
    facts = np.unique(with_inverse(f, R), axis=0)
    conf, supp = _sample_confidence(facts, np.array([[2, 0, 1]]), 2 * R, 6, 200, 0.0, 10_000,
                                    np.random.default_rng(0))
    assert supp[0] == 1 and conf[0] == pytest.approx(0.5)


def _apply(m: TemporalRules, memory: np.ndarray, query: tuple[int, int, int]) -> np.ndarray:
    m.reset_memory()
    m.observe(memory)
    return m.predict(np.array([query]))[0]


def test_grounding_respects_body_time_order_and_query_time():
    m = _fit(max_length=2, use_length1=False)
    # s=90 -b1-> 91 at 80, 91 -b2-> 92 at 79 (before the first edge): no grounding
    assert _apply(m, np.array([[90, 0, 91, 80], [91, 1, 92, 79]]), (90, 2, 85))[92] == 0
    # same day is allowed (T1 <= T2)
    assert _apply(m, np.array([[90, 0, 91, 80], [91, 1, 92, 80]]), (90, 2, 85))[92] > 0
    # facts at the query time are not seen (T2 < T)
    assert _apply(m, np.array([[90, 0, 91, 80], [91, 1, 92, 85]]), (90, 2, 85))[92] == 0
    # an earlier b2 edge still grounds the body when a later b1 edge exists: b1 @70 and @82, b2 @75
    s = _apply(m, np.array([[90, 0, 91, 70], [90, 0, 91, 82], [91, 1, 92, 75]]), (90, 2, 85))
    assert s[92] > 0


def test_inverse_queries_use_the_inverse_rules():
    m = _fit(max_length=2, use_length1=False)
    # subject query on the head: (92, head^-1, ?) answered by 90 through b2^-1 then b1^-1 (same day)
    s = _apply(m, np.array([[90, 0, 91, 80], [91, 1, 92, 80]]), (92, 2 + R, 85))
    assert int(np.argmax(s)) == 90 and s[90] > 0
    # read backwards the body is out of time order (b2^-1 at 81 after b1^-1 at 80): no answer
    s = _apply(m, np.array([[90, 0, 91, 80], [91, 1, 92, 81]]), (92, 2 + R, 85))
    assert s[90] == 0


def test_decay_uses_the_body_edge_at_the_subject():
    mem = np.array([[90, 0, 91, 40], [91, 1, 92, 84],  # old edge at the subject, recent at the candidate
                    [90, 0, 93, 80], [93, 1, 94, 81]])  # both recent
    first = _apply(_fit(use_length1=False, time_of="first"), mem, (90, 2, 85))
    last = _apply(_fit(use_length1=False, time_of="last"), mem, (90, 2, 85))
    assert first[94] > first[92] > 0
    assert last[92] > last[94] > 0


def test_top_k_stops_after_the_rule_that_reaches_k_candidates():
    g = _chain_graph()
    m = TemporalRules(max_length=1, a=0.5, lam=0.1, fallback=0.0, top_k=1).fit(g)
    m.conf1[:] = 0
    m.conf1[2, 0], m.conf1[2, 3] = 0.9, 0.2  # head <- b1 (strong), head <- noise (weak)
    m._table = None
    mem = np.array([[90, 0, 91, 80], [90, 3, 95, 84]])
    s = _apply(m, mem, (90, 2, 85))
    assert s[91] > 0 and s[95] == 0
    m.top_k = 0
    s = _apply(m, mem, (90, 2, 85))
    assert s[91] > 0 and s[95] > 0


def test_fallback_orders_only_entities_no_rule_reaches():
    m = _fit(fallback=1e-6)
    s = _apply(m, np.array([[90, 0, 91, 80], [91, 1, 92, 81], [5, 2, 7, 3], [6, 2, 7, 4], [8, 2, 9, 5]]),
               (90, 2, 85))
    assert s[92] > 1e-3
    assert 0 < s[9] < s[7] < 1e-5  # head answers: 7 twice, 9 once
    assert s[50] == 0


def test_sampler_prefers_recent_edges():
    keys = np.zeros(20, dtype=np.int64)
    times = np.arange(20)
    smp = _Sampler(keys, times, decay=1.0)
    ok, pos = smp.sample(np.zeros(2000, dtype=np.int64), np.full(2000, 10), np.random.default_rng(0))
    t = smp.ix.times[pos]
    assert ok.all() and t.max() == 9
    assert 0.55 < np.mean(t == 9) < 0.70  # weight 1 / (1 + e^-1 + e^-2 + ...) = 0.632
    unif = _Sampler(keys, times, decay=0.0)
    ok, pos = unif.sample(np.zeros(2000, dtype=np.int64), np.full(2000, 10), np.random.default_rng(0))
    assert 0.05 < np.mean(unif.ix.times[pos] == 9) < 0.15


def test_walks_of_length3_close_the_cycle():
    # x -0-> a @0, a -1-> b @1, b -3-> y @2, head(x, y) @3, repeated on distinct entities
    rows = []
    for k in range(20):
        x, a, b, y, t = 4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3, 4 * k
        rows += [[x, 0, a, t], [a, 1, b, t + 1], [b, 3, y, t + 2], [x, 2, y, t + 3]]
    facts = np.unique(with_inverse(np.array(rows), R), axis=0)
    found = _Walker(facts, 2 * R, 80, 1.0).rules(3, 100, np.random.default_rng(0))
    assert (2, 0, 1, 3) in {tuple(int(v) for v in r) for r in found}


def test_round_trip_and_reasons_name_the_rule(tmp_path: Path):
    m = _fit(max_length=3, a=None, lam=None)
    assert m.selection["on"] == "valid" and m.a_fit in m.a_grid and m.lam_fit in m.lam_grid
    m.observe(np.array([[90, 0, 91, 80], [91, 1, 92, 81]]))
    q = np.array([[90, 2, 85]])
    p = m.save(tmp_path / "r.npz")
    m2 = TemporalRules.load(p)
    assert np.allclose(m.predict(q), m2.predict(q))
    why = m2.reasons((90, 2, 85), 92)
    assert why and why[0].kind == "rule" and "r0(X,Z1) & r1(Z1,Y)" in why[0].text
    assert why[0].fact == (90, 0, 91, 80)
