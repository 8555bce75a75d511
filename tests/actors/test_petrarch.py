"""PETRARCH-format dictionaries: parsing, date ranges, and the shared Phoenix dictionaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from redline.actors import ActorResolver
from redline.actors.petrarch import parse_actor_file, parse_agent_file, parse_date
from redline.errors import SourceError

ACTORS = """# test dictionary
GOLLUM  # comment
+SMEAGOL
\t[HOB <950601]
\t[HOBGOV 19950601 - 19990815]
ARDA_ [ARD]
"""

AGENTS = """!PERSON! = MAN, WOMAN
FARM!PERSON! [~AGR]
SOLDIER [~MIL]
"""


def test_parse_date_two_and_four_digit_years() -> None:
    assert parse_date("950601") == dt.date(1995, 6, 1)
    assert parse_date("120507") == dt.date(2012, 5, 7)
    assert parse_date("20121115") == dt.date(2012, 11, 15)


def test_actor_file_groups_and_ranges(tmp_path: Path) -> None:
    f = tmp_path / "x.actors.txt"
    f.write_text(ACTORS)
    groups = parse_actor_file(f)
    assert groups[0][0] == ["GOLLUM", "SMEAGOL"]
    assert groups[0][1] == [
        ("HOB", None, dt.date(1995, 6, 1)),
        ("HOBGOV", dt.date(1995, 6, 1), dt.date(1999, 8, 15)),
    ]
    assert groups[1] == (["ARDA_"], [("ARD", None, None)])


def test_resolver_honours_dictionary_dates(tmp_path: Path) -> None:
    f = tmp_path / "x.actors.txt"
    f.write_text(ACTORS)
    g = tmp_path / "x.agents.txt"
    g.write_text(AGENTS)
    r = ActorResolver.build([f, g])
    assert r.resolve("Smeagol", dt.date(1990, 1, 1)).code == "HOB"  # type: ignore[union-attr]
    assert r.resolve("Smeagol", dt.date(1997, 1, 1)).code == "HOBGOV"  # type: ignore[union-attr]
    assert r.resolve("Arda soldiers").code == "ARDMIL"  # type: ignore[union-attr]
    # a group whose dated code is a plain country on the day takes the phrase's sector like any country
    assert r.resolve("Smeagol soldiers", dt.date(1990, 1, 1)).code == "HOBMIL"  # type: ignore[union-attr]
    assert r.resolve("Smeagol soldiers", dt.date(1997, 1, 1)).code == "HOBGOV"  # type: ignore[union-attr]
    assert ("farm man", "AGR") in parse_agent_file(g)


def test_missing_dictionary_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        ActorResolver.build([tmp_path / "nope.txt"])


def test_phoenix_dictionaries(shared_data: Path) -> None:
    r = ActorResolver.build([shared_data / "dictionaries" / "petrarch2"])
    assert r.resolve("Hamid Karzai", dt.date(2010, 1, 1)).code == "AFGGOV"  # type: ignore[union-attr]
    assert r.resolve("North Korea").code == "PRK"  # type: ignore[union-attr]
    assert len(r.names) > 20_000
