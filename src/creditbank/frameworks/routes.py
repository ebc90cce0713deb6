"""HTTP for the framework registry: the JSON API under /api/v1 and the pages.

Thin: each view parses the request, calls one handler (:mod:`creditbank.frameworks.views`)
inside the request's unit of work and shapes the answer. The registry is public: no login.
Errors are raised as domain errors and become problem documents (API) or error pages.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from creditbank.frameworks import views
from creditbank.frameworks.commands import (
    AlignFrameworks,
    CompareLevels,
    ListCrosswalks,
    ListFrameworks,
    ShowFramework,
    ShowLevel,
    TranslateLevel,
)
from creditbank.frameworks.crosswalk import LevelRef
from creditbank.frameworks.schemas import (
    ComparisonRead,
    CorrespondenceRead,
    CrosswalkQueryRead,
    CrosswalkRead,
    FrameworkRead,
    FrameworkSummaryRead,
    LevelRead,
)
from creditbank.web.deps import Today, Uow, render
from creditbank.web.pages.public import linked_framework, varies_by_accept, wants_linked_data
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["frameworks"])
pages = APIRouter(include_in_schema=False)

DEFAULT_REFERENCE = "EQF"


@api.get("/frameworks", response_model=list[FrameworkSummaryRead], responses=responses(422))
def list_frameworks(
    uow: Uow,
    today: Today,
    on: Annotated[date | None, Query(description="Date; default today.")] = None,
) -> list[FrameworkSummaryRead]:
    """Every framework: its latest version and the version in force on the date."""
    summaries = views.list_frameworks(ListFrameworks(on or today), principal=None, uow=uow)
    return [FrameworkSummaryRead.of(s) for s in summaries]


@api.get("/frameworks/{code}", response_model=FrameworkRead, responses=responses(404, 422))
def get_framework(
    code: str,
    uow: Uow,
    version: Annotated[
        int | None, Query(ge=1, description="A version; default: the latest.")
    ] = None,
    on: Annotated[date | None, Query(description="The version in force on this date.")] = None,
) -> FrameworkRead:
    """A framework with its tracks, levels and descriptors: the latest version, or `version`,
    or the version in force `on` a date."""
    query = ShowFramework(code, version=version, on=on)
    detail = views.show_framework(query, principal=None, uow=uow)
    return FrameworkRead.of(detail.framework, detail.versions)


class LevelDetailRead(LevelRead):
    framework: str
    version: int
    correspondences: list[CorrespondenceRead]


@api.get(
    "/frameworks/{code}/levels/{level}",
    response_model=LevelDetailRead,
    responses=responses(404, 422),
)
def get_level(
    code: str,
    level: str,
    uow: Uow,
    version: Annotated[
        int | None, Query(ge=1, description="A version; default: the latest.")
    ] = None,
) -> LevelDetailRead:
    """One level (of the latest version, or `version`) and its direct correspondences."""
    detail = views.show_level(ShowLevel(code, level, version), principal=None, uow=uow)
    return LevelDetailRead(
        **LevelRead.of(detail.level).model_dump(),
        framework=detail.framework.code,
        version=detail.framework.version,
        correspondences=[CorrespondenceRead.of(*found) for found in detail.correspondences],
    )


@api.get("/frameworks/{code}/compare", response_model=ComparisonRead, responses=responses(404, 422))
def compare_levels(
    code: str,
    uow: Uow,
    today: Today,
    a: Annotated[str, Query(description="A level code.")],
    b: Annotated[str, Query(description="Another level code of the same framework.")],
) -> ComparisonRead:
    """Whether level `a` is at least level `b`, by the framework's own order (NVQC: 1 highest)."""
    result = views.compare_levels(CompareLevels(code, a, b, today), principal=None, uow=uow)
    return ComparisonRead(
        framework=code.upper(), a=a, b=b, comparison=result, a_at_least_b=result >= 0
    )


@api.get(
    "/crosswalk",
    response_model=CrosswalkQueryRead,
    response_model_by_alias=True,
    responses=responses(404, 422),
)
def crosswalk(
    uow: Uow,
    from_level: Annotated[str, Query(alias="from", description="FRAMEWORK:LEVEL, e.g. NVQC:3")],
    to: Annotated[str, Query(description="Target framework code, e.g. QCPTP")],
) -> CrosswalkQueryRead:
    """The level(s) of `to` that `from` corresponds to, following chains of crosswalks.

    Each result names its path and its kind: `published` only when every step
    is stated by a source, otherwise `assumed`.
    """
    query = TranslateLevel(LevelRef.parse(from_level), to)
    return CrosswalkQueryRead.of(views.translate_level(query, principal=None, uow=uow))


@api.get(
    "/crosswalks",
    response_model=list[CrosswalkRead],
    response_model_by_alias=True,
    responses=responses(),
)
def list_crosswalks(uow: Uow) -> list[CrosswalkRead]:
    """Every crosswalk with its provenance and kind."""
    crosswalks = views.list_crosswalks(ListCrosswalks(), principal=None, uow=uow)
    return [CrosswalkRead.of(c) for c in crosswalks]


# --- pages ---------------------------------------------------------------------


@pages.get("/frameworks", response_class=HTMLResponse)
def frameworks_page(request: Request, uow: Uow, ref: str = DEFAULT_REFERENCE) -> HTMLResponse:
    """The frameworks side by side, aligned through the crosswalks on a reference framework."""
    aligned = views.align_frameworks(AlignFrameworks(ref), principal=None, uow=uow)
    return render(
        request,
        "frameworks/index.html",
        alignment=aligned.alignment,
        frameworks=aligned.frameworks,
        crosswalks=aligned.crosswalks,
    )


@pages.get("/frameworks/{code}", response_class=HTMLResponse)
def framework_page(
    request: Request,
    code: str,
    uow: Uow,
    today: Today,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """One framework: its tracks, levels, descriptors and versions; as JSON-LD (asked with
    ``Accept``), its levels as the credentials' alignments name them."""
    if wants_linked_data(request):
        return linked_framework(uow, code, version, today)
    query = ShowFramework(code, version=version, on=today)
    detail = views.show_framework(query, principal=None, uow=uow)
    page = render(
        request, "frameworks/detail.html", framework=detail.framework, versions=detail.versions
    )
    return varies_by_accept(page)
