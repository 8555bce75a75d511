"""CLI commands for the store, sources and indicators: ingest, events, dyad, panel, export, sources, store, demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="DuckDB store file (default: $REDLINE_STORE or the user data directory)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON line instead of a table.")]

store_app = typer.Typer(help="Inspect the event store.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("ingest")(ingest)
    app.command("events")(events)
    app.command("dyad")(dyad)
    app.command("panel")(panel)
    app.command("export")(export)
    app.command("sources")(sources)
    app.command("demo")(demo)
    app.command("version")(version)
    app.add_typer(store_app, name="store")


def _console(stderr: bool = False) -> Any:
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Tables piped to a file or a pager keep their full width instead of folding at 80 columns.
    return Console(stderr=stderr, width=None if stream.isatty() else 160)


def _open(store: str | None, *, read_only: bool = False) -> Any:
    from redline.store import Store

    return Store.open(store, read_only=read_only)


def version() -> None:
    """Print redline's version."""
    from redline import __version__

    typer.echo(__version__)


def ingest(
    source: Annotated[str, typer.Argument(help="Reader name (see `redline sources`), e.g. gdelt.v2, tkg, text.")],
    locations: Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs.")],
    store: StoreOpt = None,
    batch_size: Annotated[int, typer.Option(help="Rows per atomic batch for row readers.")] = 50_000,
    as_json: JsonOpt = False,
) -> None:
    """Read event files into the store: batched, atomic per batch, idempotent, with malformed rows quarantined."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with _open(store) as st, Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=_console(stderr=True), transient=True, disable=as_json,
    ) as bar:
        task = bar.add_task(f"ingesting {source}", total=None)

        def progress(origin: str, read: int) -> None:
            bar.update(task, description=f"{source}: {read:,} rows read ({Path(origin).name})")

        report = st.ingest(source, locations, batch_size=batch_size, progress=progress)
    out = {k: report.as_dict()[k] for k in ("read", "stored", "duplicates", "quarantined", "seconds")}
    out["seconds"] = round(float(out["seconds"]), 3)
    if as_json:
        typer.echo(json.dumps({"source": source, **out, "run_id": report.run_id}))
    else:
        typer.echo(
            f"{source}: read {report.read:,}, stored {report.stored:,}, duplicates {report.duplicates:,}, "
            f"quarantined {report.quarantined:,} in {report.seconds:.2f}s"
        )


def events(
    store: StoreOpt = None,
    actor: Annotated[str | None, typer.Option(help="Actor or country code on either side, e.g. PRK, CHNGOV.")] = None,
    dyad: Annotated[str | None, typer.Option(help="Two codes 'A,B' (either direction).")] = None,
    code: Annotated[str | None, typer.Option(help="CAMEO code or prefix (e.g. 19, 0311) or PLOVER type.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
    dataset: Annotated[str | None, typer.Option("--source", help="Only events from this reader.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per event.")] = False,
) -> None:
    """List events, newest first, filtered by actor, dyad, code, date and source."""
    from redline.errors import RedlineError

    pair = None
    if dyad:
        parts = [p.strip().upper() for p in dyad.split(",")]
        if len(parts) != 2 or not all(parts):
            raise RedlineError(f"--dyad takes two codes 'A,B', got {dyad!r}")
        pair = (parts[0], parts[1])
    with _open(store, read_only=True) as st:
        df = st.events(actor=actor.upper() if actor else None, dyad=pair, code=code, start=start, end=end,
                       dataset=dataset, limit=limit)
    cols = ["date", "source_actor", "target_actor", "cameo", "plover", "quad_class", "goldstein", "dataset",
            "locator", "text"]
    if len(df):
        df["date"] = df["date"].astype(str).str[:10]
    if as_json:
        for rec in df[cols].to_dict(orient="records"):
            typer.echo(json.dumps(rec, default=str))
        return
    from rich.table import Table

    table = Table(show_lines=False)
    for c in cols[:-1]:
        table.add_column(c)
    for rec in df[cols[:-1]].itertuples(index=False):
        table.add_row(*["" if v is None else str(v) for v in rec])
    _console().print(table)
    typer.echo(f"{len(df)} events shown")


def dyad(
    a: Annotated[str, typer.Argument(help="Country or actor code, e.g. CHN.")],
    b: Annotated[str, typer.Argument(help="Country or actor code, e.g. PRK.")],
    store: StoreOpt = None,
    by: Annotated[str, typer.Option(help="day, week, month or year.")] = "month",
    directed: Annotated[bool, typer.Option(help="Only A -> B (default: both directions).")] = False,
    start: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a plot: .png or .html (interactive).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the series: .csv or .parquet.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per period.")] = False,
) -> None:
    """A dyad's series: events by quad class, Goldstein sum and mean, balance and trend."""
    from redline.indicators import dyad_series, plot_dyad

    with _open(store, read_only=True) as st:
        series = dyad_series(st, a, b, by=by, directed=directed, start=start, end=end)
    _write_frame(series, out)
    if plot:
        plot_dyad(series, plot, f"{a.upper()} {'->' if directed else '<->'} {b.upper()} by {by}")
    if as_json:
        for rec in series.to_dict(orient="records"):
            typer.echo(json.dumps(rec, default=str))
        return
    _print_series(series, a.upper(), b.upper(), by, directed)
    if plot:
        typer.echo(f"plot written to {plot}")


def _print_series(series: Any, a: str, b: str, by: str, directed: bool) -> None:
    from rich.table import Table

    arrow = "->" if directed else "<->"
    if series.empty:
        typer.echo(f"{a} {arrow} {b}: no events")
        return
    table = Table(title=f"{a} {arrow} {b} by {by}")
    for c in ("period", "events", "v.coop", "m.coop", "v.conf", "m.conf", "goldstein", "balance", "trend"):
        table.add_column(c, justify="right")
    shown = series.tail(24)
    for r in shown.itertuples(index=False):
        gm = "" if r.goldstein_mean != r.goldstein_mean else f"{r.goldstein_mean:+.2f}"
        bal = "" if r.balance != r.balance else f"{r.balance:+.2f}"
        table.add_row(str(r.period), str(r.events), str(r.verbal_coop), str(r.material_coop),
                      str(r.verbal_conflict), str(r.material_conflict), gm, bal, f"{r.trend:+.2f}"
                      if r.trend == r.trend else "")
    _console().print(table)
    total = int(series["events"].sum())
    mean = float(series["goldstein_sum"].sum()) / total if total else float("nan")
    typer.echo(f"{total:,} events over {len(series)} periods (last {len(shown)} shown); mean Goldstein {mean:+.2f}")


def _write_frame(frame: Any, out: Path | None) -> None:
    if out is None:
        return
    from redline.errors import RedlineError

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        frame.to_parquet(out, index=False)
    elif out.suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        raise RedlineError(f"{out}: write .csv or .parquet")


def panel(
    store: StoreOpt = None,
    by: Annotated[str, typer.Option(help="day, week, month or year.")] = "month",
    directed: Annotated[bool, typer.Option(help="Directed dyads (default) or undirected.")] = True,
    level: Annotated[str, typer.Option(help="country or actor.")] = "country",
    start: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
    out: Annotated[Path, typer.Option(help="Output file: .parquet or .csv.")] = Path("panel.parquet"),
    parquet: Annotated[str | None, typer.Option(
        help="Compute with Dask over this partitioned Parquet folder (see `redline store partition`) "
             "instead of the store.")] = None,
) -> None:
    """Write the dyad panel (one row per period and dyad) to Parquet or CSV."""
    from redline.indicators import panel as make_panel

    if parquet:
        from redline.errors import RedlineError
        from redline.scale import panel as dask_panel

        if start or end:
            raise RedlineError("--from/--to work on the store; filter the Parquet folder's partitions instead")
        frame = dask_panel(parquet, by=by, directed=directed, level=level)
        _write_frame(frame, out)
        typer.echo(f"{len(frame):,} dyad-{by} rows written to {out} (Dask over {parquet})")
        return
    with _open(store, read_only=True) as st:
        frame = make_panel(st, by=by, directed=directed, level=level, start=start, end=end)
    _write_frame(frame, out)
    typer.echo(f"{len(frame):,} dyad-{by} rows written to {out}")


def export(
    out: Annotated[Path, typer.Argument(help="Output file: .parquet or .csv.")],
    store: StoreOpt = None,
    actor: Annotated[str | None, typer.Option(help="Actor or country code on either side.")] = None,
    code: Annotated[str | None, typer.Option(help="CAMEO code or prefix, or PLOVER type.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
    dataset: Annotated[str | None, typer.Option("--source", help="Only events from this reader.")] = None,
) -> None:
    """Export events (optionally filtered) to Parquet or CSV."""
    with _open(store, read_only=True) as st:
        where, params = st.events_where(actor=actor.upper() if actor else None, code=code, start=start, end=end,
                                        dataset=dataset, asserted_only=False)
        n = st.export(out, where=where, params=params)
    typer.echo(f"{n:,} events written to {out}")


def sources() -> None:
    """List the registered source readers."""
    from redline.sources import registry

    for name, description in registry.names():
        typer.echo(f"{name:10s} {description}")


@store_app.command("info")
def store_info(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Counts, date range and datasets in the store."""
    with _open(store, read_only=True) as st:
        info = st.info()
    if as_json:
        typer.echo(json.dumps(info, default=str))
        return
    typer.echo(f"store      {info['path']} (schema v{info['schema_version']})")
    typer.echo(f"events     {info['events']:,}  ({info['first_date']} .. {info['last_date']})")
    typer.echo(f"documents  {info['documents']:,}")
    typer.echo(f"quarantine {info['quarantined']:,} rows")
    for d in info["datasets"]:
        typer.echo(f"  {d['dataset']:12s} {d['events']:>12,}  {d['first']} .. {d['last']}")


@store_app.command("partition")
def store_partition(
    folder: Annotated[Path, typer.Argument(help="Output folder: Parquet files, one sub-folder per year.")],
    store: StoreOpt = None,
) -> None:
    """Export all events as year-partitioned Parquet, for Dask (`redline panel --parquet FOLDER`)."""
    from redline.scale import export_partitioned

    with _open(store, read_only=True) as st:
        n = export_partitioned(st, folder)
    typer.echo(f"{n:,} events written under {folder}")


@store_app.command("quarantine")
def store_quarantine(store: StoreOpt = None, limit: int = 20) -> None:
    """Show quarantined rows: file, line and reason."""
    with _open(store, read_only=True) as st:
        df = st.quarantine(limit)
    for r in df.itertuples(index=False):
        typer.echo(f"{r.path}:{r.line}: {r.reason}")


def demo(
    store: StoreOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for the demo's outputs.")] = Path("out"),
    data: Annotated[Path | None, typer.Option(help="The shared data folder (default: ../shared/data).")] = None,
) -> None:
    """The main job: build a store from local inputs and show what redline makes of them."""
    from redline.demo import run_demo

    run_demo(store=store, out=out, data=data, echo=typer.echo)

