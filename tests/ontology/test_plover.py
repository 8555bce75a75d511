"""PLOVER types and the CAMEO -> PLOVER map: the API, and agreement with ../shared/data/cameo."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from redline.errors import OntologyError
from redline.ontology import cameo, plover

QUADS = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
    "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}  # fmt: skip


def test_sixteen_types_with_quads() -> None:
    ts = plover.types()
    assert len(ts) == 16
    assert {t.name: t.quad_class for t in ts} == QUADS
    assert all(t.definition for t in ts)
    assert "visit" in plover.lookup("consult").modes
    assert plover.lookup("ASSAULT").modes.count("drone") == 1
    assert plover.get("NOPE") is None and not plover.is_valid("NOPE")
    with pytest.raises(OntologyError):
        plover.lookup("STATEMENT")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0234", ("REQUEST", "assist")),  # CAMEO 02 appeals: redline's addition, parallel to 10x
        ("026", ("REQUEST", "meet")),
        ("1822", ("ASSAULT", "torture")),
        ("163", ("COERCE", "restrict")),
        ("08", ("CONCEDE", "")),  # root 08 is listed twice in the 2021 map; the first (CONCEDE) wins
        ("0871", ("RETREAT", "ceasefire")),
        ("1724", ("COERCE", "curfew")),  # map says martial-law; codebook files martial law under curfew
        ("085", ("RETREAT", "")),  # map's "ease" is no longer a PLOVER mode
        ("042", ("CONSULT", "visit")),
        ("2042", ("ASSAULT", "unconventional")),
    ],
)
def test_from_cameo(code: str, expected: tuple[str, str]) -> None:
    assert plover.from_cameo(code) == expected


def test_statements_have_no_plover_type() -> None:
    for c in ["01", "010", "019"]:
        assert plover.from_cameo(c) is None
        assert plover.mapping(c) is None


def test_unknown_codes_raise() -> None:
    with pytest.raises(OntologyError):
        plover.from_cameo("999")
    with pytest.raises(OntologyError):
        plover.from_cameo(42)  # type: ignore[arg-type]


def test_every_code_outside_statements_maps_to_a_valid_type_and_mode() -> None:
    for c in cameo.all_codes():
        got = plover.from_cameo(c.code)
        if c.root == "01":
            assert got is None
            continue
        assert got is not None, c.code
        ptype, mode = got
        assert mode == "" or mode in plover.lookup(ptype).modes, (c.code, ptype, mode)


def test_fallback_to_three_digit_then_root(monkeypatch: pytest.MonkeyPatch) -> None:
    m = plover.PloverMapping
    table = {
        "19": m("19", "ASSAULT", "", "", (), "map"),
        "193": m("193", "ASSAULT", "firearms", "firearms", (), "map"),
    }
    monkeypatch.setattr(plover, "_map", lambda: table)
    assert plover.from_cameo("193") == ("ASSAULT", "firearms")
    assert plover.from_cameo("196") == ("ASSAULT", "")  # no 196 entry: root 19
    assert plover.mapping("196") is table["19"]


def test_reverse_map() -> None:
    codes = plover.cameo_codes_for("assault")
    assert {"18", "190", "2042", "1712"} <= set(codes)
    assert "010" not in codes
    assert plover.cameo_codes_for("REQUEST", "meet") == ("026", "027", "028", "106", "107", "108")


# ---- agreement with the shared PLOVER files


def _shared_map(path: Path) -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"(\d+):\s*(.*)$", line)
        if not m:
            continue
        parts = [p.strip() for p in m.group(2).split("#", 1)[0].split(",")]
        parts += [""] * (3 - len(parts))
        context = ";".join(x.strip() for x in ",".join(parts[2:]).split(";") if x.strip())
        out.setdefault(m.group(1), (parts[0], parts[1], context))
    return out


def test_map_agrees_with_shared(shared_data: Path) -> None:
    shared = _shared_map(shared_data / "cameo" / "CAMEO2PLOVER-2021.txt")
    assert len(shared) > 250
    for code, (ptype, raw_mode, context) in shared.items():
        m = plover.mapping(code)
        assert m is not None and m.cameo == code and m.origin == "map", code
        assert (m.plover_type, m.map_mode, ";".join(m.context)) == (ptype, raw_mode, context), code
    added = {c.code for c in cameo.all_codes() if c.code not in shared and plover.mapping(c.code) is not None}
    # redline's only additions are the CAMEO 02 appeals, and they say so
    assert added and all(c.startswith("02") for c in added)
    assert all(plover.mapping(c).origin == "redline" for c in added)  # type: ignore[union-attr]


def test_types_and_modes_agree_with_codebook(shared_data: Path) -> None:
    modes: dict[str, set[str]] = {}
    with (shared_data / "cameo" / "PLOVER_structured_codebook.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            modes.setdefault(row["event"].strip(), set())
            if row["mode"].strip():
                modes[row["event"].strip()].add(row["mode"].strip())
    assert set(modes) == set(plover.names())
    for t in plover.types():
        assert set(t.modes) == modes[t.name], t.name
    # the map uses only the 16 current types
    shared = _shared_map(shared_data / "cameo" / "CAMEO2PLOVER-2021.txt")
    assert {v[0] for v in shared.values()} <= set(plover.names())
