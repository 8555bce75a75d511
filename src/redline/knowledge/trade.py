"""Trade dependence: COW dyadic trade v4.0 (1870-2014) plus newer curated or user-supplied series.

COW rows are non-directed dyad-years with ``flow1`` = imports of ``ccode1`` from ``ccode2`` and ``flow2`` =
imports of ``ccode2`` from ``ccode1`` (millions of current USD; missing as NaN). A country's total trade in a
year
is the sum of its imports and exports over all partners in the file. Curated series
(``knowledge/data/trade.yaml``)
or a user CSV (``reporter,partner,year,share[,source,url]``) give shares for later years.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from redline.errors import SourceError

from .datadir import PACKAGE_DATA, data_dir, to_cow

__all__ = ["TradeShare", "TradeBook", "COW_TRADE_FILE", "COW_CITATION"]

COW_TRADE_FILE = "trade/cow_trade_dyadic_v4.csv.gz"
COW_CITATION = "COW Trade v4.0 (Barbieri and Keshk), https://correlatesofwar.org/data-sets/bilateral-trade/"


@dataclass(frozen=True, slots=True)
class TradeShare:
    """Share of ``reporter``'s total trade held by ``partner`` in ``year``."""

    reporter: int
    partner: int
    year: int
    share: float
    bilateral: float | None  # millions USD (COW) or None for curated shares
    total: float | None
    origin: str  # "cow" | "curated" | "user"
    citation: str


class TradeBook:
    """Dyad trade values and shares, per year."""

    def __init__(self, directed: pd.DataFrame | None, extra: pd.DataFrame | None = None) -> None:
        # directed: columns reporter, partner, year, imports, exports (reporter's, millions USD)
        self.directed = directed
        self.extra = (
            extra
            if extra is not None
            else pd.DataFrame(columns=["reporter", "partner", "year", "share", "source", "url", "origin"])
        )
        self._totals: pd.Series | None = None

    @classmethod
    def load(
        cls, data: str | Path | None = None, *, extra: str | Path | None = None, cow: bool = True
    ) -> TradeBook:
        directed = None
        if cow:
            p = data_dir(data) / COW_TRADE_FILE
            if not p.exists():
                raise SourceError("COW trade file not found", path=str(p))
            directed = directed_from_cow(pd.read_csv(p))
        frames = [_load_curated(PACKAGE_DATA / "trade.yaml")]
        if extra is not None:
            frames.append(_load_user(Path(extra)))
        return cls(directed, pd.concat(frames, ignore_index=True))

    @property
    def last_cow_year(self) -> int | None:
        return int(self.directed["year"].max()) if self.directed is not None and len(self.directed) else None

    def totals(self) -> pd.Series:
        if self._totals is None:
            assert self.directed is not None
            d = self.directed
            self._totals = (
                (d["imports"].fillna(0) + d["exports"].fillna(0)).groupby([d["reporter"], d["year"]]).sum()
            )
        return self._totals

    def share(self, reporter: str | int, partner: str | int, year: int) -> TradeShare | None:
        """Share of reporter's trade with partner in year: curated/user first for that year, else COW."""
        r, p = to_cow(reporter), to_cow(partner)
        ex = self.extra
        hit = ex[(ex["reporter"] == r) & (ex["partner"] == p) & (ex["year"] == year)]
        if len(hit):
            h = hit.iloc[-1]
            return TradeShare(
                r, p, year, float(h["share"]), None, None, str(h["origin"]), f"{h['source']}, {h['url']}"
            )
        if self.directed is None:
            return None
        d = self.directed
        row = d[(d["reporter"] == r) & (d["partner"] == p) & (d["year"] == year)]
        if row.empty:
            return None
        bil = float(np.nansum([row["imports"].iloc[0], row["exports"].iloc[0]]))
        tot = float(self.totals().get((r, year), np.nan))
        if not np.isfinite(tot) or tot <= 0:
            return None
        return TradeShare(r, p, year, bil / tot, bil, tot, "cow", COW_CITATION)

    def series(
        self, reporter: str | int, partner: str | int, start: int = 1990, end: int = 2100
    ) -> pd.DataFrame:
        """Yearly share of reporter's trade with partner (and value where known), all sources, sorted by
        year."""
        r, p = to_cow(reporter), to_cow(partner)
        years: set[int] = set()
        if self.directed is not None:
            d = self.directed
            years |= set(d[(d["reporter"] == r) & (d["partner"] == p)]["year"].astype(int))
        ex = self.extra
        years |= set(ex[(ex["reporter"] == r) & (ex["partner"] == p)]["year"].astype(int))
        rows = []
        for y in sorted(y for y in years if start <= y <= end):
            s = self.share(r, p, y)
            if s is not None:
                rows.append(
                    {
                        "year": y,
                        "share": s.share,
                        "bilateral": s.bilateral,
                        "total": s.total,
                        "origin": s.origin,
                        "citation": s.citation,
                    }
                )
        return pd.DataFrame(rows, columns=["year", "share", "bilateral", "total", "origin", "citation"])

    def latest(self, reporter: str | int, partner: str | int, before_year: int) -> TradeShare | None:
        s = self.series(reporter, partner, end=before_year)
        if s.empty:
            return None
        return self.share(reporter, partner, int(s["year"].iloc[-1]))


def directed_from_cow(df: pd.DataFrame) -> pd.DataFrame:
    """Non-directed COW rows -> directed rows (reporter, partner, year, imports, exports), negatives as
    NaN."""
    need = {"ccode1", "ccode2", "year", "flow1", "flow2"}
    if not need <= set(df.columns):
        raise SourceError(f"COW trade table lacks columns {sorted(need - set(df.columns))}")
    f1 = df["flow1"].where(df["flow1"] >= 0)
    f2 = df["flow2"].where(df["flow2"] >= 0)
    a = pd.DataFrame(
        {"reporter": df["ccode1"], "partner": df["ccode2"], "year": df["year"], "imports": f1, "exports": f2}
    )
    b = pd.DataFrame(
        {"reporter": df["ccode2"], "partner": df["ccode1"], "year": df["year"], "imports": f2, "exports": f1}
    )
    out = pd.concat([a, b], ignore_index=True)
    out[["reporter", "partner", "year"]] = out[["reporter", "partner", "year"]].astype(int)
    return out


def _load_curated(path: Path) -> pd.DataFrame:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read trade records: {exc}", path=str(path)) from exc
    rows = []
    for i, r in enumerate(doc.get("series") or []):
        try:
            rows.append(
                {
                    "reporter": int(r["reporter"]),
                    "partner": int(r["partner"]),
                    "year": int(r["year"]),
                    "share": float(r["share"]),
                    "source": str(r["source"]),
                    "url": str(r.get("url", "")),
                    "origin": "curated",
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"series record {i}: {exc}", path=str(path)) from exc
    return pd.DataFrame(rows, columns=["reporter", "partner", "year", "share", "source", "url", "origin"])


def _load_user(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read trade series: {exc}", path=str(path)) from exc
    need = {"reporter", "partner", "year", "share"}
    if not need <= set(df.columns):
        raise SourceError(f"needs columns {sorted(need)}; has {sorted(df.columns)}", path=str(path))
    df = df.copy()
    df["reporter"] = [to_cow(x) for x in df["reporter"]]
    df["partner"] = [to_cow(x) for x in df["partner"]]
    bad = df[(df["share"] < 0) | (df["share"] > 1)]
    if len(bad):
        raise SourceError("share must be within 0..1", path=str(path), line=int(bad.index[0]) + 2)
    if "source" not in df:
        df["source"] = str(path)
    if "url" not in df:
        df["url"] = ""
    df["origin"] = "user"
    return df[["reporter", "partner", "year", "share", "source", "url", "origin"]]
