"""The REST API on a small store: filters, paging, downloads, tokens, upload limits, traversal and injection
attempts, CORS, and what `redline serve` binds by default."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from redline.service import app as app_module
from redline.service import create_app

from .conftest import TOKEN, sample_events

N = len(sample_events())
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def upload_lines(*rows: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


NEW_EVENT = {"event_id": "up1", "date": "2024-03-20", "source_actor": "CHN", "source_country": "CHN",
             "target_actor": "PRK", "target_country": "PRK", "cameo": "190", "text": "Uploaded sentence."}


# -- reads ------------------------------------------------------------------------------------------------
def test_info_and_openapi(client: TestClient) -> None:
    info = client.get("/api/info").json()
    assert info["events"] == N and info["documents"] == 3
    assert info["path"] == "svc.duckdb"  # the file name only, not where it lives
    assert info["writable"] is True
    assert "dyad_index" not in info and info["warm"]["done"] is True
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/events", "/api/dyad", "/api/panel", "/api/actors", "/api/ask", "/api/check", "/api/brief",
              "/api/ingest", "/api/countries/{code}"):
        assert p in paths
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/ui/docs.js" in docs.text and "https://" not in docs.text  # offline
    assert client.get("/ui/docs.js").status_code == 200


def test_event_filters_and_paging(client: TestClient) -> None:
    every = client.get("/api/events", params={"limit": 1000}).json()
    assert every["total"] == N and len(every["events"]) == N
    dates = [e["date"] for e in every["events"]]
    assert dates == sorted(dates, reverse=True)  # newest first

    dyad = client.get("/api/events", params={"dyad": "prk,chn"}).json()
    assert dyad["total"] == 5 and {e["event_id"] for e in dyad["events"]} == {"t0001", "t0002", "t0003", "t0004",
                                                                               "t0005"}
    assert client.get("/api/events", params={"actor": "JPN"}).json()["total"] == 3
    assert client.get("/api/events", params={"actor": "CHNGOV"}).json()["total"] == 1  # prefix of a longer code
    assert client.get("/api/events", params={"code": "163"}).json()["total"] == 1
    assert client.get("/api/events", params={"code": "11"}).json()["total"] == 4  # CAMEO root 11 prefix
    feb = client.get("/api/events", params={"from": "2024-02-01", "to": "2024-02-29"}).json()
    assert feb["total"] == 6 and all(e["date"].startswith("2024-02") for e in feb["events"])
    per = client.get("/api/events", params={"dyad": "CHN,PRK", "period": "2024-02-17", "by": "month"}).json()
    assert per["total"] == 2
    assert client.get("/api/events", params={"source": "coder.test"}).json()["total"] == N
    assert client.get("/api/events", params={"source": "gdelt.v2"}).json()["total"] == 0

    page1 = client.get("/api/events", params={"limit": 5, "offset": 0}).json()
    page2 = client.get("/api/events", params={"limit": 5, "offset": 5}).json()
    assert page1["total"] == page2["total"] == N
    ids1, ids2 = {e["event_id"] for e in page1["events"]}, {e["event_id"] for e in page2["events"]}
    assert len(ids1) == len(ids2) == 5 and not ids1 & ids2
    assert client.get("/api/events", params={"limit": 0}).status_code == 422
    assert client.get("/api/events", params={"limit": 1001}).status_code == 422
    assert client.get("/api/events", params={"offset": -1}).status_code == 422
    assert client.get("/api/events", params={"from": "2024-13-01"}).status_code == 422


def test_csv_and_parquet_downloads(client: TestClient) -> None:
    r = client.get("/api/events", params={"dyad": "CHN,PRK", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    t = pacsv.read_csv(io.BytesIO(r.content))
    assert t.num_rows == 5 and "event_id" in t.column_names and "text" in t.column_names
    r = client.get("/api/events", params={"actor": "USA", "format": "parquet"})
    assert r.status_code == 200
    t = pq.read_table(io.BytesIO(r.content))
    assert t.num_rows == 6 and set(t.column("source_country").to_pylist()) == {"USA"}
    assert client.get("/api/events", params={"format": "xlsx"}).status_code == 422


def test_event_detail_carries_sentence_and_document(client: TestClient) -> None:
    body = client.get("/api/events/t0003").json()
    assert body["event"]["text"] == "China halted oil shipments to North Korea."
    assert body["event"]["label"]  # the CAMEO label
    assert body["document"]["title"] == "Test article 2" and body["document"]["url"] == "https://example.org/d2"
    assert client.get("/api/events/t0100").json()["document"] is None
    sent = client.get("/api/events/t0006").json()  # doc id "d3#2": a sentence of document d3
    assert sent["document"]["title"] == "Test article 3"
    assert client.get("/api/events/nope").status_code == 404


def test_dyad_series_and_figure(client: TestClient) -> None:
    body = client.get("/api/dyad", params={"a": "chn", "b": "prk", "by": "month"}).json()
    s = body["series"]
    assert [r["period"] for r in s] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert [r["events"] for r in s] == [2, 2, 1]
    assert s[1]["material_conflict"] == 1 and s[1]["verbal_conflict"] == 1
    directed = client.get("/api/dyad", params={"a": "CHN", "b": "PRK", "directed": True}).json()["series"]
    assert sum(r["events"] for r in directed) == 3  # CHN -> PRK only
    fig = client.get("/api/dyad/figure", params={"a": "CHN", "b": "PRK"}).json()
    assert len(fig["data"]) == 6 and fig["data"][0]["type"] == "bar"
    assert client.get("/api/dyad", params={"a": "CHN", "b": "CHN"}).status_code == 422
    assert client.get("/api/dyad", params={"a": "CHN", "b": "PRK", "by": "hour"}).status_code == 422
    assert client.get("/api/dyad", params={"a": "CHN"}).status_code == 422
    empty = client.get("/api/dyad", params={"a": "FRA", "b": "DEU"}).json()
    assert empty["series"] == []
    assert client.get("/api/dyad/figure", params={"a": "FRA", "b": "DEU"}).json()["empty"] is True


def test_panel_actors_and_country(client: TestClient) -> None:
    p = client.get("/api/panel", params={"by": "month", "directed": False}).json()
    assert p["total"] > 0 and sum(r["events"] for r in p["rows"]) == N
    only = client.get("/api/panel", params={"actor": "JPN", "directed": False}).json()
    assert only["total"] == 3
    acts = client.get("/api/actors", params={"q": "korea"}).json()["actors"]
    codes = [a["code"] for a in acts]
    assert "PRK" in codes and "KOR" in codes and codes.index("PRK") < codes.index("KOR")  # busier first
    assert any(a["code"] == "PRKGOV" for a in client.get("/api/actors", params={"q": "prkgov"}).json()["actors"])
    c = client.get("/api/countries/prk").json()
    assert c["name"] == "North Korea"
    assert [p["partner"] for p in c["partners"]][:1] == ["CHN"]
    assert client.get("/api/countries/PRK1").status_code == 422


# -- hostile input ---------------------------------------------------------------------------------------
INJECTIONS = ["CHN' OR '1'='1", "x'; DROP TABLE events; --", "PRK) OR 1=1 --", "%' UNION SELECT * FROM documents --"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_sql_injection_strings_are_harmless(client: TestClient, value: str) -> None:
    for name in ("actor", "dyad", "code", "source"):
        r = client.get("/api/events", params={name: value})
        assert r.status_code == 422, (name, r.status_code)
    assert client.get("/api/dyad", params={"a": value, "b": "PRK"}).status_code == 422
    # free text goes to SQL as a parameter (or not at all): no match, no error
    r = client.get("/api/actors", params={"q": value})
    assert r.status_code == 200 and r.json()["actors"] == []
    assert client.get("/api/events/" + value.replace("/", "")).status_code in (404, 422)
    assert client.get("/api/info").json()["events"] == N  # the table is still there, unchanged


@pytest.mark.parametrize("path", ["/ui/../app.py", "/ui/..%2fapp.py", "/ui/%2e%2e/handle.py", "/ui/app.py",
                                  "/ui/..%2f..%2f..%2fpyproject.toml", "/ui/static%2fapp.js", "/ui//etc/passwd"])
def test_static_files_admit_no_traversal(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 422) or "def create_app" not in r.text
    assert "[project]" not in r.text and "root:" not in r.text


def test_dashboard_and_plotly_are_served_locally(client: TestClient) -> None:
    html = client.get("/ui/").text
    assert "/ui/app.js" in html and "https://" not in html  # no CDN
    assert '"/ui/plotly.min.js"' in client.get("/ui/app.js").text
    js = client.get("/ui/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000 and b"plotly" in js.content[:2000].lower()
    assert client.get("/ui/app.js").status_code == 200 and client.get("/ui/style.css").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"


def test_the_basic_plotly_bundle_is_served_when_built(client: TestClient) -> None:
    from importlib import resources

    basic = resources.files("redline.service").joinpath("static", "vendor", "plotly-basic.min.js")
    if not basic.is_file():
        pytest.skip("plotly.js basic bundle not built (npm was not available at `make install`)")
    js = client.get("/ui/plotly.min.js").content
    assert js == basic.read_bytes() and b"(basic - minified) v3.1.1" in js[:300]


# -- writes and tokens ------------------------------------------------------------------------------------
def test_upload_needs_the_token(client: TestClient) -> None:
    files = {"file": ("events.jsonl", upload_lines(NEW_EVENT), "application/json")}
    assert client.post("/api/ingest", data={"source": "jsonl"}, files=files).status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert client.post("/api/ingest", data={"source": "jsonl"}, files=files, headers=bad).status_code == 401
    assert client.post("/api/ingest", data={"source": "jsonl"}, files=files,
                       headers={"X-Redline-Token": TOKEN[:-1]}).status_code == 401
    assert client.get("/api/info").json()["events"] == N


def test_upload_ingest_stores_and_reads_see_it(client: TestClient) -> None:
    before = client.get("/api/dyad", params={"a": "CHN", "b": "PRK"}).json()["series"]  # cached now
    files = {"file": ("../../../../tmp/evil.jsonl", upload_lines(NEW_EVENT, {"date": "bad"}), "text/plain")}
    r = client.post("/api/ingest", data={"source": "jsonl"}, files=files, headers=AUTH)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["stored"] == 1 and rep["quarantined"] == 1 and rep["read"] == 2
    assert not Path("/tmp/evil.jsonl").exists()  # the upload's name was never used as a path
    after = client.get("/api/dyad", params={"a": "CHN", "b": "PRK"}).json()["series"]
    assert after[-1]["events"] == before[-1]["events"] + 1  # the cache moved on with the write
    assert client.get("/api/events/up1").json()["event"]["text"] == "Uploaded sentence."
    # the same token in the other header works too; the same file again adds nothing
    files = {"file": ("x.jsonl", upload_lines(NEW_EVENT), "text/plain")}
    again = client.post("/api/ingest", data={"source": "jsonl"}, files=files, headers={"X-Redline-Token": TOKEN})
    assert again.status_code == 200 and again.json()["stored"] == 0


def test_upload_limits_and_sources(client: TestClient) -> None:
    big = {"file": ("big.jsonl", b"x" * 5000, "text/plain")}  # the client fixture allows 4096 bytes
    r = client.post("/api/ingest", data={"source": "jsonl"}, files=big, headers=AUTH)
    assert r.status_code == 413
    small = {"file": ("e.jsonl", upload_lines(NEW_EVENT), "text/plain")}
    assert client.post("/api/ingest", data={"source": "tkg"}, files=small, headers=AUTH).status_code == 422
    assert client.post("/api/ingest", data={"source": "../../etc"}, files=small, headers=AUTH).status_code == 422
    assert client.post("/api/ingest", data={"source": "jsonl", "suffix": "/../x"}, files=small,
                       headers=AUTH).status_code == 422
    assert client.post("/api/ingest", data={"source": "jsonl", "suffix": ".exe"}, files=small,
                       headers=AUTH).status_code == 422
    # every other body has a 1 MiB limit
    r = client.post("/api/check", content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert client.get("/api/info").json()["events"] == N


def test_token_is_compared_in_constant_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = app_module.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(app_module.hmac, "compare_digest", spy)
    files = {"file": ("e.jsonl", upload_lines(NEW_EVENT), "text/plain")}
    client.post("/api/ingest", data={"source": "jsonl"}, files=files, headers={"Authorization": "Bearer guess"})
    assert calls == [(b"guess", TOKEN.encode())]


def test_no_token_means_read_only(store_file: Path) -> None:
    app = create_app(store_file)
    try:
        c = TestClient(app)
        files = {"file": ("e.jsonl", upload_lines(NEW_EVENT), "text/plain")}
        r = c.post("/api/ingest", data={"source": "jsonl"}, files=files, headers=AUTH)
        assert r.status_code == 403 and "token" in r.json()["detail"]
        assert c.get("/api/info").json()["writable"] is False
        assert c.get("/api/events").json()["total"] == N  # reads stay open
    finally:
        app.state.handle.close()


def test_tokens_must_be_long_enough(store_file: Path) -> None:
    from redline.errors import RedlineError

    with pytest.raises(RedlineError, match="too short"):
        create_app(store_file, token="abc")
    with pytest.raises(RedlineError, match="needs a token"):
        create_app(store_file, read_token_required=True)


def test_reads_can_require_the_token(store_file: Path) -> None:
    app = create_app(store_file, token=TOKEN, read_token_required=True)
    try:
        c = TestClient(app)
        assert c.get("/api/events").status_code == 401
        assert c.get("/api/dyad", params={"a": "CHN", "b": "PRK"}).status_code == 401
        assert c.get("/api/events", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.get("/api/events", headers=AUTH).status_code == 200
        assert c.get("/ui/").status_code == 200  # the page itself holds no data
    finally:
        app.state.handle.close()


# -- CORS and binding -------------------------------------------------------------------------------------
def test_cors_closed_by_default(client: TestClient) -> None:
    r = client.get("/api/info", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options("/api/ingest", headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


def test_cors_open_only_to_configured_origins(store_file: Path) -> None:
    app = create_app(store_file, cors_origins=("http://localhost:3000",))
    try:
        c = TestClient(app)
        ok = c.get("/api/info", headers={"Origin": "http://localhost:3000"})
        assert ok.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = c.get("/api/info", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        app.state.handle.close()


def test_serve_binds_loopback_by_default_and_prints_the_url(store_file: Path) -> None:
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "redline.cli", "serve", "--store", str(store_file), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = ""
        deadline = time.time() + 30
        while time.time() < deadline and proc.stdout is not None:
            line = proc.stdout.readline()
            if "dashboard:" in line:
                url = line.split()[1]
                break
        assert url.startswith("http://127.0.0.1:") and url.endswith("/ui/"), url
        for _ in range(100):
            try:
                r = httpx.get(url.replace("/ui/", "/api/info"), timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["events"] == N
    finally:
        proc.terminate()
        proc.wait(10)


# -- questions, claims and briefs -------------------------------------------------------------------------
def test_assess_endpoints_answer_501_until_assess_lands(client: TestClient,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from redline.service import bridge

    def missing(module: str, name: str) -> Any:
        raise bridge.Unavailable(f"{module} is not available in this installation")

    monkeypatch.setattr(bridge, "_need", missing)
    r = client.post("/api/ask", json={"question": "Will China impose sanctions on North Korea?"})
    assert r.status_code == 501 and "not available" in r.json()["detail"]
    assert client.post("/api/check", json={"text": "China imposed sanctions."}).status_code == 501
    assert client.post("/api/brief", json={"text": "China imposed sanctions."}).status_code == 501
    assert client.post("/api/ask", json={"question": ""}).status_code == 422
    assert client.post("/api/ask", json={"question": "x" * 3000}).status_code == 422


def test_ask_answers_with_evidence_when_assess_is_installed(client: TestClient) -> None:
    pytest.importorskip("redline.assess.answer")
    r = client.post("/api/ask", json={"question": "Will China impose sanctions on North Korea by 2024-06-30?",
                                      "as_of": "2024-03-10"})
    if r.status_code == 501:
        pytest.skip(r.json()["detail"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert 0.0 <= body["probability"] <= 1.0
    assert body["question"]["actor"] == "CHN" and body["question"]["target"] == "PRK"
    assert isinstance(body["evidence"], list)
    again = client.post("/api/ask", json={"question": "Will China impose sanctions on North Korea by 2024-06-30?",
                                          "as_of": "2024-03-10"})
    assert again.json() == body  # the reused question context answers as a fresh one
    triggered = client.post("/api/ask", json={"question": "Will China impose sanctions on North Korea by 2024-06-30?",
                                              "as_of": "2024-03-10", "trigger": "North Korea conducts a nuclear test"})
    assert triggered.status_code == 200, triggered.text
    bad = client.post("/api/ask", json={"question": "Will China impose sanctions on North Korea by 2024-06-30?",
                                        "as_of": "2024-03-10", "trigger": "nothing to see"})
    assert bad.status_code == 400 and "trigger" in bad.json()["detail"]


def test_brief_on_a_writable_service_reads_its_own_store(client: TestClient) -> None:
    """The service holds the file for writing; the brief gets the service's store, so it draws the dyad's
    history (the dashboard's chart) instead of going without."""
    pytest.importorskip("redline.report.brief")
    body = {"text": "Beijing accused Pyongyang of provocation. Will China impose sanctions on North Korea by "
                    "2024-06-30?", "as_of": "2024-04-01",
            "question": "Will China impose sanctions on North Korea by 2024-06-30?"}
    r = client.post("/api/brief", params={"format": "html"}, json=body)
    if r.status_code == 501:
        pytest.skip(r.json()["detail"])
    assert r.status_code == 200, r.text[:500]
    page = r.text
    drawn = 'id="dyad-chart"' in page and "CHN - PRK: events by month (store)" in page
    assert drawn
    summary = client.post("/api/brief", json=body).json()
    assert summary["stored"] == 0 and 0.0 < summary["probability"] < 1.0
    assert client.get("/api/info").json()["events"] == N  # nothing stored


def test_reads_keep_answering_during_an_upload_ingest(store_file: Path) -> None:
    import threading

    app = create_app(store_file, token=TOKEN)
    try:
        c = TestClient(app)
        rows = [{**NEW_EVENT, "event_id": f"bulk{i}", "date": f"2024-0{1 + i % 3}-{1 + i % 28:02d}"}
                for i in range(4000)]
        files = {"file": ("bulk.jsonl", upload_lines(*rows), "text/plain")}
        result: dict[str, Any] = {}

        def upload() -> None:
            result["r"] = c.post("/api/ingest", data={"source": "jsonl"}, files=files, headers=AUTH)

        t = threading.Thread(target=upload)
        t.start()
        statuses, totals = [], []
        while t.is_alive() or not statuses:
            r = c.get("/api/events", params={"dyad": "CHN,PRK", "limit": 1})
            statuses.append(r.status_code)
            totals.append(r.json()["total"])
        t.join()
        assert result["r"].status_code == 200 and result["r"].json()["stored"] == 4000
        assert set(statuses) == {200}
        assert all(n in (5, 4005) for n in totals)  # each read sees the store before or after the whole batch
        assert c.get("/api/events", params={"dyad": "CHN,PRK", "limit": 1}).json()["total"] == 4005
    finally:
        app.state.handle.close()


def test_json_is_strict_and_periods_have_their_bounds() -> None:
    import datetime as dt

    assert app_module._dumps({"x": float("nan"), "y": [float("inf"), 1.5], "d": dt.date(2024, 2, 3)}) == (
        '{"x": null, "y": [null, 1.5], "d": "2024-02-03"}')
    d = dt.date(2024, 2, 14)  # a Wednesday
    assert app_module.period_range(d, "day") == (d, d)
    assert app_module.period_range(d, "week") == (dt.date(2024, 2, 12), dt.date(2024, 2, 18))
    assert app_module.period_range(d, "month") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert app_module.period_range(dt.date(2023, 12, 9), "month") == (dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    assert app_module.period_range(d, "year") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
