"""Dyad panels and series over hand-built events, from a DataFrame and from a store alike."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from redline.errors import RedlineError
from redline.indicators import dyad_series, panel, plot_dyad
from redline.store import Store
from tests.conftest import make_event


@pytest.fixture
def events() -> list:
    return [
        make_event("1", "2024-01-03", "CHNGOV", "PRK", "036", 1, 4.0, plover="CONSULT"),
        make_event("2", "2024-01-20", "PRK", "CHN", "042", 1, 1.9, plover="CONSULT"),
        make_event("3", "2024-01-21", "CHN", "PRK", "163", 4, -8.0, plover="SANCTION"),
        make_event("4", "2024-03-02", "CHN", "PRK", "111", 3, -2.0, plover="ACCUSE"),
        make_event("5", "2024-03-05", "USA", "CHN", "111", 3, -2.0, plover="ACCUSE"),
    ]


@pytest.fixture
def store(tmp_store_path: Path, events: list) -> Store:
    st = Store.open(tmp_store_path)
    st.ingest_events(events, dataset="test", origin="mem")
    return st


def test_directed_panel_counts(store: Store) -> None:
    df = panel(store, by="month")
    row = df[(df.source == "CHN") & (df.target == "PRK") & (pd.to_datetime(df.period) == "2024-01-01")].iloc[0]
    assert row.events == 2 and row.verbal_coop == 1 and row.material_conflict == 1
    assert row.goldstein_sum == pytest.approx(-4.0)
    assert row.goldstein_mean == pytest.approx(-2.0)
    assert row.balance == pytest.approx(0.0)
    assert row.plover_consult == 1 and row.plover_sanction == 1
    assert len(df) == 4  # CHN->PRK Jan, PRK->CHN Jan, CHN->PRK Mar, USA->CHN Mar


def test_undirected_panel_merges_directions(store: Store) -> None:
    df = panel(store, by="month", directed=False)
    jan = df[(df.source == "CHN") & (df.target == "PRK") & (pd.to_datetime(df.period) == "2024-01-01")].iloc[0]
    assert jan.events == 3


def test_panel_from_dataframe_equals_panel_from_store(store: Store) -> None:
    frame = store.events()
    a = panel(store, by="week").reset_index(drop=True)
    b = panel(frame, by="week").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_dyad_series_fills_quiet_periods_and_trends(store: Store) -> None:
    s = dyad_series(store, "CHN", "PRK", by="month", rolling=2)
    assert [str(p) for p in s.period] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert list(s.events) == [3, 0, 1]
    assert math.isnan(s.goldstein_mean.iloc[1])
    assert s.goldstein_mean.iloc[0] == pytest.approx((4.0 + 1.9 - 8.0) / 3)
    assert s.trend.iloc[2] == pytest.approx(-2.0)  # rolling mean skips the empty month
    directed = dyad_series(store, "PRK", "CHN", by="month", directed=True)
    assert int(directed.events.sum()) == 1


def test_dyad_series_by_actor_prefix(store: Store) -> None:
    s = dyad_series(store, "CHNGOV", "PRK", by="year", directed=True)
    assert int(s.events.sum()) == 1


def test_unknown_period_is_a_clear_error(store: Store) -> None:
    with pytest.raises(RedlineError, match="unknown period"):
        panel(store, by="fortnight")


def test_plots_write_png_and_html(store: Store, tmp_path: Path) -> None:
    s = dyad_series(store, "CHN", "PRK")
    png = plot_dyad(s, tmp_path / "p.png", "CHN-PRK")
    html = plot_dyad(s, tmp_path / "p.html", "CHN-PRK")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = html.read_text()
    assert "plotly" in text and "cdn.plot.ly" not in text.split("<script")[1][:200]
    with pytest.raises(RedlineError):
        plot_dyad(s, tmp_path / "p.jpg", "x")
