"""Read PETRARCH/TABARI-format actor and agent dictionaries (``--actors PATH``), honouring date ranges.

Actor file::

    XI_JINPING_            # comment
    +PRESIDENT_XI_JINPING  (synonym)
        [CHNGOV >20121115]  (code, optionally with a date range: >FROM, <UNTIL, FROM-UNTIL; YYMMDD or YYYYMMDD)
    NORTH_KOREA_ [PRK]

Agent file: ``TROOPS [~MIL]`` (a sector noun); ``!PERSON! = MAN, MEN`` substitution sets are expanded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from redline.actors.gazetteer import Entry, Gazetteer
from redline.errors import SourceError

__all__ = ["load_dictionaries", "parse_actor_file", "parse_agent_file", "parse_date"]

_CODE = re.compile(r"\[([^\]]+)\]")
_SUBST = re.compile(r"^(![A-Z]+!)\s*=\s*(.+)$")


def parse_date(s: str) -> dt.date:
    """``YYMMDD`` (years up to 30 are 20xx) or ``YYYYMMDD``."""
    s = s.strip()
    if len(s) == 6:
        yy = int(s[:2])
        year = 2000 + yy if yy <= 30 else 1900 + yy
        return dt.date(year, int(s[2:4]), int(s[4:6]))
    if len(s) == 8:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    raise ValueError(f"bad date {s!r}")


def _parse_code(cell: str) -> tuple[str, dt.date | None, dt.date | None]:
    parts = cell.split()
    code = parts[0].upper()
    start = end = None
    rng = "".join(parts[1:])
    if not rng:
        return code, None, None
    try:
        if rng.startswith(">"):
            start = parse_date(rng[1:])
        elif rng.startswith("<"):
            end = parse_date(rng[1:])
        elif "-" in rng:
            a, b = rng.split("-", 1)
            start, end = parse_date(a), parse_date(b)
    except ValueError:  # a malformed range in a published dictionary: keep the code, drop the range
        return code, None, None
    return code, start, end


def _clean(line: str) -> str:
    if "#" in line:
        line = line[: line.index("#")]
    return line.rstrip()


def parse_actor_file(path: Path) -> list[tuple[list[str], list[tuple[str, dt.date | None, dt.date | None]]]]:
    """(names, codes) groups from one actor dictionary."""
    groups: list[tuple[list[str], list[tuple[str, dt.date | None, dt.date | None]]]] = []
    names: list[str] = []
    codes: list[tuple[str, dt.date | None, dt.date | None]] = []

    def flush() -> None:
        if names and codes:
            groups.append((list(names), list(codes)))

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SourceError(f"cannot read actor dictionary: {exc}", path=str(path)) from exc
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = _clean(raw)
        if not line.strip() or line.lstrip().startswith(("<", "-->")):
            continue
        try:
            found = [_parse_code(c) for c in _CODE.findall(line)]
        except (ValueError, IndexError) as exc:
            raise SourceError(f"bad code or date range: {exc}", path=str(path), line=lineno) from exc
        body = _CODE.sub("", line).strip()
        if line[0] in " \t" and not body:
            codes.extend(found)
        elif body.startswith("+"):
            names.append(body[1:].strip())
            codes.extend(found)
        else:
            flush()
            names, codes = [body], list(found)
    flush()
    return groups


def parse_agent_file(path: Path) -> list[tuple[str, str]]:
    """(phrase, sector) pairs from one agent dictionary."""
    subst: dict[str, list[str]] = {}
    out: list[tuple[str, str]] = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for raw in text.splitlines():
        line = _clean(raw).strip()
        if not line or line.startswith("<"):
            continue
        m = _SUBST.match(line)
        if m:
            subst[m.group(1)] = [w.strip() for w in m.group(2).split(",") if w.strip()]
            continue
        codes = _CODE.findall(line)
        if not codes:
            continue
        body = _CODE.sub("", line).strip()
        sector = codes[0].split()[0].strip("~").upper()[:3]
        if not sector:
            continue
        variants = [body]
        for key, alts in subst.items():
            if key in body:
                variants = [v.replace(key, "_" + a) for v in variants for a in alts]
        for v in variants:
            out.append((v.replace("_", " ").strip().lower(), sector))
    return out


def _files(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.is_file() and re.search(r"actors|agents", q.name, re.I)))
        elif p.is_file():
            out.append(p)
        else:
            raise SourceError("no such dictionary file or folder", path=str(p))
    return out


def load_dictionaries(paths: Iterable[str | Path], names: Gazetteer, sectors: Gazetteer) -> int:
    """Add the entries of PETRARCH dictionaries to the gazetteers; returns how many names were added."""
    n = 0
    for f in _files(paths):
        if "agent" in f.name.lower():
            for phrase, sector in parse_agent_file(f):
                sectors.add(phrase, Entry("sector", sector, phrase))
                n += 1
            continue
        for group_names, codes in parse_actor_file(f):
            dated = [c for c in codes if c[1] is not None or c[2] is not None]
            if dated:
                entries = [
                    Entry("person", code, group_names[0], start, end)
                    for code, start, end in codes
                    if code and code[0] != "~"
                ]
            else:
                code = codes[0][0]
                kind = "country" if len(code) == 3 and not code.startswith("IGO") else "actor"
                entries = [Entry(kind, code, group_names[0])]
            for name in group_names:
                for e in entries:
                    names.add(name, e, acronyms=False)
                n += 1
    return n
