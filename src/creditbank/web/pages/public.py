"""The public pages the bank's credentials link to: HTML for people, JSON-LD for machines.

A credential names its achievement (``/catalog/OWNER/CODE``), its issuer (``/institutions/CODE``,
the bank at ``/``) and the framework levels it aligns to (``/frameworks/CODE?version=N``). Each
answers a page, or, asked with ``Accept: application/ld+json`` (or ``application/json``), the
JSON-LD node the credential embeds (:mod:`creditbank.credentials.linked`). No login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from creditbank.credentials.commands import (
    ShowLinkedAchievement,
    ShowLinkedFramework,
    ShowLinkedProfile,
)
from creditbank.credentials.linked import (
    show_linked_achievement,
    show_linked_framework,
    show_linked_profile,
)
from creditbank.web.deps import Uow, render

JSON_LD = "application/ld+json"
_LINKED_TYPES = frozenset({JSON_LD, "application/json"})

pages = APIRouter(include_in_schema=False)


def _quality(part: str) -> tuple[str, float]:
    media, *params = (piece.strip() for piece in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return media.lower(), quality


def wants_linked_data(request: Request) -> bool:
    """Whether the request's ``Accept`` prefers JSON-LD (or JSON) to HTML. Only a type named
    outright counts for JSON-LD: ``*/*`` alone gets the page."""
    linked = html = 0.0
    for part in request.headers.get("accept", "").split(","):
        media, quality = _quality(part)
        if media in _LINKED_TYPES:
            linked = max(linked, quality)
        elif media == "text/html":
            html = max(html, quality)
    return linked > 0 and linked >= html


def linked_data(document: dict[str, object]) -> JSONResponse:
    """A JSON-LD answer; it and the page vary with ``Accept``."""
    return JSONResponse(document, media_type=JSON_LD, headers={"Vary": "Accept"})


def varies_by_accept(response: Response) -> Response:
    """A page that answers JSON-LD too, when asked: caches must tell the two apart."""
    response.headers["Vary"] = "Accept"
    return response


def local_link(url: str) -> str:
    """A link of the bank's own (an absolute URL in a credential) as a path on this site."""
    parts = urlsplit(url)
    return parts._replace(scheme="", netloc="").geturl() or "/"


@dataclass(frozen=True, slots=True)
class LevelRow:
    """A level an item is placed at (or corresponds to), as the page lists it."""

    framework: str
    code: str
    name: str
    href: str
    correspondence: bool


@pages.get("/")
def home(request: Request, uow: Uow) -> Response:
    """The bank's home page; as JSON-LD, the bank's issuer profile (its CLRs' ``issuer``)."""
    if wants_linked_data(request):
        found = show_linked_profile(ShowLinkedProfile(None), principal=None, uow=uow)
        return linked_data(found.document)
    return varies_by_accept(render(request, "home.html"))


@pages.get("/catalog/{owner}/{code}")
def achievement_page(request: Request, owner: str, code: str, uow: Uow) -> Response:
    """A catalogue item, as the ``Achievement`` of the credentials that award it."""
    found = show_linked_achievement(ShowLinkedAchievement(owner, code), principal=None, uow=uow)
    if wants_linked_data(request):
        return linked_data(found.document)
    language = request.state.language
    levels = [
        LevelRow(
            pinned.framework,
            pinned.level.code,
            pinned.level.name.get(language),
            f"/frameworks/{pinned.framework}?version={pinned.version}#level-{pinned.level.code}",
            correspondence=False,
        )
        for pinned in found.item.levels
    ] + [
        LevelRow(a.framework, a.code, a.name, local_link(a.url), correspondence=True)
        for a in found.alignments
        if a.correspondence
    ]
    return varies_by_accept(
        render(
            request,
            "public/achievement.html",
            item=found.item,
            owner=found.owner,
            levels=levels,
            # the bank's own /skills/{id} as a path here; a skill's own http(s) URI as it is
            skills=[
                (skill.url if skill.url == skill.uri else local_link(skill.url), skill)
                for skill in found.skills
            ],
        )
    )


@pages.get("/institutions/{code}")
def institution_page(request: Request, code: str, uow: Uow) -> Response:
    """An institution, as the ``Profile`` of the credentials it issues."""
    found = show_linked_profile(ShowLinkedProfile(code), principal=None, uow=uow)
    if wants_linked_data(request):
        return linked_data(found.document)
    return varies_by_accept(
        render(request, "public/institution.html", institution=found.institution, did=found.did)
    )


def linked_framework(uow: Uow, code: str, version: int | None, today: date) -> Response:
    """A framework version's levels as JSON-LD (the framework page answers this when asked)."""
    query = ShowLinkedFramework(code, version=version, on=today)
    return linked_data(show_linked_framework(query, principal=None, uow=uow))
