"""The ``redline`` command line: thin wrappers that parse, call the library, and print with rich.

Each concern registers its commands from its own module (``register(app)``), so the CLI stays a table of
contents. User errors (``RedlineError``) print one line and exit non-zero; tracebacks are for bugs.
"""

from __future__ import annotations

import sys

import typer

from redline.errors import RedlineError

from . import assess as _assess
from . import coding as _coding
from . import data as _data
from . import forecast as _forecast
from . import serve as _serve

__all__ = ["app", "main"]

app = typer.Typer(
    name="redline",
    help="Political event data: code, store, measure, forecast and explain relations between countries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root() -> None:
    """redline: political event data for analysts of international relations."""


for _module in (_data, _coding, _forecast, _assess, _serve):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning RedlineError into one clear line and exit code 2."""
    try:
        app(args=argv, standalone_mode=False)
    except RedlineError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise
