"""Languages: Chinese first, English too. Message catalogs are gettext ``.po`` files.

The catalogs live in ``creditbank/i18n/<lang>/LC_MESSAGES/messages.po`` and are
compiled in memory when first used (no build step, nothing generated in the
repository). English is the source language: the English catalog may leave a
message untranslated and the key itself is shown.

The language of a request: ``?lang=`` if given (and remembered in a cookie),
else the ``lang`` cookie, else the ``Accept-Language`` header, else the
configured default.
"""

from __future__ import annotations

from babel.support import Translations
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditbank.languages import LANGUAGES, translations

__all__ = [
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "LANGUAGE_NAMES",
    "negotiate_language",
    "translations",
    "translator_for",
]

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANGUAGE_COOKIE = "lang"


def _from_accept_language(header: str) -> str | None:
    weighted = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES:
            weighted.append((quality, primary))
    return max(weighted)[1] if weighted else None


def negotiate_language(connection: HTTPConnection, default: str) -> str:
    """The language to answer ``connection`` in."""
    asked = connection.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = connection.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return _from_accept_language(connection.headers.get("accept-language", "")) or default


def translator_for(connection: HTTPConnection) -> Translations:
    """The catalog for the request's language (set by the language middleware)."""
    language = getattr(connection.state, "language", None) or "zh"
    return translations(language)


LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
"""How long the browser keeps a language chosen with ``?lang=``: a year."""


class ChooseLanguage:
    """ASGI middleware: the request's language in ``request.state.language`` (see
    :func:`negotiate_language`); a language chosen with ``?lang=`` kept in a cookie; the answer's
    ``Content-Language``. A plain ASGI layer for the reason :class:`~creditbank.web.sessions.
    SessionCookies` gives."""

    def __init__(self, app: ASGIApp, *, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        language = request.state.language = negotiate_language(request, self.default)
        asked = request.query_params.get("lang")

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = Response()
                answer.raw_headers = list(message.get("headers", []))
                if asked in LANGUAGES:
                    answer.set_cookie(
                        LANGUAGE_COOKIE,
                        asked,
                        max_age=LANGUAGE_COOKIE_SECONDS,
                        httponly=True,
                        samesite="lax",
                    )
                answer.headers.setdefault("Content-Language", language)
                message = {**message, "headers": answer.raw_headers}
            await send(message)

        await self.app(scope, receive, send_with_language)
