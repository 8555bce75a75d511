"""CLI commands for the store, sources and indicators (registered by redline.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("version")(version)


def version() -> None:
    """Print redline's version."""
    from redline import __version__

    typer.echo(__version__)
