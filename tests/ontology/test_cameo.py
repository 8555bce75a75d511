"""CAMEO event codes: the API, and agreement with the public CAMEO tables in ../shared/data/cameo."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from redline.errors import OntologyError
from redline.ontology import cameo


def test_lookup_keeps_leading_zeros_and_fields() -> None:
    c = cameo.lookup("0231")
    assert c == cameo.CameoCode("0231", "Appeal for economic aid", "02", 3.4, 1, level=3, parent="023")
    assert cameo.lookup(" 010 ").code == "010"
    assert cameo.lookup("10").label == "DEMAND" and cameo.lookup("010").root == "01"


def test_codes_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        cameo.lookup("190").goldstein = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["", "0", "21", "999", "0000", "19a", "abc"])
def test_unknown_codes_raise(bad: str) -> None:
    with pytest.raises(OntologyError):
        cameo.lookup(bad)
    assert cameo.is_valid(bad) is False
    assert cameo.get(bad) is None


def test_integers_are_refused() -> None:
    with pytest.raises(OntologyError, match="leading zeros"):
        cameo.lookup(10)  # type: ignore[arg-type]
    assert cameo.is_valid(10) is False
    assert cameo.is_valid(None) is False


def test_counts_and_levels() -> None:
    codes = cameo.all_codes()
    assert len(codes) == 311
    assert len({c.code for c in codes}) == 311
    assert [r.code for r in cameo.roots()] == [f"{i:02d}" for i in range(1, 21)]
    for c in codes:
        assert c.level == len(c.code) - 1
        assert c.root == c.code[:2]
        if c.level > 1:
            assert c.parent == c.code[:-1] and cameo.is_valid(c.parent)
        assert -10.0 <= c.goldstein <= 10.0


@pytest.mark.parametrize(
    ("root", "quad"),
    [("01", 1), ("05", 1), ("06", 2), ("09", 2), ("10", 3), ("14", 3), ("15", 4), ("20", 4)],
)
def test_quad_class_follows_gdelt_roots(root: str, quad: int) -> None:
    assert cameo.quad_class(root) == quad
    for c in cameo.children(root, recursive=True):
        assert c.quad_class == quad


def test_helpers() -> None:
    assert cameo.root("1823") == "18"
    assert cameo.goldstein("19") == -10.0
    assert cameo.label("042") == "Make a visit"
    assert cameo.quad_label(4) == "material conflict"
    with pytest.raises(OntologyError):
        cameo.quad_label(5)
    assert [c.code for c in cameo.children("19")] == ["190", "191", "192", "193", "194", "195", "196"]
    assert [c.code for c in cameo.children("023")] == ["0231", "0232", "0233", "0234"]
    assert cameo.children("0231") == ()
    deep = [c.code for c in cameo.children("02", recursive=True)]
    assert "0231" in deep and "023" in deep and "02" not in deep
    with pytest.raises(OntologyError):
        cameo.children("99")


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Threaten", "130"),  # the 3-digit "x0" code wins over the root
        ("Make_statement", "010"),
        ("make statement, not specified below", "010"),
        ("Use conventional military force", "190"),
        ("Make an appeal or request", "020"),  # ICEWS wording
        ("Meet at a 'third' location", "044"),
        ("Demand that target yields", "105"),
        ("Demand mediation", "108"),
        ("Conduct suicide, car, or other non military bombing", "183"),
    ],
)
def test_find_by_label(label: str, code: str) -> None:
    c = cameo.find(label)
    assert c is not None and c.code == code


@pytest.mark.parametrize("label", ["", "Bake a cake", "Threaten to bake"])
def test_find_misses(label: str) -> None:
    assert cameo.find(label) is None


def test_labels_and_variants_are_unambiguous() -> None:
    keys: dict[str, str] = {}
    for c in cameo.all_codes():
        k = cameo._label_key(c.label)
        if k in keys:  # only a root and its "x0" code may share a label
            assert {c.code, keys[k]} == {c.root, c.root + "0"}, (c.code, keys[k])
        keys.setdefault(k, c.code)
    from redline.ontology._tables import read_table

    for row in read_table("cameo_label_variants.tsv"):
        assert cameo.is_valid(row["code"])
        assert cameo._label_key(row["label"]) not in keys, row  # a variant never shadows a table label


def test_import_is_cheap_and_lazy() -> None:
    code = (
        "import sys, redline.ontology as o; "
        "assert o.cameo._table.cache_info().currsize == 0; "
        "assert o.countries._rows.cache_info().currsize == 0; "
        "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ---- agreement with the shared CAMEO tables


def _pairs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return dict(tuple(p.strip() for p in line.split("\t")) for line in lines if line.strip())  # type: ignore[misc]


# The labels redline corrects, with the shared file's wording (whitespace aside, all others agree exactly).
CORRECTED = {
    "033": "Express intent to provide matyerial aid, not specified below",
    "044": "Meet at a \u00d2hird\u00d3location",
    "101": "Demand information, investigation",
    "105": "Demand mediation",
    "106": "Demand withdrawal",
    "107": "Demand ceasefire",
    "108": "Demand meeting, negotiation",
    "2041": "Use chemical, biological, or radiologicalweapons",
}


def test_codes_and_labels_agree_with_shared(shared_data: Path) -> None:
    shared = {
        k: " ".join(v.split()) for k, v in _pairs(shared_data / "cameo" / "CAMEO.eventcodes.txt").items()
    }
    ours = {c.code: c.label for c in cameo.all_codes()}
    assert set(ours) == set(shared)
    differ = {k for k in ours if ours[k] != shared[k]}
    assert differ == set(CORRECTED)
    assert all(shared[k] == v for k, v in CORRECTED.items())


def test_every_icews_relation_name_resolves(shared_data: Path) -> None:
    for name in ("ICEWS14", "ICEWS18"):
        lines = (shared_data / "tkg" / name / "relation2id.txt").read_text(encoding="utf-8").splitlines()
        rels = [line.rsplit("\t", 1)[0] for line in lines if line.strip()]
        assert len(rels) > 200
        missing = [r for r in rels if cameo.find(r) is None]
        assert not missing, (name, missing)


def test_goldstein_agrees_with_shared(shared_data: Path) -> None:
    shared = {k: float(v) for k, v in _pairs(shared_data / "cameo" / "CAMEO.goldsteinscale.txt").items()}
    ours = {c.code: c.goldstein for c in cameo.all_codes()}
    assert ours == shared
