"""Credit conversion in the pages, second part: the conversions an institution decides on
(confirm, decline, reverse) and a learner's progress toward a programme (what counts, what
rules could add, what is missing, the suggested plan) with the request for a conversion.

:mod:`creditbank.web.pages.conversion` includes this module's router. Thin: build the command,
call its handler, render; every change runs in a unit of work of its own (:func:`attempt`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.conversion import engine, requests, views
from creditbank.conversion.commands import (
    ConfirmConversion,
    DeclineConversion,
    RequestOwnConversion,
    ReverseConversion,
    ShowConversionDesk,
    ShowOwnProgress,
)
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.web.auth import LearnerPage, StaffPage
from creditbank.web.deps import NamedOutcome, Today, Uow, outcome_name
from creditbank.web.pages.changes import refusal, see, status_of
from creditbank.web.pages.conversion_common import Form, attempt, notice, page
from creditbank.web.pages.learner import all_outcomes
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

# --- conversions an institution decides on ------------------------------------------------------


def _conversions_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    desk = views.show_conversion_desk(ShowConversionDesk(), principal=principal, uow=uow)
    return page(
        request,
        "conversion/conversions.html",
        status_code=status_code,
        waiting=desk.waiting,
        decided=desk.decided,
        may_decide=desk.may_decide,
        programmes=desk.programmes,
        named=outcome_namer(desk.sources, request.state.language),
        problems=list(problems),
        failed=failed,
        values=values or {},
        notice=notice,
    )


@pages.get("/staff/conversions", response_class=HTMLResponse)
def conversions_page(
    request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """The conversions toward the institution's programmes (every one, for the bank's staff):
    those waiting for a decision or needing a review first, with their grants."""
    return _conversions_page(request, uow, principal, notice=notice(request, done))


def _decide_conversion(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    decide: Callable[[UnitOfWork], object],
    done: str,
    reason: str = "",
) -> Response:
    refused = attempt(request, decide)
    if isinstance(refused, DomainError):
        return _conversions_page(
            request,
            uow,
            principal,
            status_code=status_of(refused),
            problems=refusal(request, refused),
            failed=public_id,
            values={"reason": reason},
        )
    return see("/staff/conversions", done=done)


@pages.post("/staff/conversions/{public_id}/confirm", response_class=HTMLResponse)
def confirm_conversion(
    public_id: str, request: Request, uow: Uow, principal: StaffPage
) -> Response:
    """Confirm a pending conversion: its grants become transferred credit in the account."""

    def confirm(writing: UnitOfWork) -> object:
        command = ConfirmConversion(public_id)
        return requests.confirm_conversion(command, principal=principal, uow=writing)

    return _decide_conversion(request, uow, principal, public_id, confirm, "confirmed")


@pages.post("/staff/conversions/{public_id}/decline", response_class=HTMLResponse)
def decline_conversion(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Decline a pending conversion, with a reason."""
    command = DeclineConversion(public_id, form.get("reason"))

    def decline(writing: UnitOfWork) -> object:
        return requests.decline_conversion(command, principal=principal, uow=writing)

    return _decide_conversion(
        request, uow, principal, public_id, decline, "declined", command.reason
    )


@pages.post("/staff/conversions/{public_id}/reverse", response_class=HTMLResponse)
def reverse_conversion(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Reverse a confirmed conversion, with a reason: its transferred credit is revoked."""
    command = ReverseConversion(public_id, form.get("reason"))

    def reverse(writing: UnitOfWork) -> object:
        return requests.reverse_conversion(command, principal=principal, uow=writing)

    return _decide_conversion(
        request, uow, principal, public_id, reverse, "reversed", command.reason
    )


# --- a learner's progress ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryLine:
    """Credits of one category of a programme: held, what its components carry, the least
    the programme needs (if it sets one)."""

    name: str
    held: Decimal
    carried: Decimal
    needed: Decimal | None

    @property
    def bar(self) -> Decimal:
        """What the bar measures the held credits against."""
        return self.needed if self.needed is not None else self.carried


def category_lines(progress: engine.Progress) -> list[CategoryLine]:
    programme = progress.programme
    carried: dict[str, Decimal] = {}
    for component in programme.components:
        if component.category:
            carried[component.category] = carried.get(component.category, Decimal(0))
            carried[component.category] += component.credits
    names = dict.fromkeys([*programme.category_credits, *carried, *progress.category_held])
    return [
        CategoryLine(
            name=name,
            held=progress.category_held.get(name, Decimal(0)),
            carried=carried.get(name, Decimal(0)),
            needed=programme.category_credits.get(name),
        )
        for name in names
    ]


OUTCOME_PARAMETERS = frozenset({"outcome", "sources"})
"""The parameters of the engine's explanations that name outcomes (by their public ids; a
rule's sources as several, comma-separated)."""


def outcome_namer(
    outcomes: Mapping[str, NamedOutcome],
    language: str,
    requested: Mapping[str, date] | None = None,
) -> Callable[[Message], Message]:
    """A function giving an explanation that names each outcome by its item, institution and
    date ("计算机辅助设计 (JSVC, 2024-06-30)") instead of its 32-character id, and each of the
    learner's conversions (``requested``: their dates by id) by the day it was requested."""
    requested = requested or {}

    def name(public_id: str) -> object:
        outcome = outcomes.get(public_id.strip())
        return public_id.strip() if outcome is None else outcome_name(outcome, language)

    def named(message: Message) -> Message:
        params: dict[str, object] = {}
        for key, value in message.params.items():
            if isinstance(value, Message):
                params[key] = named(value)
            elif key == "conversion" and isinstance(value, str) and value in requested:
                params[key] = msg("(request of {date})", date=requested[value].isoformat())
            elif key in OUTCOME_PARAMETERS and isinstance(value, str):
                parts = [name(part) for part in value.split(",")]
                params[key] = parts[0] if len(parts) == 1 else _joined(parts)
            else:
                params[key] = value
        return Message(message.template, params)

    return named


def _joined(parts: Sequence[object]) -> Message:
    """Several names as one parameter, each rendered in the reader's language."""
    names = [f"part{n}" for n in range(len(parts))]
    template = "; ".join("{" + key + "}" for key in names)
    return Message(template, dict(zip(names, parts, strict=True)))


def _progress_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    today: date,
    *,
    programme: str,
    account: str = "",
    requested: str = "",
    status_code: int = 200,
    problems: Iterable[str] = (),
) -> Response:
    query = ShowOwnProgress(programme=programme, on=today, account_number=account)
    own = views.show_own_progress(query, principal=learner, uow=uow)
    found = own.progress.progress if own.progress else None
    outcomes = {o.public_id: o for o in all_outcomes(uow, learner.account_number)}
    return page(
        request,
        "conversion/progress.html",
        status_code=status_code,
        learner=learner,
        programmes=own.programmes,
        by_code={p.code: p for p in own.programmes},
        chosen=found.programme.code if found else "",
        progress=found,
        categories=category_lines(found) if found else [],
        outcomes=outcomes,
        named=outcome_namer(
            outcomes,
            request.state.language,
            {c.public_id: c.requested_on for c in own.conversions},
        ),
        conversions_by_id={c.public_id: c for c in own.conversions},
        component_names_en=own.component_names_en,
        conversions=own.conversions,
        requested=next((c for c in own.conversions if c.public_id == requested), None),
        problems=list(problems),
    )


@pages.get("/account/progress", response_class=HTMLResponse)
def progress_page(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    today: Today,
    programme: str = "",
    account: str = "",
    requested: str = "",
) -> Response:
    """The learner's progress toward a programme: what counts, what the approved rules could add
    (a what-if that applies nothing), what is missing, the suggested plan with its reasons; and
    their conversion requests. Their own account only."""
    return _progress_page(
        request,
        uow,
        learner,
        today,
        programme=programme.strip(),
        account=account,
        requested=requested,
    )


@pages.post("/account/conversions", response_class=HTMLResponse)
def request_conversion(
    request: Request, uow: Uow, learner: LearnerPage, today: Today, form: Form
) -> Response:
    """Request the suggested plan as a conversion, for the programme's institution to confirm
    or decline."""
    command = RequestOwnConversion(form.get("programme").strip(), today)
    created = attempt(
        request, lambda w: requests.request_own_conversion(command, principal=learner, uow=w)
    )
    if isinstance(created, DomainError):
        return _progress_page(
            request,
            uow,
            learner,
            today,
            programme="" if created.code == "programme_not_found" else command.programme,
            status_code=status_of(created),
            problems=refusal(request, created),
        )
    return see("/account/progress", programme=created.programme, requested=created.public_id)
