"""Coder training: corpus formats, the numpy model, save/load, and --model in the coder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redline.coding.train import LinearTextModel, choose, parse_sentences, read_corpus, train
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
    m = train(xs, ys, space, c=10.0, parse_weight=0.0)
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


def test_coder_reuses_its_parse_for_parse_features(tmp_path: Path, coder: Any, monkeypatch: Any) -> None:
    """A model with parse features reads the coder's own parse: a second spaCy pass would fail here."""
    import redline.coding.train as tr
    from redline.coding.pipeline import Coder

    xs, ys, space = read_corpus(corpus(tmp_path), "conflibert")
    train(xs, ys, space, c=10.0, parse_weight=0.7, parses=parse_sentences(xs, coder.nlp)).save(tmp_path / "m")
    c2 = Coder.load(model=tmp_path / "m", nlp=coder.nlp)

    def no_second_parse(*a: Any, **k: Any) -> Any:
        raise AssertionError("parsed the sentence a second time")

    monkeypatch.setattr(tr, "parse_sentences", no_second_parse)
    evs = c2.code_text("Chile criticized Peru.")
    assert evs and evs[0].provenance.model == "redline.linear"


def test_parse_tokens(coder: Any) -> None:
    (p,) = parse_sentences(["The army did not attack the town."], coder.nlp)
    assert {"__p_root_attack", "__p_dobj_attack_town", "__p_vo_attack_town", "__p_rootneg", "__p_neg"} <= set(p)
    (q,) = parse_sentences(["Rebels may shell the village."], coder.nlp)
    assert "__p_rootmodal_may" in q and "__p_rootneg" not in q


def test_parse_features_saved_and_used(tmp_path: Path, coder: Any) -> None:
    xs, ys, space = read_corpus(corpus(tmp_path), "conflibert")
    m = train(xs, ys, space, c=10.0, parse_weight=0.7, parses=parse_sentences(xs, coder.nlp))
    assert m.parse_weight == 0.7 and any(t.startswith("__p_root_") for t in m.vocab)
    m.save(tmp_path / "m")
    m2 = LinearTextModel.load(tmp_path / "m")
    s = ["The minister praised the talks.", "Rebels shelled the village."]
    ps = parse_sentences(s, coder.nlp)
    assert m2.parse_weight == 0.7 and np.allclose(m.predict_proba(s, None, ps), m2.predict_proba(s, None, ps))
    assert m2.predict(s, None, ps) == ["verbal_cooperation", "material_conflict"]
    # the parse block changes the scores; a model saved before parse features reads words only
    assert not np.allclose(m.predict_proba(s, None, ps), m.predict_proba(s, None, [[], []]))
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    del meta["parse_weight"]
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    assert LinearTextModel.load(tmp_path / "m").parse_weight == 0.0


def test_choose_shrinks_rules_within_one_standard_error() -> None:
    table = [
        {"c": 4.0, "rule_weight": 0.25, "f1": 0.90, "se": 0.01},
        {"c": 16.0, "rule_weight": 0.25, "f1": 0.915, "se": 0.01},
        {"c": 16.0, "rule_weight": 1.0, "f1": 0.92, "se": 0.01},
        {"c": 16.0, "rule_weight": 2.0, "f1": 0.91, "se": 0.01},
    ]
    assert choose(table) == table[1]
    table.append({"c": 4.0, "rule_weight": 0.25, "f1": 0.912, "se": 0.01})  # same weight, smaller C: more regular
    assert choose(table) == table[-1]
    table[2]["se"] = 0.001  # a clear winner is kept
    assert choose(table) == table[2]
