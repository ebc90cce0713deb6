"""Pages of verifiable credentials: the public verifier and the learner's own credentials.

- ``/verify``, for anyone: paste a credential (JSON-LD or a JWT) or choose its file; the
  verdict says in plain words whether it is genuine and valid, who issued it and what it is,
  with every check one click away (a CLR: each credential inside too). ``/verify?credential=``
  verifies what a link or a QR code carries (a credential holds no personal data: the learner
  is only a salted hash). Nothing checked is stored. Its form carries a CSRF token like every
  form of the pages; a program posts to ``POST /api/v1/verify`` instead.
- ``/me/credentials``, for a learner: each of their outcomes that still counts as a signed Open
  Badges 3.0 credential to download (JSON-LD or JWT), and their whole record as a CLR 2.0.
  Sharing them with someone goes through the share links (``/me/shares``), whose page
  (``/shared/{token}``) verifies and offers each credential.

Thin, like every page: build the command, call its handler, turn its answers into what the
templates show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from creditbank.credentials import exports, verifier, views
from creditbank.credentials.commands import (
    ExportMyCredential,
    ExportMyRecord,
    ListMyCredentials,
    VerifyCredential,
)
from creditbank.credentials.documents import EQF_CORRESPONDENCE, parse_timestamp
from creditbank.credentials.routes import MAX_CREDENTIAL_BYTES
from creditbank.credentials.verifier import Check, Result, Verdict, issuer_id
from creditbank.db import UnitOfWork
from creditbank.messages import Message, msg
from creditbank.web.auth import LearnerPage
from creditbank.web.deps import Now, Uow, render
from creditbank.web.formats import local_time, number, zone
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, say
from creditbank.web.pages.learner import (
    PRIVATE_HEADERS,
    all_outcomes,
    attachment,
    credential_download,
)
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

MAX_QUERY_CREDENTIAL = 16_000
"""Characters of a credential in ``/verify?credential=`` (what a link or a QR code holds)."""
JWT_MEDIA_TYPE = "application/vc+jwt"
MAX_FILE_MIB = MAX_CREDENTIAL_BYTES // (1024 * 1024)

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
    Check.SIGNATURE: msg("the credential has been altered, or it was not signed by its issuer"),
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


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date(value: object) -> str | None:
    """The date of a credential's dateTime (``2025-01-10``), as written."""
    text = _text(value)
    return text[:10] if text else None


def _moment(request: Request, value: object) -> str | None:
    """A credential's dateTime as the bank's wall-clock time (``2026-12-07 14:30``, in
    ``CREDITBANK_TIME_ZONE``, as every page shows a moment); as written if it is not one."""
    text = _text(value)
    if text is None:
        return None
    try:
        moment = parse_timestamp(text)
    except ValueError:
        return text
    return local_time(moment, zone(request.app.state.settings.time_zone))


def _first_object(value: object) -> Mapping[str, Any]:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
    return value if isinstance(value, dict) else {}


def _kind(request: Request, credential: Mapping[str, Any]) -> str:
    types = verifier.types_of(credential.get("type"))
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
    # a CLR's subject lists every achievement of the record: its parts show them one by one
    record = "ClrCredential" in verifier.types_of(credential.get("type"))
    achievement = {} if record else _first_object(subject.get("achievement"))
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
        credits=None if record else _credits(subject.get("creditsEarned")),
        awarded=_date(credential.get("awardedDate")),
        valid_from=_moment(request, credential.get("validFrom", credential.get("issuanceDate"))),
        valid_until=_moment(
            request, credential.get("validUntil", credential.get("expirationDate"))
        ),
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
        answer = views.verify_credential(VerifyCredential(data), principal=None, uow=uow, now=now)
        verdict = verdict_view(request, answer)
    response = render(
        request,
        "credentials/verify.html",
        status_code=UNPROCESSABLE if errors else 200,
        verdict=verdict,
        text=text,
        errors=errors.as_dict() if errors else {},
        max_file_mib=MAX_FILE_MIB,
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
            errors.add("file", msg("the file is larger than {size} MiB", size=MAX_FILE_MIB))
        elif not content.strip():
            errors.add("file", msg("the file is empty"))
        else:
            data = content
    elif credential.strip():
        data = credential
    else:
        errors.add("credential", msg("paste a credential or choose its file"))
    return _verify_page(request, uow, now, text=credential, data=data, errors=errors or None)


# The learner's own credentials --------------------------------------------------------


@pages.get("/me/credentials", response_class=HTMLResponse)
def my_credentials(request: Request, uow: Uow, learner: LearnerPage) -> HTMLResponse:
    """The learner's outcomes that still count, each to download as a signed credential."""
    standing = set(exports.list_my_credentials(ListMyCredentials(), principal=learner, uow=uow))
    outcomes = [o for o in all_outcomes(uow, learner.account_number) if o.public_id in standing]
    return render(request, "credentials/mine.html", outcomes=outcomes)


@pages.get("/me/outcomes/{outcome_id}/credential.json")
def my_credential(outcome_id: str, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """One of the learner's outcomes as a signed Open Badges 3.0 credential (JSON-LD)."""
    command = ExportMyCredential(outcome_id, "ob3")
    issued = exports.export_my_credential(command, principal=learner, uow=uow, now=now)
    return credential_download(issued.document or {}, f"credential-{issued.outcome_id}.json")


@pages.get("/me/outcomes/{outcome_id}/credential.jwt")
def my_credential_jwt(outcome_id: str, uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """One of the learner's outcomes as a signed Open Badges 3.0 credential (VC-JOSE JWT)."""
    command = ExportMyCredential(outcome_id, "jwt")
    issued = exports.export_my_credential(command, principal=learner, uow=uow, now=now)
    return Response(
        (issued.jwt or "") + "\n",
        media_type=JWT_MEDIA_TYPE,
        headers=attachment(f"credential-{issued.outcome_id}.jwt"),
    )


@pages.get("/me/record.json")
def my_record(uow: Uow, learner: LearnerPage, now: Now) -> Response:
    """The learner's whole record (every outcome that still counts) as a signed CLR."""
    document = exports.export_my_record(ExportMyRecord(), principal=learner, uow=uow, now=now)
    return credential_download(document, "learning-record.json")
