"""Context features of (query, candidate) pairs, and the ensemble that re-scores its top answers with them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import ModelError
from redline.forecast.data import from_quads
from redline.forecast.models import get_model, model_class
from redline.forecast.models.context import FEATURES, Context, entity_meta

NAMES = ["Police (Australia)", "Australia", "Citizen (Australia)", "Police (Japan)", "Japan", "Jane Doe", "UBS",
         "CHNGOV", "CHN", "Citizen (Japan)"]


def _col(name: str) -> int:
    return FEATURES.index(name)


def test_entity_meta_reads_countries_and_types_from_names():
    # Jane Doe (5) deals twice with Australian police and once with Japan: she is taken to be Australian
    facts = np.array([[5, 0, 0, 1], [0, 0, 5, 2], [5, 0, 3, 3]])
    country, etype, centre, tnames = entity_meta(NAMES, facts, len(NAMES))
    assert country[0] == country[1] == country[2] == country[5]
    assert country[3] == country[4] != country[0]
    assert country[7] == country[8] != country[0]  # CAMEO actor code CHNGOV -> CHN
    assert country[6] == -1  # a three-letter company is not a country
    assert tnames[etype[0]] == "Police" and etype[0] == etype[3]
    assert tnames[etype[1]] == "COUNTRY" and tnames[etype[7]] == "GOV" and tnames[etype[5]] == "NAMED"
    assert centre[country[0]] == 1 and centre[country[3]] == 4 and centre[country[7]] == 8
    # one fact is too little to give a country
    c2, *_ = entity_meta(NAMES, facts[:1], len(NAMES))
    assert c2[5] == -1


def _context(train: np.ndarray) -> Context:
    g = from_quads(train, name="ctx", num_entities=len(NAMES), num_relations=2,
                   entity_names=dict(enumerate(NAMES)))
    return Context().fit(g)


def test_history_features_are_exact_and_use_only_the_past():
    train = np.array([[6, 1, 7, 0], [0, 0, 2, 1], [0, 0, 2, 4], [2, 0, 0, 6], [0, 1, 3, 5], [0, 0, 2, 9]])
    c = _context(train)
    x = c.features(np.array([[0, 0, 8]]), np.array([[2, 3, 4]]))[0]
    assert x.shape == (3, len(FEATURES))
    # (0, 0, 2) happened at 1 and 4 before t=8; the fact at t=9 is not seen
    assert x[0, _col("count_sro")] == pytest.approx(np.log1p(2))
    assert x[0, _col("last_sro")] == pytest.approx(np.log1p(8 - 4))
    assert x[0, _col("count_so")] == pytest.approx(np.log1p(3))  # (0, *, 2): 1, 4 and the inverse of 2 -> 0 at 6
    assert x[0, _col("last_so")] == pytest.approx(np.log1p(2))
    assert x[0, _col("count_rev")] == pytest.approx(np.log1p(1))  # (2, 0, 0) at 6
    assert x[1, _col("count_sro")] == 0.0 and x[1, _col("count_so")] == pytest.approx(np.log1p(1))
    assert x[1, _col("last_sro")] == pytest.approx(np.log1p(1e4))  # never
    assert x[2, _col("count_so")] == 0.0
    act = np.exp(-1.0 * (8 - np.array([1, 4, 6])))  # entity 2 took part at 1, 4 and 6
    assert x[0, _col("activity_1")] == pytest.approx(np.log1p(act.sum()), rel=1e-5)
    assert x[0, _col("same_country")] == 1.0 and x[1, _col("same_country")] == 0.0
    assert x[2, _col("country_entity")] == 0.0
    # the same query after t=9 sees the later fact
    later = c.features(np.array([[0, 0, 10]]), np.array([[2]]))[0, 0]
    assert later[_col("count_sro")] == pytest.approx(np.log1p(3))


def test_type_prior_prefers_the_kind_of_answer_seen_in_training():
    # police (0) arrest citizens of their own country (2), never the country (1)
    train = np.array([[0, 0, 2, t] for t in range(6)] + [[3, 1, 4, 1]])
    c = _context(train)
    x = c.features(np.array([[0, 0, 9]]), np.array([[2, 1]]))[0]
    assert x[0, _col("type_logp")] > x[1, _col("type_logp")]
    # Japanese police are expected to arrest Japanese citizens, though they were never seen arresting anyone
    y = c.features(np.array([[3, 0, 9]]), np.array([[9, 2, 4]]))[0]
    assert y[0, _col("type_logp")] > max(y[1, _col("type_logp")], y[2, _col("type_logp")])
    with pytest.raises(ModelError):
        c.predict(np.array([[0, 0, 9]]))


def _graph():
    rng = np.random.default_rng(3)
    rows = []
    for k in range(60):
        s = k % 4
        noise = [int(rng.integers(0, 12)), 2, int(rng.integers(0, 12)), 2 * k]
        rows += [[s, 0, s + 4, 2 * k], [s, 1, s + 4, 2 * k + 1], noise]
    f = np.array(rows)
    names = {i: n for i, n in enumerate(["Police (A)", "Police (B)", "Police (C)", "Police (D)", "Citizen (A)",
                                         "Citizen (B)", "Citizen (C)", "Citizen (D)", "A", "B", "C", "D"])}
    return from_quads(f[f[:, 3] < 90], f[(f[:, 3] >= 90) & (f[:, 3] < 105)], f[f[:, 3] >= 105], name="ctx",
                      num_entities=12, num_relations=3, entity_names=names)


def test_ensemble_rescores_its_top_with_context_and_round_trips(tmp_path: Path):
    g = _graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}),)
    m = get_model("ensemble", components=comps, valid_queries=200, candidates=8, negatives=2,
                  context_top=3, rerank=0).fit(g)
    # recurrency + six context features of PRODUCTS (tlogic is not a component here): 7 * 6 / 2 products
    assert len(m.w) == 2 + len(FEATURES) + 21 and np.any(m.w[2:])
    q = np.array([[0, 0, 106], [5, 3, 106]])
    s = m.predict(q)
    # the three re-scored entities stay above every other one
    for row in s:
        top = np.argsort(-row)[:3]
        assert row[top].min() > np.delete(row, top).max()
    p = m.proba(q)
    assert np.allclose(p.sum(axis=1), 1.0)
    m2 = model_class("ensemble").load(m.save(tmp_path / "e.npz"))
    np.testing.assert_allclose(m2.predict(q), s)
    kinds = {r.kind for a in m.explain((0, 0, 106), k=3) for r in a.reasons}
    assert "context" in kinds
    # without context the ensemble has only the component weights
    m3 = get_model("ensemble", components=comps, valid_queries=200, candidates=8, negatives=2, context=False).fit(g)
    assert len(m3.w) == 2
    m4 = get_model("ensemble", components=comps, valid_queries=200, candidates=8, negatives=2, products=()).fit(g)
    assert len(m4.w) == 2 + len(FEATURES)
    with pytest.raises(ModelError):
        get_model("ensemble", components=comps, weights=[1.0, 0.0]).fit(g)  # context on: 2 + 13 + 21 expected


def test_products_at_prediction_match_the_training_layout():
    g = _graph()
    comps = (("recurrency", {"lam": 0.1, "alpha": 0.9}), ("decay", {"key": "s", "lam": 0.5}))
    m = get_model("ensemble", components=comps, valid_queries=200, candidates=8, negatives=2,
                  products=("recurrency", "count_sro", "activity_1", "absent"), rerank=0).fit(g)
    q = np.array([[1, 0, 106]])
    top = np.array([[5, 0, 9]])
    xs = {0: np.asarray(m.models[0].predict(q), dtype=np.float32)}
    xs[0] /= xs[0].max()
    f = m._candidate_features(q, top, xs)[0]
    assert f.shape == (3, 4 + len(FEATURES) + 3)
    base = np.stack([f[:, 0], f[:, 4 + _col("count_sro")], f[:, 4 + _col("activity_1")]], axis=-1)
    z = (base - m._pmu) / m._psd
    np.testing.assert_allclose(f[:, -3:], np.stack([z[:, 0] * z[:, 1], z[:, 0] * z[:, 2], z[:, 1] * z[:, 2]], -1),
                               rtol=1e-5, atol=1e-6)
    # the re-scored value of each top candidate is its weighted sum plus the context and product terms
    s = m.proba(q)[0]
    assert s.argmax() == np.argmax(m.predict(q)[0])


def test_typed_prior_spreads_each_kind_probability_over_its_active_members(tmp_path: Path):
    # police (0) arrest citizens of their own country (2); Japanese police (3) have no arrests in training
    train = np.array([[0, 0, 2, t] for t in range(6)] + [[3, 1, 4, 1], [9, 1, 4, 2]])
    g = from_quads(train, name="ctx", num_entities=len(NAMES), num_relations=2, entity_names=dict(enumerate(NAMES)))
    m = get_model("typed").fit(g)
    s = m.predict(np.array([[3, 0, 7], [0, 0, 7]]))
    assert s[0].argmax() == 9  # the Japanese citizen, never seen being arrested by anyone
    assert s[1].argmax() == 2
    c = m._ctx
    probs = c.kind_probs(np.array([3]), np.array([0]))[0]
    citizen_same = c.etype[9] * 2 + 1
    # Citizen (Japan) is the only Japanese citizen: it takes the whole probability of its class
    assert s[0, 9] == pytest.approx(probs[citizen_same])
    m2 = model_class("typed").load(m.save(tmp_path / "typed.npz"))
    np.testing.assert_allclose(m2.predict(np.array([[3, 0, 7]])), s[:1])


def test_kin_scores_compatriots_answers_and_answers_spread_over_their_country(tmp_path: Path):
    # Australian police (0) arrested Citizen (Australia) (2) at 0 and 2; Japanese police (3) Citizen (Japan) (9) at 1;
    # Australia (1) met Japan (4) at 3, and UBS (6: no country) the Japanese police
    train = np.array([[0, 0, 2, 0], [0, 0, 2, 2], [3, 0, 9, 1], [1, 1, 4, 3], [6, 1, 3, 3]])
    g = from_quads(train, name="ctx", num_entities=len(NAMES), num_relations=2, entity_names=dict(enumerate(NAMES)))
    sub = get_model("kin", key="subject", lam=1.0).fit(g)
    # Citizen (Australia) never arrested anyone: its compatriot the police did, at 0 and 2 (before t=4)
    s = sub.predict(np.array([[2, 0, 4], [2, 0, 1]]))
    assert s[0, 2] == pytest.approx(2.0 ** -4 + 2.0 ** -2)
    assert s[0, 9] == 0.0  # the Japanese arrest is not its compatriots'
    assert s[1, 2] == pytest.approx(2.0 ** -1)  # only the past: the arrest at 2 is not seen at 1
    assert not sub.predict(np.array([[6, 0, 4]])).any()  # UBS has no compatriots and did nothing with relation 0
    ans = get_model("kin", key="answer", lam=1.0).fit(g)
    # Australia (1) met Japan (4) at 3: at 4 the Japanese share that answer by their activity before 4
    a = ans.predict(np.array([[1, 1, 4]]))[0]
    assert a[[3, 4, 9]].sum() == pytest.approx(2.0 ** -1)
    # activity: the Japanese police at 1 and 3 (the UBS fact's inverse), Japan at 3, Citizen (Japan) at 1
    assert a[3] > a[4] > a[9] > 0.0
    assert a[[0, 2, 5, 6, 7, 8]].sum() == 0.0
    with pytest.raises(ModelError):
        get_model("kin", key="country")
    again = model_class("kin").load(ans.save(tmp_path / "kin.npz"))
    np.testing.assert_allclose(again.predict(np.array([[1, 1, 4]]))[0], a)
