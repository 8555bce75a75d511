"""A time-ordered index over facts, keyed by an integer (e.g. ``s * 2R + r``), answering "which facts with this
key happened strictly before time t" for many queries at once, without Python loops."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["FactIndex", "expand_ranges"]


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[start_i, start_i + count_i)`` return ``(owner, position)`` arrays, one row per element."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    if total == 0:
        return owner, np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - np.repeat(offsets, counts) + np.repeat(starts.astype(np.int64), counts)
    return owner, pos


class FactIndex:
    """Facts sorted by ``(key, time)``; ``payload`` columns travel with them."""

    def __init__(self, keys: np.ndarray, times: np.ndarray, **payload: np.ndarray) -> None:
        order = np.lexsort((times, keys))
        self.keys = np.ascontiguousarray(keys[order], dtype=np.int64)
        self.times = np.ascontiguousarray(times[order], dtype=np.int64)
        self.payload = {k: np.ascontiguousarray(v[order]) for k, v in payload.items()}
        self._span = int(self.times.max(initial=0)) + 2
        self._codes = self.keys * self._span + self.times

    def __len__(self) -> int:
        return len(self.keys)

    def ranges(self, qkeys: np.ndarray, qtimes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(start, count)`` of facts with each query's key and time < the query's time."""
        qk = np.asarray(qkeys, dtype=np.int64)
        qt = np.minimum(np.asarray(qtimes, dtype=np.int64), self._span - 1)
        start = np.searchsorted(self.keys, qk, side="left")
        end = np.searchsorted(self._codes, qk * self._span + qt, side="left")
        return start, np.maximum(end - start, 0)

    def gather(self, qkeys: np.ndarray, qtimes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(query_row, fact_position)`` for every fact with the query's key strictly before its time."""
        start, count = self.ranges(qkeys, qtimes)
        return expand_ranges(start, count)

    def gather_chunks(
        self, qkeys: np.ndarray, qtimes: np.ndarray, max_rows: int = 4_000_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Like :meth:`gather` but in pieces of at most ``max_rows`` rows (a single huge query stays whole).

        Yields ``(query_ids, query_row, fact_position)``: ``query_row`` indexes ``query_ids``.
        """
        start, count = self.ranges(qkeys, qtimes)
        n = len(start)
        lo = 0
        csum = np.cumsum(count)
        while lo < n:
            base = csum[lo - 1] if lo else 0
            hi = int(np.searchsorted(csum, base + max_rows, side="right"))
            hi = max(hi, lo + 1)
            hi = min(hi, n)
            owner, pos = expand_ranges(start[lo:hi], count[lo:hi])
            yield np.arange(lo, hi), owner, pos
            lo = hi
