from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from redline.report.brief import EXAMPLE_ARTICLE, evidence_figure, infer_question, make_brief, render_html


def test_infer_question_from_punish_sentence() -> None:
    pq, text = infer_question("Why China has few reasons to punish North Korea now.", dt.date(2025, 1, 1))
    assert (pq.question.actor, pq.question.target) == ("CHN", "PRK") and "punitive" in pq.classes
    assert "within 6 months of 2025-01-01" in text


def _history(n: int = 24) -> list:  # type: ignore[type-arg]
    """Monthly CHN-PRK events before the example's as-of date, so the brief has a dyad series to draw."""
    from redline.records import Event, Provenance

    out = []
    for i in range(n):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=30 * i)
        s, t = ("CHN", "PRK") if i % 2 else ("PRK", "CHN")
        out.append(Event(event_id=f"h{i}", date=day, source=s, target=t, cameo="042" if i % 3 else "112",
                         quad_class=1 if i % 3 else 3, goldstein=1.9 if i % 3 else -2.0, source_country=s,
                         target_country=t, provenance=Provenance(dataset="hist")))
    return out


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script[^>]{0,200}>", page)


def test_brief_on_the_example_article(tmp_path: Path) -> None:
    from redline.store import Store

    path = tmp_path / "s.duckdb"
    with Store.open(path) as st:
        st.ingest_events(_history(), dataset="hist", origin="tests")
    out = tmp_path / "brief.html"
    res = make_brief(
        EXAMPLE_ARTICLE.read_text(encoding="utf-8"),
        doc_id="example",
        out=out,
        as_of=dt.date(2025, 1, 15),
        store_path=str(path),
        data=None,
    )
    page = out.read_text(encoding="utf-8")
    assert "<h2>Evidence</h2>" in page and "Claims in the article" in page and "contradicted" in page
    # one copy of plotly.js, inlined (the file opens offline), then the charts as plotly figures
    # (plain booleans: pytest's report on a 5 MB string takes minutes)
    once = page.count("plotly.js v") == 1
    assert once and not any("src=" in s for s in _scripts(page))
    rest = page[: page.index("<script")] + page[page.index("</script>"):]  # the page less plotly.js itself
    offline = "http" not in rest.split("<body>")[0] and "data:image/png" not in rest
    assert offline
    charts = 'id="evidence-chart"' in rest and 'id="dyad-chart"' in rest
    assert charts
    dashboard_figure = "events by month (store)" in rest and '"verbal coop"' in rest
    assert dashboard_figure
    s = res["summary"]
    assert 0.0 < s["probability"] < 1.0
    assert s["claims"]["contradicted"] >= 1 and s["claims"]["supported"] >= 3
    assert any("Claims:" in line for line in res["terminal"])


def test_brief_uses_an_open_store_the_caller_holds(tmp_path: Path) -> None:
    """A process holding the store for writing (the service) passes it: no second open, and it stays open."""
    from redline.errors import StoreError
    from redline.store import Store

    path = tmp_path / "held.duckdb"
    st = Store.open(path)
    try:
        st.ingest_events(_history(), dataset="hist", origin="tests")
        with pytest.raises(StoreError):  # what opening by path meets while the file is held (other process)
            import subprocess
            import sys

            code = f"from redline.store import Store; Store.open({str(path)!r}, read_only=True)"
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise StoreError(done.stderr[-200:])
        out = tmp_path / "b.html"
        res = make_brief(EXAMPLE_ARTICLE.read_text(encoding="utf-8"), doc_id="example", out=out,
                         as_of=dt.date(2025, 1, 15), store=st, ingest=False)
        drawn = 'id="dyad-chart"' in out.read_text(encoding="utf-8")
        assert drawn and res["summary"]["stored"] == 0
        assert int(st.sql("SELECT count(*) AS n FROM events")["n"].iloc[0]) == len(_history())  # still open
    finally:
        st.close()


def test_render_html_without_a_dyad_series() -> None:
    ans = {"question": {"text": "Will X?", "label": "punitive", "actor": "CHN", "target": "PRK",
                        "event_codes": ["163"], "start": "2025-01-01", "end": "2025-06-30"},
           "probability": 0.2, "base_rate": 0.1, "history_probability": 0.15, "evidence": [], "method": "m",
           "moves": {"history:recent": 0.4, "treaty": -0.7, "tiny": 0.0}}
    fig = evidence_figure(ans)
    assert list(fig.data[0].y) == ["history: recent", "treaty"] and list(fig.data[0].x) == [0.4, -0.7]
    page = render_html("T", ans, {"claims": [], "counts": {}}, [], None, "<div id='e'></div>", {}, plotly_js="")
    assert "No events for this dyad" in page and "<div id='e'></div>" in page
