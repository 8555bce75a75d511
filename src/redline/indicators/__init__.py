"""Indicators: pure functions over event tables (dyad panels, series, plots)."""

from .panels import PERIODS, QUAD_NAMES, dyad_series, panel, panel_sql
from .plots import dyad_figure, plot_dyad, plot_dyad_html, plot_dyad_png

__all__ = ["PERIODS", "QUAD_NAMES", "dyad_series", "panel", "panel_sql", "plot_dyad", "plot_dyad_png",
           "plot_dyad_html", "dyad_figure"]
