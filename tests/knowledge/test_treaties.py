from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from redline.errors import SourceError
from redline.knowledge.treaties import TreatyBook, load_curated_treaties


def test_curated_russia_dprk_article4_in_force_from_2024_12_04() -> None:
    book = TreatyBook(load_curated_treaties())
    before = book.between("RUS", "PRK", dt.date(2024, 12, 3))
    after = book.between("RUS", "PRK", dt.date(2024, 12, 4))
    assert not [o for o in before if o.kind == "mutual_assistance"]
    ma = [o for o in after if o.kind == "mutual_assistance"]
    assert len(ma) == 1 and ma[0].article == "Article 4"
    assert not ma[0].location_limited and ma[0].sources


def test_curated_record_without_sources_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(
        "- id: x\n  name: X\n  members: [2, 20]\n  signed: 2020-01-01\n  obligations:\n"
        "    - kind: defense\n  sources: []\n"
    )
    with pytest.raises(SourceError, match="no sources"):
        load_curated_treaties(p)


def test_unknown_kind_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(
        "- id: x\n  name: X\n  members: [2, 20]\n  signed: 2020-01-01\n  obligations:\n"
        "    - kind: friendship\n  sources: [http://example.org]\n"
    )
    with pytest.raises(SourceError, match="unknown obligation kind"):
        load_curated_treaties(p)


def test_atop_china_dprk_defense_without_location_limit(shared_data: Path) -> None:
    book = TreatyBook.load(shared_data)
    obs = book.between(710, 731, dt.date(2024, 11, 25))
    defense = [o for o in obs if o.kind == "defense"]
    assert defense and not defense[0].location_limited
    # ATOP v5.1 dyad-years agree: defense obligation in 2018
    dy = book.atop_dyad(710, 731)
    assert int(dy[dy["year"] == 2018]["atop_defense"].iloc[0]) == 1
    # China and Russia: no military obligation between them
    assert not [o for o in book.between("CHN", "RUS", dt.date(2024, 11, 25)) if o.military]


def test_atop_location_conditions_are_read(shared_data: Path) -> None:
    book = TreatyBook.load(shared_data)
    limited = [o for o in book.obligations if o.origin == "atop" and "location" in o.conditions]
    assert len(limited) > 50
    assert all(o.location_limited for o in limited)
