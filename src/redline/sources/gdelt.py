"""GDELT event files, read by DuckDB's vectorised CSV reader (the store's fast path).

* ``gdelt.v1``: GDELT 1.0 event files: the historical back files (yearly 1979-2005, monthly 2006-2013) and
  daily files before 2013-04-01 have 57 tab-separated columns; daily files from 2013-04-01 on add
  ``SOURCEURL`` (58). The layout is detected from the file's first lines.
* ``gdelt.v2``: GDELT 2.0 15-minute event exports (61 columns: ADM2 codes for the three geographies, a
  14-digit ``DATEADDED``, ``SOURCEURL``).

Locations: a path or http(s) URL, plain, gzipped or zipped (``20241101.export.CSV.zip``); for ``gdelt.v2``
also ``gdelt2://2024-11-01..2024-11-03`` (every export file of those days, inclusive, from GDELT 2.0's
``masterfilelist.txt``, each checked against the list's MD5 after download), ``gdelt2://2024-11-01`` (one
day) and ``gdelt2://last`` (the newest export, from ``lastupdate.txt``). Add ``?master=URL`` to use another
master list (a mirror); ``$REDLINE_GDELT_MASTER`` sets the default. A listed file that is gone (404) fails
the range unless ``?skip_missing=1`` is given (each skipped file is logged).

Typing rejects bad rows with their line number: ``SQLDATE`` is a DATE (``%Y%m%d``), numbers are numbers, and
``EventCode`` is the ENUM ``cameo_code`` of every valid CAMEO code, so an unknown code is quarantined, not
stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from redline.errors import SourceError
from redline.sources._common import fips_to_cameo, plover_pairs, valid_codes
from redline.sources.base import Batch, DelimitedSpec
from redline.sources.fetch import FetchOptions, iter_lines, local_files

__all__ = [
    "GdeltV1Reader",
    "GdeltV2Reader",
    "MasterEntry",
    "columns_v1",
    "columns_v2",
    "fields_for",
    "resolve_range",
    "resolve_last",
    "parse_master",
    "CAMEO_ENUM",
    "QUAD_ENUM",
    "DEFAULT_MASTER_URL",
]

_log = logging.getLogger("redline.sources.gdelt")

CAMEO_ENUM = "cameo_code"
QUAD_ENUM = "quad_class_code"  # '1'..'4': any other quad class is rejected with its line
DEFAULT_MASTER_URL = "http://data.gdeltproject.org/gdeltv2/masterfilelist.txt"
_SCHEME = "gdelt2://"

_ACTOR_PARTS = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                "Religion2Code", "Type1Code", "Type2Code", "Type3Code")


def _actor(n: int) -> list[tuple[str, str]]:
    return [(f"Actor{n}{part}", "VARCHAR") for part in _ACTOR_PARTS]


def _geo(prefix: str, *, adm2: bool) -> list[tuple[str, str]]:
    cols = [(f"{prefix}_Type", "INTEGER"), (f"{prefix}_FullName", "VARCHAR"),
            (f"{prefix}_CountryCode", "VARCHAR"), (f"{prefix}_ADM1Code", "VARCHAR")]
    if adm2:
        cols.append((f"{prefix}_ADM2Code", "VARCHAR"))
    cols += [(f"{prefix}_Lat", "DOUBLE"), (f"{prefix}_Long", "DOUBLE"), (f"{prefix}_FeatureID", "VARCHAR")]
    return cols


def _layout(*, adm2: bool, url: bool) -> tuple[tuple[str, str], ...]:
    cols: list[tuple[str, str]] = [
        ("GLOBALEVENTID", "BIGINT"),
        ("SQLDATE", "DATE"),
        ("MonthYear", "INTEGER"),
        ("Year", "INTEGER"),
        ("FractionDate", "DOUBLE"),
        *_actor(1),
        *_actor(2),
        ("IsRootEvent", "INTEGER"),
        ("EventCode", CAMEO_ENUM),
        ("EventBaseCode", "VARCHAR"),
        ("EventRootCode", "VARCHAR"),
        ("QuadClass", QUAD_ENUM),
        ("GoldsteinScale", "DOUBLE"),
        ("NumMentions", "INTEGER"),
        ("NumSources", "INTEGER"),
        ("NumArticles", "INTEGER"),
        ("AvgTone", "DOUBLE"),
        *_geo("Actor1Geo", adm2=adm2),
        *_geo("Actor2Geo", adm2=adm2),
        *_geo("ActionGeo", adm2=adm2),
        ("DATEADDED", "BIGINT"),
    ]
    if url:
        cols.append(("SOURCEURL", "VARCHAR"))
    return tuple(cols)


def columns_v1(with_url: bool) -> tuple[tuple[str, str], ...]:
    """GDELT 1.0 layout: 57 columns, 58 with ``SOURCEURL`` (daily files from 2013-04-01)."""
    return _layout(adm2=False, url=with_url)


def columns_v2() -> tuple[tuple[str, str], ...]:
    """GDELT 2.0 export layout: 61 columns."""
    return _layout(adm2=True, url=True)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _map_literal(pairs: dict[str, str]) -> str:
    if not pairs:
        return "MAP {}::MAP(VARCHAR, VARCHAR)"
    return "MAP {" + ", ".join(f"{_sql_str(k)}: {_sql_str(v)}" for k, v in sorted(pairs.items())) + "}"


def fields_for(columns: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Event fields as DuckDB SQL over a GDELT layout (vectorised: map literals, no per-row Python)."""
    names = {n for n, _ in columns}
    pairs = plover_pairs()
    plover_map = _map_literal({c: p for c, (p, _) in pairs.items()})
    mode_map = _map_literal({c: m for c, (_, m) in pairs.items() if m})
    fips_map = _map_literal(fips_to_cameo())
    code = "CAST(EventCode AS VARCHAR)"
    fields = {
        "event_id": "'gdelt:' || CAST(GLOBALEVENTID AS VARCHAR)",
        "date": "SQLDATE",
        "source_actor": "coalesce(Actor1Code, '')",
        "source_country": "coalesce(Actor1CountryCode, '')",
        "target_actor": "coalesce(Actor2Code, '')",
        "target_country": "coalesce(Actor2CountryCode, '')",
        "cameo": code,
        "quad_class": "CAST(enum_code(QuadClass) + 1 AS TINYINT)",
        "goldstein": "GoldsteinScale",
        "plover": f"coalesce({plover_map}[{code}], '')",
        "mode": f"coalesce({mode_map}[{code}], '')",
        "location": "coalesce(ActionGeo_FullName, '')",
        "location_country": f"coalesce({fips_map}[ActionGeo_CountryCode], ActionGeo_CountryCode, '')",
        "latitude": "ActionGeo_Lat",
        "longitude": "ActionGeo_Long",
        "asserted": "true",
        "url": "coalesce(SOURCEURL, '')" if "SOURCEURL" in names else "''",
        "locator": "CAST(GLOBALEVENTID AS VARCHAR)",
    }
    return fields


def _enums() -> dict[str, tuple[str, ...]]:
    return {CAMEO_ENUM: valid_codes(), QUAD_ENUM: ("1", "2", "3", "4")}


def _column_counts(path: Path, origin: str, lines: int = 50) -> Counter[int]:
    counts: Counter[int] = Counter()
    for i, raw in iter_lines(path, origin=origin):
        if raw is not None and raw.strip():
            counts[raw.count(b"\t") + 1] += 1
        if i >= lines:
            break
    return counts


# --- GDELT 2.0 master file list -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MasterEntry:
    """One line of ``masterfilelist.txt`` / ``lastupdate.txt``: size, MD5, URL and the file's time stamp."""

    size: int
    md5: str
    url: str
    stamp: dt.datetime | None

    @property
    def kind(self) -> str:
        """"export", "mentions" or "gkg" (from the file name)."""
        name = self.url.rsplit("/", 1)[-1].lower()
        for kind in ("export", "mentions", "gkg"):
            if f".{kind}." in name:
                return kind
        return ""


_STAMP = re.compile(r"/(\d{14})\.[^/]*$")
_MD5 = re.compile(r"[0-9a-fA-F]{32}")


def parse_master(text: str | Iterable[str], *, kind: str = "") -> list[MasterEntry]:
    """Entries of a master/last-update list (text or lines); lines that are not ``size md5 url`` are skipped.

    ``kind`` ("export") keeps only that kind of file, checked before a line is parsed (the master list has
    millions of lines).
    """
    lines = text.splitlines() if isinstance(text, str) else text
    needle = f".{kind}." if kind else ""
    out = []
    for line in lines:
        if needle and needle not in line.lower():
            continue
        parts = line.split()
        if len(parts) != 3 or not (parts[0].isascii() and parts[0].isdigit()) or not _MD5.fullmatch(parts[1]):
            continue
        m = _STAMP.search(parts[2])
        stamp = None
        if m:
            try:
                stamp = dt.datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
            except ValueError:
                stamp = None
        out.append(MasterEntry(int(parts[0]), parts[1].lower(), parts[2], stamp))
    return out


def _read_list(url: str, *, options: FetchOptions, cache: Path | None, kind: str) -> list[MasterEntry]:
    paths = local_files(url, options=options, cache=cache)
    try:
        with open(paths[0], encoding="utf-8", errors="replace") as f:
            return parse_master(f, kind=kind)
    except OSError as exc:
        raise SourceError(f"cannot read file list: {exc}", path=url) from exc


def _as_date(text: str, where: str) -> dt.date:
    t = text.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise SourceError(f"not a date (YYYY-MM-DD): {text!r}", path=where)


def resolve_range(master_url: str, start: dt.date | str, end: dt.date | str | None = None, *,
                  options: FetchOptions | None = None, cache: Path | None = None,
                  kind: str = "export") -> list[MasterEntry]:
    """The GDELT 2.0 files of ``kind`` ("export") stamped on days ``start`` .. ``end`` (inclusive), in order.

    ``master_url`` is ``masterfilelist.txt`` (or a mirror); it is cached for ``options.max_age`` seconds
    (default 15 minutes, since the list grows every 15 minutes).
    """
    first = start if isinstance(start, dt.date) else _as_date(start, master_url)
    last = first if end is None else (end if isinstance(end, dt.date) else _as_date(end, master_url))
    if last < first:
        raise SourceError(f"empty date range {first}..{last}", path=master_url)
    opts = options or FetchOptions(max_age=900.0)
    if opts.max_age is None:
        opts = replace(opts, max_age=900.0)
    lo = dt.datetime.combine(first, dt.time.min)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
    entries = [e for e in _read_list(master_url, options=opts, cache=cache, kind=kind)
               if e.kind == kind and e.stamp is not None and lo <= e.stamp < hi]
    if not entries:
        raise SourceError(f"no GDELT 2.0 {kind} files from {first} to {last} in the file list",
                          path=master_url)
    return sorted(entries, key=lambda e: (e.stamp or lo, e.url))


def resolve_last(lastupdate_url: str, *, options: FetchOptions | None = None, cache: Path | None = None,
                 kind: str = "export") -> list[MasterEntry]:
    """The newest GDELT 2.0 file of ``kind`` listed in ``lastupdate.txt`` (never cached)."""
    opts = options or FetchOptions.from_env()
    opts = replace(opts, max_age=0.0)
    entries = [e for e in _read_list(lastupdate_url, options=opts, cache=cache, kind=kind) if e.kind == kind]
    if not entries:
        raise SourceError(f"no GDELT 2.0 {kind} file listed", path=lastupdate_url)
    return entries


# --- readers --------------------------------------------------------------------------------------


def _flag(location: str, name: str) -> bool:
    query = location.partition("?")[2]
    values = urllib.parse.parse_qs(query).get(name, [])
    return bool(values) and values[-1].lower() in ("1", "true", "yes")


class _GdeltReader:
    name = ""
    description = ""

    def __init__(self, *, options: FetchOptions | None = None, cache: Path | None = None,
                 master_url: str | None = None) -> None:
        self.options = options or FetchOptions.from_env()
        self.cache = cache
        self.master_url = master_url or os.environ.get("REDLINE_GDELT_MASTER") or DEFAULT_MASTER_URL

    def batches(self, location: str, *, batch_size: int = 50_000) -> Iterator[Batch]:
        raise NotImplementedError(f"{self.name} is a delimited reader: use delimited()")

    def delimited(self, location: str) -> list[DelimitedSpec]:
        specs: list[DelimitedSpec] = []
        expanded = self._expand(location)
        skip_missing = location.lower().startswith(_SCHEME) and _flag(location, "skip_missing")
        for origin, md5 in expanded:
            try:
                paths = local_files(origin, md5=md5, options=self.options, cache=self.cache)
            except SourceError as exc:
                missing = "HTTP 404" in str(exc)
                if skip_missing and missing:
                    _log.warning("skipped %s: listed in the GDELT file list but missing (HTTP 404)", origin)
                    continue
                if len(expanded) > 1:
                    hint = "; add ?skip_missing=1 to skip listed files that are gone" if missing else ""
                    raise SourceError(f"{exc.reason} (one of {len(expanded)} files of {location}{hint})",
                                      path=origin) from exc
                raise
            for path in paths:
                specs.append(self._spec(origin if len(paths) == 1 else f"{origin}!{path.name}", path))
        return specs

    def _expand(self, location: str) -> list[tuple[str, str | None]]:
        if location.lower().startswith(_SCHEME):
            raise SourceError(f"{self.name} does not read {_SCHEME} ranges (gdelt.v2 does)", path=location)
        return [(location, None)]

    def _spec(self, origin: str, path: Path) -> DelimitedSpec:
        columns = self._columns(origin, path)
        return DelimitedSpec(
            origin=origin,
            path=str(path),
            delimiter="\t",
            columns=columns,
            fields=fields_for(columns),
            header=False,
            date_format="%Y%m%d",
            enums=_enums(),
            not_null=("GLOBALEVENTID", "SQLDATE", "EventCode"),
        )

    def _columns(self, origin: str, path: Path) -> tuple[tuple[str, str], ...]:
        raise NotImplementedError


class GdeltV1Reader(_GdeltReader):
    """GDELT 1.0 event files (57 or 58 columns, detected)."""

    name = "gdelt.v1"
    description = "GDELT 1.0 event files (57-column back files, 58-column daily files), plain or zipped"

    def _columns(self, origin: str, path: Path) -> tuple[tuple[str, str], ...]:
        counts = _column_counts(path, origin)
        if not counts:
            return columns_v1(with_url=False)
        n57, n58 = counts.get(57, 0), counts.get(58, 0)
        if n57 == 0 and n58 == 0:
            found = ", ".join(str(n) for n, _ in counts.most_common(3))
            raise SourceError(f"not a GDELT 1.0 event file: expected 57 or 58 tab-separated columns, "
                              f"found {found}", path=origin)
        return columns_v1(with_url=n58 > n57)


class GdeltV2Reader(_GdeltReader):
    """GDELT 2.0 event exports (61 columns), including ``gdelt2://`` date ranges."""

    name = "gdelt.v2"
    description = "GDELT 2.0 event exports (61 columns), plain or zipped, or gdelt2://FROM..TO date ranges"

    def _columns(self, origin: str, path: Path) -> tuple[tuple[str, str], ...]:
        counts = _column_counts(path, origin)
        if counts and counts.get(61, 0) == 0:
            found = ", ".join(str(n) for n, _ in counts.most_common(3))
            hint = " (a GDELT 1.0 file? use gdelt.v1)" if {57, 58} & set(counts) else ""
            raise SourceError(
                f"not a GDELT 2.0 export: expected 61 tab-separated columns, found {found}{hint}", path=origin
            )
        return columns_v2()

    def _expand(self, location: str) -> list[tuple[str, str | None]]:
        if not location.lower().startswith(_SCHEME):
            return [(location, None)]
        rest = location[len(_SCHEME):]
        spec, _, query = rest.partition("?")
        params = urllib.parse.parse_qs(query)
        master = params.get("master", [self.master_url])[0]
        if spec.strip().lower() in ("last", "latest"):
            last_url = master.rsplit("/", 1)[0] + "/lastupdate.txt"
            entries = resolve_last(params.get("lastupdate", [last_url])[0], options=self.options,
                                   cache=self.cache)
        else:
            start, sep, end = spec.partition("..")
            if not start.strip():
                raise SourceError(
                    "expected gdelt2://YYYY-MM-DD..YYYY-MM-DD, gdelt2://YYYY-MM-DD or gdelt2://last", path=location
                )
            entries = resolve_range(master, _as_date(start, location),
                                    _as_date(end, location) if sep else None,
                                    options=replace(self.options, max_age=900.0),
                                    cache=self.cache)
        return [(e.url, e.md5) for e in entries]
