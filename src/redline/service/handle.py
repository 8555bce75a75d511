"""One process, one DuckDB database: reads on cursors in parallel, writes one at a time.

DuckDB lets one process open a file for writing (and other processes none). The service holds that one
connection; each request gets its own cursor (a connection to the same database instance, safe to use from its
own thread), so reads run side by side and see each commit of the upload ingest (MVCC). Writes take a lock.

Without a write token the service cannot write, so it opens the file read-only: other read-only processes (a CLI
``redline ask`` for instance) can then open the same file alongside it.

Results that only depend on the stored events (dyad series, partners, actor lists) are cached per *generation*:
every finished write bumps the generation, which retires all earlier entries.

Country dyad series come from :class:`redline.service.dyads.DyadDays`, an in-memory copy of the store's own
``dyad_days`` summary (kept by every ingest), loaded once per generation on first use.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from redline.errors import StoreError

__all__ = ["StoreHandle", "ResultCache"]

T = TypeVar("T")
log = logging.getLogger("redline.service")


class ResultCache:
    """A small thread-safe LRU cache keyed by (generation, key)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Event] = {}
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value, or compute it; concurrent callers of the same missing key wait for one computation
        (single flight) instead of each running the same query."""
        if self.size <= 0:
            return compute()
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    self.hits += 1
                    return self._data[key]  # type: ignore[no-any-return]
                waiting = self._inflight.get(key)
                if waiting is None:
                    mine = self._inflight[key] = threading.Event()
                    self.misses += 1
                    break
            waiting.wait()  # another thread computes it; then look again (it may have failed)
        try:
            value = compute()
            with self._lock:
                self._data[key] = value
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            mine.set()

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class StoreHandle:
    """The service's store: one DuckDB connection, a cursor per request, one writer at a time."""

    def __init__(self, path: str | Path, *, writable: bool, cache_size: int = 512) -> None:
        from redline.store import Store

        self.path = str(path)
        self.writable = writable
        if not writable and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no store here (build one with `redline ingest` or `make demo`, "
                             "or start the service with a write token to create it)")
        self._store = Store.open(self.path, read_only=not writable)
        self._write_lock = threading.Lock()
        self._gen_lock = threading.Lock()
        self.generation = 0
        self.cache = ResultCache(cache_size)
        self._summary: tuple[int, Any] | None = None
        self._summary_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._closed = False

    @contextmanager
    def reader(self) -> Iterator[Any]:
        """A Store on a fresh cursor (its own connection to the shared database)."""
        from redline.store import Store

        cur = self._store.con.cursor()
        try:
            yield Store(cur, self.path)
        finally:
            cur.close()

    @contextmanager
    def writer(self) -> Iterator[Any]:
        """A Store for writing; one writer at a time. The generation moves on when it is done."""
        from redline.store import Store

        if not self.writable:
            raise StoreError(f"{self.path}: the store is open read-only")
        with self._write_lock:
            cur = self._store.con.cursor()
            try:
                yield Store(cur, self.path)
            finally:
                cur.close()
                with self._gen_lock:
                    self.generation += 1
                self.cache.clear()

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.cache.get_or_compute((self.generation, key), compute)

    def summary(self) -> Any:
        """The store's dyad-day summary in memory (a :class:`~redline.service.dyads.DyadDays`) for the current
        generation, loaded on first use; None when the store keeps none (a v1 file opened read-only)."""
        gen = self.generation
        held = self._summary
        if held is not None and held[0] == gen:
            return held[1]
        with self._summary_lock:  # one load at a time; the others wait for it
            held = self._summary
            if held is None or held[0] != gen:
                from .dyads import DyadDays

                try:
                    with self.reader() as st:
                        table = DyadDays.load(st.con)
                except Exception:  # an optimisation only: series are then read from the store
                    log.exception("loading the dyad-day summary failed")
                    table = None
                held = self._summary = (gen, table)
            return held[1]

    def close(self) -> None:
        """Close the store (safe to call twice)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._store.close()
