"""Country dyad series from an in-memory copy of the store's ``dyad_days`` summary, without SQL per request.

The summary makes a country series a scan of ~600k rows instead of ~10M events, but DuckDB still takes 60-80 ms
per query on it (its rows for a pair are scattered over the whole table, and a 22-column hash aggregate has a
fixed cost), so 16 concurrent clients on two cores queue for seconds. Here the summary's rows are held sorted by
pair in numpy arrays (about 90 bytes a row); a series is two array slices and a bucketed sum (a few ms).
:func:`series` returns what :func:`redline.indicators.dyad_series` returns for a store (the tests compare both).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DyadDays", "MAX_ROWS"]

#: Larger summaries are not copied into memory (series then come from the store).
MAX_ROWS = 20_000_000
PERIODS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class DyadDays:
    """The summary's rows sorted by (source, target, day): counts, Goldstein sums and each pair's row range."""

    columns: tuple[str, ...]  # the count columns, in the order dyad_series returns them (goldstein_sum apart)
    days: np.ndarray  # datetime64[D]
    counts: np.ndarray  # (rows, len(columns)) int32
    goldstein: np.ndarray  # float64
    pairs: dict[tuple[str, str], tuple[int, int]]

    @classmethod
    def load(cls, con: Any) -> DyadDays | None:
        """Read ``dyad_days`` over ``con`` (a DuckDB connection or cursor); None if the store has none, or one
        too large to hold."""
        from redline.store.schema import DYAD_DAY_COLUMNS

        row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dyad_days' "
                          "AND table_schema = 'main'").fetchone()
        if not row or not row[0]:
            return None
        n = con.execute("SELECT count(*) FROM dyad_days").fetchone()
        if n is None or n[0] > MAX_ROWS:
            return None
        columns = tuple(c for c in DYAD_DAY_COLUMNS if c not in ("goldstein_sum", "goldstein_n"))
        res = con.execute(f"SELECT source_country, target_country, date, goldstein_sum, {', '.join(columns)} "
                          "FROM dyad_days ORDER BY source_country, target_country, date")
        table = res.fetch_arrow_table() if hasattr(res, "fetch_arrow_table") else res.arrow()
        src = table.column(0).to_numpy(zero_copy_only=False)
        tgt = table.column(1).to_numpy(zero_copy_only=False)
        days = table.column(2).to_numpy(zero_copy_only=False).astype("datetime64[D]")
        gold = table.column(3).to_numpy(zero_copy_only=False).astype(np.float64)
        counts = np.empty((table.num_rows, len(columns)), dtype=np.int32)
        for i in range(len(columns)):
            counts[:, i] = table.column(4 + i).to_numpy(zero_copy_only=False)
        cut = np.flatnonzero((src[1:] != src[:-1]) | (tgt[1:] != tgt[:-1])) + 1
        starts = np.concatenate([[0], cut]).astype(int)
        ends = np.concatenate([cut, [len(src)]]).astype(int)
        pairs = {(str(src[s]), str(tgt[s])): (int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
        return cls(columns, days, counts, gold, pairs)

    @property
    def rows(self) -> int:
        return int(len(self.days))

    def series(self, a: str, b: str, *, by: str = "month", directed: bool = False,
               start: dt.date | str | None = None, end: dt.date | str | None = None,
               rolling: int = 3) -> pd.DataFrame:
        """As :func:`redline.indicators.dyad_series` for two 3-letter country codes."""
        from redline.errors import RedlineError

        if by not in PERIODS:
            raise RedlineError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
        a, b = a.upper(), b.upper()
        spans = [self.pairs.get((a, b))] + ([] if directed else [self.pairs.get((b, a))])
        idx = [np.arange(s, e) for s, e in (x for x in spans if x is not None)]
        rows = np.concatenate(idx) if idx else np.empty(0, dtype=int)
        days = self.days[rows]
        lo = np.datetime64(pd.Timestamp(start).date(), "D") if start else None
        hi = np.datetime64(pd.Timestamp(end).date(), "D") if end else None
        if lo is not None or hi is not None:
            keep = np.ones(len(rows), dtype=bool)
            if lo is not None:
                keep &= days >= lo
            if hi is not None:
                keep &= days <= hi
            rows, days = rows[keep], days[keep]
        sums = ["events", *self.columns[1:5], "goldstein_sum", *self.columns[5:]]
        if len(rows) == 0:
            return pd.DataFrame(columns=["period", *sums, "goldstein_mean", "balance", "trend"])
        keys = _trunc(days, by)
        first = _trunc(np.array([lo]), by)[0] if lo is not None else keys.min()
        last = hi if hi is not None else keys.max()
        periods = np.union1d(_periods(first, last, by), keys)
        slot = np.searchsorted(periods, keys)
        order = np.argsort(slot, kind="stable")
        slot, rows = slot[order], rows[order]
        heads = np.concatenate([[0], np.flatnonzero(np.diff(slot)) + 1])
        counts = np.zeros((len(periods), len(self.columns)), dtype=np.int64)
        counts[slot[heads]] = np.add.reduceat(self.counts[rows].astype(np.int64), heads, axis=0)
        gold = np.bincount(slot, weights=self.goldstein[rows], minlength=len(periods))
        events = counts[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            denom = np.where(events > 0, events, np.nan)
            mean = gold / denom
            balance = (counts[:, 1] + counts[:, 2] - counts[:, 3] - counts[:, 4]) / denom
        data: dict[str, Any] = {"period": periods.astype(object)}
        for i, c in enumerate(self.columns[:5]):
            data[c] = counts[:, i]
        data["goldstein_sum"] = gold
        for i, c in enumerate(self.columns[5:], start=5):
            data[c] = counts[:, i]
        data["goldstein_mean"] = mean
        data["balance"] = balance
        data["trend"] = pd.Series(mean).rolling(max(rolling, 1), min_periods=1).mean().to_numpy()
        return pd.DataFrame(data)


def _trunc(days: np.ndarray, by: str) -> np.ndarray:
    """Each day's period start, as DuckDB's date_trunc (weeks start on Monday)."""
    if by == "day":
        return days
    if by == "week":
        n = days.astype("int64")
        return (n - (n + 3) % 7).astype("datetime64[D]")  # 1970-01-01 was a Thursday
    unit = "datetime64[M]" if by == "month" else "datetime64[Y]"
    return days.astype(unit).astype("datetime64[D]")


def _periods(first: np.datetime64, last: np.datetime64, by: str) -> np.ndarray:
    """Every period start from ``first`` (a period start) up to ``last`` (as pandas' date_range, without its
    per-period Python loop)."""
    if by in ("day", "week"):
        return np.arange(first, last + np.timedelta64(1, "D"), 7 if by == "week" else 1, dtype="datetime64[D]")
    unit = "datetime64[M]" if by == "month" else "datetime64[Y]"
    lo, hi = np.array([first, last], dtype="datetime64[D]").astype(unit).astype("int64")
    return np.arange(lo, hi + 1).astype(unit).astype("datetime64[D]")
