"""One process, one DuckDB database: reads on cursors in parallel, writes one at a time.

DuckDB lets one process open a file for writing (and other processes none). The service holds that one
connection; each request gets its own cursor (a connection to the same database instance, safe to use from its
own thread), so reads run side by side and see each commit of the upload ingest (MVCC). Writes take a lock.

Without a write token the service cannot write, so it opens the file read-only: other read-only processes (a CLI
``redline ask`` for instance) can then open the same file alongside it.

Results that only depend on the stored events (dyad series, partners, actor lists) are cached per *generation*:
every finished write bumps the generation, which retires all earlier entries.

Dyad series scan every event of the store. The handle can keep a *dyad index*: a copy of the few columns a dyad
series reads, sorted by country pair, in a private temporary DuckDB file; DuckDB then skips the row groups of
other countries. The index is rebuilt in the background after each write and used only while it matches the
current generation, so a series computed from it equals one computed from the store (the tests check both).
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from redline.errors import StoreError

__all__ = ["StoreHandle", "ResultCache", "DyadIndex"]

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


class DyadIndex:
    """The columns dyad series read, sorted by (source country, target country, date), in a temporary file."""

    COLUMNS = ("date", "source_country", "target_country", "source_actor", "target_actor", "quad_class",
               "goldstein", "plover", "asserted")

    def __init__(self, con: Any, folder: str, generation: int, rows: int) -> None:
        self.con, self.folder, self.generation, self.rows = con, folder, generation, rows

    @classmethod
    def build(cls, store: Any, generation: int) -> DyadIndex:
        """Copy from ``store`` (a Store on a cursor: one consistent snapshot) into a fresh temporary file."""
        import duckdb

        folder = tempfile.mkdtemp(prefix="redline-dyads-")
        try:
            con = duckdb.connect(str(Path(folder) / "dyads.duckdb"))
            con.execute("SET preserve_insertion_order = true")
            reader = store.con.execute(
                f"SELECT {', '.join(cls.COLUMNS)} FROM events ORDER BY source_country, target_country, date"
            ).to_arrow_reader(100_000)
            con.register("incoming", reader)
            con.execute("CREATE TABLE events AS SELECT * FROM incoming")
            con.unregister("incoming")
            con.execute("CHECKPOINT")
            row = con.execute("SELECT count(*) FROM events").fetchone()
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        # should the process end without closing the handle, the temporary copy still goes
        atexit.register(shutil.rmtree, folder, True)
        return cls(con, folder, generation, int(row[0]) if row else 0)

    @contextmanager
    def reader(self) -> Iterator[Any]:
        """An object with ``con`` (a cursor on the index): what ``dyad_series`` accepts as its source."""
        cur = self.con.cursor()
        try:
            yield _Source(cur)
        finally:
            cur.close()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class _Source:
    def __init__(self, con: Any) -> None:
        self.con = con


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
        self._index: DyadIndex | None = None
        self._index_lock = threading.Lock()  # one build at a time
        self.index_enabled = False
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
                if self.index_enabled:
                    self.refresh_index_in_background()

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.cache.get_or_compute((self.generation, key), compute)

    # -- dyad index -------------------------------------------------------------------------------------
    def enable_index(self, *, background: bool = True) -> None:
        self.index_enabled = True
        if background:
            self.refresh_index_in_background()
        else:
            self.refresh_index()

    def refresh_index_in_background(self) -> threading.Thread:
        t = threading.Thread(target=self.refresh_index, name="redline-dyad-index", daemon=True)
        t.start()
        return t

    def refresh_index(self) -> None:
        """(Re)build the index for the current generation, unless one for it exists already."""
        with self._index_lock:
            gen = self.generation
            if self._closed or (self._index is not None and self._index.generation == gen):
                return
            try:
                with self.reader() as st:
                    fresh = DyadIndex.build(st, gen)
            except Exception:  # an optimisation only: series are then computed from the store
                log.exception("building the dyad index failed")
                return
            old, self._index = self._index, fresh
            if old is not None:  # let queries still running on the old index finish first
                timer = threading.Timer(60.0, old.close)
                timer.daemon = True
                timer.start()
            log.info("dyad index: %d events (generation %d)", fresh.rows, gen)

    def dyad_index(self) -> DyadIndex | None:
        """The index when it matches the store as it is now, else None."""
        idx = self._index
        return idx if idx is not None and idx.generation == self.generation else None

    def close(self) -> None:
        """Close the store and remove the index's temporary file (safe to call twice)."""
        with self._index_lock:
            if self._closed:
                return
            self._closed = True
            if self._index is not None:
                self._index.close()
                self._index = None
        self._store.close()
