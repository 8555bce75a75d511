from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import ModelError
from redline.forecast.data import from_quads
from redline.forecast.models import get_model, names
from redline.forecast.models.recurrency import Recurrency


def _graph():
    # subject 0 with relation 0: object 1 long ago and often, object 2 recently once; relation 1 points to 3 a lot
    train = [[0, 0, 1, t] for t in range(0, 5)] + [[0, 0, 2, 9]] + [[4, 1, 3, t] for t in range(10)]
    return from_quads(np.array(train), name="toy", num_entities=5, num_relations=2)


def test_registry_lists_models():
    assert "recurrency" in names()
    with pytest.raises(ModelError, match="unknown model"):
        get_model("nope")


def test_predict_before_fit_fails():
    with pytest.raises(ModelError):
        Recurrency(lam=0.1, alpha=1.0).predict(np.array([[0, 0, 1]]))


def test_decay_prefers_recent_and_zero_decay_prefers_frequent():
    g = _graph()
    q = np.array([[0, 0, 10]])
    fast = Recurrency(lam=1.0, alpha=1.0).fit(g).predict(q)[0]
    assert fast[2] > fast[1] > 0 and fast[3] == 0
    slow = Recurrency(lam=0.001, alpha=1.0).fit(g).predict(q)[0]
    assert slow[1] > slow[2]


def test_only_facts_before_the_query_time_count():
    g = _graph()
    m = Recurrency(lam=0.1, alpha=1.0).fit(g)
    s = m.predict(np.array([[0, 0, 9]]))[0]
    assert s[2] == 0.0 and s[1] > 0  # (0,0,2) happens at t=9: not before t=9


def test_inverse_relation_answers_subject_queries_and_xi_fills_unseen():
    g = _graph()
    m = Recurrency(lam=0.1, alpha=0.9).fit(g)
    s = m.predict(np.array([[3, 1 + 2, 11], [1, 1, 11]]))
    assert np.argmax(s[0]) == 4  # who did relation 1 to 3? entity 4
    assert np.argmax(s[1]) == 3  # entity 1 never used relation 1: xi says 3


def test_tuning_on_valid_picks_per_relation_values():
    train = [[0, 0, t % 3 + 1, t] for t in range(30)]
    valid = [[0, 0, t % 3 + 1, t] for t in range(30, 36)]
    g = from_quads(np.array(train), np.array(valid), name="cyc", num_entities=4, num_relations=1)
    m = Recurrency(lambda_grid=(0.0, 1.0), alpha_grid=(0.5, 1.0)).fit(g)
    assert m.lam_r.shape == (2,) and set(m.lam_r) <= {0.0, 1.0}
    assert m.selection["on"] == "valid"


def test_save_load_round_trip_and_explain(tmp_path: Path):
    g = _graph()
    m = Recurrency(lam=1.0, alpha=0.9).fit(g)
    q = np.array([[0, 0, 12], [2, 2, 12]])
    p = m.save(tmp_path / "m.npz")
    m2 = Recurrency.load(p)
    np.testing.assert_allclose(m2.predict(q), m.predict(q))
    assert m2.config() == m.config()
    top = m.explain((0, 0, 12), k=2)
    assert top[0].entity == 2
    facts = [r.fact for r in top[0].reasons if r.kind == "fact"]
    assert facts == [(0, 0, 2, 9)]
    with pytest.raises(ModelError):
        Recurrency.load(tmp_path / "missing.npz")
