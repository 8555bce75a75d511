from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from redline.errors import SourceError
from redline.knowledge.trade import TradeBook, _load_user, directed_from_cow


def _book() -> TradeBook:
    cow = pd.DataFrame(
        {
            "ccode1": [710, 710, 731],
            "ccode2": [731, 732, 732],
            "year": [2010] * 3,
            "flow1": [10.0, 100.0, 1.0],
            "flow2": [30.0, -9.0, 3.0],
        }
    )
    return TradeBook(directed_from_cow(cow))


def test_share_uses_both_directions_and_drops_missing() -> None:
    b = _book()
    s = b.share(731, 710, 2010)
    assert s is not None
    # DPRK: with China 30 + 10 = 40, with ROK 1 + 3 = 4 -> 40 / 44
    assert s.share == pytest.approx(40 / 44)
    c = b.share(710, 731, 2010)
    assert c is not None and c.share == pytest.approx(40 / 140)  # -9 (missing) dropped


def test_user_series_rejects_bad_share(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("reporter,partner,year,share\nPRK,CHN,2024,1.5\n")
    with pytest.raises(SourceError, match="0..1"):
        _load_user(p)


def test_cow_dprk_china_share_rises(shared_data: Path) -> None:
    b = TradeBook.load(shared_data)
    s = b.series("PRK", "CHN", 2005, 2014)
    assert s["share"].iloc[-1] > s["share"].iloc[0] > 0.2
    assert b.last_cow_year == 2014
    curated = b.share("PRK", "CHN", 2023)
    assert curated is not None and curated.origin == "curated"
