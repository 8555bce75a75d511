"""DPRK provocations (CSIS Beyond Parallel list via stiles/north-korea-provocations), read at run time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from redline.errors import SourceError

from .datadir import data_dir

__all__ = ["Provocation", "load_provocations", "nuclear_tests", "PROVOCATIONS_FILE", "TimelineEntry", "load_timeline"]

PROVOCATIONS_FILE = "korea/north_korea_provocations_1958_present.csv"


@dataclass(frozen=True, slots=True)
class Provocation:
    date: dt.date
    type: str
    event: str
    description: str
    url: str

    @property
    def is_nuclear_test(self) -> bool:
        return "nuclear test" in f"{self.type} {self.event}".lower()


def load_provocations(path: str | Path | None = None) -> list[Provocation]:
    """Read the provocations CSV: ``path`` is the CSV itself or a data folder (default: the shared data
    folder)."""
    p = Path(path) if path is not None else data_dir() / PROVOCATIONS_FILE
    if p.is_dir():
        p = p / PROVOCATIONS_FILE
    if not p.exists():
        raise SourceError("provocations file not found", path=str(p))
    df = pd.read_csv(p, dtype=str).fillna("")
    missing = {"date", "type", "event"} - set(df.columns)
    if missing:
        raise SourceError(f"missing columns {sorted(missing)}", path=str(p))
    out: list[Provocation] = []
    for i, row in enumerate(df.itertuples(index=False), start=2):
        try:
            d = dt.date.fromisoformat(str(row.date)[:10])
        except ValueError as exc:
            raise SourceError(f"bad date {row.date!r}", path=str(p), line=i) from exc
        out.append(
            Provocation(
                date=d,
                type=str(row.type),
                event=str(row.event),
                description=str(getattr(row, "description", "")),
                url=str(getattr(row, "resources", "")),
            )
        )
    out.sort(key=lambda x: x.date)
    return out


def nuclear_tests(provocations: list[Provocation]) -> list[Provocation]:
    return [p for p in provocations if p.is_nuclear_test]


TIMELINE_FILE = "korea/nk_russia_timeline_2022_2026.json"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated entry of the CSIS Korea Chair North Korea-Russia cooperation timeline."""

    date: dt.date
    headline: str
    text: str
    url: str
    tag: str = ""


def load_timeline(path: str | Path | None = None) -> list[TimelineEntry]:
    """Read the timeline JSON: ``path`` is the file or a data folder (default: the shared data folder)."""
    import json

    p = Path(path) if path is not None else data_dir() / TIMELINE_FILE
    if p.is_dir():
        p = p / TIMELINE_FILE
    try:
        rows = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read the timeline: {exc}", path=str(p)) from exc
    out: list[TimelineEntry] = []
    for i, r in enumerate(rows):
        try:
            d = dt.date(int(r["year"]), int(r.get("month") or 1), int(r.get("day") or 1))
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"entry {i}: bad date ({exc})", path=str(p)) from exc
        out.append(
            TimelineEntry(
                d,
                str(r.get("headline", "")),
                " ".join(str(r.get("text", "")).split()),
                str(r.get("source", "")),
                str(r.get("tag", "")),
            )
        )
    out.sort(key=lambda e: e.date)
    return out
