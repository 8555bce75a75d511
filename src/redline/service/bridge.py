"""Calls into assess/ and report/ for the service's ask, check and brief endpoints.

Those packages land separately; until they do (or when they fail to import), each call raises
:class:`Unavailable` and the service answers 501 with the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = ["Unavailable", "ask", "check", "brief"]


class Unavailable(Exception):
    """The feature's module is not installed or not written yet."""


def _need(module: str, name: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not available in this installation ({exc})") from exc
    fn = getattr(mod, name, None)
    if fn is None:
        raise Unavailable(f"{module}.{name} is not available in this installation")
    return fn


def ask(question: str, *, as_of: dt.date, trigger: str | None, store: Any, data: str | None) -> dict[str, Any]:
    """Answer a plain-English question (``redline ask --json`` output)."""
    parse_question = _need("redline.assess.questions", "parse_question")
    with_trigger = _need("redline.assess.questions", "with_trigger")
    context = _need("redline.assess.answer", "Context")
    answer = _need("redline.assess.answer", "answer")
    pq = parse_question(question, as_of)
    if trigger:
        find_trigger = _need("redline.assess.questions", "parse_trigger")
        trig = find_trigger(trigger)
        if trig is None:
            from redline.errors import QuestionError

            raise QuestionError(f"trigger: could not read a country and an event class in {trigger!r}")
        pq = with_trigger(pq, trig)
    ctx = _context(context, as_of, store, data)
    out: dict[str, Any] = answer(pq, ctx).to_json()
    return out


_CONTEXTS: dict[tuple[dt.date, str | None], Any] = {}
_CONTEXT_LOCK = threading.Lock()


def _context(context: Any, as_of: dt.date, store: Any, data: str | None) -> Any:
    """A question context for this request's store. Loading one reads treaties and trade from disk (seconds),
    so a store-less template is kept per date and copied with the request's store, fresh notes and no cached
    store span; if the template cannot be copied (assess changed its shape), load afresh."""
    key = (as_of, data)
    with _CONTEXT_LOCK:
        template = _CONTEXTS.get(key)
        if template is None:
            template = context.load(as_of, store=None, data=data)
            if len(_CONTEXTS) > 32:
                _CONTEXTS.clear()
            _CONTEXTS[key] = template
    try:
        return dataclasses.replace(template, store=store, notes=list(template.notes), _span=None)
    except (TypeError, ValueError, AttributeError):
        return context.load(as_of, store=store, data=data)


def check(text: str, *, as_of: dt.date | None, store: Any, data: str | None) -> dict[str, Any]:
    """Check an article's claims (``redline check --json`` output)."""
    check_text = _need("redline.assess.claims", "check_text")
    out: dict[str, Any] = check_text(text, as_of=as_of, store=store, data=data, doc_id="upload")
    return out


def brief(text: str, *, question: str | None, as_of: dt.date | None, store: Any,
          data: str | None) -> tuple[dict[str, Any], str]:
    """Write a brief (HTML) for an article on the service's own open ``store`` without storing its events;
    return its summary and the HTML."""
    make_brief = _need("redline.report.brief", "make_brief")
    with tempfile.TemporaryDirectory(prefix="redline-brief-") as tmp:
        out = Path(tmp) / "brief.html"
        res = make_brief(text, doc_id="upload", question=question, out=str(out), as_of=as_of,
                         store=store, data=data, ingest=False)
        html = out.read_text(encoding="utf-8") if out.exists() else ""
    summary = res.get("summary", {}) if isinstance(res, dict) else {}
    return summary, html
