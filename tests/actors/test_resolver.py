"""Actor resolution from the project's own tables."""

from __future__ import annotations

import datetime as dt

import pytest

from redline.actors import ActorResolver, resolve
from redline.actors.gazetteer import Entry, Gazetteer, split_name
from redline.actors.tables import office_holders

D = dt.date(2024, 11, 1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("North Korean troops", "PRKMIL"),
        ("Russia's Deputy Foreign Minister", "RUSGOV"),
        ("Xi Jinping", "CHNGOV"),
        ("Pyongyang", "PRK"),
        ("Beijing", "CHN"),
        ("the United Nations", "IGOUNO"),
        ("US", "USA"),
        ("Choe Sun-hui", "PRKGOV"),
        ("Chinese workers", "CHNLAB"),
        ("the Kremlin", "RUSGOV"),
    ],
)
def test_resolve_phrases(text: str, code: str) -> None:
    a = resolve(text, D)
    assert a is not None and a.code == code


def test_lower_case_us_is_not_a_country() -> None:
    assert resolve("us", D) is None


def test_office_holder_dates() -> None:
    assert resolve("Joe Biden", dt.date(2022, 1, 1)).code == "USAGOV"  # type: ignore[union-attr]
    # out of office: the country's elite code
    assert resolve("Joe Biden", dt.date(2026, 1, 1)).code == "USAELI"  # type: ignore[union-attr]
    assert resolve("Donald Trump", dt.date(2018, 1, 1)).code == "USAGOV"  # type: ignore[union-attr]
    assert resolve("Donald Trump", dt.date(2022, 1, 1)).code == "USAELI"  # type: ignore[union-attr]


def test_office_table_covers_required_countries_and_roles() -> None:
    rows = office_holders()
    need = {
        "USA",
        "CHN",
        "RUS",
        "PRK",
        "KOR",
        "UKR",
        "IRN",
        "JPN",
        "GBR",
        "FRA",
        "DEU",
        "ITA",
        "CAN",
        "AUS",
        "IND",
        "IDN",
        "BRA",
        "ARG",
        "MEX",
        "SAU",
        "ZAF",
        "TUR",
    }
    assert need <= {r.country for r in rows}
    for c in ("USA", "CHN", "RUS", "PRK", "KOR", "UKR", "IRN"):
        roles = {r.role for r in rows if r.country == c}
        assert {"FM", "DM"} <= roles and roles & {"HOS", "HOG"}
    for r in rows:
        assert r.start is not None
        assert r.end is None or r.end >= r.start, r


def test_every_day_2015_2025_has_a_us_president_and_chinese_fm() -> None:
    rows = office_holders()
    for year in range(2015, 2026):
        day = dt.date(year, 6, 1)
        assert any(r.country == "USA" and r.role == "HOS" and r.holds(day) for r in rows)
        assert any(r.country == "CHN" and r.role == "FM" and r.holds(day) for r in rows)


def test_gazetteer_longest_match_and_acronyms() -> None:
    g = Gazetteer()
    g.add("Korea", Entry("country", "KOR"))
    g.add("North Korea", Entry("country", "PRK"))
    g.add("UN", Entry("actor", "IGOUNO"))
    words = list(split_name("North Korea and the UN un"))
    raw = ["North", "Korea", "and", "the", "UN", "un"]
    hits = g.match(words, raw)
    assert [(s, e, es[0].code) for s, e, es in hits] == [(0, 2, "PRK"), (4, 5, "IGOUNO")]


def test_combine_prefers_person_then_country_sector() -> None:
    p = Entry("person", "CHNGOV", "Xi", dt.date(2013, 1, 1), None)
    c = Entry("country", "RUS", "Russia")
    assert ActorResolver.combine([(c,), (p,)], ["MIL"], D).code == "CHNGOV"  # type: ignore[union-attr]
    assert ActorResolver.combine([(c,)], ["MIL"], D).code == "RUSMIL"  # type: ignore[union-attr]
    assert ActorResolver.combine([], ["MIL"], D) is None


def test_office_holders_before_2015_and_lower_case_surnames() -> None:
    assert resolve("George W. Bush", dt.date(2008, 8, 6)).code == "USAGOV"  # type: ignore[union-attr]
    assert resolve("Ehud Olmert", dt.date(2008, 8, 6)).code == "ISRGOV"  # type: ignore[union-attr]
    assert resolve("Putin", dt.date(2010, 1, 1)).code == "RUSGOV"  # type: ignore[union-attr]  # then prime minister
    assert resolve("Rice", dt.date(2006, 1, 1)).code == "USAGOV"  # type: ignore[union-attr]
    assert resolve("rice", dt.date(2006, 1, 1)) is None  # a one-word name needs a capital ...
    assert resolve("President obama", dt.date(2012, 1, 1)).code == "USAGOV"  # type: ignore[union-attr]  # ... or a title
    assert resolve("South Carolina").code == "USA"  # type: ignore[union-attr]


def test_plural_demonyms() -> None:
    assert resolve("Palestinians").code == "PSE"  # type: ignore[union-attr]
    assert resolve("South Koreans").code == "KOR"  # type: ignore[union-attr]
    assert resolve("Frenchs") is None  # no made-up plural for demonyms in -ch/-sh/-ese/-s
