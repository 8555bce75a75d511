from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from redline.assess.answer import Context, answer
from redline.assess.questions import parse_question, with_trigger
from redline.errors import QuestionError
from redline.forecast.questions import default_weights
from redline.knowledge import TreatyBook, Trigger, load_red_lines
from redline.store import Store
from tests.conftest import make_event

AS_OF = dt.date(2024, 11, 25)


def _ctx(store: Store | None = None) -> Context:
    return Context(
        as_of=AS_OF,
        store=store,
        treaties=TreatyBook.load(atop=False),
        lines=load_red_lines(),
        weights=default_weights(),
    )


def _store(tmp_path: Path, n_recent: int) -> Store:
    st = Store.open(str(tmp_path / "s.duckdb"))
    evs = []
    # a busy background so the class rate has dyads to count
    pairs = [
        ("USA", "RUS"),
        ("RUS", "USA"),
        ("CHN", "USA"),
        ("USA", "CHN"),
        ("JPN", "CHN"),
        ("KOR", "PRK"),
        ("PRK", "KOR"),
        ("RUS", "UKR"),
        ("UKR", "RUS"),
    ]
    for i in range(600):
        a, b = pairs[i % len(pairs)]
        d = AS_OF - dt.timedelta(days=1 + (i * 7) % 700)
        evs.append(make_event(f"bg{i}", d.isoformat(), a, b, "042" if i % 3 else "111", 1, 1.9))
    for i in range(n_recent):
        d = AS_OF - dt.timedelta(days=3 + 9 * i)
        evs.append(make_event(f"cp{i}", d.isoformat(), "CHN", "PRK", "163", 4, -8.0))
    st.ingest_events(evs, dataset="test", origin="test")
    return st


def test_history_raises_probability_when_punishment_is_routine(tmp_path: Path) -> None:
    q = parse_question("Will China impose sanctions on North Korea in the next 30 days?", AS_OF)
    st = _store(tmp_path, n_recent=10)
    busy = answer(q, _ctx(st))
    st.close()
    (tmp_path / "b").mkdir()
    st2 = _store(tmp_path / "b", n_recent=0)
    quiet = answer(q, _ctx(st2))
    st2.close()
    assert busy.forecast.probability > quiet.forecast.probability
    kinds = {e.kind for e in busy.forecast.evidence}
    assert {"model", "red_line", "treaty", "dependence", "trend", "precedent"} <= kinds
    assert all(e.citation for e in busy.forecast.evidence if e.weight)
    json.dumps(busy.to_json())  # serialisable


def test_red_line_crossing_raises_and_non_crossing_lowers() -> None:
    q = parse_question("Will China impose sanctions on North Korea in the next 60 days?", AS_OF)
    base = answer(q, _ctx()).forecast.probability
    nuke = answer(with_trigger(q, Trigger("PRK", "nuclear_test", "PRK")), _ctx()).forecast.probability
    troops = answer(with_trigger(q, Trigger("PRK", "military_support", "RUS", "UKR")), _ctx())
    assert nuke > base > troops.forecast.probability
    ent = [e for e in troops.forecast.evidence if e.kind == "treaty" and "entrapped" in e.summary]
    assert ent and "not entrapped" in ent[0].summary


def test_same_actor_and_target_is_an_error() -> None:
    q = parse_question("Will China impose sanctions on North Korea in the next 60 days?", AS_OF)
    bad = type(q)(
        question=type(q.question)(
            **{
                **{f: getattr(q.question, f) for f in ("actor", "event_codes", "start", "end")},
                "target": "CHN",
            }
        ),
        classes=q.classes,
    )
    with pytest.raises(QuestionError):
        answer(bad, _ctx())
