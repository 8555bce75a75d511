from __future__ import annotations

from redline.knowledge.redlines import Trigger, check, load_red_lines


def test_nuclear_test_crosses_chinas_line() -> None:
    res = check(Trigger("PRK", "nuclear_test", "PRK"), load_red_lines(), actor="CHN")
    crossed = [c.line.id for c in res if c.crossed]
    assert crossed == ["chn-korea-no-nukes"]


def test_troops_abroad_cross_no_line_and_say_why() -> None:
    res = check(Trigger("PRK", "use_force", "RUS", "UKR"), load_red_lines(), actor="CHN")
    assert res and not any(c.crossed for c in res)
    war = next(c for c in res if c.line.id == "chn-korea-no-war")
    assert any("outside korean_peninsula" in r for r in war.reasons)


def test_war_on_the_peninsula_crosses() -> None:
    res = check(Trigger("USA", "use_force", "PRK"), load_red_lines(), actor="CHN")
    assert [c.line.id for c in res if c.crossed] == ["chn-korea-no-war"]


def test_every_line_has_sources() -> None:
    assert all(ln.sources and ln.sources[0].startswith("http") for ln in load_red_lines())
