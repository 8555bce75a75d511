"""The assess CLI contracts: ask, backtest, check (JSON keys from ARCHITECTURE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app

runner = CliRunner()


def _json(args: list[str]) -> dict:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_ask_json_contract(tmp_path: Path) -> None:
    # without a store file the answer still comes, from knowledge and fitted class rates
    res = runner.invoke(
        app,
        [
            "ask",
            "Will China impose sanctions on North Korea before 2025-06-30?",
            "--as-of",
            "2024-11-25",
            "--trigger",
            "North Korea sends troops to Russia",
            "--json",
        ],
        env={"REDLINE_STORE": str(tmp_path / "absent.duckdb")},
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert {"probability", "question", "evidence", "method"} <= set(out)
    assert 0 < out["probability"] < 1
    assert out["question"]["actor"] == "CHN" and out["question"]["target"] == "PRK"
    for e in out["evidence"]:
        assert {"kind", "direction", "weight", "summary", "citation"} <= set(e)
    kinds = {e["kind"] for e in out["evidence"]}
    assert {"base_rate", "model", "red_line", "treaty", "dependence", "trend", "precedent"} <= kinds


def test_ask_spec_file_and_errors(tmp_path: Path) -> None:
    spec = tmp_path / "q.json"
    spec.write_text(
        json.dumps(
            {
                "actor": "RUS",
                "target": "PRK",
                "event_class": "summit",
                "start": "2025-01-01",
                "end": "2025-12-31",
                "mutual": True,
            }
        )
    )
    res = runner.invoke(
        app,
        ["ask", "--spec", str(spec), "--as-of", "2024-12-31", "--json"],
        env={"REDLINE_STORE": str(tmp_path / "absent.duckdb")},
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1])["question"]["mutual"] is True
    bad = runner.invoke(app, ["ask", "Will China sanction North Korea?", "--json"])
    assert bad.exit_code != 0


def _toy_tkg(d: Path) -> Path:
    d.mkdir()
    (d / "entity2id.txt").write_text("China\t0\nNorth Korea\t1\nRussia\t2\nGovernment (Japan)\t3\n")
    (d / "relation2id.txt").write_text("Make statement\t0\nConsult\t1\nCriticize or denounce\t2\n")
    rows = []
    for day in range(0, 200):
        t = day * 24
        if day % 3 == 0:
            rows.append(f"0\t1\t1\t{t}")
        if day % 7 == 0:
            rows.append(f"2\t2\t3\t{t}")
        if day % 11 == 0:
            rows.append(f"1\t0\t2\t{t}")
        if 50 < day < 120 and day % 2 == 0:
            rows.append(f"3\t2\t0\t{t}")
    (d / "train.txt").write_text("\n".join(rows) + "\n")
    return d


def test_backtest_json_contract(tmp_path: Path) -> None:
    out = _json(
        [
            "backtest",
            str(_toy_tkg(tmp_path / "toy")),
            "--window",
            "20",
            "--step",
            "5",
            "--min-history",
            "40",
            "--png",
            str(tmp_path / "cal.png"),
            "--json",
        ]
    )
    assert {"n", "brier", "brier_base_rate", "brier_skill", "log_loss", "ece", "seconds"} <= set(out)
    assert out["n"] > 0 and (tmp_path / "cal.png").stat().st_size > 1000


def test_check_json_contract(tmp_path: Path, shared_data: Path) -> None:
    art = tmp_path / "a.txt"
    art.write_text(
        "China does not have an alliance treaty with Russia. In 2014, 79% of North Korean trade involved China."
    )
    res = runner.invoke(
        app,
        ["check", str(art), "--as-of", "2024-11-25", "--data", str(shared_data), "--json"],
        env={"REDLINE_STORE": str(tmp_path / "absent.duckdb")},
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    claims = out["claims"]
    assert {"text", "claim", "verdict", "evidence", "citation"} <= set(claims[0])
    assert [c["verdict"] for c in claims if c["kind"] != "dated_event"] == ["supported", "supported"]


@pytest.mark.parametrize("arg", ["--classes", "--calibration"])
def test_backtest_rejects_bad_options(tmp_path: Path, arg: str) -> None:
    res = runner.invoke(app, ["backtest", str(_toy_tkg(tmp_path / "toy")), arg, "nonsense", "--json"])
    assert res.exit_code != 0
