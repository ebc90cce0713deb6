"""Serving an ASGI app in-process: httpx2 clients reach it without a socket.

:class:`InProcessServer` has :class:`~tests.support.browser.LiveServer`'s shape (a context
manager with ``base_url`` and ``url()``) but no socket: its base URL is a made-up origin
(``http://bank-<pid>-<n>.test``) that no DNS resolves, and every ``httpx2`` client in this
process, whoever made it (a test, a fixture, ``httpx2.get``), hands the requests for that origin
to the app instead of opening a connection. The app runs as under uvicorn: its lifespan is
entered once on start and left on stop, and requests are answered on one event loop of the
server's own (a background thread), through httpx2's own :class:`httpx2.ASGITransport`; an
exception the app does not handle becomes a 500 answer, as a server would send.

Why this and not an ASGI-to-WSGI adapter (a2wsgi) under ``httpx2.WSGITransport``: httpx2 ships
the ASGI side already, so no dependency is added, and the app's lifespan (which an adapter
would skip) still runs. The routing is a wrapper around ``httpx2.HTTPTransport.handle_request``
installed when this module is imported; requests to any other origin go out unchanged.

Where a real socket matters (a browser, the Node harness, races between processes, a client
that is not httpx2 such as ``urllib``), use ``LiveServer``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Final, Self

import httpx2
from starlette.types import ASGIApp

__all__ = ["InProcessServer", "new_host"]

TIMEOUT_SECONDS: Final = 60.0
"""Longest wait for one answer (a stuck app fails the test rather than hang the run)."""

_servers: dict[str, InProcessServer] = {}
_serial = itertools.count()
_send_over_the_network = httpx2.HTTPTransport.handle_request


def _handle_request(transport: httpx2.HTTPTransport, request: httpx2.Request) -> httpx2.Response:
    server = _servers.get(request.url.host)
    if server is None:
        return _send_over_the_network(transport, request)
    return server.handle_request(request)


httpx2.HTTPTransport.handle_request = _handle_request  # type: ignore[method-assign,assignment]


def new_host() -> str:
    """A made-up host no DNS resolves, unique in this process (``bank-<pid>-<n>.test``): for a
    bank whose settings must name its URL before its server is made."""
    return f"bank-{os.getpid()}-{next(_serial)}.test"


class InProcessServer:
    """The app answering httpx2 requests to :attr:`base_url` from this process."""

    def __init__(self, app: ASGIApp, *, host: str | None = None) -> None:
        self._app = app
        self._host = host or new_host()
        self._transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lifespan: contextlib.AbstractAsyncContextManager[Any] | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://bank-<pid>-<n>.test``, without a trailing slash."""
        return f"http://{self._host}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> None:
        """Start the event loop, run the app's lifespan startup, and take requests."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name=f"InProcessServer:{self._host}", daemon=True
        )
        self._thread.start()
        lifespan = self._app.router.lifespan_context(self._app)  # type: ignore[attr-defined]
        self._run(lifespan.__aenter__())
        self._lifespan = lifespan
        _servers[self._host] = self

    def stop(self) -> None:
        """Take no more requests, run the lifespan shutdown and end the loop; idempotent."""
        _servers.pop(self._host, None)
        lifespan, self._lifespan = self._lifespan, None
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        try:
            if lifespan is not None:
                asyncio.run_coroutine_threadsafe(lifespan.__aexit__(None, None, None), loop).result(
                    TIMEOUT_SECONDS
                )
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(TIMEOUT_SECONDS)
            loop.close()

    def _run(self, coroutine: Any) -> Any:
        if self._loop is None:
            message = "the in-process server is not running"
            raise RuntimeError(message)
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(TIMEOUT_SECONDS)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """The app's answer to ``request``, read whole."""
        request.read()  # a streamed upload is read here, in the caller's thread
        return self._run(self._answer(request))  # type: ignore[no-any-return]

    async def _answer(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._transport.handle_async_request(request)
        body = b"".join([chunk async for chunk in _chunks(response)])
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=httpx2.ByteStream(body),
            extensions=response.extensions,
            request=request,
        )


async def _chunks(response: httpx2.Response) -> AsyncIterator[bytes]:
    async for chunk in response.aiter_raw():
        yield chunk
    await response.aclose()
