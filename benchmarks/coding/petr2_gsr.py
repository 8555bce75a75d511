"""PETRARCH2 gold-standard records: precision, recall and F1 of (source country, target country, CAMEO root).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/coding/petr2_gsr.py [--data DIR]``. Prints one JSON line.
A predicted triple is an asserted event with both a source and a target (events the coder does not assert --
negated, hypothetical, only intended -- do not count; where it reads a statement of intent it asserts an intent
event, 03x, and that counts, as PETRARCH codes "would free" and "wants to help" as intent); actor codes compare
on their first three letters ("---" counts as none). Triples are compared as sets per sentence (a sentence's
gold codings and its coded events, each de-duplicated), summed over sentences.

This file was used for error analysis while the coder's patterns and actor resolution were improved, so it is
not a held-out test. To keep a held-out check, the records were split by id (SHA-1 of the id, even -> ``analysis``,
odd -> ``heldout``) before any analysis; only the analysis half's sentences were read. Both halves' figures are
printed; ``--errors`` lists the analysis half's misses and false alarms (never the held-out half's). The run prints
the held-out figure too, so it was seen after changes, but changes were kept or dropped on the analysis half, on
hand-written sentences, on the timeline texts and (session 3) on the ConfliBERT actor-tag train split, never on it.

``--dictionaries`` adds the PETRARCH actor and agent dictionaries and the CAMEO verb file the records name in their
``<Environment>`` (a user configuration, ``--actors``/``--verbs``); without it the coder uses only the project's own
tables. Both rows belong in a results table: the first is what the shipped coder does, the second what a user with
the PETRARCH dictionaries gets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("REDLINE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def records(path: Path) -> list[tuple[str, dt.date, str, set[tuple[str, str, str]]]]:
    """(id, date, text, gold triples) per sentence; the file is not strict XML, so it is read with patterns."""
    text = path.read_text(encoding="utf-8")
    out = []
    for block in re.split(r"(?=<Sentence\s)", text)[1:]:
        head = re.match(r'<Sentence[^>]*date="(\d{6}|\d{8})"[^>]*id="([^"]+)"', block)
        body = re.search(r"<Text>(.*?)</Text>", block, re.S)
        if not head or not body:
            continue
        d, rid = head.group(1), head.group(2)
        if len(d) == 6:  # a few records carry yymmdd
            d = "20" + d
        gold = set()
        for m in re.finditer(r"<EventCoding([^>]*)/>", block):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            if attrs.get("eventcode"):
                s = attrs.get("sourcecode", "")[:3].replace("---", "")
                t = attrs.get("targetcode", "")[:3].replace("---", "")
                gold.add((s, t, attrs["eventcode"][:2]))
        out.append((rid, dt.date(int(d[:4]), int(d[4:6]), int(d[6:8])), " ".join(body.group(1).split()), gold))
    return out


def half(rid: str) -> str:
    """The record's half: ``analysis`` (read during development) or ``heldout`` (never read)."""
    return "analysis" if int(hashlib.sha1(rid.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def triples(events: Iterable[Any]) -> set[tuple[str, str, str]]:
    """(source, target, root) of events with both actors."""
    return {(e.source[:3], e.target[:3], e.cameo[:2]) for e in events if e.source and e.target}


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"gold": tp + fn, "predicted": tp + fp, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument(
        "--dictionaries",
        action="store_true",
        help="also load the PETRARCH actor/agent dictionaries the records name in <Environment>",
    )
    ap.add_argument("--errors", action="store_true", help="list the analysis half's errors on stderr")
    args = ap.parse_args()
    from redline.coding.pipeline import Coder
    from redline.records import Document

    root = data_dir(args.data)
    recs = records(root / "coding" / "petr2_gsr_validation.xml")
    actors = []
    if args.dictionaries:
        d = root / "dictionaries" / "petrarch2"
        actors = [
            d / "Phoenix.Countries.actors.txt",
            d / "Phoenix.International.actors.txt",
            d / "Phoenix.MilNonState.actors.txt",
            d / "Phoenix.agents.txt",
        ]
    verbs = [root / "dictionaries" / "petrarch2" / "CAMEO.2.0.txt"] if args.dictionaries else []
    coder = Coder.load(actors=actors, verbs=verbs)
    t0 = time.perf_counter()
    counts = {"analysis": [0, 0, 0], "heldout": [0, 0, 0]}
    docs = [Document(rid, text, day) for rid, day, text, _ in recs]
    for (rid, _day, text, gold), (_d, events) in zip(recs, coder.code(docs), strict=True):
        pred = triples(events)
        c = counts[half(rid)]
        c[0] += len(pred & gold)
        c[1] += len(pred - gold)
        c[2] += len(gold - pred)
        if args.errors and half(rid) == "analysis" and pred != gold:
            print(f"{rid}: {text}\n  missed {sorted(gold - pred)}\n  extra  {sorted(pred - gold)}", file=sys.stderr)
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    print(
        json.dumps(
            {
                "benchmark": "petr2_gsr_triples",
                "sentences": len(recs),
                **prf(tp, fp, fn),
                "analysis_half": prf(*counts["analysis"]),
                "heldout_half": prf(*counts["heldout"]),
                "note": "GSR records used for error analysis (analysis half only); heldout half never read",
                "model": coder.model_name,
                "dictionaries": bool(actors),
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
