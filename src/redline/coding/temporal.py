"""Dates in text resolved against the publication date: "last week", "in late October", "on Monday", "2023".

Pure functions; ``resolve_date`` returns None when the phrase has no usable date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from redline.coding.numbers import CARDINALS

__all__ = ["resolve_date"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_DAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_NUM = {
    **CARDINALS,
    "a": 1,
    "an": 1,
    "several": 3,
    "few": 3,
    "a few": 3,
}
_PART = {"early": 5, "beginning": 3, "mid": 15, "middle": 15, "late": 25, "end": 28}
_AGO = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an|a few|few|several)\s+"
    r"(day|week|month|year)s?\s+(ago|earlier|before)"
)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_DAYNUM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b")


def _shift_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    y = day.year + m // 12
    m = m % 12 + 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def resolve_date(text: str, pub: dt.date) -> dt.date | None:
    """The date a phrase refers to, given the publication date ``pub``; None if it names no date."""
    t = text.lower().strip()
    t = t.replace("-", " ")
    if not t:
        return None
    if "today" in t or "tonight" in t or "this morning" in t or "recent" in t or "this week" in t:
        return pub
    if "yesterday" in t:
        return pub - dt.timedelta(days=1)
    if "tomorrow" in t:
        return pub + dt.timedelta(days=1)
    m = _AGO.search(t)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _NUM.get(m.group(1), 1)
        unit = m.group(2)
        if unit == "day":
            return pub - dt.timedelta(days=n)
        if unit == "week":
            return pub - dt.timedelta(weeks=n)
        if unit == "month":
            return _shift_months(pub, -n)
        return dt.date(pub.year - n, pub.month, min(pub.day, 28))
    if "last week" in t or "past week" in t:
        return pub - dt.timedelta(days=7)
    if "last month" in t or "past month" in t:
        return _shift_months(pub, -1)
    if "last year" in t or "past year" in t:
        return dt.date(pub.year - 1, 7, 1)
    if "this month" in t:
        return pub
    if "this year" in t or "earlier this year" in t:
        return pub
    words = re.findall(r"[a-z]+", t)
    month = next(
        (
            _MONTHS[w]
            for w in words
            if w in _MONTHS
            and (
                len(w) > 3
                or w
                in (
                    "may",
                    "jan",
                    "feb",
                    "mar",
                    "apr",
                    "jun",
                    "jul",
                    "aug",
                    "sep",
                    "sept",
                    "oct",
                    "nov",
                    "dec",
                )
            )
        ),
        None,
    )
    ym = _YEAR.search(t)
    year = int(ym.group(1)) if ym else None
    if month is not None:
        day_m = None
        for dm in _DAYNUM.finditer(_YEAR.sub(" ", t)):
            v = int(dm.group(1))
            if 1 <= v <= 31:
                day_m = v
                break
        if day_m is None:
            part = next((_PART[w] for w in words if w in _PART), 15)
            day_m = part
        if year is None:
            year = pub.year if month <= pub.month else pub.year - 1
        day_m = min(day_m, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day_m)
    for w in words:
        if w in _DAYS:
            back = (pub.weekday() - _DAYS[w]) % 7
            if "next" in words:
                return pub + dt.timedelta(days=(_DAYS[w] - pub.weekday()) % 7 or 7)
            return pub - dt.timedelta(days=back or (7 if "last" in words else 0))
    if year is not None:
        if year == pub.year:
            return pub
        part_of_year = next((_PART[w] for w in words if w in _PART), None)
        if part_of_year is not None:
            return dt.date(year, 2 if part_of_year < 10 else (7 if part_of_year < 20 else 11), 1)
        return dt.date(year, 7, 1)
    return None
