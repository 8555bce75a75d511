"""The data commands as a user runs them: real subprocess for errors, CliRunner for the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.store import Store
from tests.conftest import make_event

runner = CliRunner()


@pytest.fixture
def store_file(tmp_store_path: Path) -> str:
    evs = [
        make_event("1", "2024-01-03", "CHNGOV", "PRK", "036", 1, 4.0, plover="AGREE"),
        make_event("2", "2024-02-20", "PRK", "CHN", "042", 1, 1.9, plover="CONSULT"),
        make_event("3", "2024-03-21", "CHN", "PRK", "163", 4, -8.0, plover="COERCE"),
        make_event("4", "2024-03-22", "USA", "CHN", "111", 3, -2.0, plover="ACCUSE"),
    ]
    with Store.open(tmp_store_path) as st:
        st.ingest_events(evs, dataset="test", origin="mem")
    return str(tmp_store_path)


def test_store_info_json(store_file: str) -> None:
    res = runner.invoke(app, ["store", "info", "--store", store_file, "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["events"] == 4 and info["datasets"][0]["dataset"] == "test"


def test_dyad_table_csv_and_plot(store_file: str, tmp_path: Path) -> None:
    png = tmp_path / "d.png"
    csv = tmp_path / "d.csv"
    res = runner.invoke(app, ["dyad", "CHN", "PRK", "--store", store_file, "--by", "month", "--plot", str(png),
                              "--out", str(csv)])
    assert res.exit_code == 0, res.output
    assert "3 events over 3 periods" in res.output
    assert png.stat().st_size > 1000
    assert list(pd.read_csv(csv)["events"]) == [1, 1, 1]


def test_events_filters_json(store_file: str) -> None:
    res = runner.invoke(app, ["events", "--store", store_file, "--dyad", "CHN,PRK", "--code", "16", "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [r["cameo"] for r in rows] == ["163"]


def test_panel_and_export(store_file: str, tmp_path: Path) -> None:
    out = tmp_path / "panel.parquet"
    res = runner.invoke(app, ["panel", "--store", store_file, "--by", "year", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 3
    exp = tmp_path / "ev.csv"
    res = runner.invoke(app, ["export", str(exp), "--store", store_file, "--actor", "USA"])
    assert res.exit_code == 0 and "1 events" in res.output


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "redline.cli", *args], capture_output=True, text=True)


def test_user_errors_are_one_line_without_traceback(tmp_path: Path, store_file: str) -> None:
    bad = _cli("dyad", "CHN", "PRK", "--store", store_file, "--by", "fortnight")
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error:") and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    missing = _cli("store", "info", "--store", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "no store here" in missing.stderr
    unknown = _cli("ingest", "nosuchreader", "x", "--store", str(tmp_path / "s.duckdb"))
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_sources_lists_registered_readers() -> None:
    res = runner.invoke(app, ["sources"])
    assert res.exit_code == 0
    for name in ("gdelt.v1", "gdelt.v2", "icews", "tkg", "jsonl", "csv"):
        assert name in res.output
