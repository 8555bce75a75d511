"""The main job (``make demo``): build a store from local inputs and show what redline makes of them.

Inputs need no network. Steps: (1) the ICEWS14 benchmark from the shared data folder when present (a real year
of coded events) and China <-> North Korea by month with plots; (2) the dated North Korea-Russia timeline texts,
coded into events, and their dyad by year; (3) the brief (question, evidence, probability, claim check, HTML report)
on the example article the project ships, and (4) on the seed article when ../shared is present.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redline.errors import RedlineError

__all__ = ["run_demo", "find_shared_data"]


def find_shared_data(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The shared data folder: ``explicit``, $REDLINE_SHARED_DATA, or ../shared/data beside the checkout/cwd."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("REDLINE_SHARED_DATA"):
        candidates.append(Path(os.environ["REDLINE_SHARED_DATA"]))
    here = Path(__file__).resolve()
    candidates += [Path.cwd().parent / "shared" / "data", here.parents[3] / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c
    if explicit:
        raise RedlineError(f"{explicit}: no such data folder")
    return None


def run_demo(*, store: str | None, out: Path, data: Path | None, echo: Callable[[str], None]) -> None:
    from redline.indicators import dyad_series, plot_dyad
    from redline.store import Store

    out.mkdir(parents=True, exist_ok=True)
    store_path = store or os.environ.get("REDLINE_STORE") or str(out / "demo.duckdb")
    shared = find_shared_data(data)
    with Store.open(store_path) as st:
        echo(f"store: {store_path}")
        if shared is not None and (shared / "tkg" / "ICEWS14").is_dir():
            rep = st.ingest("tkg", [str(shared / "tkg" / "ICEWS14")])
            echo(f"ICEWS14 (tkg): read {rep.read:,}, stored {rep.stored:,}, duplicates {rep.duplicates:,}, "
                 f"quarantined {rep.quarantined:,} in {rep.seconds:.1f}s")
        else:
            echo("shared data not found: skipping ICEWS14 (set REDLINE_SHARED_DATA or pass --data)")
        info = st.info()
        echo(f"{info['events']:,} events in the store, {info['first_date']} .. {info['last_date']}")
        series = dyad_series(st, "CHN", "PRK", by="month")
        if series.empty:
            echo("no China-North Korea events in the store yet")
        else:
            echo(f"China <-> North Korea by month: {int(series['events'].sum()):,} events over {len(series)} months")
            _print_periods(series, echo)
            png = plot_dyad(series, out / "chn_prk_monthly.png", "China <-> North Korea, monthly (ICEWS14)")
            html = plot_dyad(series, out / "chn_prk_monthly.html", "China <-> North Korea, monthly (ICEWS14)")
            echo(f"plots: {png} and {html}")
        timeline = shared / "korea" / "nk_russia_timeline_2022_2026.json" if shared else None
        if timeline is not None and timeline.is_file():
            rep = st.ingest("text", [str(timeline)])
            echo(f"\nNorth Korea-Russia timeline texts coded: read {rep.read:,} events, stored {rep.stored:,} "
                 f"in {rep.seconds:.1f}s")
            yearly = dyad_series(st, "PRK", "RUS", by="year", start="2022-01-01")
            _print_periods(yearly, echo)
            plot_dyad(yearly, out / "prk_rus_yearly.png", "North Korea <-> Russia by year (coded timeline texts)")
    _briefs(store_path, out, shared, echo)


def _print_periods(series: Any, echo: Callable[[str], None]) -> None:
    for r in series.itertuples(index=False):
        gm = "" if r.goldstein_mean != r.goldstein_mean else f"{r.goldstein_mean:+.2f}"
        echo(f"  {r.period}  events {r.events:4d}  coop {r.verbal_coop + r.material_coop:4d}  "
             f"conflict {r.verbal_conflict + r.material_conflict:4d}  Goldstein {gm}")


def _briefs(store_path: str, out: Path, shared: Path | None, echo: Callable[[str], None]) -> None:
    """The brief on the project's example article, then on the seed article when it is there."""
    from rich.console import Console

    from redline.report.brief import EXAMPLE_ARTICLE, make_brief

    console = Console(width=120)
    runs = [("example article", EXAMPLE_ARTICLE, "2025-01-15", out / "example_brief.html")]
    seed_dir = shared.parent / "seed" if shared else None
    if seed_dir is not None and seed_dir.is_dir():
        for seed in sorted(seed_dir.glob("*.txt"))[:1]:
            runs.append(("seed article", seed, "2024-11-25", out / "seed_brief.html"))
    import datetime as dt

    for label, path, as_of, html in runs:
        echo(f"\n=== brief: {label} ({Path(path).name}, as of {as_of}) ===")
        res = make_brief(Path(path).read_text(encoding="utf-8"), doc_id=Path(path).stem, out=html,
                         as_of=dt.date.fromisoformat(as_of), store_path=store_path,
                         data=str(shared) if shared else None)
        for line in res["terminal"]:
            console.print(line)
