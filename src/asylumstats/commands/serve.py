"""The ``serve`` command: the web app and JSON API (FastAPI + uvicorn) over one database."""

from __future__ import annotations

import os
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
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Worker processes answering requests, each with the database open read-only "
            "(one answers best on 2 cores; more for more cores).",
        ),
    ] = 1,
) -> None:
    """Start the web app and JSON API (read-only) on http://HOST:PORT/."""
    import uvicorn

    from asylumstats.engines import open_engine
    from asylumstats.web.app import SERVE_DB_ENV, SERVE_RELEASE_ENV, create_app

    path = resolve_db(db)
    chosen = resolve_db(path, release)  # the default release; others with ?release=
    open_engine(chosen, "duckdb").close()  # fail now, as one sentence, if it cannot be opened
    if not 0 < port < 65536:
        raise UserError(f"Bad port {port}; use a number from 1 to 65535.")
    if workers < 1:
        raise UserError(f"Bad number of workers {workers}; use 1 or more.")
    typer.echo(f"asylumstats: serving {chosen} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    if workers == 1:
        uvicorn.run(create_app(path, release=release), host=host, port=port, log_level="warning")
        return
    # Worker processes import the app themselves: they find the database in the environment.
    os.environ[SERVE_DB_ENV] = str(path)
    os.environ[SERVE_RELEASE_ENV] = release or ""
    uvicorn.run(
        "asylumstats.web.app:create_app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )
