"""English number words shared by the coder (quantities, relative dates) and the question parser (windows)."""

from __future__ import annotations

__all__ = ["CARDINALS"]

#: one..ten; each user adds the words its context gives a meaning ("a", "dozens", "several", ...).
CARDINALS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
