"""ICEWS coded-event files (the Harvard Dataverse release: one tab-separated file per year, with a header).

Columns (by header name, any order; extra columns ignored): Event ID, Event Date, Source Name, Source
Sectors, Source Country, Event Text, CAMEO Code, Intensity, Target Name, Target Sectors, Target Country,
Story ID, Sentence Number, Publisher, City, District, Province, Country, Latitude, Longitude.

Actors become CAMEO codes: a country name ("China") -> ``CHN``; an agent with its country ("Police (India)",
or a person with Source Country "China" and sectors "Government,Executive") -> country + role (``INDCOP``,
``CHNGOV``); unresolved names stay empty, the names themselves are kept in the event text. ``Intensity`` is
the Goldstein weight. A CAMEO code that lost its leading zero in a spreadsheet ("42") is restored ("042")
when the restored code is valid and the bare one is not. Every row that cannot be read becomes a reject with
its line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from redline.errors import SourceError
from redline.records import Event, Provenance, Reject
from redline.sources._common import actor_for, as_float, code_info, country_code, decode
from redline.sources.fetch import iter_lines
from redline.sources.rows import FileRowReader

__all__ = ["IcewsReader", "REQUIRED", "restore_code"]

REQUIRED = ("Event ID", "Event Date", "CAMEO Code")
_MAX_FIELDS = 200


def restore_code(raw: str) -> str | None:
    """A valid CAMEO code for ``raw`` (zero-padded when a spreadsheet dropped the zero), else None."""
    code = raw.strip()
    if code_info(code) is not None:
        return code
    if code.isdigit() and len(code) in (2, 3) and code_info("0" + code) is not None:
        return "0" + code
    return None


class IcewsReader(FileRowReader):
    """Row reader for ICEWS coded-event files (plain, gzipped or zipped; path or URL)."""

    name = "icews"
    description = "ICEWS coded-event files (Dataverse TSV with header), plain, gzipped or zipped"

    def _rows(self, path: Path, origin: str) -> Iterator[Event | Reject]:
        header: list[str] | None = None
        index: dict[str, int] = {}
        for n, raw in iter_lines(path, origin=origin):
            if raw is None:
                yield Reject(self.name, origin, n, "line too long")
                continue
            text = decode(raw)
            if text is None:
                yield Reject(self.name, origin, n, "not valid UTF-8 text", _raw(raw))
                continue
            if not text.strip():
                continue
            cells = text.split("\t")
            if header is None:
                header = [c.strip().strip('"') for c in cells]
                index = {name: i for i, name in enumerate(header) if name}
                missing = [c for c in REQUIRED if c not in index]
                if missing:
                    raise SourceError(
                        f"not an ICEWS event file: header lacks {', '.join(missing)} (a tab-separated "
                        "header with 'Event ID', 'Event Date', 'CAMEO Code' ... expected)",
                        path=origin, line=n,
                    )
                continue
            if len(cells) > _MAX_FIELDS or len(cells) != len(header):
                yield Reject(self.name, origin, n, f"expected {len(header)} tab-separated fields, "
                             f"found {len(cells)}", text[:2000])
                continue
            try:
                yield self._event(cells, index, origin, n)
            except ValueError as exc:
                yield Reject(self.name, origin, n, str(exc), text[:2000])
        if header is None:
            raise SourceError("not an ICEWS event file: no header row (the file is empty); a tab-separated header "
                              "with 'Event ID', 'Event Date', 'CAMEO Code' ... expected", path=origin, line=1)

    def _event(self, cells: list[str], index: dict[str, int], origin: str, n: int) -> Event:
        def get(col: str) -> str:
            i = index.get(col)
            return cells[i].strip().strip('"') if i is not None else ""

        event_id = get("Event ID")
        if not event_id:
            raise ValueError("empty Event ID")
        try:
            date = dt.date.fromisoformat(get("Event Date"))
        except ValueError:
            raise ValueError(f"bad Event Date {get('Event Date')!r} (YYYY-MM-DD expected)") from None
        code = restore_code(get("CAMEO Code"))
        if code is None:
            raise ValueError(f"unknown CAMEO code {get('CAMEO Code')!r}")
        info = code_info(code)
        assert info is not None
        try:
            intensity = as_float(get("Intensity"))
        except ValueError:
            raise ValueError(f"bad Intensity {get('Intensity')!r}") from None
        try:
            lat = as_float(get("Latitude"))
            lon = as_float(get("Longitude"))
        except ValueError:
            raise ValueError(f"bad Latitude/Longitude {get('Latitude')!r}, {get('Longitude')!r}") from None
        if lat is not None and not -90.0 <= lat <= 90.0 or lon is not None and not -180.0 <= lon <= 180.0:
            raise ValueError(f"Latitude/Longitude out of range: {lat}, {lon}")
        src_name, tgt_name = get("Source Name"), get("Target Name")
        source, source_country = actor_for(src_name, get("Source Country"), get("Source Sectors"))
        target, target_country = actor_for(tgt_name, get("Target Country"), get("Target Sectors"))
        place = ", ".join(p for p in (get("City"), get("District"), get("Province"), get("Country")) if p)
        sentence = get("Sentence Number")
        small_int = sentence.isascii() and sentence.isdigit() and len(sentence) < 10
        sentence_index = int(sentence) if small_int else None
        return Event(
            event_id=f"icews:{event_id}",
            date=date,
            source=source,
            target=target,
            cameo=code,
            quad_class=info.quad_class,
            goldstein=intensity if intensity is not None else info.goldstein,
            provenance=Provenance(
                dataset=self.name,
                locator=f"{Path(origin).name}:{n}",
                doc_id=get("Story ID"),
                sentence_index=sentence_index,
                text=f"{src_name} | {get('Event Text')} | {tgt_name}",
            ),
            source_country=source_country,
            target_country=target_country,
            plover=info.plover,
            mode=info.mode,
            location=place,
            location_country=country_code(get("Country")),
            latitude=lat,
            longitude=lon,
        )


def _raw(raw: bytes) -> str:
    return raw[:2000].decode("utf-8", errors="replace")
