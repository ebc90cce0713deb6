"""Request-scoped dependencies: the unit of work, today's date, the clock, the page renderer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from creditbank import clock
from creditbank.accounts.api import Outcome, PersonalDataCipher
from creditbank.db import Database, UnitOfWork
from creditbank.messages import Message, msg
from creditbank.web.formats import TIME_ZONE, local_time, number, zone
from creditbank.web.i18n import LANGUAGE_NAMES, LANGUAGES, translations, translator_for
from creditbank.web.labels import LABELS, labeller
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


def cipher_of(request: Request) -> PersonalDataCipher:
    """The bank's cipher of learners' personal data (made once, by the app factory)."""
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


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


class NamedOutcome(Protocol):
    """What names an outcome to people (an :class:`Outcome`, or just its label)."""

    @property
    def institution(self) -> str: ...

    @property
    def assessed_on(self) -> date: ...

    def item_name_in(self, language: str) -> str: ...


def outcome_name(outcome: NamedOutcome, language: str) -> Message:
    """An outcome as pages name it to people: its item, institution and date (never its id)."""
    return msg(
        "{item} ({institution}, {date})",
        item=outcome.item_name_in(language),
        institution=outcome.institution,
        date=outcome.assessed_on.isoformat(),
    )


def transfer_text(outcome: Outcome, language: str, known: Iterable[Outcome] = ()) -> str:
    """What an outcome of transferred credit is, in one sentence of ``language`` ("4 credits
    transferred toward programme P: component C exempted, under rule R version 1, from
    outcomes S"); empty for any other outcome. Its sources among the ``known`` outcomes are
    named by item, institution and date; the others are counted."""
    if outcome.transfer is None:
        return ""
    described = outcome.transfer.describe(outcome.credits, language)
    params = dict(described.params)
    category = LABELS.get(("category", str(params.get("category", ""))))
    if category is not None:  # a category the bank has a name for: the name, not the code
        params["category"] = category
    by_id = {o.public_id: o for o in known}
    named = [outcome_name(by_id[s], language) for s in outcome.transfer.sources if s in by_id]
    unknown = len(outcome.transfer.sources) - len(named)
    if unknown:
        named.append(msg("{count} other outcomes", count=unknown))
    keys = [f"source{n}" for n in range(len(named))]
    params["sources"] = Message(
        "; ".join("{" + k + "}" for k in keys), dict(zip(keys, named, strict=True))
    )
    return Message(described.template, params).render(translations(language).gettext)


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
        transfer_text=lambda outcome, known=(): transfer_text(
            outcome, request.state.language, known
        ),
        _=translations.gettext,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
