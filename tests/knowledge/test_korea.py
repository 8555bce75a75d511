from __future__ import annotations

from pathlib import Path

import pytest

from redline.errors import SourceError
from redline.knowledge.korea import load_provocations, nuclear_tests


def test_six_nuclear_tests(shared_data: Path) -> None:
    tests = nuclear_tests(load_provocations(shared_data))
    assert [t.date.year for t in tests] == [2006, 2009, 2013, 2016, 2016, 2017]


def test_bad_date_names_line(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("date,type,event\n2020-01-01,Missile Provocation,x\nnot-a-date,Other,y\n")
    with pytest.raises(SourceError, match=r"p.csv:3"):
        load_provocations(p)
