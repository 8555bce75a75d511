"""The Dask panel over partitioned Parquet agrees with the DuckDB panel, number for number."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from redline.indicators import panel as duck_panel
from redline.scale import export_partitioned
from redline.scale import panel as dask_panel
from redline.store import Store
from tests.conftest import make_event

CODES = [("036", 1, 4.0, "AGREE"), ("061", 2, 6.4, "COOPERATE"), ("111", 3, -2.0, "ACCUSE"),
         ("190", 4, -10.0, "ASSAULT"), ("042", 1, 1.9, "CONSULT")]


@pytest.fixture
def store(tmp_store_path: Path) -> Store:
    rng = random.Random(3)
    evs = []
    for i in range(600):
        a, b = rng.sample(["CHN", "PRK", "USA", "RUS"], 2)
        code, quad, gs, pl = rng.choice(CODES)
        evs.append(make_event(str(i), f"{rng.randint(2019, 2021)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                              a, b, code, quad, gs, plover=pl))
    st = Store.open(tmp_store_path)
    st.ingest_events(evs, dataset="test", origin="mem")
    return st


@pytest.mark.parametrize("by,directed", [("month", True), ("week", False), ("year", True)])
def test_dask_panel_matches_duckdb(store: Store, tmp_path: Path, by: str, directed: bool) -> None:
    n = export_partitioned(store, tmp_path / "parts")
    assert n == 600
    assert len(list((tmp_path / "parts").glob("year=*"))) == 3
    ours = dask_panel(tmp_path / "parts", by=by, directed=directed, scheduler="synchronous")
    ref = duck_panel(store, by=by, directed=directed)
    cols = list(ref.columns)
    ours = ours[cols].sort_values(["source", "target", "period"]).reset_index(drop=True)
    ref = ref.sort_values(["source", "target", "period"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, ref, check_dtype=False, check_exact=False, rtol=1e-9)
