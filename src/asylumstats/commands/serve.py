"""The ``serve`` command: the web app and JSON API (FastAPI + uvicorn) over one database."""

from __future__ import annotations

from typing import Annotated

import typer

from asylumstats.cli import app
from asylumstats.commands.options import DbOption, ReleaseOption
from asylumstats.errors import UserError
from asylumstats.paths import resolve_db


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    release: ReleaseOption = None,
) -> None:
    """Start the web app and JSON API (read-only) on http://HOST:PORT/."""
    import uvicorn

    from asylumstats.engines import open_engine
    from asylumstats.web.app import create_app

    path = resolve_db(db)
    chosen = resolve_db(path, release)  # the default release; others with ?release=
    open_engine(chosen, "duckdb").close()  # fail now, as one sentence, if it cannot be opened
    if not 0 < port < 65536:
        raise UserError(f"Bad port {port}; use a number from 1 to 65535.")
    typer.echo(f"asylumstats: serving {chosen} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(create_app(path, release=release), host=host, port=port, log_level="warning")
