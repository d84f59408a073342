"""The FastAPI application: security headers, JSON errors, the JSON API and the HTML pages.

``create_app(db_path)`` builds the app around one read-only database. Every number comes from
the metric library through :class:`asylumstats.web.data.Store`; user input reaches it only as
validated values (codes, dates, dimension and definition names), never as SQL.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from asylumstats import __version__
from asylumstats.errors import DatabaseError, NotFoundError, UserError
from asylumstats.metrics import get_definition
from asylumstats.paths import resolve_db
from asylumstats.web import hearings_page, pages, releases_page
from asylumstats.web.data import Store, Stores
from asylumstats.web.i18n import LanguageMiddleware
from asylumstats.web.params import openapi_parameters, openapi_responses
from asylumstats.web.render import render
from asylumstats.web.responses import GZIP_LEVEL, GZIP_MIN_SIZE, CliJSONResponse

log = logging.getLogger("asylumstats.web")


#: Headers added to every response.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


#: Requests a worker process answers at once, per CPU core (the others wait their turn).
#: A view is Python (one thread at a time) around DuckDB queries (which run in parallel):
#: Starlette's default of 40 threads on 2 cores had 40 requests share the interpreter, so
#: each took as long as the slowest; 8 answer sooner (at 32 clients p99 a quarter lower).
REQUEST_THREADS_PER_CORE = 4

#: Where ``serve --workers N`` tells its worker processes which database to open...
SERVE_DB_ENV = "ASYLUMSTATS_SERVE_DB"
#: ... and which kept release (empty: the one at that path).
SERVE_RELEASE_ENV = "ASYLUMSTATS_SERVE_RELEASE"

#: What a client is told of a fault on the server's side (the details go to the log only).
SERVER_FAULT = "Internal server error."


class SecurityMiddleware:
    """Adds the security headers and a ``Server-Timing`` header; turns any unhandled exception
    into a bare 500 error (logged, never shown): an HTML page on HTML routes, else JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        t0 = time.perf_counter()
        head = scope.get("method") == "HEAD"
        if head:  # answer HEAD like GET, without the body (link checkers, curl -I)
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                took = (time.perf_counter() - t0) * 1000
                headers.append((b"server-timing", f"app;dur={took:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error on %s", scope.get("path"))
            if started:
                raise
            response = server_fault(Request(scope))
            await response(scope, receive, send_with_headers)


def server_fault(request: Request) -> Response:
    """A 500 response that says nothing about the server (an HTML page on HTML routes)."""
    try:
        return error_response(request, 500, SERVER_FAULT)
    except Exception:  # the page itself failed to render: a bare page
        log.exception("error page failed on %s", request.url.path)
        if wants_html(request):
            return HTMLResponse(
                "<!doctype html><title>Server error</title><h1>Internal server error</h1>",
                status_code=500,
            )
        return JSONResponse({"error": SERVER_FAULT}, status_code=500)


def wants_html(request: Request) -> bool:
    """Whether an error on this request should be an HTML page (else JSON)."""
    path = request.url.path
    if path.startswith("/api/") or path.endswith((".json", ".csv")) or path == "/openapi.json":
        return False
    return request.query_params.get("format") not in ("json", "csv")


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_html(request):
        view = pages.view_for(request, strict=False)
        try:
            release = pages.store_of(request).release
        except Exception:  # the database (or the release asked for) may be the problem
            release, view.release = {}, None  # links lead back to the default release
        html = render(
            "error.html",
            status=status,
            message=message,
            release=release,
            view=view,
            data=None,
            fy_options=[],
            definition=get_definition(view.definition),
        )
        return HTMLResponse(html, status_code=status)
    return JSONResponse({"error": message}, status_code=status)


#: The body of every error answer of the JSON API (404, 422, 500).
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {"error": {"type": "string", "description": "One sentence."}},
    "required": ["error"],
}
_ERROR_STATUSES = {
    "422": "Bad parameter.",
    "500": "Server fault (no details are given).",
}


def document_errors(app: FastAPI) -> None:
    """Make ``/openapi.json`` describe the error answers as they are: ``{"error": ...}`` with
    404 where a code can be unknown, 422 and 500 on every operation (FastAPI documents
    only its own 422 shape)."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = make()
        spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/Error"}
        for item in spec.get("paths", {}).values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                # 404 is documented by each page where a code can be unknown; every operation
                # can answer 422 and 500. What a page documents itself is kept.
                for status, text in _ERROR_STATUSES.items():
                    responses.setdefault(
                        status,
                        {"description": text, "content": {"application/json": {"schema": ref}}},
                    )
                for answer in responses.values():  # FastAPI's own 422 shape is not ours
                    content = answer.get("content", {}).get("application/json", {})
                    if "HTTPValidationError" in str(content.get("schema", "")):
                        content["schema"] = ref
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def request_threads() -> int:
    """Threads answering requests at once: :data:`REQUEST_THREADS_PER_CORE` per usable core."""
    return REQUEST_THREADS_PER_CORE * len(os.sched_getaffinity(0))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool the (synchronous) views run in."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads()
    yield


def create_app(db_path: str | Path, cache_size: int = 512, release: str | None = None) -> FastAPI:
    """The web app over the database at ``db_path`` (opened read-only, lazily): by default
    the release at that path, or ``release`` kept beside it; any other kept release with
    ``?release=``."""
    chosen = resolve_db(db_path, release) if release else Path(db_path)
    store = Store(chosen, cache_size=cache_size)
    app = FastAPI(
        default_response_class=CliJSONResponse,
        title="asylumstats",
        version=__version__,
        description=(
            "Asylum decision outcomes in US immigration courts from EOIR's case-data release. "
            "Every `/api/*` endpoint is an alias of a page's view: `/api/rates` returns the same "
            "row objects as `/rates.json` and `asylumstats rate --format json`; "
            "`/api/judges/{code}` the same profile as `/judges/{code}.json` and "
            "`asylumstats judge CODE --format json`. Filters (SPEC §2.2): judge, court, "
            "hearing_location, nationality, language, custody (comma lists or repeated), "
            "represented (yes/no), asylum_type, fy, from, to. Unknown parameters: 422."
        ),
        docs_url=None,  # the Swagger UI loads scripts from a CDN; /openapi.json is enough
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.stores = Stores(store, base_path=db_path)
    document_errors(app)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return error_response(request, 404, str(exc))

    @app.exception_handler(DatabaseError)
    async def _database_error(request: Request, exc: DatabaseError) -> Response:
        log.error("the database cannot be used: %s", exc)
        return server_fault(request)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        return error_response(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
        return error_response(request, 422, "Bad parameter: " + "; ".join(parts) + ".")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Error."
        if exc.status_code == 404 and message == "Not Found":
            message = f"No page at {request.url.path}."
        return error_response(request, exc.status_code, message)

    # -- pages, their twins and their API aliases: one view function each ----------------

    @app.get(
        "/api/release",
        tags=["api"],
        summary="Release information",
        responses=openapi_responses(False, ("release",)),
        openapi_extra={"parameters": openapi_parameters(("release",))},
    )
    def api_release(request: Request) -> Response:
        """The `release_info` of the database (or of the kept release asked for with
        `release`), with `synthetic` as a boolean."""
        return CliJSONResponse(pages.store_of(request).release)

    pages.register(app, store)

    # -- pages -------------------------------------------------------------------------------

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    app.include_router(releases_page.router)
    app.include_router(hearings_page.router)
    static = Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    # Chart scripts: 830 KB → ~250 KB; the views' answers come compressed from their cache.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_SIZE, compresslevel=GZIP_LEVEL)
    app.add_middleware(LanguageMiddleware)  # /es/…, /zh/…, /ht/…: the same views, translated
    app.add_middleware(SecurityMiddleware)
    return app


def create_app_from_environment() -> FastAPI:
    """The app of a worker process of ``serve --workers N`` (each worker opens the database
    read-only on its own; DuckDB allows several read-only processes on one file)."""
    return create_app(os.environ[SERVE_DB_ENV], release=os.environ.get(SERVE_RELEASE_ENV) or None)
