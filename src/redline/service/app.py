"""The analyst's workbench: a REST API (OpenAPI docs at /docs) and the dashboard, in one FastAPI app.

Safety rules kept here: every input is validated (types, ranges, patterns); SQL goes through the store's
parameterised filters only; writes need the token (compared in constant time); reads are open unless
``read_token_required``; uploads have a size limit and land in a fresh temporary folder under a name the service
chooses; CORS is closed unless origins are given.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
import json
import logging
import math
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from redline.errors import QuestionError, RedlineError, SourceError, StoreError

from . import bridge
from .handle import StoreHandle

__all__ = ["create_app", "DEFAULT_MAX_UPLOAD", "UPLOAD_SOURCES"]

log = logging.getLogger("redline.service")

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_MAX_UPLOAD = 64 * 1024 * 1024  # bytes
MAX_BODY = 1024 * 1024  # any other request body
MAX_PAGE = 1000
MIN_TOKEN = 8
MAX_DOWNLOAD_ROWS = 1_000_000
# sources a single uploaded file can be read by, and the suffix the temporary file gets for each
UPLOAD_SOURCES: dict[str, tuple[str, ...]] = {
    "gdelt.v2": (".csv", ".zip"),
    "gdelt.v1": (".csv", ".zip", ".txt"),
    "icews": (".tab", ".tsv", ".txt", ".gz", ".zip"),
    "csv": (".csv",),
    "jsonl": (".jsonl",),
    "text": (".txt", ".jsonl"),
}

ACTOR = r"^[A-Za-z0-9]{3,15}$"
CODE = r"^[A-Za-z0-9_]{1,24}$"
DATASET = r"^[A-Za-z0-9_.\-]{1,40}$"
EVENT_ID = r"^[A-Za-z0-9_.:\-]{1,160}$"
DYAD = r"^[A-Za-z0-9]{3,15},[A-Za-z0-9]{3,15}$"
Period = Literal["day", "week", "month", "year"]

ActorQ = Annotated[str | None, Query(pattern=ACTOR, description="Actor code: 3 letters = a country, longer codes "
                                     "match by prefix (PRKMIL).")]
DyadQ = Annotated[str | None, Query(pattern=DYAD, description="Two actor codes, comma-separated: CHN,PRK "
                                    "(either direction).")]
CodeQ = Annotated[str | None, Query(pattern=CODE, description="CAMEO code or prefix (19, 190), or a PLOVER type.")]
FromQ = Annotated[dt.date | None, Query(alias="from", description="First date, YYYY-MM-DD.")]
ToQ = Annotated[dt.date | None, Query(alias="to", description="Last date, YYYY-MM-DD.")]
SourceQ = Annotated[str | None, Query(pattern=DATASET, description="Dataset the events came from (gdelt.v2, tkg...).")]


class AskBody(BaseModel):
    question: str = Field(min_length=3, max_length=2000, description="A yes/no question in plain English.")
    as_of: dt.date | None = Field(default=None, description="Moment of the forecast (default: today).")
    trigger: str | None = Field(default=None, max_length=2000, description="What happened (optional).")


class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=200_000, description="Article text.")
    as_of: dt.date | None = None
    question: str | None = Field(default=None, max_length=2000)


class BodyLimit:
    """Reject request bodies over the limit before they are read (413), and require a length for uploads."""

    def __init__(self, app: ASGIApp, *, default: int, upload: int, upload_path: str) -> None:
        self.app, self.default, self.upload, self.upload_path = app, default, upload, upload_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.upload if scope["path"] == self.upload_path else self.default
        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = -1
        if length is None or length < 0:
            await _send_json(send, 411, {"detail": "a Content-Length header is required"})
            return
        if length > limit:
            await _send_json(send, 413, {"detail": f"request body over the limit of {limit} bytes"})
            return
        await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


def _json(obj: Any, status: int = 200) -> Response:
    return Response(_dumps(obj), status_code=status, media_type="application/json")


def _dumps(obj: Any) -> str:
    """Strict JSON: NaN and infinities (never valid JSON) become null."""
    return json.dumps(_finite(obj), default=_default, allow_nan=False)


def _finite(o: Any) -> Any:
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_finite(v) for v in o]
    return o


def _default(o: Any) -> Any:
    if isinstance(o, dt.date | pd.Timestamp):
        return o.isoformat()[:10] if isinstance(o, dt.date) and not isinstance(o, dt.datetime) else o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-safe records: dates as YYYY-MM-DD, NaN/NA as null."""
    rows: list[dict[str, Any]] = json.loads(records_json(df))
    return rows


def records_json(df: pd.DataFrame) -> str:
    """The JSON text of :func:`records` (an array of objects), without building the Python objects."""
    out = df.copy(deep=False)
    for c, kind in out.dtypes.items():
        if pd.api.types.is_datetime64_any_dtype(kind):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_object_dtype(kind) and len(out) and isinstance(out[c].iloc[0], dt.date):
            out[c] = [d.isoformat() if isinstance(d, dt.date) else d for d in out[c]]
    text: str = out.to_json(orient="records", date_format="iso")
    return text


def period_range(period: dt.date, by: str) -> tuple[dt.date, dt.date]:
    """The first and last day of the ``by`` period holding ``period`` (weeks start on Monday, as in DuckDB)."""
    if by == "day":
        return period, period
    if by == "week":
        start = period - dt.timedelta(days=period.weekday())
        return start, start + dt.timedelta(days=6)
    if by == "month":
        start = period.replace(day=1)
        nxt = (start.replace(year=start.year + 1, month=1) if start.month == 12
               else start.replace(month=start.month + 1))
        return start, nxt - dt.timedelta(days=1)
    return period.replace(month=1, day=1), period.replace(month=12, day=31)


def _dyad(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    a, b = value.upper().split(",")
    return a, b


def create_app(
    store_path: str | Path,
    *,
    token: str | None = None,
    read_token_required: bool = False,
    cors_origins: tuple[str, ...] | list[str] = (),
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    data_dir: str | None = None,
    cache_size: int = 512,
    warm_dyads: int = 0,
    preload_knowledge: bool = False,
) -> FastAPI:
    """The service for the store at ``store_path``.

    ``token``: the secret every write (upload ingest) must present (``Authorization: Bearer ...`` or
    ``X-Redline-Token``); without one, writes are refused and the store is opened read-only.
    ``read_token_required``: reads need the token too. ``cors_origins``: origins allowed to call the API from a
    browser (none by default). ``data_dir``: the shared data folder for treaties and trade (default: as
    ``redline.knowledge.data_dir``). ``cache_size``: results kept per store generation (0: none).
    ``warm_dyads``: compute the monthly series of that many busiest dyads in the background at start.
    ``preload_knowledge``: load treaties and trade in the background at start (else on first use).
    """
    if read_token_required and not token:
        raise RedlineError("read_token_required needs a token")
    if token is not None and len(token) < MIN_TOKEN:
        raise RedlineError(f"the token is too short: use at least {MIN_TOKEN} characters")
    handle = StoreHandle(store_path, writable=bool(token), cache_size=cache_size)
    secret = token.encode() if token else None
    knowledge = _Knowledge(data_dir)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        handle.close()  # on server shutdown: release the store

    app = FastAPI(
        lifespan=lifespan,
        title="redline",
        version=_version(),
        description="Political event data: events, dyad series, panels, actors, questions and claim checks.",
        docs_url=None,  # FastAPI's Swagger page loads from a CDN; /docs below renders the spec offline
        redoc_url=None,
    )
    app.state.handle = handle
    app.add_middleware(BodyLimit, default=MAX_BODY, upload=max_upload_bytes, upload_path="/api/ingest")
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-Redline-Token", "Content-Type"])

    def presented(request: Request) -> bytes | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip().encode()
        alt = request.headers.get("x-redline-token")
        return alt.encode() if alt is not None else None

    def token_ok(request: Request) -> bool:
        given = presented(request)
        return secret is not None and given is not None and hmac.compare_digest(given, secret)

    def need_read(request: Request) -> None:
        if read_token_required and not token_ok(request):
            raise HTTPException(401, "this service needs a token for reads", headers={"WWW-Authenticate": "Bearer"})

    def need_write(request: Request) -> None:
        if secret is None:
            raise HTTPException(403, "writes are disabled: start the service with a token (redline serve --token)")
        if not token_ok(request):
            raise HTTPException(401, "a valid token is required for writes", headers={"WWW-Authenticate": "Bearer"})

    Read = Depends(need_read)
    Write = Depends(need_write)

    @app.exception_handler(RedlineError)
    async def _redline_error(request: Request, exc: RedlineError) -> Response:
        status = 400 if isinstance(exc, QuestionError | SourceError) else 422 if isinstance(exc, StoreError) else 400
        return JSONResponse({"detail": str(exc)}, status_code=status)

    # -- dashboard -----------------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/ui/")

    @app.get("/ui/", include_in_schema=False)
    def dashboard() -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Response:
        return FileResponse(STATIC / "docs.html", media_type="text/html")

    @app.get("/ui/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(_plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/ui/{name}", include_in_schema=False)
    def static_file(name: Annotated[str, PathParam(pattern=r"^[a-z0-9_\-]+\.(js|css|svg|png)$")]) -> Response:
        # only files that exist directly in static/ (the pattern admits no separators or dots beyond the suffix)
        target = STATIC / name
        if target.parent != STATIC or not target.is_file():
            raise HTTPException(404, "no such file")
        return FileResponse(target)

    # -- store --------------------------------------------------------------------------------------------
    @app.get("/api/info", dependencies=[Read], tags=["store"])
    def info() -> Response:
        """Counts and date ranges of the store, and what the service allows."""
        def compute() -> dict[str, Any]:
            with handle.reader() as st:
                return st.info()  # type: ignore[no-any-return]

        out = dict(handle.cached("info", compute))
        out["path"] = Path(handle.path).name
        out["writable"] = handle.writable
        out["read_token_required"] = read_token_required
        out["upload_sources"] = sorted(UPLOAD_SOURCES)
        out["max_upload_bytes"] = max_upload_bytes
        out["warm"] = dict(warm_state)
        return _json(out)

    @app.get("/api/events", dependencies=[Read], tags=["events"])
    def events(
        actor: ActorQ = None,
        dyad: DyadQ = None,
        code: CodeQ = None,
        start: FromQ = None,
        end: ToQ = None,
        source: SourceQ = None,
        period: Annotated[dt.date | None, Query(description="A day inside the period to list (with `by`).")] = None,
        by: Annotated[Period, Query(description="Length of `period`.")] = "month",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
        format: Annotated[Literal["json", "csv", "parquet"], Query(description="json (a page), or csv / parquet "
                                                                   "(a download of every match)")] = "json",
    ) -> Response:
        """Events matching the filters, newest first: a page as JSON, or every match as CSV or Parquet."""
        if period is not None:
            start, end = period_range(period, by)
        with handle.reader() as st:
            where, params = st.events_where(actor=actor.upper() if actor else None, dyad=_dyad(dyad), code=code,
                                            start=start, end=end, dataset=source)
            if format != "json":
                table = st.arrow(f"SELECT * FROM events{where} ORDER BY date, event_id LIMIT ?",
                                 [*params, MAX_DOWNLOAD_ROWS])
                return _download(table, format)
            page = st.sql(f"SELECT * FROM events{where} ORDER BY date DESC, event_id LIMIT ? OFFSET ?",
                          [*params, limit, offset])
            total = st.sql(f"SELECT count(*) AS n FROM events{where}", params)["n"].iloc[0]
        return _json({"total": int(total), "limit": limit, "offset": offset, "events": records(page)})

    @app.get("/api/events/{event_id}", dependencies=[Read], tags=["events"])
    def event(event_id: Annotated[str, PathParam(pattern=EVENT_ID)]) -> Response:
        """One event with its sentence and, for coded text, the document it was read in."""
        with handle.reader() as st:
            df = st.sql("SELECT * FROM events WHERE event_id = ? LIMIT 1", [event_id])
            if df.empty:
                raise HTTPException(404, "no such event")
            ev = records(df)[0]
            doc = None
            if ev.get("doc_id"):
                # coded sentences may carry "<doc>#<sentence>" ids while the document is stored as "<doc>"
                ids = [ev["doc_id"], str(ev["doc_id"]).split("#", 1)[0]]
                d = st.sql("SELECT doc_id, title, date, url, source, left(text, 4000) AS text FROM documents "
                           "WHERE doc_id IN (?, ?) ORDER BY doc_id = ? DESC LIMIT 1", [*ids, ev["doc_id"]])
                doc = records(d)[0] if len(d) else None
        ev["label"] = _cameo_label(ev.get("cameo"))
        return _json({"event": ev, "document": doc})

    # -- indicators ---------------------------------------------------------------------------------------
    def has_dyad_days() -> bool:
        """Whether the store keeps the dyad-day summary (schema v2; a read-only v1 file is not migrated)."""
        def compute() -> bool:
            with handle.reader() as st:
                row = st.con.execute("SELECT count(*) FROM information_schema.tables "
                                     "WHERE table_name = 'dyad_days' AND table_schema = 'main'").fetchone()
                return bool(row and row[0])

        return handle.cached("has_dyad_days", compute)

    def series_of(a: str, b: str, by: str, start: dt.date | None, end: dt.date | None, directed: bool
                  ) -> pd.DataFrame:
        from redline.indicators import dyad_series

        def compute() -> pd.DataFrame:
            if len(a) == 3 and len(b) == 3:  # countries: from the summary in memory, no query per request
                summary = handle.summary()
                if summary is not None:
                    return summary.series(a, b, by=by, directed=directed, start=start, end=end)  # type: ignore[no-any-return]
            with handle.reader() as st:
                return dyad_series(st, a, b, by=by, directed=directed, start=start, end=end)

        return handle.cached(("series", a, b, by, start, end, directed), compute)

    @app.get("/api/dyad", dependencies=[Read], tags=["indicators"])
    def dyad(
        a: Annotated[str, Query(pattern=ACTOR)],
        b: Annotated[str, Query(pattern=ACTOR)],
        by: Period = "month",
        start: FromQ = None,
        end: ToQ = None,
        directed: bool = False,
    ) -> Response:
        """The dyad's series: events by quad class, Goldstein sum and mean, balance and trend per period."""
        a, b = a.upper(), b.upper()
        if a == b:
            raise HTTPException(422, "a dyad needs two different actors")

        def compute() -> str:  # the serialised body is cached: a hit costs no pandas work
            s = series_of(a, b, by, start, end, directed)
            head = _dumps({"a": a, "b": b, "by": by, "directed": directed})
            return head[:-1] + ', "series": ' + records_json(s) + "}"

        body = handle.cached(("series_json", a, b, by, start, end, directed), compute)
        return Response(body, media_type="application/json")

    @app.get("/api/dyad/figure", dependencies=[Read], tags=["indicators"])
    def dyad_fig(
        a: Annotated[str, Query(pattern=ACTOR)],
        b: Annotated[str, Query(pattern=ACTOR)],
        by: Period = "month",
        start: FromQ = None,
        end: ToQ = None,
        directed: bool = False,
    ) -> Response:
        """The dyad's chart as a plotly figure (the same figure the reports draw)."""
        a, b = a.upper(), b.upper()
        if a == b:
            raise HTTPException(422, "a dyad needs two different actors")
        return Response(figure_of(a, b, by, start, end, directed), media_type="application/json")

    def figure_of(a: str, b: str, by: str, start: dt.date | None, end: dt.date | None, directed: bool) -> str:
        from redline.indicators import dyad_figure

        def compute() -> str:
            s = series_of(a, b, by, start, end, directed)
            if s.empty:
                return json.dumps({"data": [], "layout": {}, "empty": True})
            fig = dyad_figure(s, f"{_name(a)} \u2194 {_name(b)}, by {by}")
            return str(fig.to_json())  # type: ignore[attr-defined]

        return handle.cached(("figure", a, b, by, start, end, directed), compute)

    warm_state: dict[str, Any] = {"dyads": warm_dyads, "done": warm_dyads == 0}

    def warm(n: int) -> None:
        """Compute the monthly series and charts of the ``n`` busiest country dyads ahead of the first visit."""
        try:
            with handle.reader() as st:
                if has_dyad_days():
                    top = st.sql(
                        "SELECT least(source_country, target_country) AS a, greatest(source_country, "
                        "target_country) AS b, sum(events) AS n FROM dyad_days GROUP BY 1, 2 "
                        "ORDER BY n DESC, a, b LIMIT ?", [n])
                else:
                    top = st.sql(
                        "SELECT least(source_country, target_country) AS a, greatest(source_country, "
                        "target_country) AS b, count(*) AS n FROM events WHERE asserted "
                        "AND source_country <> target_country AND source_country <> '' AND target_country <> '' "
                        "GROUP BY 1, 2 ORDER BY n DESC, a, b LIMIT ?", [n])
            for r in top.itertuples(index=False):
                figure_of(str(r.a), str(r.b), "month", None, None, False)
            log.info("warmed %d dyads", len(top))
        except Exception:  # warming is an optimisation; a failure here must not stop the service
            log.exception("warming the dyad cache failed")
        finally:
            warm_state["done"] = True

    @app.get("/api/panel", dependencies=[Read], tags=["indicators"])
    def panel(
        by: Period = "month",
        directed: bool = True,
        level: Literal["country", "actor"] = "country",
        start: FromQ = None,
        end: ToQ = None,
        actor: ActorQ = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """The dyad panel: one row per (period, source, target), optionally only rows involving ``actor``."""
        from redline.indicators import panel as make_panel

        def compute() -> pd.DataFrame:
            with handle.reader() as st:
                return make_panel(st, by=by, directed=directed, level=level, start=start, end=end)

        df = handle.cached(("panel", by, directed, level, start, end), compute)
        if actor:
            code = actor.upper()
            df = df[(df["source"].astype(str).str.startswith(code)) | (df["target"].astype(str).str.startswith(code))]
        page = df.iloc[offset: offset + limit]
        return _json({"total": int(len(df)), "limit": limit, "offset": offset, "rows": records(page)})

    # -- actors and countries -----------------------------------------------------------------------------
    def seen_actors() -> pd.DataFrame:
        def compute() -> pd.DataFrame:
            with handle.reader() as st:
                return st.sql(
                    "SELECT code, sum(n) AS events FROM ("
                    "  SELECT source_actor AS code, count(*) AS n FROM events WHERE asserted GROUP BY 1"
                    "  UNION ALL SELECT target_actor, count(*) FROM events WHERE asserted GROUP BY 1"
                    ") WHERE code IS NOT NULL AND code <> '' GROUP BY code ORDER BY events DESC LIMIT 20000")

        return handle.cached("actors", compute)

    @app.get("/api/actors", dependencies=[Read], tags=["actors"])
    def actors(
        q: Annotated[str, Query(max_length=100, description="Part of a name or code.")] = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> Response:
        """Countries (from the ontology) and actor codes seen in the store that match ``q``, busiest first."""
        from redline.ontology import countries

        needle = q.strip().lower()
        seen = seen_actors()
        counts = dict(zip(seen["code"].astype(str), seen["events"].astype(int), strict=True))
        out: list[dict[str, Any]] = []
        found: set[str] = set()
        for c in countries.all():
            names = [c.name, c.cameo, c.iso3, *getattr(c, "aliases", ()), *getattr(c, "demonyms", ())]
            if not needle or any(needle in str(n).lower() for n in names if n):
                out.append({"code": c.cameo, "name": c.name, "kind": "country", "events": counts.get(c.cameo, 0)})
                found.add(c.cameo)
        for code, n in counts.items():
            if code in found or (needle and needle not in code.lower()):
                continue
            out.append({"code": code, "name": _name(code), "kind": "actor", "events": n})
            if len(out) > 5 * limit + 300:
                break
        out.sort(key=lambda r: (-r["events"], r["kind"] != "country", r["code"]))
        return _json({"q": q, "actors": out[:limit]})

    @app.get("/api/countries/{code}", dependencies=[Read], tags=["actors"])
    def country(
        code: Annotated[str, PathParam(pattern=r"^[A-Za-z]{3}$")],
        on: Annotated[dt.date | None, Query(description="Date for alliances and trade (default: last event).")]
        = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 15,
    ) -> Response:
        """A country: its busiest partners in the store, its alliances in force and its trade with partners."""
        from redline.ontology import countries

        code = code.upper()
        c = countries.lookup(code)

        def compute() -> pd.DataFrame:
            with handle.reader() as st:
                if has_dyad_days():  # the ingest's dyad-day summary: thousands of rows instead of millions
                    return st.sql(
                        "SELECT CASE WHEN source_country = ? THEN target_country ELSE source_country END AS "
                        "partner, sum(events)::BIGINT AS events, "
                        "sum(verbal_coop + material_coop)::BIGINT AS cooperation, "
                        "sum(verbal_conflict + material_conflict)::BIGINT AS conflict, "
                        "sum(goldstein_sum) / nullif(sum(goldstein_n), 0) AS goldstein_mean, max(date) AS last "
                        "FROM dyad_days WHERE source_country = ? OR target_country = ? "
                        "GROUP BY 1 ORDER BY events DESC, partner LIMIT ?", [code, code, code, 100])
                return st.sql(
                    "SELECT CASE WHEN source_country = ? THEN target_country ELSE source_country END AS partner, "
                    "count(*) AS events, "
                    "count(*) FILTER (WHERE quad_class IN (1, 2)) AS cooperation, "
                    "count(*) FILTER (WHERE quad_class IN (3, 4)) AS conflict, "
                    "avg(goldstein) AS goldstein_mean, max(date) AS last "
                    "FROM events WHERE asserted AND (source_country = ? OR target_country = ?) "
                    "AND source_country <> target_country AND source_country <> '' AND target_country <> '' "
                    "GROUP BY 1 ORDER BY events DESC, partner LIMIT ?", [code, code, code, 100])

        when = on or _last_date(handle) or dt.date.today()

        def view() -> str:  # the whole answer is cached: trade look-ups cost ~0.2 s a partner
            partners = handle.cached(("partners", code), compute).head(limit)
            rows = records(partners)
            for r in rows:
                r["name"] = _name(str(r["partner"]))
            alliances, notes = knowledge.alliances(code, when)
            trade, tnotes = knowledge.trade(code, [str(r["partner"]) for r in rows], when)
            return _dumps({
                "code": code, "name": c.name if c else code, "on": when, "partners": rows,
                "alliances": alliances, "trade": trade, "notes": notes + tnotes,
            })

        return Response(handle.cached(("country", code, when, limit), view), media_type="application/json")

    @app.get("/api/alliances", dependencies=[Read], tags=["actors"])
    def alliance_network(
        country: Annotated[str, Query(pattern=r"^[A-Za-z]{3}$")],
        on: Annotated[dt.date | None, Query()] = None,
        military: bool = True,
    ) -> Response:
        """The alliance network around ``country``: it, its allies, and every treaty tie among them."""
        when = on or _last_date(handle) or dt.date.today()
        net, notes = knowledge.network(country.upper(), when, military=military)
        return _json({**net, "on": when, "notes": notes})

    # -- questions, claims, briefs -----------------------------------------------------------------------
    @app.post("/api/ask", dependencies=[Read], tags=["assess"])
    def ask(body: AskBody) -> Response:
        """Answer a yes/no question: probability, evidence with citations, method (as ``redline ask --json``)."""
        try:
            with handle.reader() as st:
                out = bridge.ask(body.question, as_of=body.as_of or dt.date.today(), trigger=body.trigger,
                                 store=st, data=data_dir)
        except bridge.Unavailable as exc:
            raise HTTPException(501, f"questions are not available yet: {exc}") from exc
        return _json(out)

    @app.post("/api/check", dependencies=[Read], tags=["assess"])
    def check(body: TextBody) -> Response:
        """Check an article's claims: supported, contradicted or unverifiable (as ``redline check --json``)."""
        try:
            with handle.reader() as st:
                out = bridge.check(body.text, as_of=body.as_of, store=st, data=data_dir)
        except bridge.Unavailable as exc:
            raise HTTPException(501, f"claim checks are not available yet: {exc}") from exc
        return _json(out)

    @app.post("/api/brief", dependencies=[Read], tags=["assess"])
    def brief(body: TextBody, format: Literal["json", "html"] = "json") -> Response:
        """A brief on an article (its events are not stored): a summary as JSON, or the HTML report."""
        try:  # on the service's own connection (DuckDB opens no second one to a file held for writing)
            with handle.reader() as st:
                summary, html = bridge.brief(body.text, question=body.question, as_of=body.as_of, store=st,
                                             data=data_dir)
        except bridge.Unavailable as exc:
            raise HTTPException(501, f"briefs are not available yet: {exc}") from exc
        if format == "html":
            return HTMLResponse(html)
        return _json(summary)

    # -- writes -------------------------------------------------------------------------------------------
    @app.post("/api/ingest", dependencies=[Write], tags=["store"])
    def ingest(
        file: Annotated[UploadFile, File(description="The file to read.")],
        source: Annotated[str, Form(description="Reader: " + ", ".join(sorted(UPLOAD_SOURCES)))],
        suffix: Annotated[str | None, Form(pattern=r"^\.[a-z]{1,5}$", description="File type, e.g. .zip "
                                           "(default: the reader's first).")] = None,
    ) -> Response:
        """Store the events of an uploaded file (needs the token). The upload's name is never used as a path."""
        if source not in UPLOAD_SOURCES:
            raise HTTPException(422, f"unknown source {source!r}: use one of {', '.join(sorted(UPLOAD_SOURCES))}")
        allowed = UPLOAD_SOURCES[source]
        ext = suffix or allowed[0]
        if ext not in allowed:
            raise HTTPException(422, f"{source} uploads are {', '.join(allowed)} files")
        with tempfile.TemporaryDirectory(prefix="redline-upload-") as tmp:
            target = Path(tmp) / f"upload{ext}"
            size = 0
            with target.open("wb") as f:
                while chunk := file.file.read(1 << 20):
                    size += len(chunk)
                    if size > max_upload_bytes:
                        raise HTTPException(413, f"upload over the limit of {max_upload_bytes} bytes")
                    f.write(chunk)
            with handle.writer() as st:
                rep = st.ingest(source, [str(target)])
        out = rep.as_dict()
        out["bytes"] = size
        return _json(out)

    app.state.knowledge = knowledge
    def start_background() -> None:
        handle.summary()  # the dyad-day summary in memory before the first series is asked for
        if preload_knowledge:
            knowledge.treaties()
            knowledge.tradebook()
        if warm_dyads > 0:
            warm(warm_dyads)

    if warm_dyads > 0 or preload_knowledge:
        threading.Thread(target=start_background, name="redline-start", daemon=True).start()
    return app


def _download(table: Any, fmt: str) -> Response:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    if fmt == "parquet":
        pq.write_table(table, buf)
        media, name = "application/vnd.apache.parquet", "events.parquet"
    else:
        pacsv.write_csv(table, buf)
        media, name = "text/csv; charset=utf-8", "events.csv"
    return Response(buf.getvalue(), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _last_date(handle: StoreHandle) -> dt.date | None:
    def compute() -> dt.date | None:
        with handle.reader() as st:
            row = st.con.execute("SELECT max(date) FROM events").fetchone()
            return row[0] if row and row[0] else None

    return handle.cached("last_date", compute)


def _name(code: str) -> str:
    from redline.ontology import countries

    c = countries.lookup(code[:3]) if len(code) >= 3 else None
    if c is None:
        return code
    return c.name if len(code) == 3 else f"{c.name} ({code[3:]})"


def _cameo_label(code: Any) -> str:
    if not code:
        return ""
    try:
        from redline.ontology import cameo

        return str(cameo.lookup(str(code)).label)
    except Exception:
        return ""


def _version() -> str:
    try:
        from redline import __version__

        return str(__version__)
    except Exception:
        return "0"


_PLOTLY: list[bytes] = []


def _plotly_js() -> bytes:
    """plotly.js for the dashboard, never from a CDN.

    Prefers the basic bundle (scatter, bar, pie: all the dashboard draws; a quarter of the size, so the browser
    parses it four times faster) that ``make install`` builds from the npm package ``plotly.js-basic-dist-min``
    into ``static/vendor/``; without npm it falls back to the full bundle inside the installed ``plotly`` package.
    """
    if not _PLOTLY:
        from importlib import resources

        basic = resources.files("redline.service").joinpath("static", "vendor", "plotly-basic.min.js")
        if basic.is_file():
            _PLOTLY.append(basic.read_bytes())
        else:
            _PLOTLY.append(resources.files("plotly").joinpath("package_data", "plotly.min.js").read_bytes())
    return _PLOTLY[0]


class _Knowledge:
    """Treaties and trade, loaded once on first use (from the shared data folder, else curated records only)."""

    def __init__(self, data: str | None) -> None:
        self.data = data
        self._lock = threading.Lock()
        self._treaties: Any = None
        self._trade: Any = None
        self.notes: list[str] = []

    def _load(self, attr: str, full: Callable[[], Any], fallback: Callable[[], Any], what: str) -> Any:
        with self._lock:
            if getattr(self, attr) is None:
                try:
                    setattr(self, attr, full())
                except Exception as exc:  # missing data folder or files: curated records only
                    self.notes.append(f"{what}: {exc}; using the project's curated records only")
                    try:
                        setattr(self, attr, fallback())
                    except Exception as exc2:
                        self.notes.append(f"{what}: not available ({exc2})")
                        setattr(self, attr, False)
            return getattr(self, attr)

    def treaties(self) -> Any:
        from redline.knowledge import TreatyBook

        return self._load("_treaties", lambda: TreatyBook.load(self.data), lambda: TreatyBook.load(atop=False),
                          "alliances")

    def tradebook(self) -> Any:
        from redline.knowledge import TradeBook

        return self._load("_trade", lambda: TradeBook.load(self.data), lambda: TradeBook.load(cow=False), "trade")

    def alliances(self, code: str, on: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
        book = self.treaties()
        if not book:
            return [], list(self.notes)
        from redline.knowledge import to_cameo, to_cow

        try:
            cow = to_cow(code)
        except RedlineError:
            return [], [f"{code}: no COW number, so no alliance records"]
        out = []
        for o in book.of(cow, on):
            partners = sorted({_cameo_or(m, to_cameo) for m in o.members if m != cow})
            out.append({"treaty_id": o.treaty_id, "name": o.treaty_name, "kind": o.kind, "start": o.start,
                        "end": o.end, "partners": partners, "origin": o.origin, "citation": o.citation,
                        "carried_forward": o.carried_forward, "military": o.military})
        out.sort(key=lambda r: (not r["military"], r["name"]))
        return out, [n for n in self.notes if n.startswith("alliances")]

    def network(self, code: str, on: dt.date, *, military: bool) -> tuple[dict[str, Any], list[str]]:
        book = self.treaties()
        notes = [n for n in self.notes if n.startswith("alliances")]
        if not book:
            return {"nodes": [], "edges": []}, notes
        from redline.knowledge import to_cameo, to_cow

        try:
            cow = to_cow(code)
        except RedlineError:
            return {"nodes": [], "edges": []}, [f"{code}: no COW number, so no alliance records"]
        mine = [o for o in book.of(cow, on, military=military)]
        nodes = {cow} | {m for o in mine for m in o.members}
        edges: dict[tuple[int, int], set[str]] = {}
        for o in book.obligations:
            if military and not o.military:
                continue
            inside = sorted(m for m in o.members if m in nodes)
            if len(inside) < 2 or not o.in_force(on):
                continue
            for i, x in enumerate(inside):
                for y in inside[i + 1:]:
                    if o.spans and not o.in_force(on, x, y):
                        continue
                    edges.setdefault((x, y), set()).add(o.kind)
        return {
            "center": code,
            "nodes": [{"id": _cameo_or(n, to_cameo), "name": _name(_cameo_or(n, to_cameo)), "center": n == cow}
                      for n in sorted(nodes)],
            "edges": [{"a": _cameo_or(x, to_cameo), "b": _cameo_or(y, to_cameo), "kinds": sorted(k)}
                      for (x, y), k in sorted(edges.items())],
        }, notes

    def trade(self, code: str, partners: list[str], on: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
        book = self.tradebook()
        notes = [n for n in self.notes if n.startswith("trade")]
        if not book:
            return [], notes
        out = []
        for p in partners:
            try:
                s = book.latest(code, p, on.year)
            except RedlineError:
                continue
            if s is None:
                continue
            out.append({"partner": p, "year": s.year, "share": s.share, "bilateral_musd": s.bilateral,
                        "origin": s.origin, "citation": s.citation})
        return out, notes


def _cameo_or(cow: int, to_cameo: Callable[[int], str]) -> str:
    try:
        return to_cameo(cow)
    except RedlineError:
        return f"COW{cow}"
