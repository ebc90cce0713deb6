"""The learner's own pages: their outcomes by level, who saw their personal data, consents
and shares; and the page a verifier opens from a share link."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from creditbank.access.policy import LearnerPrincipal
from creditbank.accounts import outcomes as transcripts
from creditbank.accounts import views
from creditbank.accounts.commands import ShowMyAccessLog, ShowMyOutcomes, ShowShared
from creditbank.accounts.outcomes import Outcome
from creditbank.consents import handlers as consents
from creditbank.consents.commands import (
    CreateShare,
    GrantConsent,
    ListConsents,
    ListShares,
    RevokeShare,
    WithdrawConsent,
)
from creditbank.consents.model import (
    MAX_LABEL,
    Status,
    check_expiry,
    check_label,
)
from creditbank.consents.service import NewShare
from creditbank.credentials import sharing
from creditbank.credentials.commands import ExportSharedCredential, ExportSharedRecord
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.web.auth import LearnerPage
from creditbank.web.deps import Now, Today, Uow, cipher_of, render
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, parse_date, say
from creditbank.web.pages.timeline import by_level, standing_credits
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
NOT_FOUND = 404
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def all_outcomes(uow: UnitOfWork, number: str) -> list[Outcome]:
    """Every outcome of the account, page by page."""
    return transcripts.every_outcome(uow=uow, account_number=number)


def my_outcomes_of(uow: UnitOfWork, learner: LearnerPrincipal) -> list[Outcome]:
    """Every outcome of the logged-in learner's own account."""
    return views.show_my_outcomes(ShowMyOutcomes(), principal=learner, uow=uow).outcomes


@pages.get("/me", response_class=HTMLResponse)
def my_outcomes(request: Request, uow: Uow, learner: LearnerPage) -> HTMLResponse:
    """The learner's outcomes as a timeline grouped by level, and their personal data."""
    mine = views.show_my_outcomes(
        ShowMyOutcomes(with_personal_data=True),
        principal=learner,
        uow=uow,
        cipher=cipher_of(request),
    )
    outcomes = mine.outcomes
    return render(
        request,
        "me/outcomes.html",
        learner=learner,
        personal=mine.personal_data,
        groups=by_level(outcomes),
        count=len(outcomes),
        total_credits=standing_credits(outcomes),
        institutions={i.code: i for i in institutions.list_institutions(uow=uow)},
    )


@pages.get("/me/access", response_class=HTMLResponse)
def my_access_log(request: Request, uow: Uow, learner: LearnerPage) -> HTMLResponse:
    """Every time staff opened the learner's personal data: who, when, why."""
    entries = views.show_my_access_log(ShowMyAccessLog(), principal=learner, uow=uow)
    users = institutions.users_by_id(uow=uow, user_ids={entry.user_id for entry in entries})
    return render(
        request,
        "me/access.html",
        entries=list(reversed(entries)),
        users=users,
        institutions={i.code: i for i in institutions.list_institutions(uow=uow)},
    )


def _consents_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    now: Now,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    listed = consents.list_consents(ListConsents(), principal=learner, uow=uow)
    return render(
        request,
        "me/consents.html",
        status_code=status_code,
        consents=[(consent, consent.status(now)) for consent in listed],
        active=Status.ACTIVE,
        institutions=institutions.list_institutions(uow=uow),
        values=values or {},
        errors=errors.as_dict() if errors else {},
        notice=notice,
    )


@pages.get("/me/consents", response_class=HTMLResponse)
def my_consents(
    request: Request, uow: Uow, learner: LearnerPage, now: Now, done: str | None = None
) -> HTMLResponse:
    """The learner's consents, and the form to grant one."""
    notices = {
        "granted": msg("Consent granted."),
        "withdrawn": msg("Consent withdrawn."),
    }
    notice = say(request, notices[done]) if done in notices else None
    return _consents_page(request, uow, learner, now, notice=notice)


@pages.post("/me/consents", response_class=HTMLResponse)
def grant_consent(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: Now,
    today: Today,
    institution: Annotated[str, Form(max_length=64)] = "",
    until: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Let an institution's staff read the learner's whole record (until a date, or until
    withdrawn)."""
    errors = FieldErrors(request)
    chosen = institution.strip().upper()
    if not chosen:
        errors.add("institution", msg("choose an institution"))
    end = parse_date(errors, "until", until)
    for problem in check_expiry(end, today):
        errors.add("until", problem)
    if not errors:
        try:
            with _database(request).unit_of_work() as writing:
                consents.grant_consent(
                    GrantConsent(chosen, end), principal=learner, uow=writing, today=today, now=now
                )
        except DomainError as error:
            field = "until" if error.code == "invalid_consent" else "institution"
            for problem in (error.message, *error.problems):
                errors.add(field, problem)
    if errors:
        values = {"institution": institution, "until": until}
        return _consents_page(
            request, uow, learner, now, status_code=UNPROCESSABLE, values=values, errors=errors
        )
    return RedirectResponse("/me/consents?done=granted", status_code=303)


@pages.post("/me/consents/{consent_id}/withdraw")
def withdraw_consent(consent_id: int, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """End a consent now."""
    consents.withdraw_consent(WithdrawConsent(consent_id), principal=learner, uow=uow, now=now)
    return RedirectResponse("/me/consents?done=withdrawn", status_code=303)


def _shares_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    now: Now,
    *,
    status_code: int = 200,
    values: Mapping[str, object] | None = None,
    errors: FieldErrors | None = None,
    created: NewShare | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    link = f"{str(request.base_url).rstrip('/')}/shared/{created.token}" if created else None
    return render(
        request,
        "me/shares.html",
        status_code=status_code,
        shares=[
            (share, share.status(now))
            for share in consents.list_shares(ListShares(), principal=learner, uow=uow)
        ],
        active=Status.ACTIVE,
        outcomes=my_outcomes_of(uow, learner),
        institutions={i.code: i for i in institutions.list_institutions(uow=uow)},
        values=values or {},
        errors=errors.as_dict() if errors else {},
        created=created,
        link=link,
        qr=_qr_code(link) if link else None,
        max_label=MAX_LABEL,
        notice=notice,
    )


@pages.get("/me/shares", response_class=HTMLResponse)
def my_shares(
    request: Request, uow: Uow, learner: LearnerPage, now: Now, done: str | None = None
) -> HTMLResponse:
    """The learner's share links, and the form to make one."""
    notice = say(request, msg("The link no longer works.")) if done == "revoked" else None
    return _shares_page(request, uow, learner, now, notice=notice)


@pages.post("/me/shares", response_class=HTMLResponse)
def create_share(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: Now,
    today: Today,
    outcome: Annotated[list[str] | None, Form()] = None,
    label: Annotated[str, Form(max_length=1000)] = "",
    until: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Make a secret link to the chosen outcomes; the link is shown once, on this page."""
    chosen = list(dict.fromkeys(outcome or []))
    errors = FieldErrors(request)
    if not chosen:
        errors.add("outcome", msg("choose at least one outcome to share"))
    for problem in check_label(" ".join(label.split())):
        errors.add("label", problem)
    end = parse_date(errors, "until", until)
    for problem in check_expiry(end, today):
        errors.add("until", problem)
    created = None
    if not errors:
        try:
            with _database(request).unit_of_work() as writing:
                created = consents.create_share(
                    CreateShare(tuple(chosen), label, end),
                    principal=learner,
                    uow=writing,
                    today=today,
                    now=now,
                )
        except DomainError as error:
            for problem in (error.message, *error.problems):
                errors.add("outcome", problem)
    if errors or created is None:
        values = {"outcome": chosen, "label": label, "until": until}
        return _shares_page(
            request, uow, learner, now, status_code=UNPROCESSABLE, values=values, errors=errors
        )
    return _shares_page(request, uow, learner, now, created=created)


@pages.post("/me/shares/{share_id}/revoke")
def revoke_share(share_id: str, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """Make a share link worthless from now on."""
    consents.revoke_share(RevokeShare(share_id), principal=learner, uow=uow, now=now)
    return RedirectResponse("/me/shares?done=revoked", status_code=303)


@pages.get("/shared/{token}", response_class=HTMLResponse)
def shared(token: str, request: Request, uow: Uow, now: Now) -> HTMLResponse:
    """What a learner shared with a verifier: the chosen outcomes and the learner's name only."""
    found = _shared(request, uow, token, now)
    if found is None:
        response = render(request, "shared.html", status_code=NOT_FOUND, record=None)
    else:
        record, name, outcomes = found.record, found.name, found.outcomes
        verdicts = [
            (outcome, found.verdicts[outcome.public_id])
            for outcome in outcomes
            if outcome.public_id in found.verdicts
        ]
        response = render(
            request,
            "shared.html",
            record=record,
            name=name,
            token=token,
            groups=by_level(outcomes),
            verdicts=verdicts,
            institutions={i.code: i for i in institutions.list_institutions(uow=uow)},
        )
    response.headers.update(PRIVATE_HEADERS)
    return response


def _shared(request: Request, uow: UnitOfWork, token: str, now: datetime) -> views.Shared | None:
    query = ShowShared(token)
    return views.show_shared(query, principal=None, uow=uow, cipher=cipher_of(request), now=now)


def attachment(filename: str) -> dict[str, str]:
    """Headers that make a private answer a download named ``filename``."""
    return {**PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}


def credential_download(document: Mapping[str, Any], filename: str) -> Response:
    """A signed credential (or record) as a JSON-LD file to keep."""
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Response(body, media_type="application/vc+ld+json", headers=attachment(filename))


@pages.get("/shared/{token}/credentials/{outcome_id}.json")
def shared_credential(token: str, outcome_id: str, uow: Uow, now: Now) -> Response:
    """A shared outcome as its signed Open Badges 3.0 credential, to keep or verify anywhere."""
    query = ExportSharedCredential(token, outcome_id)
    document = sharing.export_shared_credential(query, principal=None, uow=uow, now=now)
    return credential_download(document, f"credential-{outcome_id}.json")


@pages.get("/shared/{token}/record.json")
def shared_record(token: str, uow: Uow, now: Now) -> Response:
    """Every shared outcome still standing, as one CLR 2.0 record signed by the bank."""
    clr = sharing.export_shared_record(ExportSharedRecord(token), principal=None, uow=uow, now=now)
    return credential_download(clr, "record.json")


def _qr_code(link: str) -> Markup:
    """The link as a QR code (inline SVG, drawn here: the page loads nothing), for a phone."""
    return Markup(segno.make(link, error="m").svg_inline(scale=4, svgclass="qr"))  # noqa: S704 - segno's own SVG
