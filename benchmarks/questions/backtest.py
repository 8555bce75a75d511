"""Question backtest on a TKG dataset (default ICEWS18): prints ONE JSON line.

Every directed dyad among the 20 most active countries x each CAMEO root x 30-day windows, question dates
every
3 days from day 90. Weights are fitted on the first 60% of dates, the calibration (Platt or isotonic, chosen
by
log loss) on the next 20%, and the last 20% is scored; windows are purged so no fitting or calibration window
reaches into the next block. Settings (min history 90 days, step 3, the class-rate feature, the recurrency TKG
model's score as a feature) were chosen on the calibration block's Brier score, never on the test block.

    .venv/bin/python benchmarks/questions/backtest.py [DATASET_DIR] [--png PATH] [--write-weights]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    from redline.forecast.questions import backtest, events_from_tkg, plot_calibration

    ap = argparse.ArgumentParser()
    default = Path(os.environ.get("REDLINE_SHARED_DATA", REPO.parent / "shared" / "data")) / "tkg" / "ICEWS18"
    ap.add_argument("dataset", nargs="?", default=str(default))
    ap.add_argument("--png", default=str(REPO / "out" / "questions" / "calibration_icews18.png"))
    ap.add_argument("--tkg-model", default="recurrency", help="forecasting model whose score is a feature ('' = none)")
    ap.add_argument(
        "--write-weights",
        action="store_true",
        help="store the fitted weights as redline ask's defaults (knowledge/data/question_weights.json)",
    )
    args = ap.parse_args(argv)
    if not Path(args.dataset).is_dir():
        print(json.dumps({"skipped": f"dataset not found: {args.dataset}"}))
        return 0
    ev = events_from_tkg(args.dataset)
    res = backtest(
        ev, window=30, step=3, top=20, min_history=90, dataset=Path(args.dataset).name, tkg_model=args.tkg_model or None
    )
    png = plot_calibration(res, args.png)
    out = res.to_json()
    out["png"] = str(png)
    out["target_met"] = bool(res.n >= 5000 and res.brier_skill >= 0.10 and res.ece <= 0.03)
    if args.write_weights:
        dest = REPO / "src" / "redline" / "knowledge" / "data" / "question_weights.json"
        doc = res.weights.to_dict()
        doc["test"] = {k: out[k] for k in ("n", "brier", "brier_base_rate", "brier_skill", "ece")}
        dest.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        out["weights_file"] = str(dest)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
