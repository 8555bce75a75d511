"""CAMEO actor roles, sectors and international organisations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redline.ontology import sectors


def test_roles_and_kinds() -> None:
    roles = {s.code for s in sectors.by_kind("role")}
    assert {"GOV", "MIL", "REB", "OPP", "COP", "JUD", "SPY"} <= roles
    assert {"MED", "EDU", "BUS", "CRM", "CVL", "LAB", "LEG", "HLH", "REF", "MOD", "RAD", "HRI", "PTY"} <= {
        s.code for s in sectors.by_kind("sector")
    }
    assert {s.kind for s in sectors.all()} == set(sectors.KINDS)
    codes = [s.code for s in sectors.all()]
    assert len(codes) == len(set(codes))
    assert sectors.lookup("gov").label == "Government"  # type: ignore[union-attr]
    assert sectors.lookup("XYZ") is None


@pytest.mark.parametrize(
    ("name", "code"),
    [("NATO", "IGOWSTNAT"), ("U.N.", "IGOUNO"), ("United Nations", "IGOUNO"), ("european union", "IGOEUREEC"),
     ("EU", "IGOEUREEC"), ("IAEA", "IGOUNOIAE"), ("WHO", "IGOUNOHLHWHO"), ("Red Cross", "NGOHLHIRC")],
)  # fmt: skip
def test_organisations(name: str, code: str) -> None:
    org = sectors.organisation(name)
    assert org is not None and org.code == code


@pytest.mark.parametrize("name", ["who", "un", "eu", "", "Nowhere League"])
def test_organisation_misses(name: str) -> None:
    assert sectors.organisation(name) is None


def test_split_code() -> None:
    assert sectors.split_code("prkgovmil") == ("PRK", "GOV", "MIL")


def test_igo_codes_appear_in_petrarch(shared_data: Path) -> None:
    text = (shared_data / "dictionaries" / "petrarch2" / "Phoenix.International.actors.txt").read_text(
        encoding="utf-8", errors="replace"
    )
    used = set(re.findall(r"\[([A-Z]+)", text))
    for s in sectors.all():
        if s.kind in ("igo", "ngo"):
            assert s.code in used, s.code
    agents = (shared_data / "dictionaries" / "petrarch2" / "Phoenix.agents.txt").read_text(
        encoding="utf-8", errors="replace"
    )
    agent_codes = set(re.findall(r"\[~([A-Z]{3})", agents))
    roles = {s.code for s in sectors.all() if s.kind in ("role", "sector")}
    assert roles & agent_codes >= {"GOV", "MIL", "REB", "OPP", "COP", "JUD", "SPY", "MED", "BUS", "CVL"}
