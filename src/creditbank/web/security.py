"""Security headers on every response, and trusting a TLS-terminating proxy.

:class:`SecurityHeaders` is a pure ASGI middleware. Every HTTP response gets:

- ``Content-Security-Policy`` (:data:`PAGE_POLICY`): scripts, styles, images and fonts from
  this site only, no inline script or style, forms post to this site only, no plugins, no
  ``<base>``, and ``frame-ancestors 'none'``. The pages use no inline script or style
  attribute, so nothing needs a hash or a nonce. The API's documentation (Swagger UI and
  ReDoc, :mod:`creditbank.web.openapi`) is no exception: its scripts and styles are served
  by the bank, and started by a script file of its own.
- ``X-Frame-Options: DENY`` (for browsers that ignore ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (a share link
  ``/shared/{token}`` carries its secret in the URL, which must never leak in a Referer),
  ``Cross-Origin-Opener-Policy: same-origin``.
- ``Strict-Transport-Security`` when the request came over HTTPS: directly, or through a
  trusted proxy (:func:`proxy_options`, which ``creditbank serve`` hands to uvicorn).

A header the application set itself is left alone.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, TypedDict

from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from collections.abc import Iterable

    from starlette.applications import Starlette
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from creditbank.settings import Settings

HSTS_SECONDS = 365 * 24 * 3600

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
"""The policy of every page and API response."""

COMMON_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS_HEADER = (b"strict-transport-security", f"max-age={HSTS_SECONDS}".encode())


def _with(
    headers: Iterable[tuple[bytes, bytes]], extra: Iterable[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """``headers`` and those of ``extra`` whose names are not among them yet."""
    result = list(headers)
    present = {name.lower() for name, _ in result}
    result.extend((name, value) for name, value in extra if name not in present)
    return result


class SecurityHeaders:
    """ASGI middleware: the security headers above on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(COMMON_HEADERS)
        if scope.get("scheme") == "https":
            extra.append(HSTS_HEADER)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(b"content-security-policy", PAGE_POLICY.encode()), *extra]
                message = {**message, "headers": _with(message.get("headers", []), headers)}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def headers_for(scheme: str) -> list[tuple[str, str]]:
    """The headers of a page's response (the page policy) over ``scheme``."""
    extra = [*COMMON_HEADERS, *([HSTS_HEADER] if scheme == "https" else [])]
    return [("content-security-policy", PAGE_POLICY)] + [
        (name.decode(), value.decode()) for name, value in extra
    ]


def secure_unexpected_errors(app: Starlette) -> None:
    """Give the answer to an unexpected error the headers too: Starlette sends it from its
    outermost layer, outside :class:`SecurityHeaders`. Call after the handlers are installed."""
    handler = app.exception_handlers.get(Exception)
    if handler is None:
        return

    async def with_headers(request: Request, error: Exception) -> Response:
        response = handler(request, error)
        if inspect.isawaitable(response):
            response = await response
        assert isinstance(response, Response)  # noqa: S101 - an HTTP handler's answer
        for name, value in headers_for(request.url.scheme):
            response.headers.setdefault(name, value)
        return response

    app.add_exception_handler(Exception, with_headers)


class ProxyOptions(TypedDict):
    """uvicorn's options about a proxy's forwarded headers."""

    proxy_headers: bool
    forwarded_allow_ips: str


def proxy_options(settings: Settings) -> ProxyOptions:
    """uvicorn's options for a TLS-terminating proxy in front of the bank.

    Off by default: ``X-Forwarded-Proto`` and ``X-Forwarded-For`` are then ignored, whoever
    sends them. With ``CREDITBANK_PROXY_HEADERS=true`` they are believed from the addresses
    in ``CREDITBANK_FORWARDED_ALLOW_IPS`` only (the proxy's), so that behind the proxy the
    request's scheme is https (Secure cookies, HSTS) and its client is the real one (the
    login throttle counts per client address).
    """
    return ProxyOptions(
        proxy_headers=settings.proxy_headers, forwarded_allow_ips=settings.forwarded_allow_ips
    )
