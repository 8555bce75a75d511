"""redline's own event formats: JSON lines (``jsonl``) and CSV with a header (``csv``).

One event per line (JSONL) or row (CSV), keyed by the store's column names (``EVENT_COLUMNS``). Only
``date`` (ISO ``YYYY-MM-DD``) and ``cameo`` (a string with its leading zeros: ``"010"``) are required;
``quad_class``, ``goldstein``, ``plover`` and ``mode`` default to the ontology's values for the code;
``event_id`` defaults to a hash of the row's content. ``dataset``, ``root`` and ``run_id`` (as ``redline
export`` writes them) are ignored, and so are keys redline does not know. A row that does not validate
(unknown CAMEO code, a number where a string belongs, a bad date, a latitude of 300 ...) becomes a reject
with file, line and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from redline.errors import SourceError
from redline.records import Event, Provenance, Reject, event_id_for
from redline.sources._common import as_float, code_info, decode
from redline.sources.base import EVENT_COLUMNS
from redline.sources.fetch import iter_lines
from redline.sources.rows import FileRowReader

__all__ = ["JsonlReader", "CsvReader", "event_from_record"]

_IGNORED = {"dataset", "root", "run_id"}
_STRINGS = ("source_actor", "source_country", "target_actor", "target_country", "plover", "mode", "location",
            "location_country", "quantity_unit", "doc_id", "text", "model", "model_version", "url", "locator",
            "event_id")
_INTS = ("sentence_index", "span_start", "span_end")


def _string(rec: Mapping[str, Any], key: str) -> str:
    v = rec.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise ValueError(f"{key} must be a string, got {type(v).__name__}")
    if len(v) > 1_000_000:
        raise ValueError(f"{key} is too long")
    return v


def _int(rec: Mapping[str, Any], key: str) -> int | None:
    v = rec.get(key)
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise ValueError(f"{key} must be an integer")
    if isinstance(v, int):
        out = v
    elif isinstance(v, str) and v.strip().lstrip("-").isascii() and v.strip().lstrip("-").isdigit():
        out = int(v.strip())
    else:
        raise ValueError(f"{key} must be an integer, got {v!r}"[:200])
    if not -(2**31) <= out < 2**31:
        raise ValueError(f"{key} out of range")
    return out


def _number(rec: Mapping[str, Any], key: str, lo: float, hi: float) -> float | None:
    try:
        v = as_float(rec.get(key))
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{key} must be a number, got {rec.get(key)!r}"[:200]) from None
    if v is not None and not lo <= v <= hi:
        raise ValueError(f"{key} {v} is out of range [{lo}, {hi}]")
    return v


def _bool(rec: Mapping[str, Any], key: str, default: bool) -> bool:
    v = rec.get(key)
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "1", "yes", "t"):
        return True
    if isinstance(v, str) and v.strip().lower() in ("false", "0", "no", "f"):
        return False
    raise ValueError(f"{key} must be true or false, got {v!r}"[:200])


def _date(rec: Mapping[str, Any]) -> dt.date:
    v = rec.get("date")
    if not isinstance(v, str) or not v.strip():
        raise ValueError("date is required (YYYY-MM-DD)")
    s = v.strip()
    try:
        return dt.date.fromisoformat(s[:10]) if len(s) > 10 and s[10] in "T " else dt.date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"bad date {v!r} (YYYY-MM-DD expected)"[:200]) from None


def event_from_record(rec: Mapping[str, Any], *, dataset: str, locator: str) -> Event:
    """An Event from a mapping of store column names; ValueError with the reason when it does not validate."""
    cameo = rec.get("cameo")
    if not isinstance(cameo, str):
        raise ValueError(f"cameo must be a string with its leading zeros, got {cameo!r}"[:200])
    code = cameo.strip()
    info = code_info(code)
    if info is None:
        raise ValueError(f"unknown CAMEO code {cameo!r}"[:200])
    date = _date(rec)
    strings = {k: _string(rec, k) for k in _STRINGS}
    ints = {k: _int(rec, k) for k in _INTS}
    quad = _int(rec, "quad_class")
    if quad is not None and not 1 <= quad <= 4:
        raise ValueError(f"quad_class must be 1-4, got {quad}")
    goldstein = _number(rec, "goldstein", -10.0, 10.0)
    plover_type = strings["plover"] or info.plover
    if strings["plover"]:
        from redline.ontology import plover

        if not plover.is_valid(strings["plover"]):
            raise ValueError(f"unknown PLOVER type {strings['plover']!r}"[:200])
        plover_type = strings["plover"].strip().upper()
    mode = strings["mode"] if strings["plover"] else (strings["mode"] or info.mode)
    lat = _number(rec, "latitude", -90.0, 90.0)
    lon = _number(rec, "longitude", -180.0, 180.0)
    quantity = _number(rec, "quantity", float("-inf"), float("inf"))
    confidence = _number(rec, "confidence", 0.0, 1.0)
    asserted = _bool(rec, "asserted", True)
    span = None
    if ints["span_start"] is not None or ints["span_end"] is not None:
        if ints["span_start"] is None or ints["span_end"] is None or ints["span_start"] > ints["span_end"]:
            raise ValueError("span_start and span_end must both be given, start <= end")
        span = (ints["span_start"], ints["span_end"])
    event_id = strings["event_id"].strip()
    if not event_id:
        content = [rec.get(k) for k in EVENT_COLUMNS if k != "event_id"]
        event_id = "own:" + event_id_for(*[json.dumps(c, sort_keys=True, default=str) for c in content])
    return Event(
        event_id=event_id,
        date=date,
        source=strings["source_actor"],
        target=strings["target_actor"],
        cameo=code,
        quad_class=quad if quad is not None else info.quad_class,
        goldstein=goldstein if goldstein is not None else info.goldstein,
        provenance=Provenance(
            dataset=dataset,
            locator=strings["locator"] or locator,
            doc_id=strings["doc_id"],
            sentence_index=ints["sentence_index"],
            span=span,
            text=strings["text"],
            model=strings["model"],
            model_version=strings["model_version"],
            confidence=confidence,
            url=strings["url"],
        ),
        source_country=strings["source_country"],
        target_country=strings["target_country"],
        plover=plover_type,
        mode=mode,
        location=strings["location"],
        location_country=strings["location_country"],
        latitude=lat,
        longitude=lon,
        quantity=quantity,
        quantity_unit=strings["quantity_unit"],
        asserted=asserted,
    )


class _OwnReader(FileRowReader):
    def _locator(self, origin: str, n: int) -> str:
        return f"{Path(origin).name}:{n}"


class JsonlReader(_OwnReader):
    """One JSON object per line."""

    name = "jsonl"
    description = "redline's own JSON lines: one event per line"

    def _rows(self, path: Path, origin: str) -> Iterator[Event | Reject]:
        for n, raw in iter_lines(path, origin=origin):
            if raw is None:
                yield Reject(self.name, origin, n, "line too long")
                continue
            text = decode(raw)
            if text is None:
                yield Reject(self.name, origin, n, "not valid UTF-8 text",
                             raw[:2000].decode("utf-8", errors="replace"))
                continue
            if not text.strip():
                continue
            try:
                rec = json.loads(text)
            except (ValueError, RecursionError) as exc:
                yield Reject(self.name, origin, n, f"not JSON: {exc}"[:300], text[:2000])
                continue
            if not isinstance(rec, dict):
                yield Reject(self.name, origin, n, f"expected a JSON object, got {type(rec).__name__}",
                             text[:2000])
                continue
            try:
                yield event_from_record(rec, dataset=self.name, locator=self._locator(origin, n))
            except ValueError as exc:
                yield Reject(self.name, origin, n, str(exc), text[:2000])


class CsvReader(_OwnReader):
    """A CSV file with a header row of event column names (comma-separated, double-quote quoting)."""

    name = "csv"
    description = "redline's own CSV: event-column header, one event a row"

    def _rows(self, path: Path, origin: str) -> Iterator[Event | Reject]:
        pending: list[Reject] = []
        state = {"line": 0}

        def lines() -> Iterator[str]:
            for n, raw in iter_lines(path, origin=origin):
                state["line"] = n
                text = None if raw is None else decode(raw)
                if text is None:
                    reason = "line too long" if raw is None else "not valid UTF-8 text"
                    pending.append(Reject(self.name, origin, n, reason))
                    yield "\n"
                    continue
                yield text + "\n"

        reader = csv.reader(lines(), strict=True)
        header: list[str] | None = None
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield from _drain(pending)
                yield Reject(self.name, origin, start, f"bad CSV: {exc}"[:300])
                start = state["line"] + 1
                continue
            yield from _drain(pending)
            n, start = start, state["line"] + 1
            if not row or all(not c.strip() for c in row):
                continue
            if header is None:
                header = [c.strip().lstrip("\ufeff") for c in row]
                if "date" not in header or "cameo" not in header:
                    raise SourceError("not a redline event CSV: the header needs at least 'date' and 'cameo' "
                                      f"columns, found {', '.join(header[:12])}"[:500], path=origin, line=n)
                continue
            if len(row) != len(header):
                yield Reject(self.name, origin, n, f"expected {len(header)} fields, found {len(row)}",
                             ",".join(row)[:2000])
                continue
            rec = {k: (v if v != "" else None) for k, v in zip(header, row, strict=True) if k not in _IGNORED}
            try:
                yield event_from_record(rec, dataset=self.name, locator=self._locator(origin, n))
            except ValueError as exc:
                yield Reject(self.name, origin, n, str(exc), ",".join(row)[:2000])
        yield from _drain(pending)
        if header is None:
            raise SourceError("not a redline event CSV: no header row (the file is empty); a header with at least "
                              "'date' and 'cameo' columns expected", path=origin, line=1)


def _drain(pending: list[Reject]) -> Iterator[Reject]:
    while pending:
        yield pending.pop(0)
