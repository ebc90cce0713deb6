"""The staff's desk: their institution and recent batches; depositing one outcome through a
form; finding a learner by identity number (an audited read of personal data, with a purpose).
The bulk file pages (upload, check, deposit, report) are :mod:`creditbank.web.pages.batches`',
included in this router (and its CSRF check)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.accounts import deposits, learners, outcomes, views
from creditbank.accounts.api import Deposited
from creditbank.accounts.commands import (
    DepositOutcome,
    LookUpLearner,
    OpenAccount,
    ShowDepositForm,
    ShowDesk,
    ShowLookUpForm,
)
from creditbank.accounts.model import (
    AccountError,
    IdNumber,
    LearningSetting,
    OutcomeFacts,
    check_account_number,
    check_outcome,
    normalised,
    parse_id_number,
)
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Today, Uow, cipher_of, render
from creditbank.web.pages import batches
from creditbank.web.pages.changes import attempt
from creditbank.web.pages.changes import database as _database
from creditbank.web.pages.forms import (
    UNPROCESSABLE,
    FieldErrors,
    parse_date,
    parse_decimal,
    say,
)
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
CREATED = 201
RECENT_BATCHES = 10
MIN_PURPOSE, MAX_PURPOSE = 5, 200
CONTENT_TOO_LARGE = 413
# Where a refusal of the deposit service belongs on the form.
_FIELD_OF_CODE = {
    "account_not_found": "account_number",
    "invalid_account_number": "account_number",
    "invalid_id_number": "id_number",
    "invalid_learner": "name",
    "account_exists": "name",
    "record_conflict": "record_id",
}


def _deposit_form_of(uow: UnitOfWork, principal: Principal) -> deposits.DepositForm:
    """The institution the user deposits for (their own; bank staff have none to deposit
    for: ``forbidden``) and its catalogue."""
    return deposits.show_deposit_form(ShowDepositForm(), principal=principal, uow=uow)


@pages.get("/staff", response_class=HTMLResponse)
def desk(request: Request, uow: Uow, principal: StaffPage) -> HTMLResponse:
    """The staff user's home: who they are, their institution and its latest batches."""
    desk = views.show_desk(ShowDesk(RECENT_BATCHES), principal=principal, uow=uow)
    return render(
        request,
        "staff/desk.html",
        principal=principal,
        institution=desk.institution,
        batches=desk.batches,
        may_deposit=principal.institution is not None,
    )


# --- one outcome through a form ----------------------------------------------------------


def _deposit_form(
    request: Request,
    form: deposits.DepositForm,
    values: dict[str, str],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "staff/deposit.html",
        status_code=status_code,
        institution=form.institution,
        items=form.items,
        settings=list(LearningSetting),
        values=values,
        errors=errors.as_dict() if errors else {},
    )


@pages.get("/staff/deposit", response_class=HTMLResponse)
def deposit_form(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    account_number: str = "",
) -> HTMLResponse:
    """The form to deposit one outcome (into an account, or a new one from an identity number)."""
    form = _deposit_form_of(uow, principal)
    values = {
        "account_number": account_number.strip().upper()[:20],
        "record_id": f"WEB-{today:%Y%m%d}-{secrets.token_hex(3).upper()}",
        "assessed_on": today.isoformat(),
        "setting": LearningSetting.FORMAL.value,
    }
    return _deposit_form(request, form, values)


@dataclass(frozen=True, slots=True)
class _Learner:
    account_number: str | None
    id_number: IdNumber | None
    name: str


def _learner_of(errors: FieldErrors, values: dict[str, str]) -> _Learner | None:
    """Who the outcome is for: an account number, or an identity number and name."""
    if values["account_number"].strip():
        if values["id_number"].strip():
            errors.add(
                "id_number",
                msg("leave the identity number empty when you give an account number"),
            )
        try:
            return _Learner(check_account_number(values["account_number"]), None, "")
        except AccountError as error:
            errors.add("account_number", error.message)
            return None
    if not values["id_number"].strip():
        errors.add(
            "account_number",
            msg(
                "give the learner's account number, or their identity number and name "
                "to find or open their account"
            ),
        )
        return None
    name = " ".join(values["name"].split())
    if not name:
        errors.add("name", msg("give the learner's name as on the identity document"))
    try:
        id_number = parse_id_number(values["id_number"])
    except AccountError as error:
        errors.add("id_number", error.message)
        return None
    return _Learner(None, id_number, name) if name else None


def _facts_of(
    errors: FieldErrors, values: dict[str, str], item: catalog.CatalogItem | None, today: date
) -> OutcomeFacts | None:
    """The outcome as the form states it, checked by the same rules as every deposit."""
    if not values["record_id"].strip():
        errors.add("record_id", msg("give your institution's own id of this record"))
    if item is None:
        errors.add("item_code", msg("choose an item of your institution's catalogue"))
    if not values["level"].strip():
        errors.add("level", msg("choose the level the outcome was awarded at"))
    earned = parse_decimal(errors, "credits", values["credits"], 1)
    score = parse_decimal(errors, "score", values["score"], 2)
    assessed_on = parse_date(errors, "assessed_on", values["assessed_on"])
    if assessed_on is None and "assessed_on" not in errors.by_field:
        errors.add("assessed_on", msg("give the date the outcome was assessed"))
    try:
        setting = LearningSetting(values["setting"])
    except ValueError:
        errors.add("setting", msg("setting must be formal, non-formal or informal"))
        return None
    if assessed_on is None or item is None:
        return None
    facts = normalised(
        OutcomeFacts(
            record_id=values["record_id"].strip(),
            item_code=item.code,
            level=values["level"].strip(),
            credits=earned,
            score=score,
            assessed_on=assessed_on,
            setting=setting,
        )
    )
    for field, problem in check_outcome(facts, item_credits=item.credits, today=today):
        errors.add(field, problem)
    if values["level"].strip():
        level = outcomes.item_level(item, facts.level)
        if isinstance(level, Message):
            errors.add("level", level)
    return facts


@pages.post("/staff/deposit", response_class=HTMLResponse)
def deposit(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    account_number: Annotated[str, Form(max_length=64)] = "",
    id_number: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    record_id: Annotated[str, Form(max_length=200)] = "",
    item_code: Annotated[str, Form(max_length=64)] = "",
    level: Annotated[str, Form(max_length=64)] = "",
    credits: Annotated[str, Form(max_length=32)] = "",  # noqa: A002 - the form's field
    score: Annotated[str, Form(max_length=32)] = "",
    assessed_on: Annotated[str, Form(max_length=32)] = "",
    setting: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Deposit one outcome; on any problem nothing is saved and each problem is shown next to
    the field it is about."""
    form = _deposit_form_of(uow, principal)
    values = {
        "account_number": account_number,
        "id_number": id_number,
        "name": name,
        "record_id": record_id,
        "item_code": item_code,
        "level": level,
        "credits": credits,
        "score": score,
        "assessed_on": assessed_on,
        "setting": setting,
    }
    errors = FieldErrors(request)
    learner = _learner_of(errors, values)
    items = {item.code: item for item in form.items}
    facts = _facts_of(errors, values, items.get(item_code), today)
    if errors or learner is None or facts is None:
        return _deposit_form(request, form, values, errors, UNPROCESSABLE)

    def run(writing: UnitOfWork) -> tuple[bool, Deposited]:
        """Open the learner's account when asked to (whether it is new), then deposit."""
        number, opened = learner.account_number, False
        if learner.id_number is not None:
            opening = OpenAccount(
                id_number=learner.id_number.number,
                name=learner.name,
                id_type=learner.id_number.type,
            )
            account = learners.open_account(
                opening, principal=principal, uow=writing, cipher=cipher_of(request)
            )
            number, opened = account.number, account.created
        assert number is not None  # noqa: S101 - one of the two is always given
        command = DepositOutcome(institution=form.institution, account_number=number, facts=facts)
        return opened, deposits.deposit_outcome(
            command, principal=principal, uow=writing, today=today
        )

    done = attempt(request, run)
    if isinstance(done, DomainError):
        errors.add_refusal(done, _FIELD_OF_CODE.get(done.code, "-"))
        return _deposit_form(request, form, values, errors, UNPROCESSABLE)
    opened, deposited = done
    return render(
        request,
        "staff/deposited.html",
        status_code=CREATED if deposited.created else 200,
        outcome=deposited.outcome,
        created=deposited.created,
        opened=opened,
    )


# --- finding a learner -------------------------------------------------------------------------


@pages.get("/staff/lookup", response_class=HTMLResponse)
def lookup_form(request: Request, uow: Uow, principal: StaffPage) -> HTMLResponse:
    """The form to find a learner's account by identity number, with the purpose recorded."""
    learners.show_lookup_form(ShowLookUpForm(), principal=principal, uow=uow)
    return render(request, "staff/lookup.html", values={}, errors={}, found=None, missing=False)


@pages.post("/staff/lookup", response_class=HTMLResponse)
def lookup(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    id_number: Annotated[str, Form(max_length=64)] = "",
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Find a learner by identity number: their personal data is read through the audited
    read, so the learner sees who looked, when and why."""
    learners.show_lookup_form(ShowLookUpForm(), principal=principal, uow=uow)
    errors = FieldErrors(request)
    purpose = " ".join(purpose.split())
    if not MIN_PURPOSE <= len(purpose) <= MAX_PURPOSE:
        errors.add(
            "purpose",
            msg(
                "say why you look the learner up, in {low} to {high} characters",
                low=MIN_PURPOSE,
                high=MAX_PURPOSE,
            ),
        )
    parsed = None
    try:
        parsed = parse_id_number(id_number)
    except AccountError as error:
        errors.add("id_number", error.message)
    values = {"purpose": purpose}
    if errors or parsed is None:
        return render(
            request,
            "staff/lookup.html",
            status_code=UNPROCESSABLE,
            values=values,
            errors=errors.as_dict(),
            found=None,
            missing=False,
        )
    with _database(request).unit_of_work() as writing:
        looked_up = learners.look_up_learner(
            LookUpLearner(parsed, purpose),
            principal=principal,
            uow=writing,
            cipher=cipher_of(request),
        )
    number, found = looked_up.account_number, looked_up.personal_data
    missing = msg("The bank has no account for this identity number.")
    return render(
        request,
        "staff/lookup.html",
        values={},
        errors={},
        found=found,
        account=number,
        missing=say(request, missing) if number is None else None,
    )


pages.include_router(batches.pages)  # the bulk file pages, under this router's CSRF check
