from __future__ import annotations

import datetime as dt
from pathlib import Path

from redline.report.brief import EXAMPLE_ARTICLE, infer_question, make_brief


def test_infer_question_from_punish_sentence() -> None:
    pq, text = infer_question("Why China has few reasons to punish North Korea now.", dt.date(2025, 1, 1))
    assert (pq.question.actor, pq.question.target) == ("CHN", "PRK") and "punitive" in pq.classes
    assert "within 6 months of 2025-01-01" in text


def test_brief_on_the_example_article(tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    res = make_brief(
        EXAMPLE_ARTICLE.read_text(encoding="utf-8"),
        doc_id="example",
        out=out,
        as_of=dt.date(2025, 1, 15),
        store_path=str(tmp_path / "s.duckdb"),
        data=None,
    )
    page = out.read_text(encoding="utf-8")
    assert "<h2>Evidence</h2>" in page and "data:image/png;base64," in page
    assert "Claims in the article" in page and "contradicted" in page
    s = res["summary"]
    assert 0.0 < s["probability"] < 1.0
    assert s["claims"]["contradicted"] >= 1 and s["claims"]["supported"] >= 3
    assert any("Claims:" in line for line in res["terminal"])
