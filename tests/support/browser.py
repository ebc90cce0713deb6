"""Headless-browser support for the creditbank test suite.

* :func:`launch_chromium` starts Debian's Chromium (never a Playwright-
  downloaded build: ``playwright install`` is not used and nothing is
  downloaded at test time) through Playwright's sync API: headless, Debian's
  ``chromium-headless-shell`` where it is installed (see :func:`find_chromium`).
* :class:`LiveServer` serves an ASGI app (FastAPI/Starlette) with uvicorn in
  a background thread on ``127.0.0.1`` and a free port, so the browser has
  something real to talk to.
* :func:`session_cookies` logs in through the bank's login form over HTTP and
  returns the cookies the browser would then hold, for a browser context that
  starts logged in (where a test is not about logging in).

Typical use::

    reason = browser_available()
    if reason is not None:
        if require_browser():
            pytest.fail(reason)
        pytest.skip(reason)
    with LiveServer(app) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page()
        page.goto(server.url("/"))
        ...
        browser.close()

About ``--user-data-dir``: Playwright's ``BrowserType.launch()`` rejects that
flag in ``args`` ("Pass userDataDir parameter to launchPersistentContext()")
because it always creates a fresh temporary profile itself and deletes it when
the browser closes.  So :data:`CHROMIUM_ARGS` does not contain it, and
:func:`launch_chromium` gets a fresh profile per launch for free.  Only when
Chromium is started by hand (without Playwright) is the flag needed; see
:func:`chromium_command`.

Environment variables:

``CREDITBANK_CHROMIUM``
    Path of the Chromium executable to use (headless or not).
``CREDITBANK_REQUIRE_BROWSER``
    ``"1"`` means "the browser must be usable": callers should fail rather
    than skip when :func:`browser_available` returns a reason (CI sets it).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self

import uvicorn

from tests.support.pages import log_in, page_client

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam
    from playwright.sync_api import Browser, Playwright

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_ENV",
    "REQUIRE_BROWSER_ENV",
    "LiveServer",
    "browser_available",
    "chromium_command",
    "find_chromium",
    "launch_chromium",
    "require_browser",
    "session_cookies",
]

CHROMIUM_ENV: Final = "CREDITBANK_CHROMIUM"
REQUIRE_BROWSER_ENV: Final = "CREDITBANK_REQUIRE_BROWSER"
_DEBIAN_CHROMIUM: Final = "/usr/bin/chromium"
_DEBIAN_HEADLESS_SHELL: Final = "/usr/bin/chromium-headless-shell"
"""Debian's ``chromium-headless-shell``: the same Chromium release (the same Blink, V8 and
network stack, from the same source package) built as the headless shell, without the
full browser's windows, profile services and GPU compositing around its pages. Where it is
installed, headless launches use it: tests/browser costs about a third less CPU with it (run
serially, pytest and its children: 55 s -> 35 s, 7 Dec 2026; the API documentation pages,
which are mostly their scripts' own work, hardly less). Without it, ``chromium``."""

CHROMIUM_ARGS: Final[list[str]] = [
    "--no-sandbox",  # needed as root; Playwright adds it too (chromium_sandbox=False)
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
"""Extra Chromium flags for this machine (no network but package registries).

Without the background-networking flags Chromium keeps trying to reach
Google's hosts.  ``--headless`` and ``--user-data-dir`` are not listed:
Playwright adds the first and forbids the second (see the module docstring).
"""


def find_chromium(*, headless: bool = True) -> str | None:
    """Path of the Chromium to use, or None.

    ``$CREDITBANK_CHROMIUM`` if set (returned as is); else, for a ``headless`` browser,
    Debian's ``/usr/bin/chromium-headless-shell`` if installed; else Debian's
    ``/usr/bin/chromium``, else ``chromium`` on ``PATH``.
    """
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        return override
    if headless and os.access(_DEBIAN_HEADLESS_SHELL, os.X_OK):
        return _DEBIAN_HEADLESS_SHELL
    if os.access(_DEBIAN_CHROMIUM, os.X_OK):
        return _DEBIAN_CHROMIUM
    return shutil.which("chromium")


def require_browser() -> bool:
    """Return True when ``$CREDITBANK_REQUIRE_BROWSER`` is ``"1"``.

    Then a missing browser must fail the tests instead of skipping them.
    """
    return os.environ.get(REQUIRE_BROWSER_ENV) == "1"


def browser_available() -> str | None:
    """Return why browser tests cannot run here, or None if they can.

    Checks that a Chromium executable exists and that the ``playwright``
    package imports.  It does not start anything.
    """
    chromium = find_chromium()
    if chromium is None:
        return (
            f"Chromium not found (set ${CHROMIUM_ENV}, or install Debian's "
            f"`chromium` package for {_DEBIAN_CHROMIUM})"
        )
    if not os.access(chromium, os.X_OK):
        return f"Chromium at {chromium} is not an executable file"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright package cannot be imported: {exc}"
    return None


def chromium_command(user_data_dir: str, *extra_args: str) -> list[str]:
    """Command line for starting Chromium headless *without* Playwright.

    *user_data_dir* should be a fresh temporary directory owned by the caller.
    """
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError(browser_available() or "Chromium not found")
    return [
        chromium,
        "--headless",
        *CHROMIUM_ARGS,
        f"--user-data-dir={user_data_dir}",
        *extra_args,
    ]


def launch_chromium(
    playwright: Playwright,
    *,
    headless: bool = True,
    args: Sequence[str] = (),
    **launch_options: Any,
) -> Browser:
    """Launch Debian's Chromium through Playwright and return the Browser.

    Uses ``executable_path`` = :func:`find_chromium` (the headless shell where installed, for
    a headless browser), ``chromium_sandbox=False``
    and :data:`CHROMIUM_ARGS` plus *args*.  Playwright gives each launch a fresh
    temporary profile and removes it on ``browser.close()``.  Further keyword
    arguments go to ``playwright.chromium.launch()`` (e.g. ``slow_mo``,
    ``timeout`` in ms).
    """
    chromium = find_chromium(headless=headless)
    if chromium is None:
        raise RuntimeError(browser_available() or "Chromium not found")
    return playwright.chromium.launch(
        executable_path=chromium,
        headless=headless,
        chromium_sandbox=False,
        args=[*CHROMIUM_ARGS, *args],
        **launch_options,
    )


def session_cookies(
    base_url: str, kind: Literal["staff", "learner"], login: str, password: str
) -> list[SetCookieParam]:
    """The cookies a browser holds after logging in at ``base_url`` as ``login``.

    Sends the real login form (its CSRF token and cookie, ``kind``, the login and password)
    over HTTP, as the login page would, and hands back every cookie the bank then set, with
    the attributes it set them with, ready for ``BrowserContext.add_cookies`` or a new
    context's ``storage_state``. A browser log-in costs a page load, two fills and a form
    navigation; this costs two requests.
    """
    with page_client(base_url) as client:
        response = log_in(client, kind, login, password)
        assert response.status_code == 303, f"{kind} {login} could not log in: {response.text}"
        cookies: list[SetCookieParam] = []
        for cookie in client.cookies.jar:
            same_site = str(cookie.get_nonstandard_attr("SameSite") or "Lax").capitalize()
            assert same_site in ("Lax", "Strict", "None"), same_site
            cookies.append(
                {
                    "name": cookie.name,
                    "value": cookie.value or "",
                    "domain": cookie.domain,
                    "path": cookie.path,
                    "expires": float(cookie.expires) if cookie.expires is not None else -1,
                    "httpOnly": cookie.has_nonstandard_attr("HttpOnly"),
                    "secure": cookie.secure,
                    "sameSite": same_site,  # type: ignore[typeddict-item]
                }
            )
    return cookies


class LiveServer:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a background thread.

    ``with LiveServer(app) as server:`` returns once the server accepts
    connections (lifespan startup has run); :attr:`base_url` is e.g.
    ``http://127.0.0.1:43121``.  Leaving the block asks uvicorn to exit and
    joins the thread (lifespan shutdown runs).

    The listening socket is bound before uvicorn starts and handed to it, so
    there is no window in which another process could grab the port.

    :param app: the ASGI application (FastAPI, Starlette, ...).
    :param lifespan: uvicorn's ``lifespan`` setting ("on": a failing startup
        fails :meth:`start`).
    :param ready_path: if given, also wait until ``GET ready_path`` answers
        with a status below 500.
    :param startup_timeout: seconds to wait for the server to come up.
    :param shutdown_timeout: seconds to wait for a graceful stop before
        uvicorn is forced to exit.
    """

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        host: str = "127.0.0.1",
        lifespan: Literal["auto", "on", "off"] = "on",
        ready_path: str | None = None,
        startup_timeout: float = 30.0,
        shutdown_timeout: float = 10.0,
    ) -> None:
        self._app = app
        self._host = host
        self._lifespan: Literal["auto", "on", "off"] = lifespan
        self._ready_path = ready_path
        self._startup_timeout = startup_timeout
        self._shutdown_timeout = shutdown_timeout
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._port: int | None = None

    # -- context manager -------------------------------------------------

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

    # -- addresses ---------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("the live server has not been started")
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def base_url(self) -> str:
        """``http://<host>:<port>`` without a trailing slash."""
        return f"http://{self._host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of *path* on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- lifecycle ---------------------------------------------------------

    def _serve(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # noqa: BLE001 -- uvicorn sys.exit()s on startup failure
            self._error = exc

    def _startup_failure(self, what: str) -> RuntimeError:
        detail = f": {self._error!r}" if self._error is not None else ""
        return RuntimeError(f"live server {what}{detail} (see the uvicorn log above)")

    def _wait_until_ready(self) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise self._startup_failure("exited during startup")
            if time.monotonic() > deadline:
                raise self._startup_failure(f"did not start within {self._startup_timeout}s")
            time.sleep(0.01)
        if self._ready_path is None:
            return
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection(self._host, self.port, timeout=5)
            try:
                conn.request("GET", self._ready_path)
                if conn.getresponse().status < 500:
                    return
            except (OSError, http.client.HTTPException) as exc:
                last_error = exc
            finally:
                conn.close()
            time.sleep(0.05)
        raise RuntimeError(f"live server never answered GET {self._ready_path}: {last_error!r}")

    def start(self) -> None:
        """Bind a free port, start uvicorn in a thread and wait until ready."""
        if self._thread is not None:
            raise RuntimeError("the live server is already started")
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY on accepted sockets only when their proto
        # says TCP (a bare SOCK_STREAM socket has proto 0), and without it every answer on a
        # kept-alive connection waited ~40 ms for the client's delayed ACK (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, 0))
        self._socket = sock
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            host=self._host,
            port=self._port,
            log_level="warning",
            lifespan=self._lifespan,
            log_config=None,  # don't reconfigure the test process's logging
            timeout_graceful_shutdown=max(1, int(self._shutdown_timeout / 2)),
        )
        self._server = uvicorn.Server(config)
        self._error = None
        self._thread = threading.Thread(
            target=self._serve, name=f"LiveServer:{self._port}", daemon=True
        )
        self._thread.start()
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread; idempotent."""
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        self._port = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(self._shutdown_timeout)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(self._shutdown_timeout)
            if thread.is_alive():
                raise RuntimeError("live server thread did not stop")
        if sock is not None:
            sock.close()
