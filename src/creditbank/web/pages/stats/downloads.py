"""A figure's table downloaded from its page: ``/stats/{figure}/download?format=csv|xlsx|json``
with the page's question (by, from, to, scope).

The API answers the same files (``GET /api/v1/stats/{figure}?format=...``) to a bearer token;
a browser holds only the web session, which the API does not read, so the page serves them to
the staff who see it, through the same handler (who may read which scope is checked there) and
the same file makers (:func:`creditbank.stats.schemas.figure_file`: a Chinese and an English
header row, the rows then the total, a suppressed count as it is shown).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from creditbank.stats import figures as handlers
from creditbank.stats.commands import ShowFigure
from creditbank.stats.schemas import FigureRead, figure_file
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow
from creditbank.web.downloads import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment

pages = APIRouter(include_in_schema=False)

BANK_SOURCE = "bank"
"""The figures of this bank (``network``: a national bank's combination of many banks')."""


class FileFormat(StrEnum):
    """What a figure is downloaded as."""

    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


def given(text: str | None) -> str | None:
    """A form's field: None when it is missing or blank."""
    return (text.strip() or None) if text is not None else None


def question(
    figure: str,
    by: str | None,
    start: str | None,
    end: str | None,
    scope: str | None,
    source: str | None,
) -> ShowFigure:
    """The figure asked by a page's form (blank fields: not asked)."""
    return ShowFigure(
        figure=figure,
        by=given(by),  # None: the figure's years (the cohorts: by cohort)
        scope=given(scope),
        start=given(start),
        end=given(end),
        source=given(source) or BANK_SOURCE,
    )


@pages.get("/stats/{figure}/download")
def download_figure(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    figure: str,
    file_format: Annotated[FileFormat, Query(alias="format")] = FileFormat.CSV,
    by: Annotated[str | None, Query(max_length=40)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=20)] = None,
    scope: Annotated[str | None, Query(max_length=64)] = None,
    source: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The figure's table as a file, for the staff who may read it."""
    table = handlers.show_figure(
        question(figure, by, start, end, scope, source),
        principal=principal,
        uow=uow,
        suppress_below=request.app.state.settings.stats_suppress_below,
    )
    if file_format is FileFormat.JSON:
        parts = ("stats", f"{table.figure}-by-{table.by}", table.scope, table.start, table.end)
        return Response(
            FigureRead.of(table).model_dump_json(by_alias=True),
            media_type="application/json",
            headers={"Content-Disposition": attachment(*parts, extension="json")},
        )
    made = figure_file(table, file_format.value)
    media_type = CSV_MEDIA_TYPE if file_format is FileFormat.CSV else XLSX_MEDIA_TYPE
    return Response(
        made.content, media_type=media_type, headers={"Content-Disposition": made.disposition}
    )
