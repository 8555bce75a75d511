"""The store's schema and its migrations.

``SCHEMA_VERSION`` is recorded in ``meta``; ``migrate`` brings an older file up to date step by step, each step in
one transaction. Events carry no primary-key index (an ART index over GDELT-scale ids costs gigabytes): uniqueness
of ``event_id`` is kept by the ingest's anti-join instead, which the tests pin.
"""

from __future__ import annotations

import duckdb

SCHEMA_VERSION = 2

#: The 16 PLOVER event types, fixed by the schema's dyad summary columns (a test checks them against the
#: ontology; a change of PLOVER is a schema migration).
PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
QUAD_COLUMNS: tuple[tuple[int, str], ...] = (
    (1, "verbal_coop"), (2, "material_coop"), (3, "verbal_conflict"), (4, "material_conflict"),
)

EVENT_TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR NOT NULL"),
    ("dataset", "VARCHAR NOT NULL"),
    ("date", "DATE NOT NULL"),
    ("source_actor", "VARCHAR"),
    ("source_country", "VARCHAR"),
    ("target_actor", "VARCHAR"),
    ("target_country", "VARCHAR"),
    ("cameo", "VARCHAR NOT NULL"),
    ("root", "VARCHAR NOT NULL"),
    ("quad_class", "TINYINT"),
    ("goldstein", "DOUBLE"),
    ("plover", "VARCHAR"),
    ("mode", "VARCHAR"),
    ("location", "VARCHAR"),
    ("location_country", "VARCHAR"),
    ("latitude", "DOUBLE"),
    ("longitude", "DOUBLE"),
    ("quantity", "DOUBLE"),
    ("quantity_unit", "VARCHAR"),
    ("asserted", "BOOLEAN"),
    ("doc_id", "VARCHAR"),
    ("sentence_index", "INTEGER"),
    ("span_start", "INTEGER"),
    ("span_end", "INTEGER"),
    ("text", "VARCHAR"),
    ("model", "VARCHAR"),
    ("model_version", "VARCHAR"),
    ("confidence", "DOUBLE"),
    ("url", "VARCHAR"),
    ("locator", "VARCHAR"),
    ("run_id", "BIGINT"),
    ("batch_id", "BIGINT"),
)

_V1 = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE events (" + ", ".join(f"{n} {t}" for n, t in EVENT_TABLE_COLUMNS) + ")",
    """CREATE TABLE documents (
        doc_id VARCHAR PRIMARY KEY, title VARCHAR, text VARCHAR, date DATE, url VARCHAR, source VARCHAR,
        run_id BIGINT)""",
    """CREATE TABLE actors (
        code VARCHAR PRIMARY KEY, name VARCHAR, country VARCHAR, sector VARCHAR)""",
    "CREATE SEQUENCE run_ids START 1",
    """CREATE TABLE ingest_runs (
        run_id BIGINT PRIMARY KEY, dataset VARCHAR, origins VARCHAR, started TIMESTAMP, finished TIMESTAMP,
        status VARCHAR, read BIGINT, stored BIGINT, duplicates BIGINT, quarantined BIGINT)""",
    """CREATE TABLE batches (
        batch_id BIGINT, dataset VARCHAR, origin_key VARCHAR, batch_index INTEGER, origin VARCHAR, run_id BIGINT,
        read BIGINT, stored BIGINT, duplicates BIGINT, quarantined BIGINT, committed TIMESTAMP,
        PRIMARY KEY (dataset, origin_key, batch_index))""",
    """CREATE TABLE quarantine (
        run_id BIGINT, dataset VARCHAR, path VARCHAR, line BIGINT, reason VARCHAR, raw VARCHAR)""",
]

#: Counts and Goldstein sums per (source country, target country, day), kept by every ingest in the same
#: transaction as the events, so dyad series and panels over GDELT-scale stores read thousands of rows, not
#: millions. Only asserted events between two different, known countries are counted (as in the panels).
DYAD_DAY_COLUMNS: tuple[str, ...] = (
    "events",
    *(name for _, name in QUAD_COLUMNS),
    "goldstein_sum",
    "goldstein_n",
    *(f"plover_{p.lower()}" for p in PLOVER_TYPES),
)

DYAD_DAY_FILTER = (
    "source_country IS NOT NULL AND source_country <> '' AND target_country IS NOT NULL AND target_country <> '' "
    "AND source_country <> target_country AND asserted"
)


def dyad_day_aggregates() -> str:
    """The SELECT list that turns event rows into dyad-day summary rows (after date, source, target)."""
    parts = ["count(*)"]
    parts += [f"count(*) FILTER (WHERE quad_class = {q})" for q, _ in QUAD_COLUMNS]
    parts += ["coalesce(sum(goldstein), 0)", "count(goldstein)"]
    parts += [f"count(*) FILTER (WHERE plover = '{p}')" for p in PLOVER_TYPES]
    return ", ".join(parts)


def dyad_day_upsert(where: str) -> str:
    """SQL adding the events matching ``where`` (and the summary's filter) to ``dyad_days``."""
    updates = ", ".join(f"{c} = dyad_days.{c} + EXCLUDED.{c}" for c in DYAD_DAY_COLUMNS)
    return (
        f"INSERT INTO dyad_days SELECT date, source_country, target_country, {dyad_day_aggregates()} "
        f"FROM events WHERE {DYAD_DAY_FILTER} AND ({where}) GROUP BY ALL "
        f"ON CONFLICT DO UPDATE SET {updates}"
    )


_V2 = [
    "CREATE TABLE dyad_days (date DATE NOT NULL, source_country VARCHAR NOT NULL, target_country VARCHAR NOT NULL, "
    + ", ".join(f"{c} {'DOUBLE' if c == 'goldstein_sum' else 'BIGINT'} NOT NULL" for c in DYAD_DAY_COLUMNS)
    + ", PRIMARY KEY (source_country, target_country, date))",
    dyad_day_upsert("true"),
]

MIGRATIONS: dict[int, list[str]] = {1: _V1, 2: _V2}


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = 'main'"
    ).fetchone()
    if not has_meta or has_meta[0] == 0:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration above the file's version; return the version reached."""
    version = current_version(con)
    while version < SCHEMA_VERSION:
        step = version + 1
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in MIGRATIONS[step]:
                con.execute(statement)
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                [str(step)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version = step
    return version
