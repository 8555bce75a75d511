"""The main job runs on a fresh machine too: without ../shared it still writes the example article's brief."""

from __future__ import annotations

from pathlib import Path

import pytest

import redline.demo as demo


def test_demo_without_shared_data_still_briefs_the_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: an empty store used to end the demo before the brief."""
    monkeypatch.setattr(demo, "find_shared_data", lambda explicit=None: None)
    monkeypatch.delenv("REDLINE_STORE", raising=False)
    lines: list[str] = []
    demo.run_demo(store=None, out=tmp_path, data=None, echo=lines.append)
    text = "\n".join(lines)
    assert "shared data not found" in text and "no China-North Korea events" in text
    assert "brief: example article" in text
    page = (tmp_path / "example_brief.html").read_text(encoding="utf-8")
    assert "<h2>Evidence</h2>" in page
    assert not (tmp_path / "seed_brief.html").exists()
