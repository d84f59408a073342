"""The web app and JSON API (FastAPI + Jinja2): ``create_app(db_path)``, run by ``serve``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(db_path: Any, cache_size: int = 512) -> FastAPI:
    """The web app over the database at ``db_path`` (see :mod:`asylumstats.web.app`)."""
    from asylumstats.web.app import create_app as _create

    return _create(db_path, cache_size=cache_size)
