"""The seed question, answered as it stood on 2024-11-25: prints ONE JSON line (probability, evidence kinds, all
cited). No event store is used unless --store is given; the base rate then comes from the fitted class rates.

    .venv/bin/python benchmarks/questions/seed_question.py [--store FILE] [--data DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

QUESTION = (
    "Will China take punitive measures - sanctions, reduced relations or coercion - against North Korea "
    "within 6 months of 2024-11-25?"
)
TRIGGER = "North Korea sends troops to Russia to fight against Ukraine"


def main(argv: list[str] | None = None) -> int:
    from redline.assess.answer import Context, answer
    from redline.assess.questions import _trigger, parse_question, with_trigger

    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default=None)
    ap.add_argument("--data", default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    as_of = dt.date(2024, 11, 25)
    store = None
    if args.store:
        from redline.store import Store

        store = Store.open(args.store, read_only=True)
    pq = with_trigger(parse_question(QUESTION, as_of), _trigger(TRIGGER))
    ans = answer(pq, Context.load(as_of, store=store, data=args.data)).to_json()
    if store is not None:
        store.close()
    ev = ans["evidence"]
    print(
        json.dumps(
            {
                "probability": ans["probability"],
                "base_rate": ans["base_rate"],
                "history_probability": ans["history_probability"],
                "evidence_kinds": sorted({e["kind"] for e in ev}),
                "evidence_items": len(ev),
                "all_cited": all(bool(e["citation"]) for e in ev),
                "knowledge_shift_log_odds": ans["details"]["knowledge_shift_log_odds"],
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
