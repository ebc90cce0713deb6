"""Web sessions and CSRF protection for the pages (the JSON API uses bearer tokens instead).

- The session cookie (:data:`SESSION_COOKIE`) holds a random secret; HttpOnly,
  SameSite=Lax, Secure when the request came over https. :class:`SessionCookies`
  (a middleware) finds the live session behind it for every page request and
  puts it in ``request.state.session``.
- CSRF: every form that changes something carries :data:`CSRF_FIELD`.
  With a session, it must equal the session's own token (synchronizer token).
  Before login (the login and activation forms) it must equal a signed cookie
  (:data:`CSRF_COOKIE`, signed with the secret key by itsdangerous, with a
  timestamp): another site can neither read that cookie nor forge its signature.
  :func:`csrf_protect` checks it on every POST, PUT, PATCH and DELETE of a page.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditbank.db import Database
from creditbank.errors import DomainError
from creditbank.messages import msg
from creditbank.sessions import service as sessions
from creditbank.sessions.model import SessionPolicy, new_secret
from creditbank.settings import Settings

SESSION_COOKIE = "cb_session"
CSRF_COOKIE = "cb_csrf"
CSRF_FIELD = "csrf_token"
PRESESSION_MAX_AGE = 2 * 3600
"""Seconds a login form stays good before it must be reloaded."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_NOT_PAGES = ("/api/", "/static/", "/healthz")


class CsrfError(DomainError):
    """A state-changing form without the right CSRF token: forged, or too old."""


class LoginRequired(Exception):  # noqa: N818 - a signal that becomes a redirect to /login
    """The page needs a logged-in user; the visitor is sent to /login and back."""


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_lifetime_hours),
        max_failures=settings.login_max_failures,
        failure_window=timedelta(minutes=settings.login_window_minutes),
        address_max_failures=settings.login_address_max_failures,
        account_max_failures=settings.login_account_max_failures,
        first_delay=timedelta(seconds=settings.login_delay_seconds),
        account_max_delay=timedelta(seconds=settings.login_account_max_delay_seconds),
    )


def current_session(request: Request) -> sessions.ActiveSession | None:
    """The live session of the request (set by :class:`SessionCookies`), if any."""
    found: sessions.ActiveSession | None = getattr(request.state, "session", None)
    return found


def _resolve(
    database: Database, policy: SessionPolicy, secret: str
) -> sessions.ActiveSession | None:
    with database.unit_of_work() as uow:
        return sessions.resolve_session(
            uow=uow, secret=secret, policy=policy, now=datetime.now(UTC)
        )


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(_NOT_PAGES)


class SessionCookies:
    """ASGI middleware: find the request's session; write the cookies the view asked for.

    A plain ASGI layer, not ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware`` runs
    the rest of the app in a task of its own and streams its answer through memory, about 0.6
    ms of CPU a request for each such layer (the two of them were 45% of a ``/healthz``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request.state.session = None
        request.state.session_ended = False
        secret = request.cookies.get(SESSION_COOKIE)
        if secret and is_page(request):
            found = await run_in_threadpool(
                _resolve, request.app.state.database, request.app.state.session_policy, secret
            )
            request.state.session = found
            request.state.session_ended = found is None

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_cookies(request, message)}
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def _with_cookies(request: Request, start: Message) -> list[tuple[bytes, bytes]]:
    """The headers of the answer ``start`` begins, with the cookies the view asked for (read
    once the view has answered: what it set on ``request.state``)."""
    answer = Response()
    answer.raw_headers = list(start.get("headers", []))
    if request.state.session_ended and not getattr(request.state, "session_cookie_set", False):
        answer.delete_cookie(SESSION_COOKIE, path="/")
    presession = getattr(request.state, "csrf_cookie", None)
    if presession:
        answer.set_cookie(
            CSRF_COOKIE,
            presession,
            max_age=PRESESSION_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    if current_session(request) is not None or getattr(request.state, "session_cookie_set", False):
        answer.headers.setdefault("Cache-Control", "no-store")
    return answer.raw_headers


def set_session_cookie(request: Request, response: Response, new: sessions.NewSession) -> None:
    """Give the browser its new session (after login or activation)."""
    max_age = int((new.session.expires_at - datetime.now(UTC)).total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        new.secret,
        max_age=max(max_age, 0),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(CSRF_COOKIE, path="/")
    request.state.session_cookie_set = True
    request.state.csrf_cookie = None


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    request.state.session_cookie_set = True


def _serializer(request: Request) -> URLSafeTimedSerializer:
    serializer: URLSafeTimedSerializer = request.app.state.csrf_serializer
    return serializer


def csrf_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt="creditbank-csrf")


def _valid_presession(request: Request, token: str | None) -> bool:
    if not token:
        return False
    try:
        _serializer(request).loads(token, max_age=PRESESSION_MAX_AGE)
    except BadSignature:
        return False
    return True


def csrf_token(request: Request) -> str:
    """The token a form on this page must carry: the session's, or a signed pre-session one
    (then also set as a cookie on the response)."""
    session = current_session(request)
    if session is not None:
        return session.csrf_token
    issued: str | None = getattr(request.state, "csrf_cookie", None)
    if issued:
        return issued
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie and _valid_presession(request, cookie):
        return cookie
    token = _serializer(request).dumps(new_secret())
    request.state.csrf_cookie = token
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing page request whose form lacks the right CSRF token.

    A request whose session has just ended is sent to log in again instead.
    """
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    sent = sent if isinstance(sent, str) else ""
    session = current_session(request)
    if session is not None:
        if hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            return
    else:
        if getattr(request.state, "session_ended", False):
            raise LoginRequired
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if (
            sent
            and hmac.compare_digest(sent.encode(), cookie.encode())
            and _valid_presession(request, cookie)
        ):
            return
    raise CsrfError(
        "csrf_rejected",
        msg(
            "this form has expired or did not come from this site; "
            "go back, reload the page and send it again"
        ),
    )
