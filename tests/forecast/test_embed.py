"""The learned ComplEx component: exact gradients, generalisation to unseen answers, determinism, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.forecast.data import from_quads
from redline.forecast.models import get_model, model_class
from redline.forecast.models.embed import Embed


def _cluster_graph():
    """Entities 0-5 each 'visit' (rel 0) entity 10 and 'trade' (rel 1) with entity 11, day after day; entity 6 only
    trades with 11. Entities 12-19 form a second group that visits 20 and trades with 21."""
    rows = []
    for t in range(30):
        for s in range(6):
            rows += [[s, 0, 10, t], [s, 1, 11, t]]
        rows.append([6, 1, 11, t])
        for s in range(12, 20):
            rows += [[s, 0, 20, t], [s, 1, 21, t]]
    facts = np.array(rows)
    return from_quads(facts[facts[:, 3] < 25], facts[facts[:, 3] >= 25], None, name="clusters",
                      num_entities=22, num_relations=2)


def test_gradients_match_finite_differences():
    g = _cluster_graph()
    m = Embed(dim=3, samples=64, batch_size=16, dropout=0.0, smoothing=0.1, seed=3).fit(g)
    m.ent, m.rel = m.ent.astype(np.float64), m.rel.astype(np.float64)
    m.bias = np.random.default_rng(0).normal(size=m.bias.shape)
    batch = np.array([[0, 0, 10], [6, 3, 11], [13, 1, 21], [2, 2, 5]])
    rng = np.random.default_rng(0)
    _, grads = m._loss_and_grads(batch, rng)
    h = 1e-6
    ent_rows = [0, 2, 5, 6, 10, 11, 13, 21]  # subjects, answers and bystanders of the batch
    checks = [(m.ent, grads[0], [(i, j) for i in ent_rows for j in range(6)]),
              (m.rel, grads[1], list(np.ndindex(*m.rel.shape))),
              (m.bias, grads[2], [(i,) for i in range(len(m.bias))])]
    for arr, grad, where in checks:
        for idx in where:
            old = arr[idx]
            arr[idx] = old + h
            up = m._loss_and_grads(batch, rng)[0]
            arr[idx] = old - h
            down = m._loss_and_grads(batch, rng)[0]
            arr[idx] = old
            assert grad[idx] == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-7)


def test_learns_an_answer_never_seen_with_the_subject():
    g = _cluster_graph()
    m = get_model("embed", dim=8, samples=40_000, epochs=20, batch_size=64, lr=0.05, half_life=0, seed=0).fit(g)
    assert m.selection["steps"] == 2 * len(g.train) * 20 // 64  # the epoch cap binds before the sample budget
    # entity 6 never visited anyone, but it behaves like 0-5, whose visits all go to 10
    p = m.predict(np.array([[6, 0, 30], [15, 0, 30]]))
    assert p.shape == (2, 22) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(p[0])) == 10
    assert int(np.argmax(p[1])) == 20
    assert m.reasons((6, 0, 30), 10)[0].kind == "prior"


def test_same_seed_same_model_and_round_trip(tmp_path: Path):
    g = _cluster_graph()
    a = Embed(dim=4, samples=2048, batch_size=64, seed=1).fit(g)
    b = Embed(dim=4, samples=2048, batch_size=64, seed=1).fit(g)
    c = Embed(dim=4, samples=2048, batch_size=64, seed=2).fit(g)
    np.testing.assert_array_equal(a.ent, b.ent)
    assert not np.array_equal(a.ent, c.ent)
    q = np.array([[0, 0, 30], [11, 3, 30]])
    a2 = model_class("embed").load(a.save(tmp_path / "e.npz"))
    np.testing.assert_allclose(a2.predict(q), a.predict(q))
    assert a2.dim == 4

