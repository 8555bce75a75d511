"""The embedded event store: one DuckDB file.

Ingest is batched and atomic per batch: a batch's events, its quarantined rows and its ledger entry commit in one
transaction, so a crash leaves only whole batches and a re-run skips them (resume). Running the same ingest twice
adds nothing: whole batches already in the ledger are skipped, and events whose ``event_id`` is already stored are
counted as duplicates (anti-join), never inserted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from redline.errors import SourceError, StoreError
from redline.records import Document, Event, Reject

from .schema import EVENT_TABLE_COLUMNS, SCHEMA_VERSION, dyad_day_upsert, migrate

__all__ = ["Store", "IngestReport", "default_store_path"]

_COLS = [name for name, _ in EVENT_TABLE_COLUMNS]
_INSERT_COLS = ", ".join(_COLS)

Progress = Callable[[str, int], None]

#: DuckDB's buffer-manager limit unless --memory-limit / $REDLINE_MEMORY_LIMIT says otherwise.
DEFAULT_MEMORY_LIMIT = "1GB"


def default_store_path() -> Path:
    """$REDLINE_STORE, else ``redline.duckdb`` in the user data directory."""
    env = os.environ.get("REDLINE_STORE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("redline")) / "redline.duckdb"


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did. ``read`` = ``stored`` + ``duplicates`` + ``quarantined``."""

    dataset: str
    read: int
    stored: int
    duplicates: int
    quarantined: int
    seconds: float
    run_id: int = 0
    batches: int = 0
    skipped_batches: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __add__(self, other: IngestReport) -> IngestReport:
        return IngestReport(
            dataset=self.dataset,
            read=self.read + other.read,
            stored=self.stored + other.stored,
            duplicates=self.duplicates + other.duplicates,
            quarantined=self.quarantined + other.quarantined,
            seconds=self.seconds + other.seconds,
            run_id=self.run_id or other.run_id,
            batches=self.batches + other.batches,
            skipped_batches=self.skipped_batches + other.skipped_batches,
        )


def fingerprint(location: str) -> str:
    """A cheap content fingerprint: size plus hashes of the first and last MiB (files), or the URL itself."""
    p = Path(location)
    h = hashlib.blake2b(digest_size=16)
    if p.is_file():
        size = p.stat().st_size
        h.update(str(size).encode())
        with p.open("rb") as f:
            h.update(f.read(1 << 20))
            if size > 2 << 20:
                f.seek(-(1 << 20), os.SEEK_END)
                h.update(f.read(1 << 20))
        return h.hexdigest()
    if p.is_dir():
        for child in sorted(p.iterdir()):
            if child.is_file():
                h.update(child.name.encode())
                h.update(fingerprint(str(child)).encode())
        return h.hexdigest()
    h.update(location.encode())
    return h.hexdigest()


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Store:
    """A DuckDB event store. Use ``Store.open(path)``; close it (or use ``with``) when done."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self.con = con
        self.path = path

    # -- opening -------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
             memory_limit: str | None = None) -> Store:
        target = Path(path) if path is not None else default_store_path()
        spath = str(target)
        if spath != ":memory:":
            if read_only and not target.exists():
                raise StoreError(f"{spath}: no store here (run `redline ingest` first)")
            target.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(spath, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{spath}: cannot open the store: {exc}") from exc
        # DuckDB would take 80% of RAM; a bounded buffer makes big ingests and panels spill to disk instead.
        limit = memory_limit or os.environ.get("REDLINE_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
        try:
            con.execute(f"SET memory_limit = {_sql_str(limit)}")
        except duckdb.Error as exc:
            raise StoreError(f"bad memory limit {limit!r}: {exc}") from exc
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # the CLI shows its own progress; JSON output stays clean
        store = cls(con, spath)
        if not read_only:
            try:
                migrate(con)
            except duckdb.Error as exc:
                raise StoreError(f"{spath}: cannot migrate the store: {exc}") from exc
        return store

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest --------------------------------------------------------------------------------------
    def _new_run(self, dataset: str, origins: Sequence[str]) -> int:
        # max()+1 rather than a sequence: a sequence's value is not recovered after a crash, the table's rows are.
        row = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()
        assert row is not None
        run_id = int(row[0])
        self.con.execute(
            "INSERT INTO ingest_runs VALUES (?, ?, ?, ?, NULL, 'running', 0, 0, 0, 0)",
            [run_id, dataset, "\n".join(origins), dt.datetime.now()],
        )
        return run_id

    def _finish_run(self, report: IngestReport, status: str) -> None:
        self.con.execute(
            "UPDATE ingest_runs SET finished = ?, status = ?, read = ?, stored = ?, duplicates = ?, "
            "quarantined = ? WHERE run_id = ?",
            [dt.datetime.now(), status, report.read, report.stored, report.duplicates, report.quarantined,
             report.run_id],
        )

    def _next_batch_id(self) -> int:
        row = self.con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()
        return int(row[0]) if row else 1

    def _ledger(self, dataset: str, key: str, index: int) -> tuple[int, int, int, int] | None:
        row = self.con.execute(
            "SELECT read, stored, duplicates, quarantined FROM batches "
            "WHERE dataset = ? AND origin_key = ? AND batch_index = ?",
            [dataset, key, index],
        ).fetchone()
        return (int(row[0]), int(row[1]), int(row[2]), int(row[3])) if row else None

    def ingest(self, source_name: str, locations: Sequence[str], *, batch_size: int = 50_000,
               progress: Progress | None = None) -> IngestReport:
        """Read ``locations`` with the registered reader ``source_name`` and store what they hold."""
        from redline.sources import registry

        reader = registry.get(source_name)
        started = time.perf_counter()
        run_id = self._new_run(source_name, locations)
        total = IngestReport(source_name, 0, 0, 0, 0, 0.0, run_id=run_id)
        status = "failed"
        try:
            for location in locations:
                specs = None
                try:
                    specs = reader.delimited(location)
                except NotImplementedError:
                    specs = None
                if specs is not None:
                    for spec in specs:
                        total = total + self._ingest_delimited(source_name, spec, run_id)
                        if progress:
                            progress(spec.origin, total.read)
                else:
                    documents = getattr(reader, "documents", None)
                    if documents is not None:  # readers of text keep the documents their events cite
                        self.add_documents(documents(location), run_id=run_id)
                    for batch in reader.batches(location, batch_size=batch_size):
                        total = total + self._ingest_batch(source_name, batch, run_id)
                        if progress:
                            progress(batch.origin, total.read)
            status = "done"
        finally:
            total = IngestReport(**{**total.as_dict(), "seconds": time.perf_counter() - started})
            self._finish_run(total, status)
        return total

    def ingest_events(self, events: Iterable[Event], *, dataset: str, origin: str,
                      rejects: Iterable[Reject] = (), batch_size: int = 50_000) -> IngestReport:
        """Store events produced in memory (e.g. by the coder), in batches of ``batch_size``."""
        started = time.perf_counter()
        run_id = self._new_run(dataset, [origin])
        total = IngestReport(dataset, 0, 0, 0, 0, 0.0, run_id=run_id)
        from redline.sources.base import Batch

        chunk: list[Event] = []
        index = 0
        rej = tuple(rejects)
        status = "failed"
        try:
            for ev in events:
                chunk.append(ev)
                if len(chunk) >= batch_size:
                    total = total + self._ingest_batch(dataset, Batch(origin, index, tuple(chunk), rej), run_id,
                                                       use_ledger=False)
                    chunk, rej, index = [], (), index + 1
            if chunk or rej:
                total = total + self._ingest_batch(dataset, Batch(origin, index, tuple(chunk), rej), run_id,
                                                   use_ledger=False)
            status = "done"
        finally:
            total = IngestReport(**{**total.as_dict(), "seconds": time.perf_counter() - started})
            self._finish_run(total, status)
        return total

    def _ingest_batch(self, dataset: str, batch: Any, run_id: int, *, use_ledger: bool = True) -> IngestReport:
        # Batches of in-memory events have no file to fingerprint: their ledger rows are keyed by run.
        key = fingerprint(batch.origin) if use_ledger else f"run:{run_id}"
        if use_ledger and self._ledger(dataset, key, batch.index) is not None:
            # Already stored whole: its events count as duplicates; its rejects were quarantined then.
            n = len(batch.events)
            return IngestReport(dataset, n, 0, n, 0, 0.0, batches=1, skipped_batches=1)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            batch_id = self._next_batch_id()
            frame = events_to_frame(batch.events, dataset, run_id, batch_id)
            con.register("_incoming", frame)
            row = con.execute(
                f"INSERT INTO events ({_INSERT_COLS}) SELECT {_INSERT_COLS} FROM ("
                "  SELECT *, row_number() OVER (PARTITION BY event_id) AS _rn FROM _incoming"
                ") i WHERE _rn = 1 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = i.event_id)"
            ).fetchone()
            con.unregister("_incoming")
            stored = int(row[0]) if row else 0
            if stored:
                con.execute(dyad_day_upsert("batch_id = ?"), [batch_id])
            rejects = list(batch.rejects)
            if rejects:
                con.executemany(
                    "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
                    [[run_id, dataset, r.path, r.line, r.reason, r.raw[:2000]] for r in rejects],
                )
            dups = len(batch.events) - stored
            con.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, dataset, key, batch.index, batch.origin, run_id, batch.read, stored, dups,
                 len(rejects), dt.datetime.now()],
            )
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise StoreError(f"{batch.origin}: batch {batch.index} could not be stored: {exc}") from exc
            raise
        return IngestReport(dataset, batch.read, stored, dups, len(rejects), 0.0, batches=1)

    def _ingest_delimited(self, dataset: str, spec: Any, run_id: int) -> IngestReport:
        con = self.con
        path = spec.path
        if not Path(path).is_file():
            raise SourceError("no such file", path=spec.origin)
        key = fingerprint(path)
        done = self._ledger(dataset, key, 0)
        if done is not None:
            read, stored, dups, quarantined = done
            return IngestReport(dataset, read, 0, read - quarantined, 0, 0.0, batches=1, skipped_batches=1)
        for enum_name, values in spec.enums.items():
            exists = con.execute(
                "SELECT count(*) FROM duckdb_types() WHERE type_name = ? AND schema_name = 'main'", [enum_name]
            ).fetchone()
            if not exists or exists[0] == 0:
                con.execute(f"CREATE TYPE {enum_name} AS ENUM ({', '.join(_sql_str(v) for v in values)})")
        columns = "{" + ", ".join(f"{_sql_str(n)}: {_sql_str(t)}" for n, t in spec.columns) + "}"
        scan = (
            f"read_csv({_sql_str(path)}, delim={_sql_str(spec.delimiter)}, header={str(spec.header).lower()}, "
            f"quote='', escape='', columns={columns}, dateformat={_sql_str(spec.date_format)}, "
            "store_rejects=true, rejects_table='_rej', rejects_scan='_rej_scan', max_line_size=1048576, "
            + (f"force_not_null=[{', '.join(_sql_str(c) for c in spec.not_null)}], " if spec.not_null else "")
            + "auto_detect=false, strict_mode=true, null_padding=false, parallel=true)"
        )
        con.execute("BEGIN TRANSACTION")
        try:
            batch_id = self._next_batch_id()
            defaults = {"dataset": _sql_str(dataset), "run_id": str(run_id), "batch_id": str(batch_id),
                        "asserted": "true"}
            select_parts = []
            for name in _COLS:
                if name in spec.fields:
                    expr = spec.fields[name]
                elif name == "root":
                    expr = f"substr(CAST(({spec.fields['cameo']}) AS VARCHAR), 1, 2)"
                elif name in defaults:
                    expr = defaults[name]
                else:
                    expr = "NULL"
                select_parts.append(f"{expr} AS {name}")
            had_events = con.execute("SELECT EXISTS (SELECT 1 FROM events)").fetchone()
            # Stream the file straight into the table (nothing materialised on the side), then remove what
            # was already stored and repeats within the file: both are rare, so the common path costs one pass.
            row = con.execute(f"INSERT INTO events ({_INSERT_COLS}) SELECT {', '.join(select_parts)} FROM {scan}"
                              ).fetchone()
            parsed = int(row[0]) if row else 0
            dups = 0
            if had_events and had_events[0]:
                drow = con.execute(
                    "DELETE FROM events WHERE batch_id = ? AND event_id IN "
                    "(SELECT event_id FROM events WHERE batch_id IS DISTINCT FROM ?)", [batch_id, batch_id]
                ).fetchone()
                dups += int(drow[0]) if drow else 0
            repeated = con.execute(
                "SELECT count(*) FROM (SELECT event_id FROM events WHERE batch_id = ? GROUP BY event_id "
                "HAVING count(*) > 1)", [batch_id]
            ).fetchone()
            if repeated and repeated[0]:
                drow = con.execute(
                    "DELETE FROM events WHERE rowid IN (SELECT rowid FROM ("
                    "  SELECT rowid, row_number() OVER (PARTITION BY event_id ORDER BY rowid) AS rn"
                    "  FROM events WHERE batch_id = ? AND event_id IN ("
                    "    SELECT event_id FROM events WHERE batch_id = ? GROUP BY event_id HAVING count(*) > 1)"
                    ") WHERE rn > 1)", [batch_id, batch_id]
                ).fetchone()
                dups += int(drow[0]) if drow else 0
            stored = parsed - dups
            if stored:
                con.execute(dyad_day_upsert("batch_id = ?"), [batch_id])
            qrow = con.execute(
                "INSERT INTO quarantine SELECT ?, ?, ?, line, "
                "min_by(error_type || ': ' || regexp_replace(regexp_replace(error_message, 'to .ENUM.*$', "
                "'to a known code'), 'Error when converting column \"[^\"]*\". ', ''), "
                # a wrong number of columns explains the line before any cast error in it
                "CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') THEN -1 "
                "ELSE coalesce(column_idx, 0) END), any_value(csv_line) "
                "FROM _rej GROUP BY line",
                [run_id, dataset, spec.origin],
            ).fetchone()
            quarantined = int(qrow[0]) if qrow else 0
            read = parsed + quarantined
            con.execute(
                "INSERT INTO batches VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, dataset, key, spec.origin, run_id, read, stored, dups, quarantined, dt.datetime.now()],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise SourceError(f"cannot read as {dataset}: {exc}") from exc
        finally:
            for t in ("_rej", "_rej_scan"):
                con.execute(f"DROP TABLE IF EXISTS {t}")
        return IngestReport(dataset, read, stored, dups, quarantined, 0.0, batches=1)

    def add_documents(self, docs: Iterable[Document], *, run_id: int | None = None) -> int:
        rows = [[d.doc_id, d.title, d.text, d.date, d.url, d.source, run_id] for d in docs]
        if not rows:
            return 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            raise StoreError(f"documents could not be stored: {exc}") from exc
        return len(rows)

    # -- queries -------------------------------------------------------------------------------------
    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        try:
            return self.con.execute(query, list(params) if params else None).df()
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def arrow(self, query: str, params: Sequence[Any] | None = None) -> Any:
        try:
            return self.con.execute(query, list(params) if params else None).to_arrow_table()
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def events_where(
        self,
        *,
        actor: str | None = None,
        dyad: tuple[str, str] | None = None,
        code: str | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        dataset: str | None = None,
        asserted_only: bool = True,
    ) -> tuple[str, list[Any]]:
        """A WHERE clause (and its parameters) for the event filters the CLI, API and service share."""
        clauses: list[str] = []
        params: list[Any] = []
        if actor:
            clauses.append(f"({actor_match('source')} OR {actor_match('target')})")
            params += [actor] * 8
        if dyad:
            a, b = dyad
            clauses.append(
                f"(({actor_match('source')} AND {actor_match('target')}) OR "
                f"({actor_match('source')} AND {actor_match('target')}))"
            )
            params += [a] * 4 + [b] * 4 + [b] * 4 + [a] * 4
        if code:
            clauses.append("(cameo = ? OR starts_with(cameo, ?) OR plover = ?)")
            params += [code, code, code.upper()]
        if start:
            clauses.append("date >= ?")
            params.append(_as_date(start))
        if end:
            clauses.append("date <= ?")
            params.append(_as_date(end))
        if dataset:
            clauses.append("dataset = ?")
            params.append(dataset)
        if asserted_only:
            clauses.append("asserted")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def events(
        self,
        actor: str | None = None,
        dyad: tuple[str, str] | None = None,
        code: str | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        dataset: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        asserted_only: bool = True,
    ) -> pd.DataFrame:
        """Events matching the filters, newest first, as a DataFrame."""
        where, params = self.events_where(actor=actor, dyad=dyad, code=code, start=start, end=end,
                                          dataset=dataset, asserted_only=asserted_only)
        tail = ""
        if limit is not None:
            tail = " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        return self.sql(f"SELECT * FROM events{where} ORDER BY date DESC, event_id{tail}", params)

    def quarantine(self, limit: int = 100) -> pd.DataFrame:
        return self.sql("SELECT * FROM quarantine ORDER BY run_id DESC, path, line LIMIT ?", [limit])

    def info(self) -> dict[str, Any]:
        """Counts and ranges a user checks first."""
        def one(q: str) -> Any:
            row = self.con.execute(q).fetchone()
            return row[0] if row else None

        by_dataset = self.sql(
            "SELECT dataset, count(*) AS events, min(date)::VARCHAR AS first, max(date)::VARCHAR AS last "
            "FROM events GROUP BY dataset ORDER BY dataset"
        )
        return {
            "path": self.path,
            "schema_version": SCHEMA_VERSION,
            "events": int(one("SELECT count(*) FROM events") or 0),
            "documents": int(one("SELECT count(*) FROM documents") or 0),
            "quarantined": int(one("SELECT count(*) FROM quarantine") or 0),
            "ingest_runs": int(one("SELECT count(*) FROM ingest_runs") or 0),
            "first_date": one("SELECT min(date)::VARCHAR FROM events") or "",
            "last_date": one("SELECT max(date)::VARCHAR FROM events") or "",
            "datasets": [
                {"dataset": r.dataset, "events": int(r.events), "first": str(r.first), "last": str(r.last)}
                for r in by_dataset.itertuples()
            ],
        }

    def export(self, out: str | os.PathLike[str], *, where: str = "", params: Sequence[Any] | None = None) -> int:
        """Write events (optionally filtered) to Parquet or CSV by the file's extension."""
        target = str(out)
        fmt = "PARQUET" if target.endswith(".parquet") else "CSV"
        if fmt == "CSV" and not target.endswith(".csv"):
            raise StoreError(f"{target}: export writes .parquet or .csv files")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        try:
            # COPY takes no prepared parameters: write through a parameterised relation instead.
            rel = self.con.sql(f"SELECT * FROM events{where} ORDER BY date, event_id",
                               params=list(params) if params else None)
            if fmt == "PARQUET":
                rel.write_parquet(target)
            else:
                rel.write_csv(target, header=True)
            row = self.con.execute(f"SELECT count(*) FROM events{where}", list(params) if params else None
                                   ).fetchone()
        except duckdb.Error as exc:
            raise StoreError(f"{target}: export failed: {exc}") from exc
        return int(row[0]) if row else 0


def actor_match(side: str) -> str:
    """SQL matching an actor code on one side: a 3-letter code matches the country, longer codes by prefix."""
    return (f"(CASE WHEN length(?) = 3 THEN {side}_country = ? OR starts_with({side}_actor, ?) "
            f"ELSE starts_with({side}_actor, ?) END)")


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise StoreError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def events_to_frame(events: Sequence[Event], dataset: str, run_id: int, batch_id: int = 0) -> pd.DataFrame:
    """Events as a DataFrame in store column order."""
    cols: dict[str, list[Any]] = {name: [] for name in _COLS}
    for e in events:
        p = e.provenance
        span = p.span or (None, None)
        values = (
            e.event_id, dataset, e.date, e.source, e.source_country, e.target, e.target_country, e.cameo,
            e.cameo[:2], e.quad_class, e.goldstein, e.plover, e.mode, e.location, e.location_country,
            e.latitude, e.longitude, e.quantity, e.quantity_unit, e.asserted, p.doc_id, p.sentence_index,
            span[0], span[1], p.text, p.model, p.model_version, p.confidence, p.url, p.locator, run_id,
            batch_id,
        )
        for name, v in zip(_COLS, values, strict=True):
            cols[name].append(v)
    frame = pd.DataFrame(cols)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date if len(frame) else frame["date"]
    for name in ("quad_class", "sentence_index", "span_start", "span_end", "run_id", "batch_id"):
        frame[name] = pd.array(frame[name], dtype="Int64")
    for name in ("goldstein", "latitude", "longitude", "quantity", "confidence"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame["asserted"] = frame["asserted"].astype(bool)
    for name in _COLS:
        if frame[name].dtype == object and name != "date":
            frame[name] = frame[name].astype("string")
    return frame
