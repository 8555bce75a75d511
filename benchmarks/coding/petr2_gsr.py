"""PETRARCH2 gold-standard records: precision, recall and F1 of (source country, target country, CAMEO root).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/coding/petr2_gsr.py [--data DIR]``. Prints one JSON line.
The default (shipped) coder is used as is; nothing is tuned on these records. A predicted triple is an asserted
event with both a source and a target; actor codes compare on their first three letters ("---" counts as none).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import time
from pathlib import Path


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
        head = re.match(r'<Sentence[^>]*date="(\d{8})"[^>]*id="([^"]+)"', block)
        body = re.search(r"<Text>(.*?)</Text>", block, re.S)
        if not head or not body:
            continue
        d, rid = head.group(1), head.group(2)
        gold = set()
        for m in re.finditer(r"<EventCoding([^>]*)/>", block):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            if attrs.get("eventcode"):
                s = attrs.get("sourcecode", "")[:3].replace("---", "")
                t = attrs.get("targetcode", "")[:3].replace("---", "")
                gold.add((s, t, attrs["eventcode"][:2]))
        out.append((rid, dt.date(int(d[:4]), int(d[4:6]), int(d[6:8])), " ".join(body.group(1).split()), gold))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument(
        "--dictionaries",
        action="store_true",
        help="also load the PETRARCH actor/agent dictionaries the records name in <Environment>",
    )
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
    tp = fp = fn = 0
    docs = [Document(rid, text, day) for rid, day, text, _ in recs]
    for (_rid, _day, _text, gold), (_d, events) in zip(recs, coder.code(docs), strict=True):
        pred = set()
        for e in events:
            if e.source and e.target:
                pred.add((e.source[:3], e.target[:3], e.cameo[:2]))
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(
        json.dumps(
            {
                "benchmark": "petr2_gsr_triples",
                "sentences": len(recs),
                "gold": tp + fn,
                "predicted": tp + fp,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                "model": coder.model_name,
                "dictionaries": bool(actors),
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
