from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import SourceError
from redline.forecast.data import load_tkg, split_by_time, with_inverse


def _write(d: Path, name: str, rows: list[str]) -> None:
    (d / name).write_text("".join(r + "\n" for r in rows), encoding="utf-8")


def test_hour_timestamps_map_to_steps_and_fifth_column_is_ignored(tmp_path: Path):
    _write(tmp_path, "train.txt", ["0\t0\t1\t0\t-1", "1\t1\t2\t24\t-1"])
    _write(tmp_path, "test.txt", ["0\t0\t2\t72\t-1"])
    _write(tmp_path, "entity2id.txt", ["A\t0", "B b\t1", "C\t2"])
    _write(tmp_path, "relation2id.txt", ["Make statement\t0", "Consult\t1"])
    ds = load_tkg(tmp_path)
    assert ds.granularity == 24
    assert ds.train[:, 3].tolist() == [0, 1] and ds.test[:, 3].tolist() == [3]
    assert len(ds.valid) == 0  # missing split is empty
    assert ds.entity_names == ("A", "B b", "C")
    assert ds.relation(1) == "Consult" and ds.relation(3) == "inverse of Consult"


def test_malformed_line_names_file_and_line(tmp_path: Path):
    _write(tmp_path, "train.txt", ["0\t0\t1\t0", "0\t0\tx\t1"])
    with pytest.raises(SourceError, match=r"train.txt:2"):
        load_tkg(tmp_path)


def test_all_splits_empty_is_an_error(tmp_path: Path):
    _write(tmp_path, "train.txt", [])
    with pytest.raises(SourceError, match="no facts"):
        load_tkg(tmp_path)


def test_inverse_and_split_by_time():
    q = np.array([[0, 1, 2, 5]])
    assert with_inverse(q, 3).tolist() == [[0, 1, 2, 5], [2, 4, 0, 5]]
    facts = np.array([[0, 0, 1, t] for t in range(6)])
    tr, va, te = split_by_time(facts, 2, 4)
    assert (len(tr), len(va), len(te)) == (2, 2, 2)


def test_icews14_loads(shared_data: Path):
    ds = load_tkg(shared_data / "tkg" / "ICEWS14")
    assert (len(ds.train), len(ds.valid), len(ds.test)) == (74845, 8514, 7371)
    assert ds.num_entities == 7128 and ds.num_relations == 230
    assert ds.train[:, 3].max() < ds.valid[:, 3].min() <= ds.valid[:, 3].max() < ds.test[:, 3].min()
