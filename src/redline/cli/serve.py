"""CLI commands for serve (registered by redline.cli)."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("serve")(serve)


def serve(
    store: Annotated[str | None, typer.Option("--store", help="DuckDB store file (default: $REDLINE_STORE, the "
                                              "user store, or out/demo.duckdb from `make demo`).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind. Loopback unless you mean otherwise.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
    token: Annotated[str | None, typer.Option(help="Secret for writes (upload ingest), 8+ characters; "
                                              "prefer $REDLINE_TOKEN (arguments show in process lists). Without "
                                              "one the store is served read-only.")] = None,
    read_token: Annotated[bool, typer.Option("--read-token", help="Require the token for reads too.")] = False,
    cors: Annotated[list[str] | None, typer.Option("--cors", help="Origin allowed to call the API from a browser "
                                                   "(repeatable; none by default).")] = None,
    data: Annotated[str | None, typer.Option("--data", help="Shared data folder for alliances and trade.")] = None,
    max_upload_mb: Annotated[int, typer.Option(min=1, max=4096, help="Upload size limit in MiB.")] = 64,
    cache_size: Annotated[int, typer.Option(min=0, help="Results kept in memory (0: no cache).")] = 512,
    warm: Annotated[int, typer.Option(min=0, help="Busiest dyads to compute in the background at start.")] = 20,
) -> None:
    """Serve the REST API (docs at /docs) and the dashboard (at /ui/) on the store; prints the URL."""
    import socket

    import uvicorn

    from redline.service import create_app, resolve_store

    secret = token or os.environ.get("REDLINE_TOKEN") or None
    path = resolve_store(store)
    app = create_app(path, token=secret, read_token_required=read_token, cors_origins=tuple(cors or ()),
                     max_upload_bytes=max_upload_mb * 1024 * 1024, data_dir=data,
                     cache_size=cache_size, warm_dyads=warm,
                     preload_knowledge=True)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"redline: serving {path} ({'read-write' if secret else 'read-only'})")
    typer.echo(f"dashboard: http://{shown}:{bound}/ui/   API docs: http://{shown}:{bound}/docs")
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"warning: listening on {host}, beyond loopback", err=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
