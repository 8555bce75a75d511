"""Plots of a dyad series: a PNG (matplotlib, headless) and an interactive, self-contained HTML page (plotly with
its JavaScript inlined, so it opens offline)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from redline.errors import RedlineError

__all__ = ["plot_dyad", "plot_dyad_png", "plot_dyad_html", "dyad_figure"]

QUAD_COLOURS = {
    "verbal_coop": "#4c9f70",
    "material_coop": "#1b5e20",
    "verbal_conflict": "#e57373",
    "material_conflict": "#b71c1c",
}


def by_month_or_coarser(series: pd.DataFrame) -> bool:
    """True when the periods are at least ~4 weeks apart (bar widths are in days)."""
    if len(series) < 2:
        return True
    gaps = pd.to_datetime(series["period"]).diff().dt.days.dropna()
    return bool(gaps.min() >= 27)


def plot_dyad_png(series: pd.DataFrame, path: str | os.PathLike[str], title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    x = pd.to_datetime(series["period"])
    import numpy as np

    up = np.zeros(len(series))
    down = np.zeros(len(series))
    width = 20 if by_month_or_coarser(series) else 0.8
    for col, colour in QUAD_COLOURS.items():
        vals = series[col].astype(float).to_numpy()
        if "coop" in col:
            ax1.bar(x, vals, width=width, bottom=up, color=colour, label=col.replace("_", " "))
            up = up + vals
        else:
            ax1.bar(x, -vals, width=width, bottom=down, color=colour, label=col.replace("_", " "))
            down = down - vals
    ax1.set_ylim(min(down.min(), 0) * 1.15 - 0.5, max(up.max(), 0) * 1.25 + 0.5)
    ax1.axhline(0, color="black", linewidth=0.6)
    ax1.set_ylabel("events (conflict below)")
    ax1.legend(loc="upper left", fontsize=8, ncol=4)
    ax1.set_title(title)
    ax2.plot(x, series["goldstein_mean"], color="#37474f", linewidth=1, label="Goldstein mean")
    ax2.plot(x, series["trend"], color="#ff8f00", linewidth=2, label="trend")
    ax2.axhline(0, color="black", linewidth=0.6)
    ax2.set_ylabel("Goldstein")
    ax2.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def dyad_figure(series: pd.DataFrame, title: str) -> object:
    """A plotly figure of the series (shared by the HTML plot, the reports and the dashboard)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    x = pd.to_datetime(series["period"])
    for col, colour in QUAD_COLOURS.items():
        sign = 1 if "coop" in col else -1
        fig.add_trace(go.Bar(x=x, y=sign * series[col], name=col.replace("_", " "), marker_color=colour,
                             hovertemplate="%{x|%Y-%m-%d}: %{y} events<extra>" + col + "</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=series["goldstein_mean"], name="Goldstein mean", mode="lines+markers",
                             line={"color": "#37474f"}), row=2, col=1)
    fig.add_trace(go.Scatter(x=x, y=series["trend"], name="trend", mode="lines",
                             line={"color": "#ff8f00", "width": 3}), row=2, col=1)
    fig.update_layout(barmode="relative", title=title, template="plotly_white", height=560)
    return fig


def plot_dyad_html(series: pd.DataFrame, path: str | os.PathLike[str], title: str) -> Path:
    fig = dyad_figure(series, title)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(out), include_plotlyjs=True, full_html=True)  # type: ignore[attr-defined]
    return out


def plot_dyad(series: pd.DataFrame, path: str | os.PathLike[str], title: str) -> Path:
    """Write a PNG or an HTML plot, chosen by the file's extension."""
    if series.empty:
        raise RedlineError(f"nothing to plot for {title}: no events")
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        return plot_dyad_png(series, path, title)
    if suffix in (".html", ".htm"):
        return plot_dyad_html(series, path, title)
    raise RedlineError(f"{path}: plots are written as .png or .html")
