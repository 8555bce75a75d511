"""`redline forecast evaluate|predict|models` end to end on toy data, and a smoke run on an ICEWS14 slice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from redline.cli import main
from tests.conftest import make_event


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    main(argv)
    return capsys.readouterr().out


def _write_tkg(d: Path, splits: dict[str, np.ndarray]) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, arr in splits.items():
        (d / f"{name}.txt").write_text("".join("\t".join(map(str, r)) + "\n" for r in arr.tolist()))
    (d / "entity2id.txt").write_text("".join(f"E{i}\t{i}\n" for i in range(6)))
    (d / "relation2id.txt").write_text("Consult\t0\nThreaten\t1\n")
    return d


def _toy_facts() -> np.ndarray:
    rows = [[i % 3, i % 2, 3 + i % 3, t] for t in range(30) for i in range(3)]
    return np.array(rows)


def test_models_lists_default_first(capsys):
    out = _run(capsys, ["forecast", "models"]).split()
    assert out[0] == "ensemble" and "recurrency" in out


def test_evaluate_json_contract_with_missing_valid(tmp_path: Path, capsys):
    f = _toy_facts()
    d = _write_tkg(tmp_path / "toy", {"train": f[f[:, 3] < 25], "test": f[f[:, 3] >= 25]})
    out = _run(capsys, ["forecast", "evaluate", str(d), "--model", "recurrency", "--json", "--no-progress",
                        "--config", '{"lam": 0.1, "alpha": 0.9}'])
    res = json.loads(out)
    assert {"mrr", "hits@1", "hits@3", "hits@10", "seconds", "model", "dataset"} <= set(res)
    assert res["model"] == "recurrency" and res["dataset"] == "toy"
    assert res["mrr"] > 0.9  # the toy graph repeats itself exactly


def test_evaluate_only_test_split_uses_nothing_before(tmp_path: Path, capsys):
    f = _toy_facts()
    d = _write_tkg(tmp_path / "only", {"test": f[f[:, 3] >= 25]})
    res = json.loads(_run(capsys, ["forecast", "evaluate", str(d), "-m", "recurrency", "--json", "--no-progress"]))
    assert 0 < res["mrr"] <= 1  # earlier test timestamps serve as history for later ones


def test_evaluate_bad_dir_is_one_line_error(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["forecast", "evaluate", str(tmp_path / "nope"), "--json"])
    assert exc.value.code == 2
    assert "not a directory" in capsys.readouterr().err


def test_icews14_slice_smoke(shared_data: Path, tmp_path: Path, capsys):
    from redline.forecast.data import load_tkg

    ds = load_tkg(shared_data / "tkg" / "ICEWS14")
    f = np.concatenate([ds.train, ds.valid, ds.test])
    f = f[(f[:, 3] >= 310) & (f[:, 3] < 330)]
    d = _write_tkg(tmp_path / "slice", {"train": f[f[:, 3] < 320], "valid": f[(f[:, 3] >= 320) & (f[:, 3] < 325)],
                                        "test": f[f[:, 3] >= 325]})
    cfg = '{"lambda_grid": [0.1, 1.0], "alpha_grid": [0.9, 0.999]}'
    res = json.loads(_run(capsys, ["forecast", "evaluate", str(d), "-m", "recurrency", "--json", "--no-progress",
                                   "--config", cfg]))
    assert res["n"] == 2 * int((f[:, 3] >= 325).sum())
    assert 0.2 < res["mrr"] < 0.6


def _store_with_history(path: Path) -> None:
    from redline.store import Store

    rows = []
    day = dt.date(2024, 1, 1)
    for d in range(120):
        date = (day + dt.timedelta(days=d)).isoformat()
        if d % 3 == 0:
            rows.append((date, "CHNGOV", "PRKGOV", "042", 1, 1.9))
        if d % 10 == 0:
            rows.append((date, "CHN", "PRK", "036", 1, 4.0))
        rows.append((date, "USA", "PRK", "112", 3, -2.0))
    events = [make_event(f"e{k}", *row) for k, row in enumerate(rows)]
    store = Store.open(str(path))
    try:
        store.ingest_events(events, dataset="test", origin="hand-built")
    finally:
        store.close()


def test_predict_on_store_ranks_codes_with_reasons(tmp_path: Path, capsys):
    path = tmp_path / "s.duckdb"
    _store_with_history(path)
    out = _run(capsys, ["forecast", "predict", "--store", str(path), "--source", "CHN", "--target", "PRK",
                        "--days", "30", "--model", "recurrency", "--json"])
    res = json.loads(out)
    codes = [c["code"] for c in res["codes"]]
    assert codes[0] == "042" and "036" in codes[:3]
    assert "112" not in codes[:2]  # what the USA does to PRK is not what China does
    first = res["codes"][0]
    assert any("fact" in r and r["fact"]["source"] == "CHN" for r in first["reasons"])
    # rich table output works too
    assert "042" in _run(capsys, ["forecast", "predict", "--store", str(path), "--source", "CHN", "--target", "PRK",
                                  "--model", "recurrency"])


def test_predict_unknown_actor_is_an_error(tmp_path: Path, capsys):
    path = tmp_path / "s.duckdb"
    _store_with_history(path)
    with pytest.raises(SystemExit):
        main(["forecast", "predict", "--store", str(path), "--source", "XXX", "--target", "PRK", "-m", "recurrency"])
    assert "XXX" in capsys.readouterr().err
