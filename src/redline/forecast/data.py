"""Temporal knowledge graph datasets: ``s r o t`` id quadruples (RE-GCN layout) read into numpy arrays.

A dataset folder holds ``train.txt``, ``valid.txt``, ``test.txt`` (tab or space separated ids, an optional fifth
column ignored; any split may be missing or empty), plus ``entity2id.txt`` and ``relation2id.txt`` (``name<TAB>id``).
Times are mapped to integer steps: ``(t - t0) // granularity`` where the granularity is the greatest common
divisor of the gaps between distinct timestamps (24 for ICEWS18's hours, 1 for ICEWS14's days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from math import gcd
from pathlib import Path

import numpy as np

from redline.errors import SourceError

__all__ = ["TKG", "load_tkg", "from_quads", "with_inverse", "split_by_time"]

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class TKG:
    """A temporal knowledge graph with its splits; each split is an ``(n, 4)`` int64 array ``s, r, o, t``.

    ``t`` is a step index (0 = first timestamp). ``num_relations`` counts the original relations only; inverse
    relations (``r + num_relations``) answer subject queries.
    """

    name: str
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    num_entities: int
    num_relations: int
    entity_names: tuple[str, ...] = field(default=(), repr=False)
    relation_names: tuple[str, ...] = field(default=(), repr=False)
    granularity: int = 1
    time_origin: int = 0

    def all_facts(self) -> np.ndarray:
        return np.concatenate([self.train, self.valid, self.test])

    def entity(self, i: int) -> str:
        return self.entity_names[i] if i < len(self.entity_names) else str(i)

    def relation(self, r: int) -> str:
        """Name of relation ``r``; inverse relations read ``inverse of NAME``."""
        base = r % self.num_relations if self.num_relations else r
        name = self.relation_names[base] if base < len(self.relation_names) else str(base)
        return name if r < self.num_relations else f"inverse of {name}"


def _read_quads(path: Path) -> np.ndarray:
    if not path.exists() or path.stat().st_size == 0:
        return np.zeros((0, 4), dtype=np.int64)
    import pandas as pd

    try:  # fast path; any problem falls through to the line-by-line reader, which names the bad line
        frame = pd.read_csv(path, sep=r"\s+", header=None, usecols=[0, 1, 2, 3], dtype=np.int64, engine="c")
        arr = frame.to_numpy(dtype=np.int64)
        if (arr[:, :3] >= 0).all():
            return arr
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        pass
    return _read_quads_slow(path)


def _read_quads_slow(path: Path) -> np.ndarray:
    rows: list[list[int]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 4:
                raise SourceError(f"expected 4 columns 's r o t', got {len(parts)}", path=str(path), line=lineno)
            try:
                rows.append([int(parts[0]), int(parts[1]), int(parts[2]), int(parts[3])])
            except ValueError as exc:
                raise SourceError(f"non-integer id or time: {line.strip()!r}", path=str(path), line=lineno) from exc
    if not rows:
        return np.zeros((0, 4), dtype=np.int64)
    arr = np.asarray(rows, dtype=np.int64)
    if (arr[:, :3] < 0).any():
        bad = int(np.nonzero((arr[:, :3] < 0).any(axis=1))[0][0])
        raise SourceError("negative id", path=str(path), line=bad + 1)
    return arr


def _read_names(path: Path) -> dict[int, str]:
    names: dict[int, str] = {}
    if not path.exists():
        return names
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            name, sep, idx = line.rpartition("\t")
            if not sep:
                name, _, idx = line.rpartition(" ")
            try:
                names[int(idx)] = name
            except ValueError as exc:
                raise SourceError(f"expected 'name<TAB>id', got {line!r}", path=str(path), line=lineno) from exc
    return names


def from_quads(
    train: np.ndarray,
    valid: np.ndarray | None = None,
    test: np.ndarray | None = None,
    *,
    name: str = "tkg",
    num_entities: int | None = None,
    num_relations: int | None = None,
    entity_names: dict[int, str] | None = None,
    relation_names: dict[int, str] | None = None,
) -> TKG:
    """Build a :class:`TKG` from raw quadruples (times in any integer unit; mapped to steps)."""
    empty = np.zeros((0, 4), dtype=np.int64)
    parts = [np.asarray(x, dtype=np.int64).reshape(-1, 4) if x is not None else empty for x in (train, valid, test)]
    allq = np.concatenate(parts)
    times = np.unique(allq[:, 3])
    t0 = int(times[0]) if len(times) else 0
    gaps = np.diff(times)
    gran = int(reduce(gcd, (int(g) for g in gaps), 0)) if len(gaps) else 1
    gran = max(gran, 1)
    out = []
    for p in parts:
        q = p.copy()
        q[:, 3] = (q[:, 3] - t0) // gran
        out.append(q)
    ne_data = int(max(allq[:, 0].max(initial=-1), allq[:, 2].max(initial=-1))) + 1
    nr_data = int(allq[:, 1].max(initial=-1)) + 1
    en = entity_names or {}
    rn = relation_names or {}
    ne = max(num_entities or 0, ne_data, (max(en) + 1) if en else 0)
    nr = max(num_relations or 0, nr_data, (max(rn) + 1) if rn else 0)
    return TKG(
        name=name,
        train=out[0],
        valid=out[1],
        test=out[2],
        num_entities=ne,
        num_relations=nr,
        entity_names=tuple(en.get(i, str(i)) for i in range(ne)),
        relation_names=tuple(rn.get(i, str(i)) for i in range(nr)),
        granularity=gran,
        time_origin=t0,
    )


def load_tkg(path: str | Path) -> TKG:
    """Read a TKG folder. Raises :class:`SourceError` when it holds no facts at all or a line is malformed."""
    root = Path(path)
    if not root.is_dir():
        raise SourceError("not a directory", path=str(root))
    splits = {s: _read_quads(root / f"{s}.txt") for s in SPLITS}
    if sum(len(v) for v in splits.values()) == 0:
        raise SourceError("no facts: train.txt, valid.txt and test.txt are all missing or empty", path=str(root))
    return from_quads(
        splits["train"],
        splits["valid"],
        splits["test"],
        name=root.name,
        entity_names=_read_names(root / "entity2id.txt"),
        relation_names=_read_names(root / "relation2id.txt"),
    )


def with_inverse(quads: np.ndarray, num_relations: int) -> np.ndarray:
    """Append the inverse of each fact: ``(o, r + num_relations, s, t)``."""
    inv = quads[:, [2, 1, 0, 3]].copy()
    inv[:, 1] += num_relations
    return np.concatenate([quads, inv])


def split_by_time(quads: np.ndarray, valid_from: int, test_from: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split facts into train (t < valid_from), valid (valid_from <= t < test_from) and test (t >= test_from)."""
    t = quads[:, 3]
    return quads[t < valid_from], quads[(t >= valid_from) & (t < test_from)], quads[t >= test_from]
