"""The statistics page of skills in demand and held: ``/stats/skills?by=skill|occupation|region``,
the open jobs employers posted against the learners holding the skills they ask for, as a bar
chart drawn on the server and a table, with links to the same table as CSV, XLSX and JSON.

Public like the summary (``/stats`` links to it): the handler (``stats.demand``) reads and
suppresses the small counts of learners; the downloads are the public API's
(``GET /api/v1/stats/skills``), which needs no token. Thin: parse, call, render.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.stats import demand
from creditbank.stats.commands import ShowSkillDemand
from creditbank.stats.model import DIMENSION_LABELS, SKILL_DEMAND
from creditbank.web.deps import Uow, render
from creditbank.web.i18n import translator_for
from creditbank.web.pages.stats import charts, shaping
from creditbank.web.sessions import current_session

pages = APIRouter(include_in_schema=False)

PATH = "/stats/skills"
API = "/api/v1/stats/skills"


def _viewer(request: Request) -> Principal | LearnerPrincipal | None:
    session = current_session(request)
    return session.principal if session else None


@pages.get(PATH, response_class=HTMLResponse)
def skill_demand_page(
    request: Request,
    uow: Uow,
    by: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """Public: open jobs and learners holding their skills, by skill, occupation or region (an
    unknown breakdown is the handler's 400)."""
    table = demand.show_skill_demand(
        ShowSkillDemand(by=(by or "").strip() or "skill"),
        principal=_viewer(request),
        uow=uow,
        suppress_below=request.app.state.settings.stats_suppress_below,
    )
    translate = translator_for(request).gettext
    language = request.state.language
    words = {name: label.render(translate) for name, label in SKILL_DEMAND.measures}
    series = charts.series_of([(measure, words[measure]) for measure in table.measures])
    by_label = DIMENSION_LABELS[table.by].render(translate)
    drawn = shaping.chart_rows(table, language)
    shown = shaping.columns(table, words, translate)
    return render(
        request,
        "stats/skills.html",
        table=table,
        figure_label=SKILL_DEMAND.label.render(translate),
        by_label=by_label,
        breakdowns=[
            (value, DIMENSION_LABELS[value].render(translate)) for value in SKILL_DEMAND.by
        ],
        charts_drawn=[  # one each: open jobs are a few, learners many; one scale hid the jobs
            (
                f"chart-{one.key}",
                charts.bar_chart(f"{one.label} · {by_label}", drawn, [one]),
            )
            for one in series
        ],
        table_columns=shown,
        rows=[shaping.table_row(table, row, shown, language) for row in table.rows],
        total=shaping.table_row(table, table.total, shown, language),
        downloads=[
            (name, f"{API}?{urlencode({'by': table.by, 'format': file_format})}", file_format)
            for name, file_format in (("CSV", "csv"), ("XLSX", "xlsx"), ("JSON", "json"))
        ],
    )
