"""The public page of the national platform's figures: how many results all banks' references
hold for a question (item kind, item, level, year, bank), by bank and by year, small counts
suppressed. No login; the same handler as ``GET /api/v1/national/counts``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.national import counting
from creditbank.national.commands import CountResults
from creditbank.national.model import ITEM_KINDS, NationalError
from creditbank.web.deps import Uow, render
from creditbank.web.i18n import translator_for

pages = APIRouter(include_in_schema=False)


def _given(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


@pages.get("/national", response_class=HTMLResponse)
def national_figures(
    request: Request,
    uow: Uow,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    item: Annotated[str | None, Query(max_length=130)] = None,
    level: Annotated[str | None, Query(max_length=140)] = None,
    year: Annotated[str | None, Query(max_length=8)] = None,
    bank: Annotated[str | None, Query(max_length=255)] = None,
) -> Response:
    """Public: the figures for the question in the query (all results when none is asked)."""
    form = {
        "kind": _given(kind) or "",
        "item": _given(item) or "",
        "level": _given(level) or "",
        "year": _given(year) or "",
        "bank": _given(bank) or "",
    }
    errors: list[str] = []
    counts = None
    year_number = None
    if form["year"]:
        if form["year"].isdigit():
            year_number = int(form["year"])
        else:
            errors.append(translator_for(request).gettext("year must be a number, e.g. 2025"))
    if not errors:
        try:
            counts = counting.count_results(
                CountResults(
                    kind=form["kind"] or None,
                    item=form["item"] or None,
                    level=form["level"] or None,
                    year=year_number,
                    bank=form["bank"] or None,
                ),
                principal=None,
                uow=uow,
                suppress_below=request.app.state.settings.national_suppress_below,
            )
        except NationalError as error:
            translate = translator_for(request).gettext
            errors = [p.render(translate) for p in error.problems] or [error.render(translate)]
    return render(
        request,
        "public/national.html",
        status_code=422 if errors else 200,
        counts=counts,
        form=form,
        kinds=sorted(ITEM_KINDS),
        errors=errors,
        suppress_below=request.app.state.settings.national_suppress_below,
    )
