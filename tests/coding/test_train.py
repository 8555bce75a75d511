"""Coder training: corpus formats, the numpy model, save/load, and --model in the coder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redline.coding.train import LinearTextModel, read_corpus, train
from redline.errors import CodingError, SourceError

SENTS = [
    ("Troops attacked the village and killed ten people.", 4),
    ("Rebels shelled the town overnight.", 4),
    ("The minister praised the agreement with its neighbour.", 1),
    ("Leaders met to discuss cooperation.", 1),
    ("The government sent food aid to the region.", 2),
    ("The bank lent money to the country.", 2),
    ("The president condemned the decision.", 3),
    ("Officials accused the neighbour of lying.", 3),
    ("The spokesman said the talks were going on.", 0),
    ("The ministry stated its position on the issue.", 0),
]


def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "train.tsv"
    p.write_text("".join(f"{s}\t{y}\n" for s, y in SENTS * 3))
    return p


def test_conflibert_format_and_errors(tmp_path: Path) -> None:
    xs, ys, space = read_corpus(corpus(tmp_path), "conflibert")
    assert len(xs) == 30 and space == "quad5" and ys[0] == "material_conflict"
    bad = tmp_path / "bad.tsv"
    bad.write_text("a sentence\t9\n")
    with pytest.raises(SourceError, match="bad.tsv:1"):
        read_corpus(bad, "conflibert")
    with pytest.raises(CodingError):
        read_corpus(bad, "nope")


def test_plover_and_jsonl_formats(tmp_path: Path) -> None:
    p = tmp_path / "p.json"
    p.write_text(
        json.dumps(
            [
                {"text": "Troops attacked.", "event_type": "ASSAULT"},
                {"text": "They met.", "event_type": "CONSULT"},
            ]
        )
    )
    xs, ys, space = read_corpus(p, "plover", labels="native")
    assert space == "plover" and ys == ["ASSAULT", "CONSULT"]
    xs, ys, space = read_corpus(p, "plover", labels="quad5")
    assert space == "quad5" and ys == ["material_conflict", "verbal_cooperation"]
    j = tmp_path / "r.jsonl"
    j.write_text('{"text": "They met.", "cameo": "040"}\n{"text": "Troops attacked.", "cameo": "190"}\n')
    xs, ys, space = read_corpus(j, "jsonl", labels="native")
    assert space == "root" and ys == ["04", "19"]


def test_train_save_load_round_trip(tmp_path: Path) -> None:
    xs, ys, space = read_corpus(corpus(tmp_path), "conflibert")
    m = train(xs, ys, space, c=10.0)
    assert m.predict(["Troops attacked the town."]) == ["material_conflict"]
    m.save(tmp_path / "m")
    assert sorted(f.name for f in (tmp_path / "m").iterdir()) == ["model.json", "weights.npz"]
    m2 = LinearTextModel.load(tmp_path / "m")
    s = ["The minister praised the talks.", "Rebels shelled the village."]
    assert np.allclose(m.predict_proba(s), m2.predict_proba(s))
    with pytest.raises(CodingError):
        LinearTextModel.load(tmp_path)


def test_coder_uses_trained_model(tmp_path: Path, coder: Any) -> None:
    from redline.coding.pipeline import Coder

    xs, ys, space = read_corpus(corpus(tmp_path), "conflibert")
    train(xs, ys, space, c=10.0).save(tmp_path / "m")
    c2 = Coder.load(model=tmp_path / "m", nlp=coder.nlp)
    evs = c2.code_text("Chile criticized Peru.")
    assert evs and evs[0].provenance.model == "redline.linear"
