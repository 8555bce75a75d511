"""CLI commands for forecast (registered by redline.cli): ``redline forecast evaluate|predict|models``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer

forecast_app = typer.Typer(
    name="forecast",
    help="Temporal knowledge graph forecasting: evaluate models on TKG datasets, forecast from the store.",
    no_args_is_help=True,
)


def _config(text: str | None) -> dict[str, Any]:
    from redline.errors import ModelError

    if not text:
        return {}
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"--config is not JSON: {exc}") from exc
    if not isinstance(cfg, dict):
        raise ModelError("--config must be a JSON object")
    return cfg


@forecast_app.command("models")
def models_cmd() -> None:
    """List the registered model names (the default first)."""
    from redline.forecast.models import DEFAULT_MODEL, names

    for n in [DEFAULT_MODEL] + [n for n in names() if n != DEFAULT_MODEL]:
        typer.echo(n)


@forecast_app.command("evaluate")
def evaluate_cmd(
    dataset_dir: Path = typer.Argument(..., help="TKG folder: train/valid/test.txt, entity2id.txt, relation2id.txt"),
    model: str | None = typer.Option(None, "--model", "-m", help="Model name (default: the best model)."),
    config: str | None = typer.Option(None, "--config", help="Model configuration as a JSON object."),
    split: str = typer.Option("test", "--split", help="Evaluate on 'test' (default) or 'valid'."),
    save: Path | None = typer.Option(None, "--save", help="Save the fitted model to this .npz file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON line."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress on stderr."),
) -> None:
    """Fit a model and rank the test facts: time-aware filtered MRR and Hits@1/3/10, both directions."""
    from redline.forecast.data import load_tkg
    from redline.forecast.evaluate import evaluate
    from redline.forecast.models import DEFAULT_MODEL, get_model

    ds = load_tkg(dataset_dir)
    name = model or DEFAULT_MODEL
    m = get_model(name, **_config(config))
    res = evaluate(m, ds, split=split, progress=progress)
    res = {"mrr": res["mrr"], "hits@1": res["hits@1"], "hits@3": res["hits@3"], "hits@10": res["hits@10"],
           "seconds": round(res["seconds"], 2), "model": name, "dataset": ds.name, "split": split, "n": res["n"],
           "fit_seconds": round(res["fit_seconds"], 2)}
    if save is not None:
        m.save(save)
    if as_json:
        typer.echo(json.dumps(res))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{name} on {ds.name} ({split})")
    for k in ("mrr", "hits@1", "hits@3", "hits@10", "n", "seconds"):
        table.add_column(k)
    table.add_row(*(f"{res[k]:.4f}" if isinstance(res[k], float) and k != "seconds" else str(res[k])
                    for k in ("mrr", "hits@1", "hits@3", "hits@10", "n", "seconds")))
    Console().print(table)


@forecast_app.command("predict")
def predict_cmd(
    source: str = typer.Option(..., "--source", help="Acting country or actor code, e.g. CHN."),
    target: str = typer.Option(..., "--target", help="Receiving country or actor code, e.g. PRK."),
    days: int = typer.Option(30, "--days", help="Horizon in days after the last stored event (or --as-of)."),
    store_path: Path | None = typer.Option(None, "--store", help="Store file (default: $REDLINE_STORE)."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model name (default: the best model)."),
    config: str | None = typer.Option(None, "--config", help="Model configuration as a JSON object."),
    as_of: str | None = typer.Option(None, "--as-of", help="Use only events on or before this date (YYYY-MM-DD)."),
    history_days: int = typer.Option(730, "--history-days", help="Days of history to learn from."),
    level: str = typer.Option("country", "--level", help="Entities: 'country' codes or full 'actor' codes."),
    codes: str = typer.Option("base", "--codes", help="CAMEO level: 'root', 'base' (3 digits) or 'full'."),
    top: int = typer.Option(10, "--top", help="How many event codes to list."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """What SOURCE is most likely to do to TARGET next: ranked CAMEO codes with the facts behind each."""
    from redline.errors import ModelError
    from redline.forecast.pair import events_from_store, forecast_pair
    from redline.store import Store

    if level not in ("country", "actor") or codes not in ("root", "base", "full"):
        raise ModelError("--level must be country|actor and --codes root|base|full")
    end = dt.date.fromisoformat(as_of) if as_of else None
    store = Store.open(str(store_path) if store_path else None, read_only=True)
    try:
        if end is None:
            last = store.sql("SELECT max(date) AS d FROM events WHERE asserted")["d"].iloc[0]
            if last is None or str(last) in ("NaT", "None"):
                raise ModelError("the store holds no events")
            end = dt.date.fromisoformat(str(last)[:10])
        start = end - dt.timedelta(days=history_days)
        frame = events_from_store(store, start=start, end=end)
    finally:
        store.close()
    fc = forecast_pair(frame, source.upper() if level == "country" else source, target.upper()
                       if level == "country" else target, model_name=model, days=days, top=top,
                       entity_level=level, code_level=codes, config=_config(config))
    if as_json:
        typer.echo(json.dumps(fc.as_dict()))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{fc.source} -> {fc.target}: most likely in the {fc.days} days after {fc.as_of} "
                        f"({fc.model}, {fc.events_used} events)")
    table.add_column("#")
    table.add_column("code")
    table.add_column("event")
    table.add_column("score")
    table.add_column("why")
    for i, c in enumerate(fc.codes, 1):
        why = "; ".join(
            (f"{r['text']}, latest {r['fact']['date']}" if r["kind"] == "history" else
             f"{r['fact']['date']} {r['fact']['source']}->{r['fact']['target']} {r['fact']['code']}"
             f" (w={r['weight']:.2g})" if "fact" in r else f"{r['text']} (w={r['weight']:.2g})")
            for r in c.reasons[:3]
        )
        table.add_row(str(i), c.code, c.label, f"{c.score:.3f}", why)
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(forecast_app, name="forecast")
