"""RFC 9457 problem documents: every HTTP error is ``application/problem+json``.

Each kind of error has a stable ``type`` (``/problems/<slug>``, a page that
explains it), a status and a translated ``title``; ``detail`` says what exactly
went wrong, in the caller's language, and ``problems`` lists every problem
found when there are several. Routes declare the statuses they can return with
:func:`responses`, so that ``/openapi.json`` names all of them.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditbank.access import problems as access
from creditbank.accounts import problems as accounts
from creditbank.accreditation import problems as accreditation
from creditbank.alignments import problems as alignments
from creditbank.alliances import problems as alliances
from creditbank.catalog import problems as catalog
from creditbank.consents import problems as consents
from creditbank.conversion import problems as conversion
from creditbank.credentials import problems as credentials
from creditbank.demo import problems as demo
from creditbank.errors import DomainError
from creditbank.evidence import problems as evidence
from creditbank.file_limits import problems as file_limits
from creditbank.frameworks import problems as frameworks
from creditbank.institutions import problems as institutions
from creditbank.jobs import problems as jobs
from creditbank.joint import problems as joint
from creditbank.ledger import problems as ledger
from creditbank.matching import problems as matching
from creditbank.messages import Message, msg
from creditbank.national import problems as national
from creditbank.occupations import problems as occupations
from creditbank.peers import problems as peers
from creditbank.problems import ProblemType, collect, declare
from creditbank.sessions import problems as sessions
from creditbank.skills import problems as skills
from creditbank.stats import problems as stats
from creditbank.transfers import problems as transfers
from creditbank.web.deps import render
from creditbank.web.i18n import translator_for
from creditbank.web.limits import BodyTooLarge
from creditbank.xcerts import problems as xcerts

PROBLEM_MEDIA_TYPE = "application/problem+json"


# The HTTP layer's own problem types; every area declares its own in <area>/problems.py.
_HTTP = declare(
    ProblemType("csrf-rejected", 403, "Form rejected"),
    ProblemType("unauthenticated", 401, "Authentication required"),
    ProblemType("validation-error", 422, "Invalid request"),
    ProblemType("malformed-body", 400, "Malformed request body"),
    ProblemType("json-too-deep", 400, "JSON nested too deeply"),
    ProblemType("body-too-large", 413, "Request body too large"),
    ProblemType("invalid-characters", 422, "Text that cannot be stored"),
    ProblemType("number-out-of-range", 422, "Number out of range"),
    ProblemType("value-not-storable", 422, "Value that cannot be stored"),
    ProblemType("not-found", 404, "Not found"),
    ProblemType("method-not-allowed", 405, "Method not allowed"),
    ProblemType("service-unavailable", 503, "Service unavailable"),
    ProblemType("internal-error", 500, "Internal error"),
)

PROBLEM_TYPES = collect(
    frameworks.PROBLEM_TYPES,
    file_limits.PROBLEM_TYPES,
    institutions.PROBLEM_TYPES,
    catalog.PROBLEM_TYPES,
    accounts.PROBLEM_TYPES,
    conversion.PROBLEM_TYPES,
    accreditation.PROBLEM_TYPES,
    xcerts.PROBLEM_TYPES,
    credentials.PROBLEM_TYPES,
    evidence.PROBLEM_TYPES,
    sessions.PROBLEM_TYPES,
    consents.PROBLEM_TYPES,
    transfers.PROBLEM_TYPES,
    ledger.PROBLEM_TYPES,
    peers.PROBLEM_TYPES,
    national.PROBLEM_TYPES,
    alliances.PROBLEM_TYPES,
    joint.PROBLEM_TYPES,
    stats.PROBLEM_TYPES,
    occupations.PROBLEM_TYPES,
    matching.PROBLEM_TYPES,
    jobs.PROBLEM_TYPES,
    alignments.PROBLEM_TYPES,
    skills.PROBLEM_TYPES,
    demo.PROBLEM_TYPES,
    access.PROBLEM_TYPES,
    _HTTP,
)
"""Every problem type, by slug: the areas' and the HTTP layer's."""


class Problem(BaseModel):
    """An RFC 9457 problem details object (extension members allowed)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI reference identifying the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time.")
    instance: str | None = Field(default=None, description="The request path.")
    problems: list[str] = Field(default_factory=list, description="Each problem found.")


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses (500 always included)."""
    entries: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, 500}):
        slugs = sorted(t.slug for t in PROBLEM_TYPES.values() if t.status == status)
        entries[status] = {
            "model": Problem,
            "description": f"{HTTPStatus(status).phrase}: " + ", ".join(slugs),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return entries


def wants_html(request: Request) -> bool:
    """Pages get an error page; the API (and anyone asking for JSON) a problem document."""
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return False
    return "text/html" in request.headers.get("accept", "")


def problem_response(
    request: Request,
    slug: str,
    detail: str,
    problems: list[str] | None = None,
    extensions: dict[str, str] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    kind = PROBLEM_TYPES[slug]
    translate = translator_for(request).gettext
    if wants_html(request):
        return render(
            request,
            "error.html",
            status_code=kind.status,
            problem_type=kind,
            title=translate(kind.title),
            detail=detail,
            problems=problems or [],
        )
    body = Problem(
        type=kind.uri,
        title=translate(kind.title),
        status=kind.status,
        detail=detail,
        instance=request.url.path,
        problems=problems or [],
        **(extensions or {}),
    )
    headers = dict(headers or {})
    if kind.status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    if kind.status == HTTPStatus.SERVICE_UNAVAILABLE:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=kind.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for this type only
    translate = translator_for(request).gettext
    return problem_response(
        request,
        error.code.replace("_", "-"),
        _quoting_prefixes(error.message).render(translate),
        [_quoting_prefixes(problem).render(translate) for problem in error.problems],
        error.extensions,
    )


QUOTED_CHARS = 64  # the longest value sent that a problem quotes back whole


def _prefix(value: object) -> object:
    if isinstance(value, str) and len(value) > QUOTED_CHARS:
        return value[:QUOTED_CHARS] + "…"
    return value


def _quoting_prefixes(message: Message) -> Message:
    """``message`` quoting at most a short prefix of each text it names (a value sent may be
    a megabyte long)."""
    return Message(
        message.template,
        {
            name: _quoting_prefixes(value) if isinstance(value, Message) else _prefix(value)
            for name, value in message.params.items()
        },
    )


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)  # noqa: S101
    translate = translator_for(request).gettext
    for item in error.errors():
        if item["type"] == "json_invalid":
            return problem_response(
                request,
                "malformed-body",
                msg(
                    "the request body is not valid JSON (at character {position})",
                    position=item["loc"][-1],
                ).render(translate),
            )
    problems = [
        msg(
            "{where}: {reason}",
            where=_prefix(".".join(str(part) for part in item["loc"])),
            reason=_prefix(item["msg"]),
        ).render(translate)
        for item in error.errors()
    ]
    return problem_response(
        request,
        "validation-error",
        msg("the request is not valid").render(translate),
        problems,
    )


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101
    translate = translator_for(request).gettext
    if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        return problem_response(
            request,
            "method-not-allowed",
            msg("{method} is not allowed here", method=request.method[:20]).render(translate),
            headers={"Allow": (error.headers or {}).get("Allow", "")},
        )
    if error.status_code in {HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE}:
        return _unreadable_body(request, error)
    if error.status_code == HTTPStatus.SERVICE_UNAVAILABLE:
        return problem_response(request, "service-unavailable", str(error.detail))
    return problem_response(
        request,
        "not-found",
        msg("nothing is at {path}", path=request.url.path).render(translate),
    )


def _unreadable_body(request: Request, error: StarletteHTTPException) -> Response:
    """A body too large (413) or that cannot be parsed (400): say which, never a 404."""
    translate = translator_for(request).gettext
    if isinstance(error, BodyTooLarge):
        return problem_response(
            request,
            "body-too-large",
            msg("the request body is larger than {limit} bytes", limit=error.limit).render(
                translate
            ),
        )
    if "exceeded maximum size" in str(error.detail):  # a field of a multipart form
        return problem_response(
            request,
            "body-too-large",
            msg("a field of the form is larger than {limit} bytes", limit=FORM_FIELD_BYTES).render(
                translate
            ),
        )
    if isinstance(error.__cause__, RecursionError):
        return problem_response(
            request,
            "json-too-deep",
            msg(
                "the JSON body is nested deeper than {limit} levels",
                limit=request.app.state.settings.max_json_depth,
            ).render(translate),
        )
    media_type = request.headers.get("content-type", "").partition(";")[0].strip()[:100]
    return problem_response(
        request,
        "malformed-body",
        msg("the request body cannot be read as {media_type}", media_type=media_type).render(
            translate
        ),
    )


async def _unstorable_value(request: Request, _error: Exception) -> Response:
    """A value the database refused (a number out of its range, a character it cannot keep)
    that the request checks let through: the transaction rolled back, nothing was changed."""
    translate = translator_for(request).gettext
    return problem_response(
        request,
        "value-not-storable",
        msg("a value sent cannot be stored; nothing was changed").render(translate),
    )


RETRY_AFTER_SECONDS = 10
FORM_FIELD_BYTES = 1024 * 1024  # Starlette's limit on one field of a multipart form


async def _busy_database(request: Request, error: Exception) -> Response:
    """SQLite's single writer was busy for longer than the busy timeout (a long bulk deposit
    holds it until it commits): 503 with Retry-After, not an internal error. Any other
    database failure stays a 500 and is logged."""
    assert isinstance(error, OperationalError)  # noqa: S101 - registered for this type only
    if "database is locked" not in str(error.orig):
        raise error
    translate = translator_for(request).gettext
    return problem_response(
        request,
        "service-unavailable",
        msg(
            "the bank is busy with another write, such as a large deposit; "
            "nothing was changed, try again in a moment"
        ).render(translate),
    )


async def _unexpected_error(request: Request, _error: Exception) -> Response:
    translate = translator_for(request).gettext
    return problem_response(
        request,
        "internal-error",
        msg("something went wrong on our side; it has been logged").render(translate),
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _busy_database)
    app.add_exception_handler(DataError, _unstorable_value)
    app.add_exception_handler(OverflowError, _unstorable_value)
    app.add_exception_handler(Exception, _unexpected_error)
