from __future__ import annotations

from redline.coding.lexicon import class_of_code, default_lexicon, generic_code
from redline.ontology import cameo


def test_every_pattern_code_is_valid_cameo() -> None:
    lex = default_lexicon()
    assert len(lex.patterns) > 250
    for code in lex.patterns.values():
        assert cameo.is_valid(code), code


def test_most_specific_pattern_wins() -> None:
    lex = default_lexicon()
    assert lex.lookup("V", "send", [], "troop") == ("074", 2)
    assert lex.lookup("V", "send", [("back", "")], "worker") == ("174", 2)
    assert lex.lookup("V", "decline", [], "", "comment") == ("011", 2)
    assert lex.lookup("V", "visit", [], "") == ("042", 0)
    assert lex.lookup("V", "frobnicate", [], "") is None


def test_classes() -> None:
    assert [class_of_code(c) for c in ("010", "042", "074", "111", "190")] == [0, 1, 2, 3, 4]
    assert [class_of_code(generic_code(k)) for k in range(5)] == [0, 1, 2, 3, 4]
