from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import ModelError
from redline.forecast.questions import (
    FEATURES,
    EventArrays,
    Isotonic,
    Platt,
    backtest,
    brier,
    brier_skill,
    build_questions,
    dyad_features,
    ece,
    events_from_tkg,
    fit_logistic,
    log_loss,
    split_dates,
)


def test_metrics_known_values() -> None:
    p, y = np.array([0.0, 1.0, 0.5, 0.5]), np.array([0.0, 1.0, 1.0, 0.0])
    assert brier(p, y) == pytest.approx(0.125)
    assert log_loss([0.5, 0.5], [1, 0]) == pytest.approx(np.log(2))
    assert ece([0.2] * 10, [1, 1] + [0] * 8) == pytest.approx(0.0)
    assert ece([0.9] * 10, [0] * 10) == pytest.approx(0.9)
    assert brier_skill(np.array([0.1, 0.9]), np.array([0.5, 0.5]), np.array([0.0, 1.0])) > 0.9
    with pytest.raises(ModelError):
        brier([0.1], [0, 1])


def test_isotonic_is_monotone_and_platt_fixes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    q = rng.uniform(0, 1, 4000)
    y = (rng.uniform(0, 1, 4000) < 0.5 * q + 0.25).astype(float)  # true p is flatter than q
    iso = Isotonic.fit(q, y)
    grid = np.linspace(0, 1, 50)
    assert np.all(np.diff(iso(grid)) >= -1e-12)
    platt = Platt.fit(q, y)
    assert ece(platt(q), y) < ece(q, y)
    assert ece(iso(q), y) < ece(q, y)


def test_logistic_recovers_signs() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5000, 2))
    y = (rng.uniform(size=5000) < 1 / (1 + np.exp(-(2 * X[:, 0] - 1 * X[:, 1])))).astype(float)
    w = fit_logistic(X, y, names=("a", "b"))
    assert w.coef[0] > 1.5 and w.coef[1] < -0.5


def _toy(n_days: int = 200) -> EventArrays:
    # actor 0 does class 0 to actor 1 every 5 days; actor 1 -> 2 class 1 only in the first 50 days
    rows = [(0, 1, 0, d) for d in range(0, n_days, 5)] + [(1, 2, 1, d) for d in range(0, 50, 2)]
    rows += [(2, 0, 1, d) for d in range(0, n_days, 40)]
    a = np.array(rows)
    return EventArrays(a[:, 0], a[:, 1], a[:, 2], a[:, 3], np.zeros(len(a)), ("A", "B", "C"), ("x", "y"))


def test_features_use_only_days_before_the_question() -> None:
    ev = _toy()
    qs1, _ = build_questions(ev, [100], window=30, top=3, lookback=60)
    # add an event on the question day itself: labels may change, features must not
    ev2 = EventArrays(
        np.append(ev.src, 1),
        np.append(ev.dst, 0),
        np.append(ev.cls, 0),
        np.append(ev.day, 100),
        np.append(ev.goldstein, 0.0),
        ev.actors,
        ev.classes,
    )
    qs2, _ = build_questions(ev2, [100], window=30, top=3, lookback=60)
    assert np.array_equal(qs1.X, qs2.X)
    assert qs2.y.sum() == qs1.y.sum() + 1
    assert qs1.X.shape[1] == len(FEATURES)


def test_backtest_on_toy_history_beats_class_rate() -> None:
    res = backtest(_toy(300), window=30, step=5, top=3, min_history=60)
    assert res.n > 0 and res.n_fit > 0 and res.n_calibration > 0
    assert res.brier <= res.brier_base_rate
    assert max(res.dates["fit"]) + 30 <= min(res.dates["calibration"])
    assert max(res.dates["calibration"]) + 30 <= min(res.dates["test"])


def test_split_refuses_short_history() -> None:
    with pytest.raises(ModelError):
        split_dates([0, 1, 2], window=30)


def test_dyad_features_ignore_the_future() -> None:
    x1, info = dyad_features(
        np.array([10, 50, 95]),
        np.array([]),
        np.array([10, 50, 95]),
        np.array([-5.0] * 3),
        d=100,
        window=30,
        class_rate=0.1,
        history_days=90,
    )
    x2, _ = dyad_features(
        np.array([10, 50, 95, 120]),
        np.array([]),
        np.array([10, 50, 95, 120]),
        np.array([-5.0] * 4),
        d=100,
        window=30,
        class_rate=0.1,
        history_days=90,
    )
    assert np.array_equal(x1, x2)
    assert info["windows_with_event"] == 3 and info["days_since_last"] == 5


def test_icews18_backtest_meets_targets(shared_data: Path) -> None:
    ev = events_from_tkg(shared_data / "tkg" / "ICEWS18")
    res = backtest(ev, window=30, step=3, top=20, min_history=90)
    assert res.n >= 5000
    assert res.brier_skill >= 0.10
    assert res.ece <= 0.03
