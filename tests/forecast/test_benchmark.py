"""Smoke test of benchmarks/forecast/tkg.py on a tiny hand-built dataset: one JSON line with the contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_tkg_benchmark_prints_one_json_line(tmp_path: Path):
    d = tmp_path / "toy"
    d.mkdir()
    rows = [f"{i % 3}\t{i % 2}\t{3 + i % 3}\t{t}" for t in range(20) for i in range(3)]
    (d / "train.txt").write_text("\n".join(rows[:36]) + "\n")
    (d / "valid.txt").write_text("\n".join(rows[36:48]) + "\n")
    (d / "test.txt").write_text("\n".join(rows[48:]) + "\n")
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "forecast" / "tkg.py"), "--single", "--datasets", "toy",
         "--models", "recurrency", "--data", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout.strip().splitlines()
    assert len(out) == 1
    res = json.loads(out[0])
    assert res["dataset"] == "toy" and res["model"] == "recurrency"
    assert 0 < res["mrr"] <= 1 and "valid" in res["settings"] and res["peak_rss_mb"] > 0
