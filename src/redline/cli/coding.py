"""CLI commands for coding (registered by redline.cli): ``redline code`` and ``redline coder train``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from redline.errors import CodingError

coder_app = typer.Typer(help="Train and inspect event coder models.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("code")(code)
    app.add_typer(coder_app, name="coder")


def event_record(e: Any, include_asserted: bool = False) -> dict[str, Any]:
    """The ``redline code`` JSON record of an event (see ARCHITECTURE.md)."""
    p = e.provenance
    rec: dict[str, Any] = {
        "doc_id": p.doc_id,
        "sentence_index": p.sentence_index,
        "text": p.text,
        "source": e.source,
        "target": e.target,
        "cameo": e.cameo,
        "plover": e.plover,
        "mode": e.mode,
        "quad_class": e.quad_class,
        "goldstein": e.goldstein,
        "date": e.date.isoformat(),
        "location": e.location,
        "location_country": e.location_country,
        "quantity": e.quantity,
        "quantity_unit": e.quantity_unit,
        "source_country": e.source_country,
        "target_country": e.target_country,
        "confidence": p.confidence,
        "span": list(p.span) if p.span else None,
        "model": p.model,
        "model_version": p.model_version,
        "event_id": e.event_id,
    }
    if include_asserted:
        rec["asserted"] = e.asserted
    return rec


def code(
    inputs: list[str] = typer.Argument(None, help="Text, JSONL or JSON files ('-' or nothing: standard input)."),
    fmt: str = typer.Option(None, "--format", "-f", help="text, jsonl or json (default: by file suffix)."),
    date: str = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) for texts without one."),
    show_all: bool = typer.Option(False, "--all", help="Also output negated and hypothetical events."),
    model: Path = typer.Option(None, "--model", help="A model directory from 'redline coder train'."),
    actors: list[Path] = typer.Option(None, "--actors", help="PETRARCH-format actor/agent dictionaries."),
    verbs: list[Path] = typer.Option(None, "--verbs", help="PETRARCH-format verb dictionary."),
    out: Path = typer.Option(None, "--out", "-o", help="Write JSONL here instead of standard output."),
    store: str = typer.Option(None, "--store", help="Also store events and documents in this store file."),
    processes: int = typer.Option(1, "--processes", help="spaCy worker processes."),
) -> None:
    """Code English text into events: one JSON line per event (who did what to whom, when, where)."""
    from redline.coding.pipeline import Coder
    from redline.coding.source import read_documents
    from redline.records import Document, Reject

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError as exc:
        raise CodingError(f"--date: {exc}") from exc
    coder = Coder.load(model=model, actors=actors or (), verbs=verbs or (), n_process=processes)
    docs: list[Document] = []
    for path in inputs or ["-"]:
        for d in read_documents(path, fmt, day):
            if isinstance(d, Reject):
                typer.echo(f"warning: {d.path}:{d.line}: {d.reason}", err=True)
            else:
                docs.append(d)
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    coded: list[Any] = []
    try:
        for _doc, events in coder.code(docs, include_all=show_all):
            for e in events:
                sink.write(json.dumps(event_record(e, show_all), ensure_ascii=False) + "\n")
            if store:
                coded.extend(events)
    finally:
        if out:
            sink.close()
    if store:
        from redline.store import Store

        st = Store.open(store)
        try:
            st.add_documents(docs)
            rep = st.ingest_events(coded, dataset="text", origin=",".join(inputs or ["-"]))
        finally:
            st.close()
        typer.echo(json.dumps(rep.as_dict(), default=str), err=True)


@coder_app.command("train")
def train_cmd(
    data: Path = typer.Argument(..., help="Labelled corpus."),
    fmt: str = typer.Option(..., "--format", "-f", help="conflibert, plover or jsonl."),
    labels: str = typer.Option("quad5", "--labels", help="Label space: quad5 (default) or native."),
    out: Path = typer.Option(..., "--out", "-o", help="Model directory to write."),
    rules: bool = typer.Option(True, "--rules/--no-rules", help="Add the rule coder's reading as features."),
    c: float = typer.Option(0.0, "--c", help="Inverse regularisation (0: choose by cross-validation)."),
) -> None:
    """Train an event classifier on a labelled corpus; 'redline code --model DIR' uses it."""
    from redline.coding.pipeline import Coder, load_nlp
    from redline.coding.train import parse_sentences, read_corpus, rules_for, select_params, train

    xs, ys, space = read_corpus(data, fmt, labels)
    rule_feats = None
    nlp = None
    if rules:
        coder = Coder.load()
        coder.require_actor = False
        rule_feats = rules_for(xs, coder, space)
        nlp = coder.nlp
    parses = parse_sentences(xs, nlp or load_nlp())  # once, for cross-validation and the final fit
    chosen, weight = (c, 1.0) if c > 0 else select_params(xs, ys, space, rule_feats, parses=parses)
    meta = {"corpus": str(data), "format": fmt, "n": len(xs)}
    m = train(xs, ys, space, rule_feats, c=chosen, rule_weight=weight, meta=meta, parses=parses)
    m.save(out)
    typer.echo(
        json.dumps({"out": str(out), "n": len(xs), "labels": m.labels, "c": chosen, "rule_features": m.rule_features})
    )
