from __future__ import annotations

import datetime as dt
from pathlib import Path

from redline.assess.claims import Claim, Sources, check_text, extract_claims, judge, split_sentences
from redline.knowledge import TradeBook, TreatyBook

AS_OF = dt.date(2025, 1, 15)


def test_split_sentences_keeps_wrapped_lines_together() -> None:
    text = "Title line?\n\nFirst sentence runs\nover two lines. Second one.\n\n“Quoted” third."
    assert split_sentences(text) == [
        "Title line?",
        "First sentence runs over two lines.",
        "Second one.",
        "“Quoted” third.",
    ]


def _kinds(text: str) -> list[str]:
    return [c.kind for c in extract_claims(split_sentences(text))]


def test_extracts_the_common_claim_kinds() -> None:
    assert _kinds("In 2010, 55% of Japanese trade involved China.") == ["trade_share"]
    assert "no_alliance" in _kinds("Japan does not have an alliance treaty with China.")
    assert "treaty_scope" in _kinds(
        "Japan keeps ties, and its alliance treaty with the United States only covers the 'Pacific'."
    )
    assert _kinds("China has not sought to punish North Korea for the launch.") == ["has_not"]
    assert _kinds("Will China punish North Korea?") == []


def _src(**kw: object) -> Sources:
    return Sources(as_of=AS_OF, treaties=TreatyBook.load(atop=False), **kw)  # type: ignore[arg-type]


def test_curated_treaty_claims_are_judged() -> None:
    ok = judge(Claim("s", 0, "treaty_obligation", {"a": "RUS", "b": "PRK"}), _src())
    assert ok.verdict == "supported" and "Article 4" in ok.evidence
    scope = judge(Claim("s", 0, "treaty_scope", {"a": "CHN", "b": "PRK", "location": "Far East"}), _src())
    assert scope.verdict == "contradicted" and scope.citation
    none = judge(Claim("s", 0, "no_alliance", {"a": "CHN", "b": "RUS"}), _src())
    assert none.verdict == "supported"
    wrong = judge(Claim("s", 0, "no_alliance", {"a": "CHN", "b": "PRK"}), _src())
    assert wrong.verdict == "contradicted"


def test_red_line_claims() -> None:
    claims = extract_claims(
        split_sentences(
            "China's policy is no war, no instability, no nukes. A missile launch by North Korea would not violate "
            "China's red line on nuclear tests."
        )
    )
    judged = [judge(c, _src()) for c in claims]
    assert [c.verdict for c in judged] == ["supported", "supported"]
    bad = extract_claims(split_sentences("A nuclear test by North Korea would not cross China's red line."))
    assert judge(bad[0], _src()).verdict == "contradicted"


def test_has_not_without_store_is_unverifiable() -> None:
    c = judge(Claim("s", 0, "has_not", {"actor": "CHN", "target": "PRK", "class": "punitive"}), _src())
    assert c.verdict == "unverifiable"


def test_trade_share_against_cow(shared_data: Path) -> None:
    src = _src(trade=TradeBook.load(shared_data))
    good = judge(Claim("s", 0, "trade_share", {"reporter": "PRK", "partner": "CHN", "share": 0.79, "year": 2014}), src)
    bad = judge(Claim("s", 0, "trade_share", {"reporter": "PRK", "partner": "CHN", "share": 0.40, "year": 2014}), src)
    gone = judge(Claim("s", 0, "trade_share", {"reporter": "PRK", "partner": "CHN", "share": 0.9, "year": 2019}), src)
    assert (good.verdict, bad.verdict, gone.verdict) == ("supported", "contradicted", "unverifiable")


def test_check_text_end_to_end_without_coder(shared_data: Path) -> None:
    text = (
        "Importantly, China does not have an alliance treaty with Russia and its alliance treaty with North "
        "Korea only covers the 'Far East'. In 2014, 79% of North Korean trade involved China."
    )
    res = check_text(text, as_of=AS_OF, data=shared_data, use_coder=False)
    verdicts = {c["kind"]: c["verdict"] for c in res["claims"]}
    assert verdicts == {"no_alliance": "supported", "treaty_scope": "contradicted", "trade_share": "supported"}


def test_quantity_and_dated_event_against_the_timeline(shared_data: Path) -> None:
    from redline.knowledge.korea import load_timeline

    src = _src(timeline=load_timeline(shared_data))
    src.as_of = dt.date(2024, 11, 25)
    q = judge(Claim("s", 0, "quantity", {"value": 10000, "unit": "troops"}), src)
    assert q.verdict == "supported" and q.citation.startswith("http")
    odd = judge(Claim("s", 0, "quantity", {"value": 123456, "unit": "troops"}), src)
    assert odd.verdict == "unverifiable"
    visit = judge(
        Claim("s", 0, "dated_event", {"source": "PRK", "target": "RUS", "cameo": "042", "date": "2024-11-10"}), src
    )
    assert visit.verdict == "supported" and "timeline" in visit.evidence
