"""ConfliBERT actor tags (source/target spans): span F1 of the default coder's source and target phrases.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/coding/conflibert_ner.py [--data DIR]`` (one JSON line).
Each test sentence is parsed on its own tokens; the predicted source (target) spans are the noun phrases
(head + determiners, modifiers, compounds, possessors, "of" complements) of the sources (targets) of the
sentence's asserted events, falling back to any event. Gold spans are the B-S/I-S (B-T/I-T) runs. Reported:
exact-match span precision/recall/F1 per role, and a lenient F1 where a predicted span counts when it overlaps
a gold span of the same role. The test split is never used for development; the argument rules of the coder
were checked against the train split (``--split train``) while they were written (session 3), never the test split.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("REDLINE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def read_bio(path: Path) -> list[tuple[list[str], dict[str, set[tuple[int, int]]]]]:
    out = []
    words: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if not words:
            return
        spans: dict[str, set[tuple[int, int]]] = {"S": set(), "T": set()}
        start, role = None, None
        for i, tag in enumerate([*tags, "O"]):
            if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != role):
                if role in spans:
                    spans[role].add((start, i))
                start, role = None, None
            if tag.startswith("B-") or (tag.startswith("I-") and start is None):
                start, role = i, tag[2:]
        out.append((list(words), spans))

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            words, tags = [], []
            continue
        w, _, t = line.rpartition(" ")
        words.append(w)
        tags.append(t.strip())
    flush()
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument("--split", default="test", help="test (the benchmark) or train (for development)")
    ap.add_argument("--show", type=int, default=0, help="print this many mismatches (development)")
    args = ap.parse_args()
    from spacy.tokens import Doc

    from redline.coding.pipeline import Coder
    from redline.records import Document

    sents = read_bio(data_dir(args.data) / "coding" / "conflibert_cameo_ner" / f"{args.split}.txt")
    coder = Coder.load()
    coder.heads = {}
    coder.require_actor = False  # spans are scored whether or not they resolve to an actor code
    t0 = time.perf_counter()
    counts = {r: [0, 0, 0, 0, 0] for r in ("S", "T")}  # tp, fp, fn, lenient tp, lenient fp
    docs = (Doc(coder.nlp.vocab, words=w) for w, _ in sents)
    for (words, gold), sdoc in zip(sents, coder.nlp.pipe(docs, batch_size=64), strict=True):
        events = coder.code_parsed(sdoc, Document("s", " ".join(words)))
        chosen = [e for e in events if e.asserted] or events
        pred: dict[str, set[tuple[int, int]]] = {"S": set(), "T": set()}
        for e in chosen[:1]:
            hs, ht = coder.heads.get(e.event_id, (None, None))
            for role, h in (("S", hs), ("T", ht)):
                if h is not None:
                    toks = coder._phrase_tokens(sdoc[h])
                    pred[role].add((min(t.i for t in toks), max(t.i for t in toks) + 1))
        if args.show and pred != gold:
            args.show -= 1
            show = {r: [" ".join(words[a:b]) for a, b in sorted(v)] for r, v in pred.items()}
            want = {r: [" ".join(words[a:b]) for a, b in sorted(v)] for r, v in gold.items()}
            print("PRED", show, "GOLD", want, "|", " ".join(words)[:160], file=sys.stderr)
        for role in ("S", "T"):
            c = counts[role]
            c[0] += len(pred[role] & gold[role])
            c[1] += len(pred[role] - gold[role])
            c[2] += len(gold[role] - pred[role])
            for a, b in pred[role]:
                if any(a < d and c0 < b for c0, d in gold[role]):
                    c[3] += 1
                else:
                    c[4] += 1
    out: dict[str, object] = {"benchmark": "conflibert_ner_source_target", "split": args.split, "sentences": len(sents)}
    for role, name in (("S", "source"), ("T", "target")):
        tp, fp, fn, ltp, lfp = counts[role]
        p, r, f = prf(tp, fp, fn)
        lp = ltp / (ltp + lfp) if ltp + lfp else 0.0
        gold_n = tp + fn
        lr = min(ltp, gold_n) / gold_n if gold_n else 0.0
        out[f"{name}_precision"], out[f"{name}_recall"], out[f"{name}_f1"] = round(p, 4), round(r, 4), round(f, 4)
        out[f"{name}_lenient_f1"] = round(2 * lp * lr / (lp + lr), 4) if lp + lr else 0.0
    out["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
