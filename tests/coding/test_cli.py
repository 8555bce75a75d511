"""``redline code`` and ``redline coder train`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from redline.cli import main


def test_code_jsonl_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str], coder: Any) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "d1", "text": "Chile criticized Peru. Chile did not attack Peru.", "date": "2020-05-01"}\n')
    main(["code", str(f)])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1
    rec = lines[0]
    for k in (
        "doc_id",
        "sentence_index",
        "text",
        "source",
        "target",
        "cameo",
        "plover",
        "mode",
        "quad_class",
        "goldstein",
        "date",
        "location",
        "confidence",
        "span",
    ):
        assert k in rec
    assert rec["doc_id"] == "d1" and rec["source"] == "CHL" and rec["target"] == "PER" and rec["quad_class"] == 3
    main(["code", str(f), "--all"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["asserted"] for x in lines] == [True, False]


def test_code_bad_date_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.txt"
    f.write_text("x")
    with pytest.raises(SystemExit) as e:
        main(["code", str(f), "--date", "yesterday"])
    assert e.value.code == 2 and "error:" in capsys.readouterr().err


def test_coder_train_writes_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "t.tsv"
    p.write_text("Troops attacked the town.\t4\nThe leaders met.\t1\n" * 6)
    main(
        [
            "coder",
            "train",
            str(p),
            "--format",
            "conflibert",
            "--labels",
            "quad5",
            "--out",
            str(tmp_path / "m"),
            "--no-rules",
            "--c",
            "2",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 12 and (tmp_path / "m" / "weights.npz").exists()
