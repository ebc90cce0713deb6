"""HTTP of the statistics: the list of figures (with the public summary), and one figure broken
down by a dimension, as JSON or as a CSV or XLSX download with Chinese and English headers.

Thin: parse, build the query, call its handler, render. Who may read what is the handlers'
(``stats.figures``): anyone, without a token, the summary; an institution's staff their own
institution's figures; bank administrators and auditors every figure.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from creditbank.access.policy import Principal
from creditbank.stats import demand, figures
from creditbank.stats.commands import ListFigures, ShowFigure, ShowSkillDemand, ShowSummary
from creditbank.stats.schemas import FigureRead, FiguresRead, SkillDemandRead, figure_file
from creditbank.web.auth import get_principal
from creditbank.web.deps import Uow
from creditbank.web.downloads import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/stats", tags=["stats"])


def principal_if_any(request: Request, uow: Uow) -> Principal | None:
    """The principal of the request's bearer token; None (the public) when it sends none. A
    token sent that is unknown or revoked is a 401 problem, as everywhere."""
    if "authorization" not in request.headers:
        return None
    return get_principal(request, uow)


Reader = Annotated[Principal | None, Depends(principal_if_any)]


class StatsFormat(StrEnum):
    """What a figure is answered as."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def _threshold(request: Request) -> int:
    """The bank's suppression threshold (``CREDITBANK_STATS_SUPPRESS_BELOW``)."""
    below: int = request.app.state.settings.stats_suppress_below
    return below


_MEDIA_TYPES = {StatsFormat.CSV: CSV_MEDIA_TYPE, StatsFormat.XLSX: XLSX_MEDIA_TYPE}


Source = Annotated[
    str,
    Query(
        max_length=16,
        description="bank (this bank's figures) or network (the banks' combined figures at a "
        "national bank, which can also be broken down by bank).",
    ),
]


@api.get("", response_model=FiguresRead, responses=responses(400, 401))
def list_figures(
    request: Request, uow: Uow, principal: Reader, source: Source = "bank"
) -> FiguresRead:
    """Public: the figures the bank publishes (each with its measures and the dimensions it can
    be broken down by, named in Chinese and English), and the summary: each figure's bank-wide
    totals, in all and by year (the cohorts by cohort), small counts suppressed; with
    `source=network`, the banks' combined totals, by bank."""
    found = figures.list_figures(ListFigures(), principal=principal, uow=uow)
    summary = figures.show_summary(
        ShowSummary(source=source),
        principal=principal,
        uow=uow,
        suppress_below=_threshold(request),
    )
    return FiguresRead.of(found, summary)


class SkillsBreakdown(StrEnum):
    """What skills in demand and held are broken down by."""

    SKILL = "skill"
    OCCUPATION = "occupation"
    REGION = "region"


@api.get(
    "/skills",
    response_model=SkillDemandRead,
    responses={
        200: {
            "content": {CSV_MEDIA_TYPE.split(";")[0]: {}, XLSX_MEDIA_TYPE: {}},
            "description": "The figure: JSON, or (format=csv|xlsx) a file as an attachment.",
        },
        **responses(401, 422),
    },
)
def show_skill_demand(
    request: Request,
    uow: Uow,
    principal: Reader,
    by: Annotated[
        SkillsBreakdown,
        Query(description="skill (its URI), occupation (its code) or region."),
    ] = SkillsBreakdown.SKILL,
    file_format: Annotated[
        StatsFormat,
        Query(
            alias="format",
            description="json (the default), csv (UTF-8 with a BOM) or xlsx; the files have a "
            "Chinese and an English header row, a suppressed count shown as '<10'.",
        ),
    ] = StatsFormat.JSON,
) -> SkillDemandRead | Response:
    """Public: skills in demand against skills held: the open jobs employers posted and the
    learners whose outcomes (not revoked, of items aligned in force to the skill) give them
    the skills, by skill, occupation or region. Counts of learners below the threshold are
    suppressed (null, shown '<10'; hidden with another where a total would give one away);
    counts of open jobs are shown as they are. The learners are as a bank administrator's
    refresh last counted them (`as_of`; null before any: every count of learners null, shown
    '-'), not counted per request."""
    table = demand.show_skill_demand(
        ShowSkillDemand(by=by.value),
        principal=principal,
        uow=uow,
        suppress_below=_threshold(request),
    )
    if file_format is StatsFormat.JSON:
        return SkillDemandRead.of(table)
    made = figure_file(table, file_format.value)
    return Response(
        made.content,
        media_type=_MEDIA_TYPES[file_format],
        headers={"Content-Disposition": made.disposition},
    )


@api.get(
    "/{figure}",
    response_model=FigureRead,
    responses={
        200: {
            "content": {CSV_MEDIA_TYPE.split(";")[0]: {}, XLSX_MEDIA_TYPE: {}},
            "description": "The figure: JSON, or (format=csv|xlsx) a file as an attachment.",
        },
        **responses(400, 401, 403, 404, 422),
    },
)
def show_figure(
    request: Request,
    uow: Uow,
    principal: Reader,
    figure: Annotated[
        str, Path(max_length=32, description="accounts, outcomes, accreditation, ...")
    ],
    by: Annotated[
        str | None,
        Query(
            max_length=32,
            description="The dimension: region, institution, institution_type, level, "
            "certificate, setting, kind, sex, age, peer, cohort, year, month or all (the "
            "figure's own are listed by GET /api/v1/stats; bank too for source=network). "
            "Omitted: year, or the figure's first where it has no year (cohorts: cohort).",
        ),
    ] = None,
    start: Annotated[
        str | None,
        Query(alias="from", max_length=7, description="The first year or month: YYYY or YYYY-MM."),
    ] = None,
    end: Annotated[
        str | None,
        Query(alias="to", max_length=7, description="The last year or month: YYYY or YYYY-MM."),
    ] = None,
    scope: Annotated[
        str | None,
        Query(
            max_length=64,
            description="An institution's code: its figures (its own staff; administrators and "
            "auditors any). Omitted: the whole bank's (an institution's staff: their own).",
        ),
    ] = None,
    source: Source = "bank",
    file_format: Annotated[
        StatsFormat,
        Query(
            alias="format",
            description="json (the default), csv (UTF-8 with a BOM) or xlsx; the files have a "
            "Chinese and an English header row, a suppressed count shown as '<10'.",
        ),
    ] = StatsFormat.JSON,
) -> FigureRead | Response:
    """A figure broken down by a dimension over a period, small counts suppressed (null,
    shown '<10'; hidden with enough others that none can be worked out from a total)."""
    table = figures.show_figure(
        ShowFigure(figure=figure, by=by, scope=scope, start=start, end=end, source=source),
        principal=principal,
        uow=uow,
        suppress_below=_threshold(request),
    )
    if file_format is StatsFormat.JSON:
        return FigureRead.of(table)
    made = figure_file(table, file_format.value)
    return Response(
        made.content,
        media_type=_MEDIA_TYPES[file_format],
        headers={"Content-Disposition": made.disposition},
    )
