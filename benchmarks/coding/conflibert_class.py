"""ConfliBERT 5-class event sentences: macro-F1 on the test split.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/coding/conflibert_class.py [--data DIR]`` (one JSON line).

* ``shipped``: the default coder (project-owned patterns only); a sentence's class is that of its first asserted
  event (CAMEO root 01/02 -> statement, else the quad5 scheme of ``redline.coding.lexicon.QUAD5_OF_ROOT``); a
  sentence with no asserted event takes its first non-asserted event's class, and one with none is "statement".
* ``trained``: ``redline coder train`` on the train split: TF-IDF word 1-2 grams, dependency-parse pseudo-words
  (root lemma, root + object/complement/preposition lemmas, verb lemmas, verb-object pairs, negation and modal
  flags; block weight 0.7, fixed by text-only CV on train) and the rule coder's reading as features (first and all
  asserted events' classes, roots and words, unasserted events' roots).
* ``baseline``: TF-IDF word 1-2 grams + logistic regression on the train split (C chosen by CV), no parse or rule
  features.

Selection, train split only: grouped (near-duplicate) stratified 5-fold CV over C x rule weight
(``trained_cv_table``: mean macro-F1 and standard error per setting). The rule coder's patterns were written with
the train split in view (the shipped rules score about 0.89 macro-F1 on train against about 0.77 on test), so CV on
train overrates the rule features; the trainer therefore takes the most regularised setting (smallest rule weight,
then smallest C) within one standard error of the best CV score (``redline.coding.train.choose``), not the CV
maximum. The test split is scored once, for that
chosen setting only; ``trained_cv_macro_f1_train`` is its (optimistic) CV score, not a forecast of the test score.
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


def shipped_labels(coder, sentences: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    from redline.coding.lexicon import CLASS_NAMES, class_of_code
    from redline.records import Document

    out = []
    docs = [Document(f"s{i}", s) for i, s in enumerate(sentences)]
    for _d, evs in coder.code(docs, include_all=True):
        ordered = sorted(evs, key=lambda e: e.provenance.span or (0, 0))
        asserted = [e for e in ordered if e.asserted]
        pick = asserted[0] if asserted else (ordered[0] if ordered else None)
        out.append(CLASS_NAMES[class_of_code(pick.cameo)] if pick else CLASS_NAMES[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    args = ap.parse_args()
    from sklearn.metrics import f1_score

    from redline.coding.pipeline import Coder
    from redline.coding.train import choose, cv_table, parse_sentences, read_corpus, rules_for, train

    d = data_dir(args.data) / "coding" / "conflibert_cameo_class"
    xs, ys, space = read_corpus(d / "train.tsv", "conflibert")
    xt, yt, _ = read_corpus(d / "test.tsv", "conflibert")
    coder = Coder.load()
    coder.require_actor = False  # sentence labels do not need resolved actors
    t0 = time.perf_counter()
    shipped = shipped_labels(coder, xt)
    t_ship = time.perf_counter() - t0
    rules_tr = rules_for(xs, coder, space)
    rules_te = rules_for(xt, coder, space)
    t1 = time.perf_counter()
    parses_tr = parse_sentences(xs, coder.nlp)
    table = cv_table(xs, ys, space, rules_tr, parses=parses_tr)
    chosen = choose(table)
    t2 = time.perf_counter()
    model = train(xs, ys, space, rules_tr, c=chosen["c"], rule_weight=chosen["rule_weight"], parses=parses_tr)
    t_fit = time.perf_counter() - t2
    trained = model.predict(xt, rules_te, parse_sentences(xt, coder.nlp))
    t_train = time.perf_counter() - t1
    base_table = cv_table(xs, ys, space, None, parse_weight=0.0)
    base_pick = max(base_table, key=lambda r: r["f1"])
    base = train(xs, ys, space, None, c=base_pick["c"], parse_weight=0.0).predict(xt)

    def f1(pred: list[str]) -> float:
        return round(float(f1_score(yt, pred, average="macro")), 4)

    print(
        json.dumps(
            {
                "benchmark": "conflibert_5class_test",
                "n_train": len(xs),
                "n_test": len(xt),
                "shipped_macro_f1": f1(shipped),
                "trained_macro_f1": f1(trained),
                "baseline_tfidf_lr_macro_f1": f1(base),
                "trained_c": chosen["c"],
                "trained_rule_weight": chosen["rule_weight"],
                "trained_parse_weight": model.parse_weight,
                "selection": "1-SE rule on grouped 5-fold CV (train): smallest rule weight, then C",
                "baseline_c": base_pick["c"],
                "trained_cv_macro_f1_train": round(chosen["f1"], 4),
                "baseline_cv_macro_f1_train": round(base_pick["f1"], 4),
                "trained_cv_table": [[r["c"], r["rule_weight"], round(r["f1"], 4), round(r["se"], 4)] for r in table],
                "trained_train_seconds": round(t_train, 2),
                "trained_final_fit_seconds": round(t_fit, 2),
                "shipped_seconds": round(t_ship, 2),
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
