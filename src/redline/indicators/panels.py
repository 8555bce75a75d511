"""Dyad panels and series: counts by quad class and PLOVER type, Goldstein sum and mean, a cooperation-conflict
balance and a rolling trend, by day, week, month or year.

One SQL definition serves a store (GDELT-scale, computed inside DuckDB) and a plain DataFrame of events (run by an
in-memory DuckDB connection): the functions are pure (no side effects on their input).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from redline.errors import RedlineError
from redline.store.schema import PLOVER_TYPES, QUAD_COLUMNS

__all__ = ["PERIODS", "PLOVER_TYPES", "panel", "panel_sql", "dyad_series", "QUAD_NAMES"]

PERIODS = ("day", "week", "month", "year")
QUAD_NAMES = dict(QUAD_COLUMNS)


def _check(by: str, level: str) -> None:
    if by not in PERIODS:
        raise RedlineError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
    if level not in ("country", "actor"):
        raise RedlineError(f"unknown level {level!r}: use 'country' or 'actor'")


def _outer(rolling: int) -> str:
    """The part both panels share: balance and rolling trend over the per-period counts ``p``."""
    return f"""SELECT *,
  (verbal_coop + material_coop - verbal_conflict - material_conflict) / events::DOUBLE AS balance,
  avg(goldstein_mean) OVER (PARTITION BY source, target ORDER BY period
                            ROWS BETWEEN {max(rolling, 1) - 1} PRECEDING AND CURRENT ROW) AS trend
FROM p
ORDER BY source, target, period
"""


def panel_sql(*, by: str = "month", directed: bool = True, level: str = "country", table: str = "events",
              where: str = "", rolling: int = 3) -> str:
    """The SQL of a dyad panel over ``table`` (a table, view or registered DataFrame named ``events``)."""
    _check(by, level)
    s, t = f"source_{level}", f"target_{level}"
    if directed:
        src, tgt = s, t
    else:
        src, tgt = f"least({s}, {t})", f"greatest({s}, {t})"
    plover_counts = ",\n    ".join(
        f"count(*) FILTER (WHERE plover = '{p}') AS plover_{p.lower()}" for p in PLOVER_TYPES
    )
    base_where = f"{s} IS NOT NULL AND {s} <> '' AND {t} IS NOT NULL AND {t} <> '' AND {s} <> {t} AND asserted"
    where_all = f"WHERE {base_where}" + (f" AND ({where})" if where else "")
    return f"""
WITH p AS (
  SELECT
    date_trunc('{by}', date)::DATE AS period,
    {src} AS source,
    {tgt} AS target,
    count(*) AS events,
    count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
    count(*) FILTER (WHERE quad_class = 2) AS material_coop,
    count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
    count(*) FILTER (WHERE quad_class = 4) AS material_conflict,
    sum(goldstein) AS goldstein_sum,
    avg(goldstein) AS goldstein_mean,
    {plover_counts}
  FROM {table}
  {where_all}
  GROUP BY ALL
)
{_outer(rolling)}"""


def summary_panel_sql(*, by: str = "month", directed: bool = True, where: str = "", rolling: int = 3) -> str:
    """The same panel as :func:`panel_sql` (country level), read from the store's ``dyad_days`` summary."""
    _check(by, "country")
    s, t = "source_country", "target_country"
    src, tgt = (s, t) if directed else (f"least({s}, {t})", f"greatest({s}, {t})")
    sums = ",\n    ".join(
        f"sum({c})::BIGINT AS {c}" for c in ("events", *QUAD_NAMES.values())
    )
    plover_sums = ",\n    ".join(f"sum(plover_{p.lower()})::BIGINT AS plover_{p.lower()}" for p in PLOVER_TYPES)
    return f"""
WITH p AS (
  SELECT
    date_trunc('{by}', date)::DATE AS period,
    {src} AS source,
    {tgt} AS target,
    {sums},
    sum(goldstein_sum) AS goldstein_sum,
    sum(goldstein_sum) / nullif(sum(goldstein_n), 0) AS goldstein_mean,
    {plover_sums}
  FROM dyad_days
  {"WHERE " + where if where else ""}
  GROUP BY ALL
)
{_outer(rolling)}"""


def _has_summary(source: Any, level: str) -> bool:
    """A store (not a DataFrame) at country level reads the dyad-day summary the ingest keeps."""
    if level != "country" or isinstance(source, pd.DataFrame) or not hasattr(source, "con"):
        return False
    row = source.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'dyad_days'"
    ).fetchone()
    return bool(row and row[0])


def _run(source: Any, sql: str, params: list[Any]) -> pd.DataFrame:
    """Run ``sql`` against a Store (its connection) or a DataFrame of events."""
    if isinstance(source, pd.DataFrame):
        con = duckdb.connect()
        try:
            con.register("events", source)
            return con.execute(sql, params or None).df()
        finally:
            con.close()
    con = getattr(source, "con", source)
    return con.execute(sql, params or None).df()


def _filters(start: dt.date | str | None, end: dt.date | str | None) -> tuple[str, list[Any]]:
    parts, params = [], []
    if start:
        parts.append("date >= ?")
        params.append(pd.Timestamp(start).date())
    if end:
        parts.append("date <= ?")
        params.append(pd.Timestamp(end).date())
    return " AND ".join(parts), params


def panel(source: Any, *, by: str = "month", directed: bool = True, level: str = "country",
          start: dt.date | str | None = None, end: dt.date | str | None = None, rolling: int = 3) -> pd.DataFrame:
    """A dyad panel: one row per (period, source, target) with counts, Goldstein and balance.

    ``source`` is a :class:`redline.store.Store` or a DataFrame with the store's event columns.
    """
    where, params = _filters(start, end)
    if _has_summary(source, level):
        return _run(source, summary_panel_sql(by=by, directed=directed, where=where, rolling=rolling), params)
    return _run(source, panel_sql(by=by, directed=directed, level=level, where=where, rolling=rolling), params)


def dyad_series(source: Any, a: str, b: str, *, by: str = "month", directed: bool = False,
                start: dt.date | str | None = None, end: dt.date | str | None = None,
                rolling: int = 3) -> pd.DataFrame:
    """The series of one dyad, every period between its first and last event present (zeros where quiet).

    ``a`` and ``b`` are 3-letter country codes (country level) or longer actor codes (prefix match).
    Undirected by default: events a->b and b->a together.
    """
    _check(by, "country")
    a, b = a.upper(), b.upper()
    level = "country" if len(a) == 3 and len(b) == 3 else "actor"
    s, t = f"source_{level}", f"target_{level}"
    pair = f"({s} = ? AND {t} = ?)" if level == "country" else f"(starts_with({s}, ?) AND starts_with({t}, ?))"
    where = f"({pair} OR {pair})" if not directed else pair
    params: list[Any] = [a, b, b, a] if not directed else [a, b]
    extra, extra_params = _filters(start, end)
    if extra:
        where += " AND " + extra
        params += extra_params
    if _has_summary(source, level):
        sql = summary_panel_sql(by=by, directed=True, where=where, rolling=1)
    else:
        sql = panel_sql(by=by, directed=True, level=level, where=where, rolling=1)
    raw = _run(source, sql, params)
    cols = [c for c in raw.columns if c not in ("source", "target", "period", "goldstein_mean", "balance", "trend")]
    if raw.empty:
        out = pd.DataFrame(columns=["period", *cols, "goldstein_mean", "balance", "trend"])
        return out
    agg = raw.groupby("period", as_index=True)[cols].sum()
    first = pd.Timestamp(start) if start else agg.index.min()
    last = pd.Timestamp(end) if end else agg.index.max()
    freq = {"day": "D", "week": "W-MON", "month": "MS", "year": "YS"}[by]
    first = pd.Timestamp(first).to_period({"day": "D", "week": "W-SUN", "month": "M", "year": "Y"}[by]).start_time
    index = pd.date_range(first, pd.Timestamp(last), freq=freq)
    agg.index = pd.to_datetime(agg.index)
    agg = agg.reindex(index.union(agg.index), fill_value=0)
    agg.index.name = "period"
    out = agg.reset_index()
    out["goldstein_mean"] = (out["goldstein_sum"] / out["events"].where(out["events"] > 0)).astype(float)
    coop = out["verbal_coop"] + out["material_coop"]
    conf = out["verbal_conflict"] + out["material_conflict"]
    out["balance"] = ((coop - conf) / out["events"].where(out["events"] > 0)).astype(float)
    out["trend"] = out["goldstein_mean"].rolling(max(rolling, 1), min_periods=1).mean()
    out["period"] = out["period"].dt.date
    return out
