"""The service: a FastAPI app with the REST API and the dashboard (``redline serve``).

FastAPI is imported only when the app is built, so ``import redline.service`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "resolve_store"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Build the app (see :func:`redline.service.app.create_app`)."""
    from .app import create_app as _create

    return _create(*args, **kwargs)


def resolve_store(explicit: str | None) -> str:
    """The store to serve: ``explicit``, else $REDLINE_STORE, else the user store if it exists, else the store
    ``make demo`` built (``out/demo.duckdb`` in the working directory) if it exists, else the user store path."""
    import os
    from pathlib import Path

    from redline.store import default_store_path

    if explicit:
        return explicit
    if os.environ.get("REDLINE_STORE"):
        return os.environ["REDLINE_STORE"]
    user = default_store_path()
    if user.exists():
        return str(user)
    demo = Path("out") / "demo.duckdb"
    if demo.exists():
        return str(demo)
    return str(user)
