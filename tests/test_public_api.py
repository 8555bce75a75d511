"""The public API: every name in __all__ resolves, and importing redline stays light."""

from __future__ import annotations

import subprocess
import sys

import redline


def test_all_names_resolve() -> None:
    for name in redline.__all__:
        assert getattr(redline, name) is not None, name


def test_import_is_light() -> None:
    heavy = "('duckdb', 'pandas', 'spacy', 'fastapi')"
    code = f"import sys, redline; print(','.join(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
