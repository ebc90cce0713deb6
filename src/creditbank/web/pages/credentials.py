"""Pages of verifiable credentials: the public verifier, learners' share links and downloads,
and the record a share link opens.

- ``/verify``, for anyone: paste a credential (JSON-LD or a JWT) or choose its file; the
  verdict says in plain words whether it is genuine and valid, who issued it and what it is,
  with every check one click away (a CLR: each credential inside too). ``/verify?credential=``
  verifies what a QR code carries. Verifying reads and stores nothing, so its form needs no
  CSRF token (anyone may post a credential to it, as to ``POST /api/v1/verify``).
- ``/me/share-links``, for a learner: their share links, the form to make one (its link shown
  once, with a QR code) and to withdraw one, and downloads of their own credentials (Open
  Badges 3.0 as JSON-LD or JWT) and of their whole record (CLR 2.0).
- ``/verified/{token}``, for whoever has the link: the shared outcomes, each credential verified
  by the bank as the page is made, with the credentials and the set as a CLR to download. It
  shows neither the learner's name nor the account number (the credentials hold only a salted
  hash of it).

Thin, like every page: call the service, turn its answers into what the templates show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from creditbank.accounts import api as accounts
from creditbank.consents.model import MAX_LABEL
from creditbank.credentials import service
from creditbank.credentials.documents import EQF_CORRESPONDENCE
from creditbank.credentials.routes import MAX_CREDENTIAL_BYTES, VC_JSON
from creditbank.credentials.service import CredentialError
from creditbank.credentials.verifier import Check, Result, Verdict, issuer_id
from creditbank.db import Database, UnitOfWork
from creditbank.messages import Message, msg
from creditbank.web.auth import LearnerPage
from creditbank.web.deps import Now, Uow, render
from creditbank.web.formats import number
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, say
from creditbank.web.pages.learner import PRIVATE_HEADERS, all_outcomes
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False)

SHARED = "/verified"
"""Where a share link of credentials opens (``/shared/`` is the consents' share links)."""
DEFAULT_DAYS = 30
MAX_SHARE_LABEL = 200
"""The service keeps this many characters of a link's note."""
MAX_QUERY_CREDENTIAL = 16_000
"""Characters of a credential in ``/verify?credential=`` (what a QR code or a link holds)."""
SEE_OTHER = 303
NOT_FOUND = 404
JWT_MEDIA_TYPE = "application/vc+jwt"

CHECK_NAMES: dict[Check, Message] = {
    Check.SYNTAX: msg("Format"),
    Check.SCHEMA: msg("Open Badges schema"),
    Check.ISSUER_KEY: msg("Issuer's key"),
    Check.SIGNATURE: msg("Signature"),
    Check.VALIDITY: msg("Validity dates"),
    Check.STATUS: msg("Revocation status"),
    Check.LEDGER: msg("Bank's ledger"),
}
RESULT_WORDS: dict[Result, Message] = {
    Result.PASSED: msg("passed"),
    Result.FAILED: msg("failed"),
    Result.SKIPPED: msg("skipped"),
}
FAILURES: dict[Check, Message] = {
    Check.SYNTAX: msg(
        "this is not a credential that can be read: paste the whole JSON text or JWT of a "
        "verifiable credential"
    ),
    Check.SCHEMA: msg("the credential does not have the structure an Open Badge must have"),
    Check.ISSUER_KEY: msg("the key that signed the credential cannot be confirmed as the issuer's"),
    Check.SIGNATURE: msg(
        "the signature does not match: the credential was changed after it was signed, "
        "or someone other than the issuer signed it"
    ),
    Check.VALIDITY: msg("the credential is not valid at this date"),
    Check.STATUS: msg("the issuer has revoked or suspended this credential"),
    Check.LEDGER: msg("the bank's ledger does not confirm the record behind this credential"),
}
PART_FAILED = msg("a credential inside this record could not be verified")
NOT_SIGNED = msg("the signature could not be checked")
KINDS: tuple[tuple[str, Message], ...] = (
    ("ClrCredential", msg("Comprehensive Learner Record")),
    ("OpenBadgeCredential", msg("Open Badge")),
    ("AchievementCredential", msg("Open Badge")),
    ("BitstringStatusListCredential", msg("Status list")),
)
OTHER_KIND = msg("Verifiable credential")
FORMATS: dict[str, Message] = {
    "data_integrity": msg("JSON-LD with a Data Integrity proof"),
    "jwt": msg("JWT (VC-JOSE)"),
}
ACHIEVEMENT_TYPES: dict[str, Message] = {
    "Diploma": msg("Diploma"),
    "Course": msg("Course"),
    "Certificate": msg("Certificate"),
    "Certification": msg("Certification"),
    "Award": msg("Award"),
    "Competency": msg("Competency"),
    "Achievement": msg("Achievement"),
}
JsonObject = dict[str, Any]


# What the templates show -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckView:
    check: str
    name: str
    result: str
    word: str
    message: str


@dataclass(frozen=True, slots=True)
class LevelView:
    framework: str
    code: str
    name: str
    correspondence: bool
    """Reached through a crosswalk (the EQF), not awarded as such."""


@dataclass(frozen=True, slots=True)
class VerdictView:
    """A verdict as a non-specialist reads it: the answer, the first reason, what it is."""

    verified: bool
    reason: str | None
    detail: str | None
    kind: str
    read_as: str | None
    issuer_name: str | None
    issuer_id: str | None
    name: str | None
    achievement: str | None
    achievement_type: str | None
    levels: tuple[LevelView, ...]
    credits: str | None
    awarded: str | None
    valid_from: str | None
    valid_until: str | None
    checks: tuple[CheckView, ...]
    parts: tuple[VerdictView, ...]

    @property
    def title(self) -> str | None:
        return self.achievement or self.name


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date(value: object) -> str | None:
    """The date of a credential's dateTime (``2025-01-10``), as written."""
    text = _text(value)
    return text[:10] if text else None


def _first_object(value: object) -> Mapping[str, Any]:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
    return value if isinstance(value, dict) else {}


def _types(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _kind(request: Request, credential: Mapping[str, Any]) -> str:
    types = _types(credential.get("type"))
    found = next((word for name, word in KINDS if name in types), OTHER_KIND)
    return say(request, found)


def _credits(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return number(Decimal(str(value)))
    except ArithmeticError:
        return None


def _levels(achievement: Mapping[str, Any]) -> tuple[LevelView, ...]:
    alignments = achievement.get("alignment")
    return tuple(
        LevelView(
            framework=_text(item.get("targetFramework")) or "",
            code=_text(item.get("targetCode")) or "",
            name=_text(item.get("targetName")) or "",
            correspondence=item.get("targetType") == EQF_CORRESPONDENCE,
        )
        for item in (alignments if isinstance(alignments, list) else [])
        if isinstance(item, dict)
    )


def _reason(request: Request, verdict: Verdict) -> tuple[str | None, str | None]:
    """The first reason the credential fails, in plain words, and what the check found."""
    if verdict.verified:
        return None, None
    failed = verdict.failed()
    if failed:
        first = failed[0]
        return say(request, FAILURES[first.check]), say(request, first.message)
    if any(not part.verified for part in verdict.parts):
        return say(request, PART_FAILED), None
    return say(request, NOT_SIGNED), None


def verdict_view(request: Request, verdict: Verdict) -> VerdictView:
    """What a verdict page shows of ``verdict``, in the request's language."""
    credential: Mapping[str, Any] = verdict.credential or {}
    subject = _first_object(credential.get("credentialSubject"))
    achievement = _first_object(subject.get("achievement"))
    issuer = credential.get("issuer")
    kind = _text(achievement.get("achievementType"))
    reason, detail = _reason(request, verdict)
    read_as = FORMATS.get(verdict.format)
    return VerdictView(
        verified=verdict.verified,
        reason=reason,
        detail=detail,
        kind=_kind(request, credential),
        read_as=say(request, read_as) if read_as else None,
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, dict) else None,
        issuer_id=issuer_id(credential),
        name=_text(credential.get("name")),
        achievement=_text(achievement.get("name")),
        achievement_type=say(request, ACHIEVEMENT_TYPES[kind])
        if kind in ACHIEVEMENT_TYPES
        else kind,
        levels=_levels(achievement),
        credits=_credits(subject.get("creditsEarned")),
        awarded=_date(credential.get("awardedDate")),
        valid_from=_date(credential.get("validFrom", credential.get("issuanceDate"))),
        valid_until=_date(credential.get("validUntil", credential.get("expirationDate"))),
        checks=tuple(
            CheckView(
                check=c.check.value,
                name=say(request, CHECK_NAMES[c.check]),
                result=c.result.value,
                word=say(request, RESULT_WORDS[c.result]),
                message=say(request, c.message),
            )
            for c in verdict.checks
        ),
        parts=tuple(verdict_view(request, part) for part in verdict.parts),
    )


def qr_code(url: str, title: str) -> Markup:
    """A QR code of ``url`` as inline SVG (drawn on the server: no script, nothing fetched)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, title=title, svgclass="qr")
    return Markup(svg)  # noqa: S704 - segno's own SVG, with the title escaped by segno


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _attachment(filename: str) -> dict[str, str]:
    return {**PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}


def _json_download(document: Mapping[str, Any], filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Response(body, media_type=VC_JSON, headers=_attachment(filename))


# The verifier -------------------------------------------------------------------------


def _verify_page(
    request: Request,
    uow: UnitOfWork,
    now: datetime,
    *,
    text: str,
    data: str | bytes | None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    verdict = None
    if data is not None:
        verdict = verdict_view(request, service.verify(uow=uow, data=data, now=now))
    response = render(
        request,
        "credentials/verify.html",
        status_code=UNPROCESSABLE if errors else 200,
        verdict=verdict,
        text=text,
        errors=errors.as_dict() if errors else {},
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


@pages.get("/verify", response_class=HTMLResponse)
def verify_form(
    request: Request,
    uow: Uow,
    now: Now,
    credential: Annotated[str, Query(max_length=MAX_QUERY_CREDENTIAL)] = "",
) -> HTMLResponse:
    """The form to check a credential; with ``?credential=`` (from a QR code), its verdict."""
    text = credential.strip()
    return _verify_page(request, uow, now, text=text, data=text or None)


@pages.post("/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    uow: Uow,
    now: Now,
    credential: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """The verdict on a pasted credential, or on its file (the file when both are given)."""
    errors = FieldErrors(request)
    data: str | bytes | None = None
    if file is not None and (file.filename or file.size):
        content = file.file.read(MAX_CREDENTIAL_BYTES + 1)
        if len(content) > MAX_CREDENTIAL_BYTES:
            size = MAX_CREDENTIAL_BYTES // (1024 * 1024)
            errors.add("file", msg("the file is larger than {size} MiB", size=size))
        elif not content.strip():
            errors.add("file", msg("the file is empty"))
        else:
            data = content
    elif credential.strip():
        data = credential
    else:
        errors.add("credential", msg("paste a credential or choose its file"))
    return _verify_page(request, uow, now, text=credential, data=data, errors=errors or None)


# The learner's share links and downloads ----------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkRow:
    link: service.ShareLink
    state: str
    """active, expired or withdrawn"""
    outcomes: list[str]


def _state(link: service.ShareLink, now: datetime) -> str:
    if link.revoked_at is not None:
        return "withdrawn"
    return "active" if link.active(now) else "expired"


def _links_page(
    request: Request,
    uow: UnitOfWork,
    account_number: str,
    now: datetime,
    *,
    status_code: int = 200,
    values: Mapping[str, object] | None = None,
    errors: FieldErrors | None = None,
    created: service.ShareLink | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    outcomes = all_outcomes(uow, account_number)
    names = {outcome.public_id: outcome.item_name for outcome in outcomes}
    standing = set(accounts.standing_outcome_ids(uow=uow, account_number=account_number))
    url = f"{service.public_url(uow)}{SHARED}/{created.token}" if created and created.token else None
    qr_title = say(request, msg("QR code of the share link"))
    return render(
        request,
        "credentials/share_links.html",
        status_code=status_code,
        links=[
            LinkRow(link, _state(link, now), [names.get(oid, oid) for oid in link.outcome_ids])
            for link in service.share_links(uow=uow, account_number=account_number)
        ],
        outcomes=[outcome for outcome in outcomes if outcome.public_id in standing],
        values=values or {"days": str(DEFAULT_DAYS)},
        errors=errors.as_dict() if errors else {},
        created=created,
        url=url,
        qr=qr_code(url, qr_title) if url else None,
        max_days=service.MAX_SHARE_DAYS,
        max_label=min(MAX_LABEL, MAX_SHARE_LABEL),
        notice=notice,
    )


@pages.get("/me/share-links", response_class=HTMLResponse)
def my_share_links(
    request: Request, uow: Uow, learner: LearnerPage, now: Now, done: str | None = None
) -> HTMLResponse:
    """The learner's share links of credentials, the form to make one, and the downloads."""
    notice = say(request, msg("The link no longer works.")) if done == "withdrawn" else None
    return _links_page(request, uow, learner.account_number, now, notice=notice)


def _days(errors: FieldErrors, text: str) -> int | None:
    """The whole number of days typed, or an error next to the field."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    errors.add(
        "days",
        msg("enter a whole number of days, from 1 to {max}", max=service.MAX_SHARE_DAYS),
    )
    return None


@pages.post(
    "/me/share-links", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def create_share_link(
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    now: Now,
    outcome: Annotated[list[str] | None, Form()] = None,
    days: Annotated[str, Form(max_length=16)] = "",
    label: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    """Make a link to the chosen outcomes' credentials; its secret is shown once, here."""
    chosen = list(dict.fromkeys(outcome or []))
    errors = FieldErrors(request)
    length = _days(errors, days)
    created = None
    if length is None and not chosen:
        errors.add("outcome", msg("choose at least one outcome to share"))
    if length is not None:
        try:
            # a unit of work of its own: a refusal changes nothing
            with _database(request).unit_of_work() as writing:
                created = service.create_share_link(
                    uow=writing,
                    account_number=learner.account_number,
                    outcome_ids=chosen,
                    days=length,
                    label=label,
                    now=now,
                )
        except CredentialError as error:
            for problem in error.problems or (error.message,):
                errors.add("days" if "days" in problem.params else "outcome", problem)
    if created is None:
        values = {"outcome": chosen, "days": days, "label": label}
        return _links_page(
            request,
            uow,
            learner.account_number,
            now,
            status_code=UNPROCESSABLE,
            values=values,
            errors=errors,
        )
    return _links_page(request, uow, learner.account_number, now, created=created)


@pages.post("/me/share-links/{link_id}/revoke", dependencies=[Depends(csrf_protect)])
def revoke_share_link(link_id: str, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """Withdraw a share link: from now on it opens nothing."""
    service.revoke_share_link(
        uow=uow, account_number=learner.account_number, link_id=link_id, now=now
    )
    return RedirectResponse("/me/share-links?done=withdrawn", status_code=SEE_OTHER)


def _own_outcome(uow: UnitOfWork, account_number: str, outcome_id: str) -> str:
    """``outcome_id`` if it is one of the learner's outcomes that still count, else 404."""
    wanted = outcome_id.strip().lower()
    if wanted not in accounts.standing_outcome_ids(uow=uow, account_number=account_number):
        raise CredentialError(
            "outcome_not_found",
            msg("you have no outcome {id} that still counts", id=outcome_id),
        )
    return wanted


@pages.get("/me/outcomes/{outcome_id}/credential.json")
def my_credential(outcome_id: str, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """One of the learner's outcomes as a signed Open Badges 3.0 credential (JSON-LD)."""
    wanted = _own_outcome(uow, learner.account_number, outcome_id)
    issued = service.issue(uow=uow, outcome_id=wanted, fmt="ob3", now=now)
    return _json_download(issued.document or {}, f"credential-{wanted}.json")


@pages.get("/me/outcomes/{outcome_id}/credential.jwt")
def my_credential_jwt(outcome_id: str, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """One of the learner's outcomes as a signed Open Badges 3.0 credential (VC-JOSE JWT)."""
    wanted = _own_outcome(uow, learner.account_number, outcome_id)
    issued = service.issue(uow=uow, outcome_id=wanted, fmt="jwt", now=now)
    return Response(
        (issued.jwt or "") + "\n",
        media_type=JWT_MEDIA_TYPE,
        headers=_attachment(f"credential-{wanted}.jwt"),
    )


@pages.get("/me/record.json")
def my_record(uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """The learner's whole record (every outcome that still counts) as a signed CLR."""
    document = service.issue_clr(
        uow=uow, account_number=learner.account_number, outcome_ids=None, now=now
    )
    return _json_download(document, "learning-record.json")


# What a share link opens --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharedItem:
    credential_id: str
    verdict: VerdictView


def _shared_documents(record: service.SharedRecord) -> Sequence[tuple[str, str, JsonObject]]:
    """(credential id, outcome id, signed document) of each shared outcome still standing."""
    return [
        (issued.credential_id, issued.outcome_id, issued.document)
        for issued in record.credentials
        if issued.document is not None
    ]


@pages.get(SHARED + "/{token}", response_class=HTMLResponse)
def shared_record(token: str, request: Request, uow: Uow, now: Now) -> HTMLResponse:
    """The outcomes a learner shared: each credential verified now, and the downloads."""
    try:
        record = service.open_share_link(uow=uow, token=token, now=now)
    except CredentialError as error:
        if error.code != "share_link_not_found":
            raise
        response = render(
            request,
            "credentials/shared.html",
            status_code=NOT_FOUND,
            record=None,
            message=say(request, error.message),
        )
    else:
        items = [
            SharedItem(
                credential_id,
                verdict_view(request, service.verify(uow=uow, data=document, now=now)),
            )
            for credential_id, _, document in _shared_documents(record)
        ]
        response = render(
            request,
            "credentials/shared.html",
            record=record,
            items=items,
            base=f"{SHARED}/{token}",
        )
    response.headers.update(PRIVATE_HEADERS)
    return response


@pages.get(SHARED + "/{token}/credentials/{credential_id}.json")
def shared_credential(token: str, credential_id: str, uow: Uow, now: Now) -> Response:
    """One shared credential, as issued (JSON-LD with its proof)."""
    record = service.open_share_link(uow=uow, token=token, now=now)
    found = next((d for c, _, d in _shared_documents(record) if c == credential_id), None)
    if found is None:
        raise CredentialError(
            "credential_not_found", msg("there is no credential {id}", id=credential_id)
        )
    return _json_download(found, f"credential-{credential_id}.json")


@pages.get(SHARED + "/{token}/record.json")
def shared_clr(token: str, uow: Uow, now: Now) -> Response:
    """The shared outcomes as one CLR signed by the bank."""
    record = service.open_share_link(uow=uow, token=token, now=now)
    chosen = [outcome_id for _, outcome_id, _ in _shared_documents(record)]
    if not chosen:  # never ask for "all": an empty choice would mean every outcome
        raise CredentialError(
            "credential_not_found", msg("none of the shared outcomes still counts")
        )
    document = service.issue_clr(
        uow=uow, account_number=record.account_number, outcome_ids=chosen, now=now
    )
    return _json_download(document, "shared-record.json")
