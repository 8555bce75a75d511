"""Shared reader helpers: actor names -> CAMEO actor codes, relation labels -> CAMEO codes, batching."""

from __future__ import annotations

import pytest

from redline.records import Reject
from redline.sources._common import Batcher, actor_for, decode, relation_to_cameo, role_for


@pytest.mark.parametrize(("name", "expected"), [
    ("North Korea", ("PRK", "PRK")),
    ("North_Korea", ("PRK", "PRK")),
    ("Government (North Korea)", ("PRKGOV", "PRK")),
    ("Citizen (China)", ("CHNCVL", "CHN")),
    ("Military (Russia)", ("RUSMIL", "RUS")),
    ("Police_(Australia)", ("AUSCOP", "AUS")),
    ("Muslim (India)", ("INDMUS", "IND")),
    ("Head of Government (Japan)", ("JPNGOV", "JPN")),
    ("People Associated with the Opposition (Venezuela)", ("VENOPP", "VEN")),
    ("Xi Jinping (China)", ("CHN", "CHN")),
    ("Xi Jinping", ("", "")),
    ("Government (Middle East)", ("MEAGOV", "")),
    ("UN Security Council", ("IGOUNO", "")),
    ("", ("", "")),
])
def test_actor_names(name: str, expected: tuple[str, str]) -> None:
    assert actor_for(name) == expected


def test_actor_with_country_and_sectors_columns() -> None:
    assert actor_for("Xi Jinping", "China", "Government,Executive") == ("CHNGOV", "CHN")
    assert actor_for("Some Company", "Japan", "Business,Industry") == ("JPNBUS", "JPN")
    assert actor_for("Somebody", "Atlantis", "") == ("", "")


def test_roles() -> None:
    assert role_for("Military Personnel - Special") == "MIL"
    assert role_for("Defense / Security Ministry") == "MIL"
    assert role_for("Lawyer/Attorney") == "JUD"
    assert role_for("Protester") == "CVL"
    assert role_for("Dance troupe") == ""


@pytest.mark.parametrize(("name", "code"), [
    ("Make_an_appeal_or_request", "020"),
    ("Make statement", "010"),
    ("Demand_mediation", "108"),  # CAMEO 1.1b3, as ICEWS codes it
    ("Threaten", "130"),
    ("Use conventional military force", "190"),
])
def test_relation_labels(name: str, code: str) -> None:
    assert relation_to_cameo(name)[0] == code


def test_relation_without_code() -> None:
    assert relation_to_cameo("Dance a jig") == ("", "")
    assert relation_to_cameo("") == ("", "")


def test_batcher_numbers_and_flushes() -> None:
    items = [Reject("x", "p", i, "r") for i in range(5)]
    batches = list(Batcher("o", 2).drain(iter(items)))
    assert [(b.index, b.read) for b in batches] == [(0, 2), (1, 2), (2, 1)]
    assert list(Batcher("o", 2).drain(iter([]))) == []
    with pytest.raises(ValueError):
        Batcher("o", 0)


def test_decode() -> None:
    assert decode(b"\xef\xbb\xbfabc") == "abc"
    assert decode(b"\xff") is None and decode(b"a\x00b") is None


def test_entity_names_never_resolve_through_country_codes() -> None:
    """Regression: the ICEWS entity "BP" (the company) resolved to Solomon Islands through its FIPS code."""
    from redline.sources._common import country_code

    assert country_code("BP") == ""
    assert country_code("IS") == ""
    assert country_code("North Korea") == "PRK"
