"""Pages in Spanish, Simplified Chinese and Haitian Creole: the same views under ``/es/``,
``/zh/`` and ``/ht/``, the same numbers, the words from gettext catalogs.

The catalogs are the ``.po`` files under ``locales/`` (made with Babel: ``pybabel extract`` over
the templates, see docs/architecture.md); they are compiled in memory the first time a
language is asked for, so a fresh install needs no build step. A string without a translation
stays English. :class:`LanguageMiddleware` takes the prefix off the path (the views never see
it) and leaves the language in the request scope, where :func:`language_of` finds it.
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.types import ASGIApp, Receive, Scope, Send

#: Languages of the pages: code → its own name (the switcher shows these).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "zh": "中文",
    "ht": "Kreyòl ayisyen",
}
DEFAULT = "en"
#: ``<html lang>`` of each language.
HTML_LANG: dict[str, str] = {"en": "en", "es": "es", "zh": "zh-Hans", "ht": "ht"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English: none, the templates are English)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return gettext.NullTranslations()
    po = resources.files("asylumstats.web").joinpath("locales", lang, "LC_MESSAGES", "messages.po")
    with po.open("rb") as fh:
        catalog = read_po(fh)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def split_language(path: str) -> tuple[str, str]:
    """``"/es/judges/ABC"`` → ``("es", "/judges/ABC")``; a path without a prefix is English."""
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        prefix = f"/{lang}"
        if path == prefix or path.startswith(prefix + "/"):
            return lang, path[len(prefix) :] or "/"
    return DEFAULT, path


def language_of(scope: dict[str, Any]) -> str:
    """The language a request asked for (set by :class:`LanguageMiddleware`)."""
    return str(scope.get("language") or DEFAULT)


def localized(path: str, lang: str) -> str:
    """``path`` (a page of this app) under ``lang``'s prefix."""
    if lang == DEFAULT or not path.startswith("/") or path.startswith(("/static/", "/api/")):
        return path
    return f"/{lang}" + (path if path != "/" else "/")


class LanguageMiddleware:
    """Serves ``/es/…``, ``/zh/…``, ``/ht/…`` with the view of ``/…`` in that language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            lang, path = split_language(scope["path"])
            if lang != DEFAULT:
                scope = {**scope, "path": path, "raw_path": path.encode(), "language": lang}
        await self.app(scope, receive, send)
