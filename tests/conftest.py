"""Shared fixtures: the ../shared/data folder (skip cleanly when absent) and small hand-built events."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from redline.records import Event, Provenance

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """Where ../shared/data is: $REDLINE_SHARED_DATA, else beside the checkout. None when absent."""
    env = os.environ.get("REDLINE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; tests using it skip with a clear reason when it is absent."""
    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data is absent (set REDLINE_SHARED_DATA to run data-backed tests)")
    return d


def make_event(
    event_id: str,
    date: str,
    source: str,
    target: str,
    cameo: str,
    quad_class: int,
    goldstein: float,
    **kw: object,
) -> Event:
    """Build an Event by hand for tests."""
    return Event(
        event_id=event_id,
        date=dt.date.fromisoformat(date),
        source=source,
        target=target,
        cameo=cameo,
        quad_class=quad_class,
        goldstein=goldstein,
        provenance=Provenance(dataset="test", locator=f"test:{event_id}"),
        source_country=source[:3],
        target_country=target[:3],
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def tmp_store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"
