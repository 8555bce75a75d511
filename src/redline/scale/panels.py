"""Dyad panels with Dask over partitioned Parquet (same columns and numbers as the DuckDB panel)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from redline.errors import RedlineError
from redline.indicators.panels import QUAD_NAMES

__all__ = ["export_partitioned", "panel"]

_FREQ = {"day": "D", "week": "W", "month": "M", "year": "Y"}
_COLUMNS = ["date", "source_country", "target_country", "source_actor", "target_actor", "quad_class",
            "goldstein", "plover", "asserted"]


def export_partitioned(store: Any, folder: str | os.PathLike[str]) -> int:
    """Write the store's events as Parquet under ``folder``, one sub-folder per year. Returns the row count."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    con = store.con
    try:
        con.execute(
            f"COPY (SELECT *, year(date) AS year FROM events) TO '{str(target).replace(chr(39), chr(39) * 2)}' "
            "(FORMAT PARQUET, PARTITION_BY (year), OVERWRITE_OR_IGNORE)"
        )
    except Exception as exc:  # duckdb.Error
        raise RedlineError(f"{target}: partitioned export failed: {exc}") from exc
    row = con.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0]) if row else 0


def _period_start(dates: pd.Series, by: str) -> pd.Series:
    ts = pd.to_datetime(dates)
    if by == "week":  # ISO weeks start on Monday, as DuckDB's date_trunc('week')
        return (ts - pd.to_timedelta(ts.dt.weekday, unit="D")).dt.normalize()
    return ts.dt.to_period(_FREQ[by]).dt.start_time


def _partition_panel(df: pd.DataFrame, by: str, level: str, directed: bool, plover_types: tuple[str, ...]
                     ) -> pd.DataFrame:
    s, t = f"source_{level}", f"target_{level}"
    df = df[df[s].notna() & (df[s] != "") & df[t].notna() & (df[t] != "") & (df[s] != df[t]) & df["asserted"]]
    out = pd.DataFrame({"period": _period_start(df["date"], by)})
    if directed:
        out["source"], out["target"] = df[s].to_numpy(), df[t].to_numpy()
    else:
        a, b = df[s].astype(str), df[t].astype(str)
        out["source"] = a.where(a <= b, b).to_numpy()
        out["target"] = b.where(a <= b, a).to_numpy()
    out["events"] = 1
    for q, name in QUAD_NAMES.items():
        out[name] = (df["quad_class"] == q).astype("int64").to_numpy()
    out["goldstein_sum"] = df["goldstein"].astype(float).to_numpy()
    out["goldstein_n"] = df["goldstein"].notna().astype("int64").to_numpy()
    for p in plover_types:
        out[f"plover_{p.lower()}"] = (df["plover"] == p).astype("int64").to_numpy()
    return out.groupby(["period", "source", "target"], as_index=False).sum()


def panel(folder: str | os.PathLike[str], *, by: str = "month", directed: bool = True, level: str = "country",
          rolling: int = 3, scheduler: str | None = None) -> pd.DataFrame:
    """The dyad panel over a partitioned Parquet folder, computed partition by partition with Dask."""
    import dask.dataframe as dd

    from redline.indicators.panels import PERIODS
    from redline.store.schema import PLOVER_TYPES

    if by not in PERIODS:
        raise RedlineError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
    if level not in ("country", "actor"):
        raise RedlineError(f"unknown level {level!r}: use 'country' or 'actor'")
    ddf = dd.read_parquet(str(folder), columns=_COLUMNS)
    parts = ddf.map_partitions(_partition_panel, by, level, directed, PLOVER_TYPES)
    summed = parts.groupby(["period", "source", "target"]).sum()
    frame = summed.compute(scheduler=scheduler) if scheduler else summed.compute()
    frame = frame.reset_index()
    frame["goldstein_mean"] = frame["goldstein_sum"] / frame["goldstein_n"].where(frame["goldstein_n"] > 0)
    coop = frame["verbal_coop"] + frame["material_coop"]
    conf = frame["verbal_conflict"] + frame["material_conflict"]
    frame["balance"] = (coop - conf) / frame["events"]
    frame = frame.drop(columns=["goldstein_n"]).sort_values(["source", "target", "period"]).reset_index(drop=True)
    frame["trend"] = frame.groupby(["source", "target"])["goldstein_mean"].transform(
        lambda x: x.rolling(max(rolling, 1), min_periods=1).mean()
    )
    frame["period"] = pd.to_datetime(frame["period"])
    return frame
