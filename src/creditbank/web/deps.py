"""Request-scoped dependencies: the unit of work, today's date, the clock, the page renderer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from creditbank import clock
from creditbank.accounts.api import Outcome
from creditbank.db import Database, UnitOfWork
from creditbank.web.formats import TIME_ZONE, local_time, number, zone
from creditbank.web.i18n import LANGUAGE_NAMES, LANGUAGES, translations, translator_for
from creditbank.web.labels import labeller
from creditbank.web.sessions import CSRF_FIELD, csrf_token, current_session


def get_uow(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work (one transaction) for the request; committed when the view returns,
    before the response is sent (``scope="function"``), so a client never sees an answer for
    a change that did not commit."""
    database: Database = request.app.state.database
    with database.unit_of_work() as uow:
        yield uow


def get_today() -> date:
    return clock.today()


def get_now() -> datetime:
    return datetime.now(UTC)


Uow = Annotated[UnitOfWork, Depends(get_uow, scope="function")]
Today = Annotated[date, Depends(get_today)]
Now = Annotated[datetime, Depends(get_now)]


def language_links(request: Request) -> list[dict[str, str]]:
    """Links that switch the page's language, keeping the rest of the query."""
    links = []
    for language in LANGUAGES:
        query = dict(request.query_params)
        query["lang"] = language
        links.append(
            {
                "code": language,
                "name": LANGUAGE_NAMES[language],
                "href": str(request.url.replace_query_params(**query)),
            }
        )
    return links


def transfer_text(outcome: Outcome, language: str) -> str:
    """What an outcome of transferred credit is, in one sentence of ``language`` ("4 credits
    transferred toward programme P: component C exempted, under rule R version 1, from
    outcomes S"); empty for any other outcome."""
    if outcome.transfer is None:
        return ""
    return outcome.transfer.describe(outcome.credits, language).render(
        translations(language).gettext
    )


def render(
    request: Request, template: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    """Render a page template in the request's language."""
    environment = request.app.state.templates
    translations = translator_for(request)
    time_zone = zone(request.app.state.settings.time_zone)
    page = environment.get_template(template).render(
        request=request,
        language=request.state.language,
        language_links=language_links(request),
        session=current_session(request),
        csrf_field=CSRF_FIELD,
        csrf_token=lambda: csrf_token(request),
        label=labeller(translations.gettext),
        local_time=lambda moment: local_time(moment, time_zone),
        **{TIME_ZONE: time_zone},
        number=number,
        transfer_text=lambda outcome: transfer_text(outcome, request.state.language),
        _=translations.gettext,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
