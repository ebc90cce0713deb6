"""The published OpenAPI document, and its documentation pages served by the bank itself.

The document names the problems any request may get, as they are sent.

Routes declare the problems of their own use cases with :func:`creditbank.web.problems.responses`.
Some problems belong to every request instead: the request checks of
:mod:`creditbank.web.limits` (422 for any parameter, 400 and 413 for any body). FastAPI
documents its own 422 as ``application/json`` with a schema the bank never sends; here every
operation's 422 is the problem document, and every operation with a body names 400 and 413.

:func:`install_docs` serves the Swagger UI (:data:`DOCS_PATH`) and ReDoc (:data:`REDOC_PATH`)
from the bank: their scripts and styles come from the pinned ``fastapi-offline`` package
(mounted at :data:`ASSETS_PATH`), and a script file of the bank's starts the Swagger UI, so
the pages need nothing from another site (they work offline) and no inline script: the
Content-Security-Policy of every other page (``'self'`` only) holds for them too. ReDoc alone
writes its styles into ``<style>`` elements as it renders (styled-components), so its page
allows those by a nonce made for each answer (:func:`redoc_policy`; scripts stay ``'self'``
only; its search, which would run in a worker made from a ``blob:``, is off). A couple of style
elements its bundle makes before it knows the nonce are refused: a cosmetic loss only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from http import HTTPStatus
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from creditbank.web.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES
from creditbank.web.security import PAGE_POLICY

_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")

DOCS_PATH = "/api/docs"
REDOC_PATH = "/api/redoc"
ASSETS_PATH = "/static/api-docs"
"""Where the Swagger UI's and ReDoc's own files are served (from ``fastapi-offline``)."""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
{head}
</head>
<body>
{body}
</body>
</html>
"""


def swagger_ui_page(title: str, openapi_url: str) -> str:
    """The Swagger UI page: its files and the bank's starter script, nothing inline."""
    return _PAGE.format(
        title=f"{title} - Swagger UI",
        head=f'<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">',
        body=f'<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>\n'
        f'<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>\n'
        '<script src="/static/swagger-start.js"></script>',
    )


def redoc_page(title: str, openapi_url: str, nonce: str) -> str:
    """The ReDoc page: its element names the document and the nonce its styles must carry (a
    ``nonce`` attribute would be hidden from scripts); the bank's starter script renders it."""
    return _PAGE.format(
        title=f"{title} - ReDoc",
        head="",
        body=f'<div id="redoc" data-openapi-url="{openapi_url}" data-style-nonce="{nonce}"></div>\n'
        f'<script src="{ASSETS_PATH}/redoc.standalone.js"></script>\n'
        '<script src="/static/redoc-start.js"></script>',
    )


def redoc_policy(nonce: str) -> str:
    """The page policy, with ReDoc's own ``<style>`` elements allowed by ``nonce``."""
    return PAGE_POLICY.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")


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


def install_docs(app: FastAPI) -> None:
    """Serve the API's documentation pages and their files from the bank (none from a CDN)."""
    assets = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="api-docs")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_ui_page(app.title, openapi_url))

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc() -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        return HTMLResponse(
            redoc_page(app.title, openapi_url, nonce),
            headers={"Content-Security-Policy": redoc_policy(nonce)},
        )
