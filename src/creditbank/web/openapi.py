"""The published OpenAPI document names the problems any request may get, as they are sent.

Routes declare the problems of their own use cases with :func:`creditbank.web.problems.responses`.
Some problems belong to every request instead: the request checks of
:mod:`creditbank.web.limits` (422 for any parameter, 400 and 413 for any body). FastAPI
documents its own 422 as ``application/json`` with a schema the bank never sends; here every
operation's 422 is the problem document, and every operation with a body names 400 and 413.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from creditbank.web.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES

_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_response(status: int) -> dict[str, Any]:
    slugs = sorted(t.slug for t in PROBLEM_TYPES.values() if t.status == status)
    return {
        "description": f"{HTTPStatus(status).phrase}: " + ", ".join(slugs),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def document_request_problems(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every operation naming the problems of the request checks."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            statuses = [HTTPStatus.UNPROCESSABLE_ENTITY]
            if "requestBody" in operation:
                statuses += [HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE]
            for status in statuses:
                responses[str(int(status))] = _problem_response(status)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _FASTAPI_SCHEMAS:
        schemas.pop(name, None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Make ``app`` publish its OpenAPI document with the request checks' problems."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_request_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
