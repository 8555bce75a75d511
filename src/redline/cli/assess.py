"""CLI commands for assess: ask, backtest, check, brief (registered by redline.cli)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from redline.errors import QuestionError, RedlineError

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="DuckDB store file (default: $REDLINE_STORE or the user data directory)."),
]
DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        help="Data folder with alliances/, trade/, korea/ (default: $REDLINE_SHARED_DATA or ../shared/data).",
    ),
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Moment of the forecast, YYYY-MM-DD (default: today).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON line.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("ask")(ask)
    app.command("backtest")(backtest)
    app.command("check")(check)
    app.command("brief")(brief)


def _as_of(s: str | None) -> dt.date:
    if not s:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(s)
    except ValueError as exc:
        raise QuestionError(f"--as-of: not a date {s!r} (use YYYY-MM-DD)") from exc


def _open_store(path: str | None) -> Any:
    """The store read-only, or None when there is none yet (answers then say the history is missing)."""
    import os

    from redline.store import Store, default_store_path

    target = Path(path) if path else Path(os.environ.get("REDLINE_STORE") or default_store_path())
    if not target.exists():
        if path:
            raise RedlineError(f"{target}: no store here")
        return None
    return Store.open(str(target), read_only=True)


def _trigger_from(text: str | None) -> Any:
    if not text:
        return None
    from redline.assess.questions import _trigger

    t = _trigger(text)
    if t is None:
        raise QuestionError(f"--trigger: could not read a country and an event class in {text!r}")
    return t


def ask(
    question: Annotated[str | None, typer.Argument(help="A yes/no question in plain English.")] = None,
    spec: Annotated[str | None, typer.Option("--spec", help="A question as a JSON file.")] = None,
    trigger: Annotated[
        str | None,
        typer.Option("--trigger", help="What happened, e.g. 'North Korea sends troops to Russia against Ukraine'."),
    ] = None,
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    data: DataOpt = None,
    trade: Annotated[
        str | None, typer.Option("--trade", help="Extra trade-share CSV (reporter,partner,year,share).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a yes/no question about two countries: probability, evidence with citations, method."""
    from redline.assess.answer import Context, answer
    from redline.assess.questions import parse_question, parse_spec, with_trigger

    when = _as_of(as_of)
    if spec:
        try:
            raw = Path(spec).read_text(encoding="utf-8")
        except OSError as exc:
            raise QuestionError(f"{spec}: cannot read the question spec: {exc}") from exc
        pq = parse_spec(raw, when)
    elif question:
        pq = parse_question(question, when)
    else:
        raise QuestionError("give a question or --spec FILE")
    pq = with_trigger(pq, _trigger_from(trigger))
    st = _open_store(store)
    try:
        ctx = Context.load(when, store=st, data=data, trade_extra=trade)
        ans = answer(pq, ctx)
    finally:
        if st is not None:
            st.close()
    out = ans.to_json()
    if as_json:
        typer.echo(json.dumps(out, default=str))
        return
    _print_answer(out)


def _print_answer(out: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    q = out["question"]
    con.print(f"[bold]{q.get('text') or q['label']}[/bold]")
    con.print(
        f"{q['actor']} -> {q['target']}: {q['label']} {q['start']}..{q['end']}"
        + (" (either direction)" if q.get("mutual") else "")
    )
    con.print(
        f"[bold]probability {out['probability']:.0%}[/bold]  (base rate {out['base_rate']:.1%}, "
        f"history model {out['history_probability']:.1%})"
    )
    t = Table("kind", "dir", "log-odds", "summary", "citation", show_lines=False)
    for e in out["evidence"]:
        t.add_row(
            e["kind"],
            {1: "+", -1: "-", 0: "0"}[e["direction"]],
            f"{e['weight']:.2f}",
            e["summary"],
            e["citation"],
        )
    con.print(t)
    for n in out.get("details", {}).get("notes", []):
        con.print(f"note: {n}")
    con.print(f"[dim]method: {out['method']}[/dim]")


def backtest(
    dataset: Annotated[
        str | None,
        typer.Argument(help="TKG dataset folder (train/valid/test + id files). Omit to use the store."),
    ] = None,
    store: StoreOpt = None,
    window: Annotated[int, typer.Option(help="Question window in days.")] = 30,
    step: Annotated[int, typer.Option(help="Days between question dates.")] = 3,
    top: Annotated[int, typer.Option(help="Most active countries to pair.")] = 20,
    min_history: Annotated[
        int,
        typer.Option(help="Days of history before the first question (and the look-back of every feature)."),
    ] = 90,
    classes: Annotated[str, typer.Option(help="Event classes: root (CAMEO roots) or plover.")] = "root",
    calibration: Annotated[str, typer.Option(help="auto, platt or isotonic.")] = "auto",
    tkg_model: Annotated[
        str | None,
        typer.Option("--tkg-model", help="Add this forecasting model's score as a feature (e.g. recurrency)."),
    ] = None,
    png: Annotated[str | None, typer.Option(help="Write the calibration curve here (PNG).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Generate historical questions, fit and calibrate on earlier dates, score later ones against the base
    rate."""
    from redline.forecast.questions import (
        backtest as run,
    )
    from redline.forecast.questions import (
        events_from_frame,
        events_from_tkg,
        plot_calibration,
    )

    if classes not in ("root", "plover"):
        raise QuestionError("--classes must be root or plover")
    if dataset:
        if not Path(dataset).is_dir():
            raise RedlineError(f"{dataset}: not a dataset folder")
        ev = events_from_tkg(dataset, scheme=classes)
        name = Path(dataset).name
    else:
        st = _open_store(store)
        if st is None:
            raise RedlineError("no dataset folder given and no store found")
        try:
            df = st.sql("SELECT date, source_country, target_country, cameo, goldstein FROM events WHERE asserted")
        finally:
            st.close()
        ev = events_from_frame(df, scheme=classes)
        name = "store"
    res = run(
        ev,
        window=window,
        step=step,
        top=top,
        min_history=min_history,
        calibration=calibration,
        dataset=name,
        tkg_model=tkg_model or None,
    )
    out = res.to_json()
    if png:
        out["png"] = str(plot_calibration(res, png))
    if as_json:
        typer.echo(json.dumps(out))
        return
    typer.echo(
        f"{res.n:,} test questions ({name}, {window}-day windows, {len(res.countries)} countries x "
        f"{len(res.classes)} classes)"
    )
    typer.echo(
        f"Brier {res.brier:.4f} vs base rate {res.brier_base_rate:.4f} (skill {res.brier_skill:+.3f}); "
        f"log loss {res.log_loss:.4f}; ECE {res.ece:.4f}; calibration {res.calibration}"
    )


def check(
    article: Annotated[str, typer.Argument(help="Article text file.")],
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract an article's checkable claims and judge each: supported, contradicted or unverifiable."""
    from redline.assess.claims import check_text

    text = _read(article)
    st = _open_store(store)
    try:
        res = check_text(text, as_of=_as_of(as_of) if as_of else None, store=st, data=data, doc_id=Path(article).stem)
    finally:
        if st is not None:
            st.close()
    if as_json:
        typer.echo(json.dumps(res, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table("verdict", "claim", "evidence", show_lines=True)
    for c in res["claims"]:
        t.add_row(c["verdict"], c["text"][:160], c["evidence"][:200])
    Console().print(t)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RedlineError(f"{path}: cannot read: {exc}") from exc


def brief(
    article: Annotated[str | None, typer.Argument(help="Article text file (omit with --example).")] = None,
    example: Annotated[bool, typer.Option("--example", help="Brief the example article redline ships.")] = False,
    question: Annotated[
        str | None,
        typer.Option("--question", help="The question to answer (default: the article's own, when it can be found)."),
    ] = None,
    out: Annotated[str, typer.Option("--out", help="HTML report path.")] = "brief.html",
    as_of: AsOfOpt = None,
    store: StoreOpt = None,
    data: DataOpt = None,
    ingest: Annotated[bool, typer.Option(help="Store the article's coded events in the store.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Code an article, store its events, answer its question, check its claims, and write an HTML brief."""
    from redline.report.brief import EXAMPLE_ARTICLE, make_brief

    if example:
        article = str(EXAMPLE_ARTICLE)
        as_of = as_of or "2025-01-15"
    if not article:
        raise RedlineError("give an article file or --example")
    path: str = article
    res = make_brief(
        _read(path),
        doc_id=Path(path).stem,
        question=question,
        out=out,
        as_of=_as_of(as_of) if as_of else None,
        store_path=store,
        data=data,
        ingest=ingest,
    )
    if as_json:
        typer.echo(json.dumps(res["summary"], default=str))
        return
    from rich.console import Console

    con = Console()
    for line in res["terminal"]:
        con.print(line)
