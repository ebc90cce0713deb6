"""The statistics pages: ``/stats``, the bank's public summary (each figure's bank-wide totals
and a chart by year, small counts suppressed; no login), and ``/stats/{figure}``, one figure
for the staff who may read it: a GET form (broken down by, from, to, and whose figures), a
chart drawn on the server as inline SVG, the same figures as a table with every measure and
the rates derived from them, and links to download the table (:mod:`.downloads`).

Thin, like every page: the handlers of :mod:`creditbank.stats` check who may read what (staff
read their own institution's figures, administrators and auditors any scope) and raise the
problems (404 unknown figure, 400 bad breakdown or period, 403 another scope), which the app
renders as its error page. The chart's layout is :mod:`.charts`, the table's columns and rates
:mod:`.shaping`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.institutions.commands import MAX_PAGE, ListInstitutions, ShowInstitution
from creditbank.institutions.handlers import show_institution
from creditbank.institutions.model import Institution
from creditbank.institutions.views import list_institutions
from creditbank.messages import Message, msg
from creditbank.stats import figures as handlers
from creditbank.stats.api import FIGURES, FigureTable
from creditbank.stats.commands import ListFigures, ShowFigure, ShowSummary
from creditbank.stats.exchange.commands import ShowCombine
from creditbank.stats.exchange.views import show_combine
from creditbank.stats.model import DIMENSION_LABELS
from creditbank.stats.reading import breakdowns
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow, render
from creditbank.web.i18n import translator_for
from creditbank.web.pages.stats import charts, shaping
from creditbank.web.pages.stats.downloads import BANK_SOURCE, question
from creditbank.web.pages.stats.downloads import pages as download_pages
from creditbank.web.sessions import current_session

pages = APIRouter(include_in_schema=False)
pages.include_router(download_pages)


SOURCE_DIMENSIONS = {"bank": msg("Bank")}
"""Words for the breakdowns a source adds (the network's figures: by bank)."""


@dataclass(frozen=True, slots=True)
class Scopes:
    """Whose figures the form lets the viewer choose: ``fixed`` (their institution's, no
    choice), or ``choices`` (the institutions, by code and name: any, or the whole bank);
    neither: any institution, typed by its code (too many to list)."""

    fixed: bool
    choices: tuple[tuple[str, str], ...] | None


def _viewer(request: Request) -> Principal | LearnerPrincipal | None:
    session = current_session(request)
    return session.principal if session else None


@pages.get("/stats", response_class=HTMLResponse)
def summary_page(request: Request, uow: Uow) -> HTMLResponse:
    """Public: every figure's bank-wide totals and a chart by year; staff also see links to
    the figure pages they may read."""
    viewer = _viewer(request)
    settings = request.app.state.settings
    summary = handlers.show_summary(
        ShowSummary(), principal=viewer, uow=uow, suppress_below=settings.stats_suppress_below
    )
    translate = translator_for(request).gettext
    readable = (
        [
            {
                "figure": spec.name,
                "label": spec.label.render(translate),
                "hint": ", ".join(label.render(translate) for _, label in spec.measures),
            }
            for spec in handlers.list_figures(ListFigures(), principal=viewer, uow=uow)
        ]
        if isinstance(viewer, Principal)
        else []
    )
    language = request.state.language
    sections = [summary_section(table, translate, language) for table in summary]
    return render(
        request,
        "stats/index.html",
        sections=sections,
        readable=readable,
        suppress_below=settings.stats_suppress_below,
        network_combined=show_combine(ShowCombine(), principal=viewer, uow=uow) is not None,
    )


def summary_section(
    table: FigureTable, translate: Callable[[str], str], language: str
) -> dict[str, Any]:
    """What a summary shows of one figure: its totals, a chart (by year, or bars by bank) and
    its table, in ``language``."""
    spec = FIGURES[table.figure]
    words = {name: label.render(translate) for name, label in spec.measures}
    series = charts.series_of([(m, words[m]) for m in table.measures])
    title = msg("{figure} by {breakdown}", figure=spec.label, breakdown=_dimension(table.by))
    draw = charts.bar_chart if table.by in SOURCE_DIMENSIONS else charts.column_chart
    chart = draw(title.render(translate), shaping.chart_rows(table, language), series)
    shown = shaping.columns(table, words, translate)
    return {
        "table": table,
        "label": spec.label.render(translate),
        "by_label": _dimension(table.by).render(translate),
        "chart": chart,
        "columns": shown,
        "rows": [shaping.table_row(table, row, shown, language) for row in table.rows],
        "total": shaping.table_row(table, table.total, shown, language),
    }


def _query(table: FigureTable, source: str, format_: str) -> str:
    """The query that asks ``table`` again as ``format_`` (a download, or the API)."""
    query = {
        "format": format_,
        "by": table.by,
        "from": table.start or "",
        "to": table.end or "",
        "scope": table.scope or "",
        "source": "" if source == BANK_SOURCE else source,
    }
    return urlencode({k: v for k, v in query.items() if v})


@pages.get("/stats/{figure}", response_class=HTMLResponse)
def figure_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    figure: str,
    by: Annotated[str | None, Query(max_length=40)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=20)] = None,
    scope: Annotated[str | None, Query(max_length=64)] = None,
    source: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """One figure for the staff who may read it, as asked in the query."""
    return figure_view(request, uow, principal, question(figure, by, start, end, scope, source))


def figure_view(
    request: Request, uow: Uow, principal: Principal, asked: ShowFigure, *, network: bool = False
) -> HTMLResponse:
    """The page of the figure ``asked``; ``network``: on the pages of the banks' figures
    combined (``/stats/network/...``: no choice of source; an institution's code typed in)."""
    settings = request.app.state.settings
    table = handlers.show_figure(
        asked,
        principal=principal,
        uow=uow,
        suppress_below=settings.stats_suppress_below,
    )
    translate = translator_for(request).gettext
    language = request.state.language
    spec = FIGURES[table.figure]
    words = {name: label.render(translate) for name, label in spec.measures}
    series = charts.series_of([(m, words[m]) for m in table.measures])
    by_label = _dimension(table.by).render(translate)
    title = msg("{figure} by {breakdown}", figure=spec.label, breakdown=_dimension(table.by))
    title_text = title.render(translate)
    rows = shaping.chart_rows(table, language)
    chart = (
        charts.column_chart(title_text, rows, series)
        if table.by in shaping.TIME_DIMENSIONS
        else charts.bar_chart(title_text, rows, series)
    )
    shown = shaping.columns(table, words, translate)
    scopes = Scopes(fixed=False, choices=None) if network else _scopes(uow, principal, language)
    names = dict(scopes.choices or ())
    return render(
        request,
        "stats/figure.html",
        table=table,
        figure_label=spec.label.render(translate),
        by_label=by_label,
        breakdowns=[
            (value, _dimension(value).render(translate)) for value in breakdowns(spec, asked.source)
        ],
        source=asked.source,
        chart=chart,
        table_columns=shown,
        rows=[shaping.table_row(table, row, shown, language) for row in table.rows],
        total=shaping.table_row(table, table.total, shown, language),
        scopes=scopes,
        scope_name=names.get(table.scope or "", table.scope or ""),
        link=lambda path, format_: f"{path}?{_query(table, asked.source, format_)}",
        network=network,
        home="/stats/network" if network else "/stats",
    )


def _scopes(uow: Uow, principal: Principal, language: str) -> Scopes:
    """An institution's staff: their own institution, fixed. Administrators and auditors:
    every institution (when one page of them holds all), or any code typed in."""
    if principal.institution is not None:
        own = show_institution(ShowInstitution(principal.institution), principal=principal, uow=uow)
        return Scopes(fixed=True, choices=((own.code, _name(own, language)),))
    found = list_institutions(ListInstitutions(limit=MAX_PAGE), principal=principal, uow=uow)
    if found.next_cursor is not None:
        return Scopes(fixed=False, choices=None)
    return Scopes(
        fixed=False, choices=tuple((item.code, _name(item, language)) for item in found.items)
    )


def _dimension(by: str) -> Message:
    """What the rows are when a figure is broken down ``by``."""
    return DIMENSION_LABELS.get(by) or SOURCE_DIMENSIONS.get(by) or Message(by)


def _name(institution: Institution, language: str) -> str:
    return institution.name_en if language == "en" and institution.name_en else institution.name
