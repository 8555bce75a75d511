"""Temporal knowledge graph forecasting: datasets, models behind ``fit``/``predict``, and evaluation.

Heavy work lives in the submodules; importing this package stays cheap.
"""

from __future__ import annotations

__all__: list[str] = []
