"""One spaCy-backed coder per test session (loading the model is the slow part)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def coder() -> Any:
    pytest.importorskip("spacy")
    from redline.coding.pipeline import Coder

    return Coder.load()
