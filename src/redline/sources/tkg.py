"""Temporal knowledge graph quadruple datasets (the RE-GCN layout), e.g. ICEWS14 and ICEWS18.

A dataset is a directory with ``entity2id.txt`` and ``relation2id.txt`` (``name<TAB>id``) and split files
``train.txt`` / ``valid.txt`` / ``test.txt`` (``subject relation object time``, ids, tab or space
separated). Locations: the directory (all splits), or one split file in it. Time steps become dates:

* ICEWS14: days numbered from 1 = 2014-01-01;
* ICEWS18: hours numbered from 0 = 2018-01-01 00:00, step 24;
* anything else: say how, ``DIR?start=2005-01-01&step=24&first=0`` (``step``: time units per day, ``first``:
  the time value of ``start``).

Entity names become CAMEO actor codes where they resolve ("North Korea" -> PRK, "Government (North Korea)"
-> PRKGOV, "Citizen (China)" -> CHNCVL, "Xi Jinping (China)" -> CHN); a bare person name ("Xi Jinping")
stays empty. The names are kept in the event text (``subject | relation | object``). Relation names become
CAMEO codes by label (see :func:`redline.sources._common.relation_to_cameo`); a quadruple whose relation has
no code, an unknown id, a bad time or a malformed line becomes a reject with file, line and reason.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from redline.errors import SourceError
from redline.records import Event, Provenance, Reject, event_id_for
from redline.sources._common import Batcher, CodeInfo, actor_for, code_info, decode, relation_to_cameo
from redline.sources.base import Batch, DelimitedSpec
from redline.sources.fetch import iter_lines

__all__ = ["TkgReader", "TimeAxis", "KNOWN_AXES", "SPLITS", "relation_codes", "resolve_location"]

SPLITS = ("train", "valid", "test")
_MAX_ID = 10**9


@dataclass(frozen=True, slots=True)
class TimeAxis:
    """``date = start + (t - first) / step`` days; ``t - first`` must be a multiple of ``step``."""

    start: dt.date
    step: int = 1
    first: int = 0

    def date(self, t: int) -> dt.date:
        offset = t - self.first
        if offset < 0:
            raise ValueError(f"time {t} is before the dataset's first step {self.first}")
        days, rest = divmod(offset, self.step)
        if rest:
            raise ValueError(f"time {t} is not a whole day (step {self.step})")
        if days > 200 * 366:
            raise ValueError(f"time {t} is out of range")
        return self.start + dt.timedelta(days=days)


#: Time axes of the datasets this reader knows by directory name (upper case).
KNOWN_AXES: dict[str, TimeAxis] = {
    "ICEWS14": TimeAxis(dt.date(2014, 1, 1), step=1, first=1),
    "ICEWS18": TimeAxis(dt.date(2018, 1, 1), step=24, first=0),
}


def resolve_location(location: str) -> tuple[Path, tuple[str, ...], TimeAxis]:
    """(dataset directory, splits to read, time axis) for a location; SourceError when it cannot be read."""
    path_text, query = location, ""
    if "?" in location:
        head, _, tail = location.rpartition("?")
        if "=" in tail:
            path_text, query = head, tail
    params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    path = Path(path_text).expanduser()
    if path.is_file():
        stem = path.name.split(".")[0]
        if stem not in SPLITS:
            names = ", ".join(s + ".txt" for s in SPLITS)
            raise SourceError(f"not a TKG split file (expected one of {names})", path=location)
        folder, splits = path.parent, tuple[str, ...]((stem,))
    elif path.is_dir():
        folder = path
        splits = tuple(s for s in SPLITS if (folder / f"{s}.txt").is_file())
        if not splits:
            raise SourceError("no train.txt, valid.txt or test.txt in this directory", path=location)
    else:
        raise SourceError("no such file or directory", path=location)
    if "splits" in params:
        wanted = tuple(s.strip() for s in params["splits"].split(",") if s.strip())
        bad = [s for s in wanted if s not in SPLITS]
        if bad:
            raise SourceError(f"unknown split(s) {', '.join(bad)}", path=location)
        splits = tuple(s for s in splits if s in wanted)
    return folder, splits, _axis(folder, params, location)


def _axis(folder: Path, params: dict[str, str], location: str) -> TimeAxis:
    known = KNOWN_AXES.get(folder.name.upper())
    if "start" not in params:
        if known is None:
            raise SourceError(
                "unknown TKG dataset: give its time axis, e.g. DIR?start=2014-01-01&step=1&first=0 "
                f"(known: {', '.join(sorted(KNOWN_AXES))})",
                path=location,
            )
        return known
    try:
        start = dt.date.fromisoformat(params["start"])
        step = int(params.get("step", "1"))
        first = int(params.get("first", "0"))
    except ValueError as exc:
        raise SourceError(f"bad time axis parameters: {exc}", path=location) from exc
    if step < 1:
        raise SourceError("step must be >= 1", path=location)
    return TimeAxis(start, step, first)


_ID_LINE = re.compile(r"^(?P<name>.*\S)\s+(?P<id>\d+)\s*$")


def _read_ids(path: Path, kind: str, dataset: str, rejects: list[Reject]) -> dict[int, str]:
    if not path.is_file():
        raise SourceError(f"missing {path.name} ({kind} names)", path=str(path))
    out: dict[int, str] = {}
    for n, raw in iter_lines(path):
        if raw is None:
            rejects.append(Reject(dataset, str(path), n, "line too long"))
            continue
        text = decode(raw)
        if text is None:
            rejects.append(Reject(dataset, str(path), n, "not valid UTF-8 text", _raw(raw)))
            continue
        if not text.strip():
            continue
        if n == 1 and text.strip().isdigit():
            continue  # a count header (OpenKE style)
        parts = text.split("\t")
        if len(parts) == 2:
            name, ident = parts[0], parts[1].strip()
        else:
            m = _ID_LINE.match(text)
            name, ident = (m.group("name"), m.group("id")) if m else ("", "")
        if not name.strip() or not _is_int(ident) or int(ident) > _MAX_ID:
            rejects.append(Reject(dataset, str(path), n, f"expected '<{kind} name><TAB><id>'", text[:2000]))
            continue
        i = int(ident)
        if i in out:
            rejects.append(Reject(dataset, str(path), n, f"duplicate {kind} id {i}", text[:2000]))
            continue
        out[i] = name.strip()
    return out


def relation_codes(relations: dict[int, str]) -> dict[int, tuple[str, str]]:
    """relation id -> (CAMEO code or "", how it matched) for a dataset's relation names."""
    return {i: relation_to_cameo(name) for i, name in relations.items()}


class TkgReader:
    """Row reader for TKG quadruple datasets."""

    name = "tkg"
    description = "temporal knowledge graph quadruples (train/valid/test.txt + entity2id/relation2id)"

    def delimited(self, location: str) -> list[DelimitedSpec]:
        raise NotImplementedError("tkg is a row reader: use batches()")

    def batches(self, location: str, *, batch_size: int = 50_000) -> Iterator[Batch]:
        folder, splits, axis = resolve_location(location)
        dict_rejects: list[Reject] = []
        entities = _read_ids(folder / "entity2id.txt", "entity", self.name, dict_rejects)
        relations = _read_ids(folder / "relation2id.txt", "relation", self.name, dict_rejects)
        codes = relation_codes(relations)
        infos: dict[int, CodeInfo | None] = {i: code_info(c) if c else None for i, (c, _) in codes.items()}
        for k, split in enumerate(splits):
            path = folder / f"{split}.txt"
            batcher = Batcher(str(path), batch_size)
            if k == 0:
                batcher.rejects.extend(dict_rejects)
            rows = self._rows(path, folder.name, split, axis, entities, relations, infos)
            yield from batcher.drain(rows)

    def _rows(self, path: Path, dataset: str, split: str, axis: TimeAxis, entities: dict[int, str],
              relations: dict[int, str], infos: dict[int, CodeInfo | None]) -> Iterator[Event | Reject]:
        origin = str(path)
        for n, raw in iter_lines(path):
            if raw is None:
                yield Reject(self.name, origin, n, "line too long")
                continue
            text = decode(raw)
            if text is None:
                yield Reject(self.name, origin, n, "not valid UTF-8 text", _raw(raw))
                continue
            parts = text.split()
            if not parts:
                continue
            if len(parts) < 4 or len(parts) > 6:
                yield Reject(self.name, origin, n, f"expected 4 ids 'subject relation object time', "
                             f"found {len(parts)} fields", text[:2000])
                continue
            try:
                s, r, o, t = (int(p) for p in parts[:4])
            except ValueError:
                yield Reject(self.name, origin, n, "ids and time must be integers", text[:2000])
                continue
            problem = ""
            if s not in entities:
                problem = f"unknown subject entity id {s}"
            elif o not in entities:
                problem = f"unknown object entity id {o}"
            elif r not in relations:
                problem = f"unknown relation id {r}"
            elif infos.get(r) is None:
                problem = f"relation {relations[r]!r} has no CAMEO code"
            if problem:
                yield Reject(self.name, origin, n, problem, text[:2000])
                continue
            try:
                date = axis.date(t)
            except ValueError as exc:
                yield Reject(self.name, origin, n, str(exc), text[:2000])
                continue
            info = infos[r]
            assert info is not None
            s_name, o_name = entities[s], entities[o]
            source, source_country = actor_for(s_name)
            target, target_country = actor_for(o_name)
            yield Event(
                event_id="tkg:" + event_id_for(dataset, split, s, r, o, t),
                date=date,
                source=source,
                target=target,
                cameo=info.code,
                quad_class=info.quad_class,
                goldstein=info.goldstein,
                provenance=Provenance(
                    dataset=self.name,
                    locator=f"{dataset}/{split}.txt:{n}",
                    text=" | ".join(x.replace("_", " ") for x in (s_name, relations[r], o_name)),
                ),
                source_country=source_country,
                target_country=target_country,
                plover=info.plover,
                mode=info.mode,
            )


def _is_int(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _raw(raw: bytes) -> str:
    return raw[:2000].decode("utf-8", errors="replace")
