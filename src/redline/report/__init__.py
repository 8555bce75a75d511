"""Reports: the HTML brief (answer, evidence chart, treaty table, dyad series, claim table)."""

from __future__ import annotations

from typing import Any

__all__ = ["make_brief"]


def __getattr__(name: str) -> Any:
    if name == "make_brief":
        from redline.report.brief import make_brief

        return make_brief
    raise AttributeError(name)
