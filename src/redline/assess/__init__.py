"""Assess: questions -> evidence (red lines, treaties and scope, dependence, trend, precedents, forecasting model)
-> calibrated probability with its argument; and the claim check of a text. Submodules load on first use."""

from __future__ import annotations

from typing import Any

__all__ = ["parse_question", "parse_spec", "answer", "Context", "check_text"]

_WHERE = {
    "parse_question": "questions",
    "parse_spec": "questions",
    "answer": "answer",
    "Context": "answer",
    "check_text": "claims",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"redline.assess.{_WHERE[name]}"), name)
    raise AttributeError(name)
