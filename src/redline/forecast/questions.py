"""Binary questions from event history: features, fitted evidence weights, calibration, scores and backtest.

The method (documented in the README and printed by ``redline ask``):

1. **Base rate.** For a question "will A do class C to B within L days from d", the base rate is the share of
   past L-day windows (counting back from d, non-overlapping) in which A did C to B at least once, shrunk
   towards
   the class's rate over all dyads: ``(k + 2 * pi_c) / (n + 2)``. The *class base rate* ``pi_c`` alone is the
   baseline every backtest reports next to the model.
2. **Evidence from the history.** Recent activity (any C in the last L days, log count in the last 30 days,
log
   days since the last C), reciprocity (B did C to A in the last L days), dyad activity (log events of any
   class in
   the last 30 days) and behaviour trend (Goldstein mean of the last 30 days minus the mean of the year
   before).
3. **Weights.** A logistic regression on ``logit(base rate)`` plus those features, fitted on earlier
questions;
   each feature's term ``w * x`` (relative to its mean on the fitting questions) is how much it moved the
   answer.
4. **Calibration.** Platt scaling or isotonic regression fitted on a later block of questions (chosen by log
   loss on that block), scored on the last block, which nothing was fitted or chosen on.

Only events dated strictly before the question date enter its features.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from redline.errors import ModelError, SourceError

__all__ = [
    "brier",
    "log_loss",
    "ece",
    "brier_skill",
    "calibration_curve",
    "Platt",
    "Isotonic",
    "fit_calibrator",
    "EvidenceWeights",
    "fit_logistic",
    "FEATURES",
    "EventArrays",
    "QuestionSet",
    "build_questions",
    "BacktestResult",
    "backtest",
    "events_from_tkg",
    "events_from_frame",
    "dyad_features",
    "default_weights",
    "plot_calibration",
    "split_dates",
    "cameo_for_label",
]

EPS = 1e-4
SUBCODE_SHARE = 0.2  # share of a CAMEO root's rate credited to one code below it when only roots were fitted


# --------------------------------------------------------------------------------------------- metrics (pure)
def _arr(p: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pa, ya = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    if pa.shape != ya.shape:
        raise ModelError(f"probabilities {pa.shape} and outcomes {ya.shape} differ in shape")
    if len(pa) == 0:
        raise ModelError("no questions to score")
    return pa, ya


def brier(p: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Mean squared error of probabilities against 0/1 outcomes (lower is better)."""
    pa, ya = _arr(p, y)
    return float(np.mean((pa - ya) ** 2))


def log_loss(p: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, eps: float = EPS) -> float:
    """Mean negative log likelihood (natural log), probabilities clipped to [eps, 1 - eps]."""
    pa, ya = _arr(p, y)
    pc = np.clip(pa, eps, 1 - eps)
    return float(-np.mean(ya * np.log(pc) + (1 - ya) * np.log(1 - pc)))


def calibration_curve(
    p: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, bins: int = 10
) -> list[tuple[float, float, float, float, int]]:
    """Equal-width bins over [0, 1]: (low, high, mean probability, observed frequency, count), empty bins left
    out."""
    pa, ya = _arr(p, y)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(pa, edges[1:-1], right=False), 0, bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        if n:
            out.append((float(edges[b]), float(edges[b + 1]), float(pa[m].mean()), float(ya[m].mean()), n))
    return out


def ece(p: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: count-weighted mean |mean probability - observed frequency| over 10
    bins."""
    pa, _ = _arr(p, y)
    curve = calibration_curve(p, y, bins)
    return float(sum(n * abs(mp - fy) for _, _, mp, fy, n in curve) / len(pa))


def brier_skill(p: np.ndarray, p_ref: np.ndarray, y: np.ndarray) -> float:
    """1 - Brier(p) / Brier(reference); > 0 means better than the reference."""
    ref = brier(p_ref, y)
    return float(1.0 - brier(p, y) / ref) if ref > 0 else 0.0


def _logit(p: np.ndarray | float) -> np.ndarray:
    pc = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.asarray(np.log(pc / (1 - pc)))


def _sigmoid(z: np.ndarray | float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=float), -35, 35))))


# ------------------------------------------------------------------------------------------------ calibrators
@dataclass(frozen=True)
class Platt:
    """p = sigmoid(a * logit(q) + b)."""

    a: float = 1.0
    b: float = 0.0
    kind: str = "platt"

    @classmethod
    def fit(cls, q: np.ndarray, y: np.ndarray) -> Platt:
        from scipy.optimize import minimize

        z = _logit(q)
        ya = np.asarray(y, dtype=float)

        def nll(w: np.ndarray) -> tuple[float, np.ndarray]:
            p = np.clip(_sigmoid(w[0] * z + w[1]), 1e-12, 1 - 1e-12)
            loss = -np.mean(ya * np.log(p) + (1 - ya) * np.log(1 - p))
            g = p - ya
            return float(loss), np.array([np.mean(g * z), np.mean(g)])

        res = minimize(nll, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
        return cls(float(res.x[0]), float(res.x[1]))

    def __call__(self, q: np.ndarray | float) -> np.ndarray:
        return _sigmoid(self.a * _logit(q) + self.b)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class Isotonic:
    """A non-decreasing step map fitted by pool-adjacent-violators; interpolated between block centres."""

    x: tuple[float, ...] = (0.0, 1.0)
    y: tuple[float, ...] = (0.0, 1.0)
    kind: str = "isotonic"

    @classmethod
    def fit(cls, q: np.ndarray, y: np.ndarray) -> Isotonic:
        order = np.argsort(q, kind="mergesort")
        xs, ys = np.asarray(q, dtype=float)[order], np.asarray(y, dtype=float)[order]
        # pool adjacent violators over blocks (value, weight, x-sum)
        vals: list[float] = []
        wts: list[float] = []
        xsum: list[float] = []
        for xv, yv in zip(xs, ys, strict=True):
            vals.append(yv)
            wts.append(1.0)
            xsum.append(xv)
            while len(vals) > 1 and vals[-2] >= vals[-1]:
                w = wts[-2] + wts[-1]
                v = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / w
                xs_ = xsum[-2] + xsum[-1]
                vals[-2:], wts[-2:], xsum[-2:] = [v], [w], [xs_]
        cx = tuple(float(s / w) for s, w in zip(xsum, wts, strict=True))
        cy = tuple(float(min(max(v, EPS), 1 - EPS)) for v in vals)
        return cls(cx, cy)

    def __call__(self, q: np.ndarray | float) -> np.ndarray:
        return np.asarray(np.interp(np.asarray(q, dtype=float), self.x, self.y))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "x": list(self.x), "y": list(self.y)}


def fit_calibrator(kind: str, q: np.ndarray, y: np.ndarray) -> Platt | Isotonic:
    if kind == "platt":
        return Platt.fit(q, y)
    if kind == "isotonic":
        return Isotonic.fit(q, y)
    raise ModelError(f"unknown calibration {kind!r} (platt, isotonic)")


def calibrator_from_dict(d: dict[str, Any]) -> Platt | Isotonic:
    if d.get("kind") == "platt":
        return Platt(float(d["a"]), float(d["b"]))
    if d.get("kind") == "isotonic":
        return Isotonic(tuple(d["x"]), tuple(d["y"]))
    raise ModelError(f"unknown calibration record {d!r}")


# ---------------------------------------------------------------------------------------- evidence weights
FEATURES = (
    "base_rate",
    "class_rate",
    "recent",
    "intensity",
    "recency",
    "reciprocity",
    "dyad_activity",
    "trend",
)
FEATURE_KIND = {  # which evidence kind each feature is shown as
    "base_rate": "base_rate",
    "class_rate": "base_rate",
    "recent": "precedent",
    "intensity": "precedent",
    "recency": "precedent",
    "reciprocity": "trend",
    "dyad_activity": "trend",
    "trend": "trend",
    "tkg_model": "model",
}


@dataclass(frozen=True)
class EvidenceWeights:
    """logit p = intercept + sum_i coef_i * x_i; x_0 is logit(base rate). ``means`` centre the
    contributions."""

    names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    means: tuple[float, ...]
    calibrator: dict[str, Any] = field(default_factory=dict)
    fitted_on: str = ""
    window_days: int = 30
    lookback_days: int = 90
    class_rates: dict[str, float] = field(default_factory=dict)  # positive rate per class on the fit block
    tkg_model: str = ""  # registered forecasting model whose score is the last feature ("" = none)

    def logit(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.intercept + np.asarray(X, dtype=float) @ np.asarray(self.coef))

    def raw(self, X: np.ndarray) -> np.ndarray:
        return _sigmoid(self.logit(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        raw = self.raw(X)
        return calibrator_from_dict(self.calibrator)(raw) if self.calibrator else raw

    def prior(self, prefixes: Sequence[str], days: int) -> float | None:
        """Class base rate for a set of CAMEO prefixes over ``days``: the fitted per-root rate for the fitting
        window (a code below root level counts as ``SUBCODE_SHARE`` of its root, a rough share), combined over
        roots as independent and scaled to the window length; None without rates."""
        full = {p for p in prefixes if len(p) == 2}
        parts: dict[str, float] = {r: 1.0 for r in full}
        for p in prefixes:
            if len(p) > 2 and p[:2] not in full:
                parts[p[:2]] = min(1.0, parts.get(p[:2], 0.0) + SUBCODE_SHARE)
        rates = [self.class_rates[r] * f for r, f in parts.items() if r in self.class_rates]
        if not rates:
            return None
        p_w = 1.0 - float(np.prod([1.0 - r for r in rates]))
        return 1.0 - (1.0 - p_w) ** (days / max(self.window_days, 1))

    def contributions(self, x: np.ndarray) -> dict[str, float]:
        """Each feature's move in log-odds relative to an average fitting question."""
        return {n: float(c * (v - m)) for n, c, v, m in zip(self.names, self.coef, x, self.means, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "means": list(self.means),
            "calibrator": self.calibrator,
            "fitted_on": self.fitted_on,
            "window_days": self.window_days,
            "lookback_days": self.lookback_days,
            "class_rates": self.class_rates,
            "tkg_model": self.tkg_model,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvidenceWeights:
        return cls(
            tuple(d["names"]),
            tuple(float(c) for c in d["coef"]),
            float(d["intercept"]),
            tuple(float(m) for m in d["means"]),
            dict(d.get("calibrator") or {}),
            str(d.get("fitted_on", "")),
            int(d.get("window_days", 30)),
            int(d.get("lookback_days", 90)),
            {str(k): float(v) for k, v in (d.get("class_rates") or {}).items()},
            str(d.get("tkg_model", "")),
        )


def fit_logistic(X: np.ndarray, y: np.ndarray, names: Sequence[str] = FEATURES, l2: float = 1e-3) -> EvidenceWeights:
    """L2-regularised logistic regression by L-BFGS (the intercept is not penalised)."""
    from scipy.optimize import minimize

    Xa, ya = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if len(Xa) == 0 or ya.min() == ya.max():
        raise ModelError("need questions with both outcomes to fit evidence weights")
    n, k = Xa.shape

    def nll(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = Xa @ w[:k] + w[k]
        p = np.clip(_sigmoid(z), 1e-12, 1 - 1e-12)
        loss = -np.mean(ya * np.log(p) + (1 - ya) * np.log(1 - p)) + 0.5 * l2 * float(w[:k] @ w[:k])
        g = p - ya
        grad = np.concatenate([Xa.T @ g / n + l2 * w[:k], [g.mean()]])
        return float(loss), grad

    w0 = np.zeros(k + 1)
    w0[0] = 1.0
    res = minimize(nll, w0, jac=True, method="L-BFGS-B")
    return EvidenceWeights(
        tuple(names),
        tuple(float(v) for v in res.x[:k]),
        float(res.x[k]),
        tuple(float(v) for v in Xa.mean(axis=0)),
    )


# ------------------------------------------------------------------------------------------ event histories
@dataclass(frozen=True)
class EventArrays:
    """Events as parallel arrays: actor indices, class index, day index (0 = first day), Goldstein score."""

    src: np.ndarray
    dst: np.ndarray
    cls: np.ndarray
    day: np.ndarray
    goldstein: np.ndarray
    actors: tuple[str, ...]
    classes: tuple[str, ...]
    origin: str = ""
    first_day: str = ""  # ISO date of day 0 when known


def _country_of_entity(name: str, cache: dict[str, str]) -> str:
    if name in cache:
        return cache[name]
    from redline.ontology import countries

    code = ""
    nm = name.strip()
    inner = nm[nm.rfind("(") + 1 : -1] if nm.endswith(")") and "(" in nm else ""
    for cand in ([inner] if inner else []) + [nm]:
        c = countries.lookup(cand)
        if c is not None and c.cameo:
            # a bare name must be the country itself, not a person or group that merely contains it
            code = c.cameo
            break
    cache[name] = code
    return code


def cameo_for_label(label: str) -> str:
    """CAMEO code for an ICEWS/CAMEO relation label (exact label match, else closest by shared words)."""
    import re

    from redline.ontology import cameo

    def norm(s: str) -> str:
        s = re.sub(r", not specified below", "", s.lower())
        return " ".join(re.sub(r"[^a-z ]", " ", s).split())

    table = _label_table()
    key = norm(label)
    if key in table:
        return table[key]
    words = set(key.split()) - {"or", "and", "to", "the", "a", "of", "in", "with", "for", "such", "as"}
    best, best_score = "", 0.0
    for lab, code in table.items():
        lw = set(lab.split())
        score = len(words & lw) / max(len(words | lw), 1)
        if score > best_score:
            best, best_score = code, score
    if not best:
        raise SourceError(f"no CAMEO code for relation label {label!r}")
    _ = cameo  # table built from the ontology
    return best


_LABELS: dict[str, str] = {}


def _label_table() -> dict[str, str]:
    import re

    from redline.ontology import cameo

    if not _LABELS:
        for c in cameo.all_codes():
            code = c.code if hasattr(c, "code") else str(c)
            lab = cameo.lookup(code).label
            k = " ".join(re.sub(r"[^a-z ]", " ", re.sub(r", not specified below", "", lab.lower())).split())
            _LABELS.setdefault(k, code)
    return _LABELS


def _class_of_code(code: str, scheme: str) -> str:
    if scheme == "root":
        return code[:2]
    from redline.ontology import plover

    try:
        hit = plover.from_cameo(code)
        return str(hit[0]) if hit else ""
    except Exception:  # noqa: BLE001 - codes without a PLOVER type are dropped by the caller
        return ""


def events_from_tkg(path: str | Path, *, scheme: str = "root") -> EventArrays:
    """Country-level events from a TKG folder: entities ``Name`` or ``Sector (Country)`` become the
    country."""
    from redline.forecast.data import load_tkg
    from redline.ontology import cameo

    g = load_tkg(path)
    facts = g.all_facts()
    cache: dict[str, str] = {}
    ent_country = np.array([_country_of_entity(n, cache) for n in g.entity_names], dtype=object)
    rel_code = [cameo_for_label(n) for n in g.relation_names]
    rel_class = np.array([_class_of_code(c, scheme) for c in rel_code], dtype=object)
    rel_gold = np.array([float(cameo.goldstein(c) or 0.0) for c in rel_code])
    sc, oc = ent_country[facts[:, 0]], ent_country[facts[:, 2]]
    cl = rel_class[facts[:, 1]]
    keep = (sc != "") & (oc != "") & (sc != oc) & (cl != "")
    facts, sc, oc, cl = facts[keep], sc[keep], oc[keep], cl[keep]
    actors = tuple(sorted(set(sc) | set(oc)))
    a_idx = {a: i for i, a in enumerate(actors)}
    classes = tuple(sorted(set(cl)))
    c_idx = {c: i for i, c in enumerate(classes)}
    return EventArrays(
        src=np.array([a_idx[a] for a in sc], dtype=np.int64),
        dst=np.array([a_idx[a] for a in oc], dtype=np.int64),
        cls=np.array([c_idx[c] for c in cl], dtype=np.int64),
        day=(facts[:, 3] - facts[:, 3].min()).astype(np.int64),
        goldstein=rel_gold[facts[:, 1]],
        actors=actors,
        classes=classes,
        origin=f"tkg:{g.name}",
    )


def events_from_frame(df: Any, *, scheme: str = "root") -> EventArrays:
    """Country-level events from a store DataFrame (``date, source_country, target_country, cameo,
    goldstein``)."""
    import pandas as pd

    need = {"date", "source_country", "target_country", "cameo", "goldstein"}
    if not need <= set(df.columns):
        raise SourceError(f"event table lacks columns {sorted(need - set(df.columns))}")
    d = df[list(need)].dropna(subset=["date", "cameo"])
    d = d[(d["source_country"].fillna("") != "") & (d["target_country"].fillna("") != "")]
    d = d[d["source_country"] != d["target_country"]]
    cl = np.array([_class_of_code(str(c), scheme) for c in d["cameo"]], dtype=object)
    d = d[cl != ""]
    cl = cl[cl != ""]
    dates = pd.to_datetime(d["date"]).dt.normalize()
    if len(d) == 0:
        raise SourceError("no country-to-country events to build questions from")
    day0 = dates.min()
    actors = tuple(sorted(set(d["source_country"]) | set(d["target_country"])))
    a_idx = {a: i for i, a in enumerate(actors)}
    classes = tuple(sorted(set(cl)))
    c_idx = {c: i for i, c in enumerate(classes)}
    return EventArrays(
        src=np.array([a_idx[a] for a in d["source_country"]], dtype=np.int64),
        dst=np.array([a_idx[a] for a in d["target_country"]], dtype=np.int64),
        cls=np.array([c_idx[c] for c in cl], dtype=np.int64),
        day=((dates - day0).dt.days).to_numpy(dtype=np.int64),
        goldstein=d["goldstein"].fillna(0.0).to_numpy(dtype=float),
        actors=actors,
        classes=classes,
        origin="store",
        first_day=day0.date().isoformat(),
    )


# --------------------------------------------------------------------------------------------- question sets
@dataclass(frozen=True)
class QuestionSet:
    """Questions on a grid: one row per (date, source, target, class)."""

    X: np.ndarray  # (n, len(FEATURES))
    y: np.ndarray  # (n,) 0/1
    class_rate: np.ndarray  # (n,) the class base rate (the baseline)
    dyad_rate: np.ndarray  # (n,) the dyad history base rate (shrunk)
    date: np.ndarray  # (n,) question day
    src: np.ndarray
    dst: np.ndarray
    cls: np.ndarray


def _dense(ev: EventArrays, actors: np.ndarray, n_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cumulative counts (T+1, K, K, C), cumulative Goldstein sums and counts per dyad (T+1, K, K)."""
    k, c = len(actors), len(ev.classes)
    pos = -np.ones(len(ev.actors), dtype=np.int64)
    pos[actors] = np.arange(k)
    s, o = pos[ev.src], pos[ev.dst]
    m = (s >= 0) & (o >= 0) & (ev.day < n_days)
    counts = np.zeros((n_days, k, k, c), dtype=np.int32)
    np.add.at(counts, (ev.day[m], s[m], o[m], ev.cls[m]), 1)
    gs = np.zeros((n_days, k, k))
    np.add.at(gs, (ev.day[m], s[m], o[m]), ev.goldstein[m])
    cum = np.zeros((n_days + 1, k, k, c), dtype=np.int32)
    np.cumsum(counts, axis=0, out=cum[1:])
    gcum = np.zeros((n_days + 1, k, k))
    np.cumsum(gs, axis=0, out=gcum[1:])
    ncum = cum.sum(axis=3)
    return cum, gcum, ncum


def _features_at(
    cum: np.ndarray, gcum: np.ndarray, ncum: np.ndarray, last: np.ndarray, d: int, window: int, lookback: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (K, K, C, F), class rate (C,), dyad rate (K, K, C) for questions asked on day d."""
    k, c = cum.shape[1], cum.shape[3]
    n_w = max(min(d, lookback) // window, 1)
    pos = np.zeros((k, k, c), dtype=float)
    for j in range(n_w):
        hi, lo = d - j * window, max(d - (j + 1) * window, 0)
        pos += (cum[hi] - cum[lo]) > 0
    off = ~np.eye(k, dtype=bool)
    class_rate = (pos[off].sum(axis=0) / (off.sum() * n_w)).clip(EPS, 1 - EPS)
    dyad_rate = ((pos + 2 * class_rate) / (n_w + 2)).clip(EPS, 1 - EPS)
    lo_l = max(d - window, 0)
    recent_l = cum[d] - cum[lo_l]
    lo30 = max(d - 30, 0)
    last30 = cum[d] - cum[lo30]
    since = np.minimum(np.where(last >= 0, d - last, lookback + window), lookback + window)
    act30 = ncum[d] - ncum[lo30]
    g_recent_n = ncum[d] - ncum[lo30]
    g_recent = np.where(g_recent_n > 0, (gcum[d] - gcum[lo30]) / np.maximum(g_recent_n, 1), 0.0)
    lo_y = max(d - lookback, 0)
    g_before_n = ncum[lo30] - ncum[lo_y]
    g_before = np.where(g_before_n > 0, (gcum[lo30] - gcum[lo_y]) / np.maximum(g_before_n, 1), 0.0)
    trend = np.where((g_recent_n > 0) & (g_before_n > 0), g_recent - g_before, 0.0)
    F = np.stack(
        [
            _logit(dyad_rate),
            np.broadcast_to(_logit(class_rate)[None, None, :], (k, k, c)),
            (recent_l > 0).astype(float),
            np.log1p(last30),
            np.log1p(since),
            (recent_l.transpose(1, 0, 2) > 0).astype(float),
            np.broadcast_to(np.log1p(act30)[:, :, None], (k, k, c)),
            np.broadcast_to(trend[:, :, None] / 10.0, (k, k, c)),
        ],
        axis=-1,
    )
    return F, class_rate, dyad_rate


def build_questions(
    ev: EventArrays,
    dates: Sequence[int],
    *,
    window: int = 30,
    top: int = 20,
    lookback: int = 365,
    actors: Sequence[int] | None = None,
) -> tuple[QuestionSet, np.ndarray]:
    """Questions for every directed dyad among the ``top`` most active actors x every class x each date.

    Labels look at [d, d + window); features only at days < d. Returns the set and the actor indices used.
    """
    if actors is None:
        act = np.bincount(np.concatenate([ev.src, ev.dst]), minlength=len(ev.actors))
        actors_arr = np.argsort(-act, kind="mergesort")[:top]
    else:
        actors_arr = np.asarray(actors, dtype=np.int64)
    dates = [int(x) for x in dates]
    n_days = max(dates) + window
    cum, gcum, ncum = _dense(ev, actors_arr, n_days)
    k, c = len(actors_arr), len(ev.classes)
    off = ~np.eye(k, dtype=bool)
    ss, oo, cc = np.nonzero(np.broadcast_to(off[:, :, None], (k, k, c)))
    # last day each (s, o, c) occurred before d: walk the days once
    occurs = (cum[1:] - cum[:-1]) > 0
    rows_X, rows_y, rows_cr, rows_dr, rows_d = [], [], [], [], []
    last = -np.ones((k, k, c), dtype=np.int64)
    t = 0
    for d in sorted(dates):
        while t < d:
            last[occurs[t]] = t
            t += 1
        F, class_rate, dyad_rate = _features_at(cum, gcum, ncum, last, d, window, lookback)
        label = (cum[min(d + window, n_days)] - cum[d]) > 0
        rows_X.append(F[ss, oo, cc])
        rows_y.append(label[ss, oo, cc].astype(float))
        rows_cr.append(class_rate[cc])
        rows_dr.append(dyad_rate[ss, oo, cc])
        rows_d.append(np.full(len(ss), d))
    n = len(dates)
    qs = QuestionSet(
        X=np.concatenate(rows_X),
        y=np.concatenate(rows_y),
        class_rate=np.concatenate(rows_cr),
        dyad_rate=np.concatenate(rows_dr),
        date=np.concatenate(rows_d),
        src=np.tile(actors_arr[ss], n),
        dst=np.tile(actors_arr[oo], n),
        cls=np.tile(cc, n),
    )
    return qs, actors_arr


def _subset(qs: QuestionSet, m: np.ndarray) -> QuestionSet:
    return QuestionSet(qs.X[m], qs.y[m], qs.class_rate[m], qs.dyad_rate[m], qs.date[m], qs.src[m], qs.dst[m], qs.cls[m])


# ----------------------------------------------------------------------------------------- TKG model scores
def _fit_tkg(ev: EventArrays, valid_from: int, test_from: int, model: str) -> Any:
    """A forecasting model from ``redline.forecast.models`` fitted on country-level facts (entity = actor index,
    relation = class index, time = day): trained before ``valid_from``, tuned on [valid_from, test_from), with
    every later fact observed into memory (predictions still use only facts strictly before the query day)."""
    from redline.forecast.data import TKG
    from redline.forecast.models import get_model

    facts = np.column_stack([ev.src, ev.cls, ev.dst, ev.day]).astype(np.int64)
    t = facts[:, 3]
    g = TKG(
        "questions",
        facts[t < valid_from],
        facts[(t >= valid_from) & (t < test_from)],
        facts[t >= test_from],
        len(ev.actors),
        len(ev.classes),
        granularity=1,
        time_origin=0,
    )
    m = get_model(model)
    m.fit(g)
    m.observe(g.test)
    return m


def tkg_scores(m: Any, src: np.ndarray, dst: np.ndarray, cls: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The model's score for ``dst`` as the object of (src, cls, ?, day), one per row (``answer_scores``: comparable
    across rows)."""
    out = np.zeros(len(src))
    for d in np.unique(day):
        sel = np.nonzero(day == d)[0]
        pairs = np.unique(np.column_stack([src[sel], cls[sel]]), axis=0)
        sc = m.answer_scores(np.column_stack([pairs[:, 0], pairs[:, 1], np.full(len(pairs), int(d))]))
        index = {(int(a), int(b)): i for i, (a, b) in enumerate(pairs)}
        rows = np.array([index[(int(a), int(b))] for a, b in zip(src[sel], cls[sel], strict=True)])
        out[sel] = sc[rows, dst[sel]]
    return out


# ----------------------------------------------------------------------------------------------------
# backtest
@dataclass(frozen=True)
class BacktestResult:
    n: int
    n_fit: int
    n_calibration: int
    brier: float
    brier_base_rate: float
    brier_skill: float
    log_loss: float
    log_loss_base_rate: float
    ece: float
    ece_base_rate: float
    brier_dyad_history: float
    brier_skill_vs_dyad_history: float
    positive_rate: float
    calibration: str
    weights: EvidenceWeights
    curve: list[tuple[float, float, float, float, int]]
    curve_base_rate: list[tuple[float, float, float, float, int]]
    dates: dict[str, list[int]]
    window: int
    countries: tuple[str, ...]
    classes: tuple[str, ...]
    dataset: str
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "brier": round(self.brier, 5),
            "brier_base_rate": round(self.brier_base_rate, 5),
            "brier_skill": round(self.brier_skill, 4),
            "log_loss": round(self.log_loss, 5),
            "ece": round(self.ece, 5),
            "seconds": round(self.seconds, 2),
            "log_loss_base_rate": round(self.log_loss_base_rate, 5),
            "ece_base_rate": round(self.ece_base_rate, 5),
            "brier_dyad_history": round(self.brier_dyad_history, 5),
            "brier_skill_vs_dyad_history": round(self.brier_skill_vs_dyad_history, 4),
            "positive_rate": round(self.positive_rate, 4),
            "n_fit": self.n_fit,
            "n_calibration": self.n_calibration,
            "calibration": self.calibration,
            "window_days": self.window,
            "countries": len(self.countries),
            "classes": len(self.classes),
            "dataset": self.dataset,
            "weights": dict(zip(self.weights.names, [round(c, 4) for c in self.weights.coef], strict=True)),
        }


def split_dates(dates: Sequence[int], window: int, fractions: tuple[float, float] = (0.6, 0.2)) -> dict[str, list[int]]:
    """Chronological fit / calibration / test blocks of question dates, purged so that no fitting or
    calibration
    window reaches past the first date of the next block."""
    ds = sorted(int(d) for d in dates)
    n = len(ds)
    a, b = int(round(n * fractions[0])), int(round(n * (fractions[0] + fractions[1])))
    fit, cal, test = ds[:a], ds[a:b], ds[b:]
    if not fit or not cal or not test:
        raise ModelError(f"too few question dates ({n}) to split into fit, calibration and test blocks")
    fit = [d for d in fit if d + window <= cal[0]]
    cal = [d for d in cal if d + window <= test[0]]
    if not fit or not cal:
        raise ModelError("history too short for the window: no fitting or calibration dates survive purging")
    return {"fit": fit, "calibration": cal, "test": test}


def backtest(
    ev: EventArrays,
    *,
    window: int = 30,
    step: int = 7,
    top: int = 20,
    min_history: int = 60,
    lookback: int | None = None,
    calibration: str = "auto",
    dataset: str = "",
    fractions: tuple[float, float] = (0.6, 0.2),
    tkg_model: str | None = None,
) -> BacktestResult:
    """Generate questions on a date grid, fit weights on the first block, calibrate on the second, score the
    last."""
    t0 = time.perf_counter()
    last_day = int(ev.day.max())
    dates = list(range(min_history, last_day - window + 2, step))
    blocks = split_dates(dates, window, fractions)
    qs, actors = build_questions(ev, dates, window=window, top=top, lookback=lookback or min_history)
    names: tuple[str, ...] = FEATURES
    if tkg_model:
        m = _fit_tkg(ev, blocks["calibration"][0], blocks["test"][0], tkg_model)
        score = tkg_scores(m, qs.src, qs.dst, qs.cls, qs.date)
        qs = QuestionSet(
            np.column_stack([qs.X, _logit(score)]), qs.y, qs.class_rate, qs.dyad_rate, qs.date, qs.src, qs.dst, qs.cls
        )
        names = (*FEATURES, "tkg_model")
    part = {k: _subset(qs, np.isin(qs.date, v)) for k, v in blocks.items()}
    fit, cal, test = part["fit"], part["calibration"], part["test"]
    w = fit_logistic(fit.X, fit.y, names=names)
    raw_cal = w.raw(cal.X)
    kinds = ["platt", "isotonic"] if calibration == "auto" else [calibration]
    best = None
    for kind in kinds:
        cb = fit_calibrator(kind, raw_cal, cal.y)
        # choose on the calibration block itself (in-sample for that block; the test block is never seen)
        cal_loss = log_loss(cb(raw_cal), cal.y)
        if best is None or cal_loss < best[0]:
            best = (cal_loss, kind, cb)
    assert best is not None
    _, kind, cb = best
    weights = EvidenceWeights(
        w.names,
        w.coef,
        w.intercept,
        w.means,
        cb.to_dict(),
        fitted_on=dataset,
        window_days=window,
        lookback_days=lookback or min_history,
        class_rates={str(ev.classes[c]): float(fit.y[fit.cls == c].mean()) for c in np.unique(fit.cls)},
        tkg_model=tkg_model or "",
    )
    p = weights.predict(test.X)
    base = test.class_rate
    return BacktestResult(
        n=len(test.y),
        n_fit=len(fit.y),
        n_calibration=len(cal.y),
        brier=brier(p, test.y),
        brier_base_rate=brier(base, test.y),
        brier_skill=brier_skill(p, base, test.y),
        log_loss=log_loss(p, test.y),
        log_loss_base_rate=log_loss(base, test.y),
        ece=ece(p, test.y),
        ece_base_rate=ece(base, test.y),
        brier_dyad_history=brier(test.dyad_rate, test.y),
        brier_skill_vs_dyad_history=brier_skill(p, test.dyad_rate, test.y),
        positive_rate=float(test.y.mean()),
        calibration=kind,
        weights=weights,
        curve=calibration_curve(p, test.y),
        curve_base_rate=calibration_curve(base, test.y),
        dates=blocks,
        window=window,
        countries=tuple(ev.actors[i] for i in actors),
        classes=ev.classes,
        dataset=dataset or ev.origin,
        seconds=time.perf_counter() - t0,
    )


def plot_calibration(result: BacktestResult, path: str | Path) -> Path:
    """Reliability diagram (model and class base rate) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], color="#999", lw=1, ls="--", label="perfect")
    for curve, lab, col in (
        (result.curve, "redline (calibrated)", "#c0392b"),
        (result.curve_base_rate, "class base rate", "#2c7fb8"),
    ):
        xs = [c[2] for c in curve]
        ys = [c[3] for c in curve]
        ax.plot(xs, ys, marker="o", color=col, label=lab)
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.set_title(
        f"{result.dataset}: {result.n:,} test questions, {result.window}-day windows\n"
        f"Brier {result.brier:.4f} (base {result.brier_base_rate:.4f}), ECE {result.ece:.4f}",
        fontsize=9,
    )
    ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


# -------------------------------------------------------------------------------------- one dyad, any window
def dyad_features(
    days_ab: np.ndarray,
    days_ba: np.ndarray,
    days_any_ab: np.ndarray,
    gold_any_ab: np.ndarray,
    d: int,
    window: int,
    class_rate: float,
    history_days: int | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """Features for one question (A does C to B within ``window`` days from day ``d``), from day numbers of
    past
    events: A->B of class C, B->A of class C, A->B of any class (with Goldstein scores). Only days < d count.
    ``history_days`` is how far back the record reaches (default: from the earliest event)."""
    ab = np.asarray(days_ab)[np.asarray(days_ab) < d]
    ba = np.asarray(days_ba)[np.asarray(days_ba) < d]
    anym = np.asarray(days_any_ab) < d
    anyd, anyg = np.asarray(days_any_ab)[anym], np.asarray(gold_any_ab)[anym]
    first = d - history_days if history_days is not None else int(min([d - window, *ab, *anyd]))
    n_w = max((d - first) // window, 1)
    k = 0
    for j in range(n_w):
        hi, lo = d - j * window, d - (j + 1) * window
        k += int(((ab >= lo) & (ab < hi)).any())
    cr = float(min(max(class_rate, EPS), 1 - EPS))
    dyad_rate = (k + 2 * cr) / (n_w + 2)
    recent = float((ab >= d - window).any())
    last30 = float((ab >= d - 30).sum())
    cap = float(d - first + window)
    since = min(float(d - ab.max()), cap) if len(ab) else cap
    recip = float((ba >= d - window).any())
    act30 = float((anyd >= d - 30).sum())
    r = anyd >= d - 30
    b = (anyd < d - 30) & (anyd >= first)
    trend = float(anyg[r].mean() - anyg[b].mean()) if r.any() and b.any() else 0.0
    x = np.array(
        [
            float(_logit(dyad_rate)),
            float(_logit(cr)),
            recent,
            math.log1p(last30),
            math.log1p(since),
            recip,
            math.log1p(act30),
            trend / 10.0,
        ]
    )
    info = {
        "windows": float(n_w),
        "windows_with_event": float(k),
        "dyad_rate": float(dyad_rate),
        "class_rate": cr,
        "count_last_30d": last30,
        "days_since_last": since,
        "reciprocal_recent": recip,
        "dyad_events_last_30d": act30,
        "goldstein_trend": trend,
    }
    return x, info


# Weights fitted by ``benchmarks/questions/backtest.py`` on ICEWS18 (fit block) with its chosen calibration;
# refreshed by running that script with --write-weights. Used by ``redline ask`` when no weights file is
# given.
_WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "question_weights.json"


def default_weights() -> EvidenceWeights | None:
    """The shipped fitted weights (``knowledge/data/question_weights.json``), or None when absent."""
    try:
        return EvidenceWeights.from_dict(json.loads(_WEIGHTS_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None
