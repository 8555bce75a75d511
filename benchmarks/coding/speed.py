"""Coding speed on the 277 dated texts of the North Korea-Russia timeline.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/coding/speed.py [--data DIR] [--processes N]`` (one JSON
line). ``floor``: the spaCy parse alone (the same pipeline, ``nlp.pipe``, same batch size); ``full``: the whole
coder (parse + actors + events + assertion + dates + places) on the same documents. Each is timed ``--repeat``
times and the best run is kept (the machine is shared). ``ratio`` = full / floor.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("REDLINE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from redline.coding.pipeline import Coder
    from redline.coding.source import read_documents
    from redline.records import Document

    docs = [
        d
        for d in read_documents(data_dir(args.data) / "korea" / "nk_russia_timeline_2022_2026.json")
        if isinstance(d, Document)
    ]
    coder = Coder.load(n_process=args.processes)
    texts = [d.text for d in docs]
    list(coder.nlp.pipe(texts[:20]))  # warm up
    floor = full = float("inf")
    n_sent = n_events = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        parsed = list(coder.nlp.pipe(texts, batch_size=coder.batch_size, n_process=args.processes))
        floor = min(floor, time.perf_counter() - t)
        n_sent = sum(1 for p in parsed for _ in p.sents)
        t = time.perf_counter()
        n_events = sum(len(evs) for _d, evs in coder.code(docs))
        full = min(full, time.perf_counter() - t)
    print(
        json.dumps(
            {
                "benchmark": "coding_speed_timeline",
                "documents": len(docs),
                "sentences": n_sent,
                "events": n_events,
                "processes": args.processes,
                "floor_seconds": round(floor, 3),
                "full_seconds": round(full, 3),
                "sentences_per_second": round(n_sent / full, 1),
                "floor_sentences_per_second": round(n_sent / floor, 1),
                "ratio": round(full / floor, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
