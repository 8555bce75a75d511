from __future__ import annotations

import datetime as dt

import pytest

from redline.coding.temporal import resolve_date

PUB = dt.date(2024, 11, 20)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last week", dt.date(2024, 11, 13)),
        ("yesterday", dt.date(2024, 11, 19)),
        ("in recent days", PUB),
        ("late October", dt.date(2024, 10, 25)),
        ("early October", dt.date(2024, 10, 5)),
        ("October 31", dt.date(2024, 10, 31)),
        ("31 October 2023", dt.date(2023, 10, 31)),
        ("December", dt.date(2023, 12, 15)),  # a later month than publication: last year
        ("Monday", dt.date(2024, 11, 18)),
        ("three days ago", dt.date(2024, 11, 17)),
        ("two months ago", dt.date(2024, 9, 20)),
        ("2022", dt.date(2022, 7, 1)),
    ],
)
def test_resolve(text: str, expected: dt.date) -> None:
    assert resolve_date(text, PUB) == expected


def test_no_date() -> None:
    assert resolve_date("the treaty", PUB) is None
