"""Smoke tests of the coding benchmarks' readers on tiny hand-made files (the runs live in benchmarks/)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "coding"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_gsr_records(tmp_path: Path) -> None:
    f = tmp_path / "gsr.xml"
    f.write_text(
        '<Sentences>\n<Sentence category="X" date="20080804" id="A_1" evaluate="true"/>\n'
        '<EventCoding eventcode="042" sourcecode="USA" targetcode="CHN" />\n<Text>\nThe US leader\nvisited.\n</Text>\n'
        '<Sentence category="X" date="20080805" id="A_2" evaluate="true"/>\n<EventCoding noevents="True" />\n'
        "<Text>Nothing.</Text>\n"
    )
    recs = load("petr2_gsr").records(f)
    assert [(r[0], r[2], r[3]) for r in recs] == [
        ("A_1", "The US leader visited.", {("USA", "CHN", "04")}),
        ("A_2", "Nothing.", set()),
    ]


def test_bio_reader(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("NATO B-S\nsaid O\nSerbian B-T\narmy I-T\n\nA B-S\n")
    sents = load("conflibert_ner").read_bio(f)
    assert sents[0][1] == {"S": {(0, 1)}, "T": {(2, 4)}}
    assert sents[1][1] == {"S": {(0, 1)}, "T": set()}
