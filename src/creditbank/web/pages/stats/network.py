"""The pages of the banks' figures combined (a national bank's): ``/stats/network``, what the
last combine read (which banks' exports, when, on which engine) and each figure's totals across
the banks and by bank, public like the bank's own summary; and ``/stats/network/{figure}``, one
figure of the banks combined as the bank's figure page shows it (broken down by bank too), for
the bank's administrators and auditors (the handler refuses anyone else: an institution's code
means nothing across banks).

The figures are ``stats.figures``' handlers with ``source="network"`` (the cells
``stats.exchange`` stored at the last combine); the page is the bank's own (``summary_section``
and ``figure_view`` of :mod:`creditbank.web.pages.stats`, their templates), pointed here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.institutions.model import Role
from creditbank.stats import figures as handlers
from creditbank.stats.commands import ListFigures, ShowSummary
from creditbank.stats.exchange.commands import ShowCombine
from creditbank.stats.exchange.views import show_combine
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow, render
from creditbank.web.i18n import translator_for
from creditbank.web.pages.stats import figure_view, summary_section
from creditbank.web.pages.stats.downloads import question
from creditbank.web.sessions import current_session

pages = APIRouter(include_in_schema=False)

NETWORK = handlers.NETWORK
HOME = "/stats/network"
ENGINE_NAMES = {"duckdb": "DuckDB", "spark": "Apache Spark"}
READERS = frozenset({Role.BANK_ADMIN, Role.AUDITOR})
"""Who is offered the links to each figure of the banks combined (the handler decides)."""


def _viewer(request: Request) -> Principal | LearnerPrincipal | None:
    session = current_session(request)
    return session.principal if session else None


@pages.get(HOME, response_class=HTMLResponse)
def network_summary_page(request: Request, uow: Uow) -> HTMLResponse:
    """Public: what the last combine read, and each figure's totals across the banks and by
    bank; a bank that has combined nothing says so."""
    viewer = _viewer(request)
    settings = request.app.state.settings
    combine = show_combine(ShowCombine(), principal=viewer, uow=uow)
    summary = (
        handlers.show_summary(
            ShowSummary(source=NETWORK),
            principal=viewer,
            uow=uow,
            suppress_below=settings.stats_suppress_below,
        )
        if combine is not None
        else []
    )
    translate = translator_for(request).gettext
    language = request.state.language
    readable = (
        [
            {
                "figure": spec.name,
                "label": spec.label.render(translate),
                "hint": ", ".join(label.render(translate) for _, label in spec.measures),
            }
            for spec in handlers.list_figures(ListFigures(), principal=viewer, uow=uow)
        ]
        if combine is not None and isinstance(viewer, Principal) and viewer.role in READERS
        else []
    )
    return render(
        request,
        "stats/network.html",
        combine=combine,
        engine=ENGINE_NAMES.get(combine.engine, combine.engine) if combine else "",
        sections=[summary_section(table, translate, language) for table in summary],
        readable=readable,
        home=HOME,
        suppress_below=settings.stats_suppress_below,
    )


@pages.get(HOME + "/{figure}", response_class=HTMLResponse)
def network_figure_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    figure: str,
    by: Annotated[str | None, Query(max_length=40)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=20)] = None,
    scope: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """One figure of the banks combined, for the bank's administrators and auditors."""
    asked = question(figure, by, start, end, scope, NETWORK)
    return figure_view(request, uow, principal, asked, network=True)
