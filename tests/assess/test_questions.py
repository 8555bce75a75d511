from __future__ import annotations

import datetime as dt

import pytest

from redline.assess.questions import parse_question, parse_spec, question_to_dict
from redline.errors import QuestionError

AS_OF = dt.date(2024, 11, 25)


def test_sanctions_before_date() -> None:
    pq = parse_question("Will China impose sanctions on North Korea before 2025-06-30?", AS_OF)
    q = pq.question
    assert (q.actor, q.target) == ("CHN", "PRK")
    assert q.start == AS_OF and q.end == dt.date(2025, 6, 29)
    assert "163" in q.event_codes and pq.classes == ("sanctions",)


def test_mutual_summit_in_year() -> None:
    pq = parse_question("Will Russia and North Korea hold a summit in 2025?", AS_OF)
    assert pq.mutual and pq.question.start == dt.date(2025, 1, 1) and pq.question.end == dt.date(2025, 12, 31)
    assert set(pq.question.event_codes) == {"042", "043", "044"}


def test_punitive_within_months_of_date() -> None:
    pq = parse_question(
        "Will China take punitive measures - sanctions, reduced relations or coercion - against North Korea "
        "within 6 months of 2024-11-25?",
        dt.date(2030, 1, 1),
    )
    q = pq.question
    assert pq.classes == ("punitive",)
    assert q.start == dt.date(2024, 11, 25) and q.end == dt.date(2025, 5, 24)
    assert set(q.event_codes) == {"16", "17", "1312"}


def test_trigger_clause_is_parsed() -> None:
    pq = parse_question("Will China punish North Korea by 2025-03-01 after North Korea sends troops to Russia?", AS_OF)
    assert pq.trigger is not None
    assert (pq.trigger.actor, pq.trigger.event_class, pq.trigger.place) == ("PRK", "military_support", "RUS")
    assert question_to_dict(pq)["trigger"]["place"] == "RUS"


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("Will China do something to North Korea in 2025?", "which kind of event"),
        ("Will China sanction North Korea?", "time window"),
        ("Will China sanction Narnia in 2025?", "two countries"),
        ("China sanctions North Korea in 2025", "yes/no question"),
    ],
)
def test_errors_name_what_was_not_understood(text: str, msg: str) -> None:
    with pytest.raises(QuestionError, match=msg):
        parse_question(text, AS_OF)


def test_json_spec() -> None:
    pq = parse_spec(
        '{"actor": "China", "target": "PRK", "event_class": "sanctions", "start": "2025-01-01", '
        '"days": 30, "trigger": {"actor": "PRK", "event_class": "nuclear_test", "place": "PRK"}}'
    )
    assert pq.question.end == dt.date(2025, 1, 30) and pq.trigger is not None
    with pytest.raises(QuestionError, match="lacks target"):
        parse_spec({"actor": "CHN", "event_class": "sanctions", "days": 3})
    with pytest.raises(QuestionError, match="unknown event class"):
        parse_spec({"actor": "CHN", "target": "PRK", "event_class": "hug", "days": 3})
