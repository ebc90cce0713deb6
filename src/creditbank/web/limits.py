"""Limits on what a request may carry, checked before any service runs.

Two pieces, both installed by :func:`creditbank.web.app.create_app`:

* :class:`BodySizeLimit`, ASGI middleware: a body longer than ``max_body_bytes`` (by its
  ``Content-Length`` or, when chunked, while it streams in) is refused with 413
  ``body-too-large`` the moment the application reads past the limit; nothing beyond it is
  buffered.
* :func:`check_request`, a dependency of every route: the decoded path, query, form and JSON
  values of the request are checked once, so that every area stores the same kind of text and
  numbers on SQLite and PostgreSQL. Refused with a problem naming the place (``path.rule_id``,
  ``body.items.0.name``): NUL characters and lone UTF-16 surrogates (PostgreSQL cannot store
  NUL in text; a lone surrogate is no character at all) with 422 ``invalid-characters``;
  whole numbers outside the database's integer range (PostgreSQL ``INTEGER``) in integer path
  and query parameters and anywhere in a JSON body, and non-finite numbers, with 422
  ``number-out-of-range``; JSON nested deeper than ``max_json_depth`` with 400
  ``json-too-deep``.

Malformed bodies (JSON that does not parse, broken multipart) are told apart in
:mod:`creditbank.web.problems` (400 ``malformed-body``).
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Iterator

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic.fields import FieldInfo
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditbank.errors import DomainError
from creditbank.messages import Message as Text
from creditbank.messages import msg

# PostgreSQL's INTEGER, the type of most number columns: SQLite stores more, so the smaller
# range is the one both databases keep.
SMALLEST_INTEGER = -(2**31)
LARGEST_INTEGER = 2**31 - 1
PLACE_CHARS = 100  # a place named by the request's own keys is quoted up to this long
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_JSON_MEDIA_TYPE = re.compile(r"^application/([^;\s]*\+)?json\s*(;|$)", re.IGNORECASE)


class BodyTooLarge(HTTPException):
    """A request body longer than the limit (413); raised while the application reads it."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body is larger than {limit} bytes")
        self.limit = limit


class BodySizeLimit:
    """Refuse request bodies longer than ``max_bytes``, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0
        limit = self.max_bytes

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestValuesError(DomainError):
    """A value of the request that no area may store; nothing has been changed."""


async def check_request(request: Request) -> None:
    """Refuse a request whose decoded values cannot be stored the same way on both databases."""
    route = request.scope.get("route")
    integers = _integer_parameters(route) if isinstance(route, APIRoute) else frozenset()
    problems: dict[str, list[Text]] = {"invalid_characters": [], "number_out_of_range": []}
    values: list[tuple[str, str, bool]] = [
        (f"path.{name}", value, ("path", name) in integers)
        for name, value in request.path_params.items()
        if isinstance(value, str)
    ]
    values += [
        (f"query.{name}", value, ("query", name) in integers)
        for name, value in request.query_params.multi_items()
    ]
    values += [(f"query.{name}", name, False) for name in request.query_params]
    if isinstance(route, APIRoute) and route.dependant.body_params:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form()
            values += [
                (f"body.{name}", value, False)
                for name, value in form.multi_items()
                if not isinstance(value, UploadFile)
            ]
            values += [(f"body.{name}", name, False) for name in form]
        elif _JSON_MEDIA_TYPE.match(content_type) and (await request.body()).strip():
            try:  # parsed by FastAPI already for a JSON body, which answered if it did not parse
                document = await request.json()
            except (ValueError, RecursionError):  # a route of form fields: JSON is not read
                document = None
            _check_json(document, request.app.state.settings.max_json_depth, problems)
    for where, value, integer in values:
        _check_text(where, value, problems)
        if integer:
            _check_integer_text(where, value, problems)
    for code, found in problems.items():
        if found:
            raise RequestValuesError(code, _SUMMARY[code], found)


_SUMMARY = {
    "invalid_characters": msg("the request contains text that cannot be stored"),
    "number_out_of_range": msg("the request contains a number the bank cannot store"),
}


def _place(where: str, reason: Text) -> Text:
    """``where: reason``, quoting at most a short prefix of a place named by what was sent."""
    return msg(
        "{where}: {reason}", where=_UNSTORABLE.sub("\ufffd", where[:PLACE_CHARS]), reason=reason
    )


def _check_text(where: str, value: str, problems: dict[str, list[Text]]) -> None:
    found = _UNSTORABLE.search(value)
    if found is None:
        return
    reason = (
        msg("contains a NUL character, which cannot be stored")
        if found.group() == "\x00"
        else msg("contains a lone UTF-16 surrogate, which is not a character")
    )
    problems["invalid_characters"].append(_place(where, reason))


def _out_of_range(where: str) -> Text:
    return _place(
        where,
        msg(
            "must be a whole number from {smallest} to {largest}",
            smallest=SMALLEST_INTEGER,
            largest=LARGEST_INTEGER,
        ),
    )


def _check_integer_text(where: str, value: str, problems: dict[str, list[Text]]) -> None:
    try:
        number = int(value)
    except ValueError:
        return  # not a whole number at all: the route's own validation says so
    if not SMALLEST_INTEGER <= number <= LARGEST_INTEGER:
        problems["number_out_of_range"].append(_out_of_range(where))


def _check_json(document: object, max_depth: int, problems: dict[str, list[Text]]) -> None:
    for where, value, depth in _walk(document):
        if depth > max_depth:
            raise RequestValuesError(
                "json_too_deep",
                msg("the JSON body is nested deeper than {limit} levels", limit=max_depth),
                [_place(where, msg("too deep"))],
            )
        if isinstance(value, str):
            _check_text(where, value, problems)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not SMALLEST_INTEGER <= value <= LARGEST_INTEGER:
            problems["number_out_of_range"].append(_out_of_range(where))
        elif isinstance(value, float) and not math.isfinite(value):
            problems["number_out_of_range"].append(_place(where, msg("must be a finite number")))


def _walk(document: object) -> Iterator[tuple[str, object, int]]:
    """Every value and key of a JSON document with its place and depth, without recursion."""
    stack: list[tuple[str, object, int]] = [("body", document, 0)]
    while stack:
        where, value, depth = stack.pop()
        yield where, value, depth
        if isinstance(value, dict):
            for key, item in value.items():
                yield f"{where}.{key}", key, depth + 1
                stack.append((f"{where}.{key}", item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{where}.{index}", item, depth + 1) for index, item in enumerate(value))


def _integer_parameters(route: APIRoute) -> frozenset[tuple[str, str]]:
    """The (location, name) of the route's path and query parameters declared as integers."""
    found = set()
    for location, fields in (
        ("path", route.dependant.path_params),
        ("query", route.dependant.query_params),
    ):
        found |= {(location, field.alias) for field in fields if _is_integer(field.field_info)}
    return frozenset(found)


def _is_integer(field_info: FieldInfo) -> bool:
    annotation = field_info.annotation
    if annotation is int:
        return True
    return int in typing.get_args(annotation)
