"""The dashboard in a real browser (Debian's chromium driven by Playwright): load it, pick a dyad, see the chart,
click a period, click an event, read its sentence and source. Screenshots are kept under artifacts/service/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveServer, sample_events

pytestmark = pytest.mark.browser


@pytest.fixture
def live(store_file: Path) -> Any:
    from redline.service import create_app

    app = create_app(store_file)
    with LiveServer(app) as srv:
        yield srv
    app.state.handle.close()


def test_pick_dyad_click_period_and_event_shows_sentence(browser: Any, live: LiveServer, artefacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live.url) else None)
    page.goto(live.url + "/ui/")
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)

    # pick a dyad: North Korea and China, by month
    page.fill("#dyad-a", "PRK")
    page.fill("#dyad-b", "CHN")
    page.select_option("#dyad-by", "month")
    page.click("#dyad-show")
    page.wait_for_function("document.querySelector('#dyad-summary').textContent.includes('PRK')", timeout=15_000)
    page.wait_for_selector("#dyad-chart g.point path", timeout=15_000)
    summary = page.inner_text("#dyad-summary")
    assert "5 events over 3 months" in summary, summary
    assert page.locator("#dyad-chart g.point").count() >= 3  # bars drawn
    page.screenshot(path=str(artefacts / "dyad_chart.png"), full_page=True)

    # click the February conflict bar (below the axis): the period's events are listed
    bars = page.locator("#dyad-chart .trace.bars").nth(3).locator("g.point path")  # material conflict
    boxes = [b for b in (bars.nth(i).bounding_box() for i in range(bars.count())) if b]
    box = max(boxes, key=lambda b: b["height"])  # the only non-empty bar of that trace
    assert box["height"] > 5
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#dyad-events table tbody tr", timeout=10_000)
    title = page.inner_text("#period-title")
    assert "2024-02-01" in title and "2 events" in title, title

    # click an event: its sentence and its source appear
    page.locator("#dyad-events tbody tr", has_text="163").click()
    page.wait_for_selector("#event-detail blockquote.sentence", timeout=10_000)
    detail = page.inner_text("#event-detail")
    assert "China halted oil shipments to North Korea." in detail
    assert "Test article 2" in detail and "https://example.org/d2" in detail
    page.screenshot(path=str(artefacts / "dyad_event_sentence.png"), full_page=True)
    assert not errors, errors
    assert not external, f"the dashboard fetched from outside the service: {external}"
    page.close()


def test_country_events_and_alliance_views(browser: Any, live: LiveServer, artefacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live.url + "/ui/")
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)

    page.click("#tabs button[data-view='country']")
    page.wait_for_selector("#country-partners table tbody tr", timeout=15_000)
    partners = page.inner_text("#country-partners")
    assert "China" in partners and "South Korea" in partners and "Japan" in partners
    page.screenshot(path=str(artefacts / "country.png"), full_page=True)

    page.click("#tabs button[data-view='events']")
    page.wait_for_selector("#events-table tbody tr", timeout=10_000)
    assert f"of {len(sample_events())}" in page.inner_text("#pageinfo")
    page.fill("#events-form input[name='code']", "163")
    page.click("#events-form button[type='submit']")
    page.wait_for_function("document.querySelector('#pageinfo').textContent.includes('of 1')", timeout=10_000)
    page.locator("#events-table tbody tr").first.click()
    page.wait_for_selector("#events-detail blockquote.sentence", timeout=10_000)
    assert "oil shipments" in page.inner_text("#events-detail")
    assert "format=csv" in (page.get_attribute("#dl-csv", "href") or "")
    with page.expect_download(timeout=10_000) as dl:
        page.click("#dl-csv")
    csv_text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert csv_text.count("\n") == 2 and "oil shipments" in csv_text  # header + the one filtered event

    page.click("#tabs button[data-view='alliances']")
    page.wait_for_function("document.querySelector('#alliance-notes').textContent.includes('treaty ties')",
                           timeout=20_000)
    assert page.locator("#network g.node").count() >= 1
    page.screenshot(path=str(artefacts / "alliances.png"), full_page=True)
    assert not errors, errors
    page.close()
