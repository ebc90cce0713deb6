"""Accreditation in the pages: the learner's applications, the form to apply (a unit of a
competence standard, a centre, the learning setting, a statement and evidence files uploaded
with it) and each application's status with the forms to add evidence or appeal; the centre's
queue (most overdue first, stalled ones flagged) and an application as staff see it, with the
officer's assign and confirm forms and the assessor's scoring and decision forms.

Thin, like every page: authenticate, check the policy exactly as the JSON API does (see
:mod:`creditbank.accreditation.routes`), call the service. Every write runs in a unit of work
of its own, so a refusal changes nothing (an application and its evidence files are stored
together or not at all); the refusal is shown on the page in the page's language with the
status of its problem, and a success redirects (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from creditbank.access.policy import (
    AccessError,
    Action,
    LearnerPrincipal,
    Principal,
    allowed,
    require,
)
from creditbank.accounts.model import LearningSetting
from creditbank.accreditation import service, standards
from creditbank.accreditation.model import (
    MAX_REASON,
    MAX_STATEMENT,
    TRANSITIONS,
    AccreditationError,
    Decision,
    State,
    Step,
    check_statement,
)
from creditbank.accreditation.service import Application
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.evidence import service as evidence
from creditbank.evidence.model import ACCEPTED, EXTENSIONS, EvidenceError, check_file
from creditbank.institutions import api as institutions
from creditbank.institutions.model import Role
from creditbank.messages import Message, msg
from creditbank.web.auth import LearnerPage, StaffPage
from creditbank.web.deps import Today, Uow, render
from creditbank.web.i18n import translator_for
from creditbank.web.labels import labeller
from creditbank.web.pages.forms import UNPROCESSABLE, FieldErrors, parse_decimal, say
from creditbank.web.problems import PROBLEM_TYPES
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
SEE_OTHER = 303
EVIDENCE_ROWS = 3
"""Evidence file rows of the application and more-evidence forms."""
MAX_EMAIL = 320
FROM_QUEUE = "queue"

TERMS: dict[tuple[str, str], Message] = {
    ("state", "submitted"): msg("submitted"),
    ("state", "assigned"): msg("with the assessor"),
    ("state", "scored"): msg("marked"),
    ("state", "decided"): msg("decided, awaiting confirmation"),
    ("state", "more_evidence"): msg("more evidence needed"),
    ("state", "appealed"): msg("appealed"),
    ("state", "accredited"): msg("accredited"),
    ("state", "not_accredited"): msg("not accredited"),
    ("decision", "accredited"): msg("accredited"),
    ("decision", "not_accredited"): msg("not accredited"),
    ("decision", "more_evidence"): msg("more evidence needed"),
    ("step", "submit"): msg("submitted"),
    ("step", "assign"): msg("assessor assigned"),
    ("step", "score"): msg("marks recorded"),
    ("step", "decide"): msg("decided"),
    ("step", "confirm"): msg("decision confirmed"),
    ("step", "return"): msg("decision returned to the assessor"),
    ("step", "add_evidence"): msg("evidence added"),
    ("step", "appeal"): msg("appealed"),
    ("component", "theory"): msg("Theory"),
    ("component", "practice"): msg("Practice"),
    ("component", "portfolio"): msg("Portfolio"),
    ("component", "interview"): msg("Interview"),
    ("domain", "knowledge"): msg("Knowledge"),
    ("domain", "skills"): msg("Skills"),
    ("domain", "competency"): msg("Competency"),
}
"""Words for the accreditation enumerations the pages show (with :mod:`creditbank.web.labels`)."""

NEXT: dict[str, Message] = {
    "submitted": msg("The centre assigns an assessor certified for the unit."),
    "assigned": msg("The assessor examines the evidence and records a mark for each component."),
    "scored": msg("The assessor decides on the marks."),
    "decided": msg(
        "A second person at the centre confirms the decision, or returns it to the assessor."
    ),
    "more_evidence": msg(
        "The assessor needs more evidence. Once it is added, the application returns to the "
        "assessor."
    ),
    "appealed": msg("The centre assigns a different assessor to reconsider the application."),
    "accredited": msg("The learning is accredited: the outcome is in the learner's account."),
    "not_accredited": msg("The learning is not accredited. The learner may appeal once."),
    "appeal_decided": msg("The learning is not accredited; the appeal has been decided."),
}
"""What happens next, by state."""
NEXT_FOR_LEARNER: dict[str, Message] = {
    "more_evidence": msg(
        "The assessor needs more evidence: add it below. The application then returns to the "
        "assessor."
    ),
    "accredited": msg("Your learning is accredited: the unit is an outcome in your account."),
    "not_accredited": msg("Your learning is not accredited. You may appeal once, below."),
    "appeal_decided": msg("Your learning is not accredited; your appeal has been decided."),
}
"""What happens next, as the learner reads it on their own page."""

NOTICES: dict[str, Message] = {
    "applied": msg("The application is filed. The centre assigns an assessor; follow it here."),
    "assigned": msg("The assessor is assigned."),
    "scored": msg("The marks are recorded."),
    "decided": msg("The decision is recorded; a second person at the centre confirms it."),
    "confirmed": msg("The decision is confirmed and takes effect."),
    "returned": msg("The decision is returned to the assessor."),
    "evidence": msg("The evidence is added; the application returns to the assessor."),
    "appealed": msg("The appeal is filed; the centre assigns a different assessor."),
}

# Where a refusal of the service belongs on the application form.
_FIELD_OF_CODE = {
    "standard_not_found": "unit",
    "unit_not_found": "unit",
    "application_status_conflict": "unit",
    "institution_not_found": "centre",
}


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _max_bytes(request: Request) -> int:
    limit: int = request.app.state.settings.evidence_max_bytes
    return limit


def _terms(request: Request) -> Callable[[str, object], str]:
    """``term(group, value)``: the word for a value in the page's language."""
    translate = translator_for(request).gettext
    label = labeller(translate)

    def term(group: str, value: object) -> str:
        found = TERMS.get((group, str(getattr(value, "value", value))))
        return found.render(translate) if found else label(group, value)

    return term


def _next_step(application: Application, *, learner: bool = False) -> Message:
    key = application.state.value
    if application.state is State.NOT_ACCREDITED and application.appealed:
        key = "appeal_decided"
    return (NEXT_FOR_LEARNER if learner else NEXT).get(key) or NEXT[key]


def _page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        term=_terms(request),
        explain=lambda message: say(request, message),
        next_step=lambda application, learner=False: say(
            request, _next_step(application, learner=learner)
        ),
        states=State,
        **context,
    )


def _status(error: DomainError) -> int:
    """The HTTP status of a refusal, as the API would answer it."""
    kind = PROBLEM_TYPES.get(error.code.replace("_", "-"))
    return kind.status if kind else UNPROCESSABLE


def _refusal(request: Request, error: DomainError) -> list[str]:
    """The refusal's message and each of its problems, in the page's language."""
    return [say(request, message) for message in (error.message, *error.problems)]


def _see(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, status_code=SEE_OTHER)


def _notice(request: Request, done: str | None) -> str | None:
    return say(request, NOTICES[done]) if done in NOTICES else None


# --- posted forms ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent with a form: its name, declared type and (at most the limit + 1) bytes."""

    filename: str
    content_type: str | None
    content: bytes


@dataclass(frozen=True, slots=True)
class Posted:
    """The fields and files of a posted form."""

    values: Mapping[str, str]
    files: Mapping[str, Upload]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


async def _posted(request: Request) -> Posted:
    form = await request.form()
    limit = _max_bytes(request)
    values: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, value)
        elif isinstance(value, UploadFile) and (value.filename or value.size):
            content = await value.read(limit + 1)
            files.setdefault(name, Upload(value.filename or "", value.content_type, content))
    await form.close()  # no route parameter reads the body, so FastAPI would not close it
    return Posted(values, files)


Form = Annotated[Posted, Depends(_posted)]


def _text(errors: FieldErrors, form: Posted, name: str, limit: int) -> str:
    """Field ``name``, refused (not cut) when longer than ``limit`` characters."""
    value = form.get(name)
    if len(value) > limit:
        errors.add(name, msg("write at most {count} characters here", count=limit))
    return value


def _evidence_files(
    errors: FieldErrors, form: Posted, max_bytes: int, *, required: bool = True
) -> list[tuple[Upload, str]]:
    """The filled-in evidence rows (a file and what it is), each file checked as the evidence
    area checks it (type by content, size); blank rows are left out."""
    found: list[tuple[Upload, str]] = []
    for row in range(1, EVIDENCE_ROWS + 1):
        field = f"evidence_{row}"
        upload = form.files.get(f"evidence_file_{row}")
        name = form.get(f"evidence_name_{row}").strip()
        if upload is None and not name:
            continue
        if upload is None:
            errors.add(field, msg("choose the file this row describes"))
            continue
        if not name:
            errors.add(field, msg("say what the file is, e.g. an employer's letter"))
        elif len(name) > service.MAX_EVIDENCE_NAME:
            errors.add(
                field,
                msg(
                    "say in up to {count} characters what the file is",
                    count=service.MAX_EVIDENCE_NAME,
                ),
            )
        try:
            check_file(upload.content, declared=upload.content_type, max_bytes=max_bytes)
        except EvidenceError as error:
            errors.add(field, error.message)
            continue
        found.append((upload, name))
    rows = (f"evidence_{row}" for row in range(1, EVIDENCE_ROWS + 1))
    if required and not found and not any(row in errors.by_field for row in rows):
        errors.add("evidence", msg("an application needs at least one evidence file"))
    return found


def _store(
    writing: UnitOfWork, centre: str, files: Sequence[tuple[Upload, str]], max_bytes: int
) -> list[tuple[str, str]]:
    """Keep the files for the centre, uploaded by the learner: (SHA-256, what it is) each."""
    return [
        (
            evidence.store_evidence(
                uow=writing,
                institution=centre,
                content=upload.content,
                declared_type=upload.content_type,
                by=service.LEARNER,
                max_bytes=max_bytes,
            ).sha256,
            name,
        )
        for upload, name in files
    ]


def _evidence_limits(request: Request) -> dict[str, object]:
    return {
        "rows": range(1, EVIDENCE_ROWS + 1),
        "accepted": ", ".join(EXTENSIONS[kind].upper() for kind in ACCEPTED),
        "accept": ",".join([*ACCEPTED, *(f".{ext}" for ext in EXTENSIONS.values())]),
        "max_mb": f"{_max_bytes(request) / 1_048_576:.3g}",
    }


def _evidence_download(uow: UnitOfWork, application: Application, sha256: str) -> Response:
    """One of the application's evidence files (only those it names)."""
    if sha256.strip().lower() not in {item.sha256 for item in application.evidence}:
        raise EvidenceError(
            "evidence_not_found",
            msg("there is no evidence file {sha256}", sha256=sha256.strip()),
        )
    found = evidence.read_evidence(uow=uow, sha256=sha256)
    name = f"{found.file.sha256}.{EXTENSIONS[found.file.media_type]}"
    return Response(
        found.content,
        media_type=found.file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


# --- what the form offers ----------------------------------------------------------------------


def centres(uow: UnitOfWork) -> list[institutions.Institution]:
    """The institutions an application may go to (as the service accepts them)."""
    return [i for i in institutions.list_institutions(uow=uow) if i.type in service.CENTRE_TYPES]


def unit_choice(standard: standards.Standard, unit: standards.Unit) -> str:
    """The value of a unit's choice on the form: ``STANDARD/VERSION/UNIT``."""
    return f"{standard.code}/{standard.version}/{unit.code}"


def _parse_choice(value: str) -> tuple[str, int, str] | None:
    parts = value.strip().split("/")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[0] or not parts[2]:  # noqa: PLR2004
        return None
    return parts[0], int(parts[1]), parts[2]


# --- the learner's pages -----------------------------------------------------------------------


@pages.get("/account/accreditations", response_class=HTMLResponse)
def my_applications(request: Request, uow: Uow, learner: LearnerPage, today: Today) -> Response:
    """The learner's applications for accreditation, newest first."""
    found = service.list_applications(uow=uow, account_number=learner.account_number)
    return _page(
        request,
        "accreditation/mine.html",
        applications=found,
        today=today,
        names={i.code: i for i in institutions.list_institutions(uow=uow)},
    )


def _apply_form(
    request: Request,
    uow: UnitOfWork,
    values: Mapping[str, str],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "accreditation/apply.html",
        status_code=status_code,
        standards=standards.list_standards(uow=uow),
        centres=centres(uow),
        others=institutions.list_institutions(uow=uow),
        settings=list(LearningSetting),
        choice=unit_choice,
        values=values,
        errors=errors.as_dict() if errors else {},
        max_statement=MAX_STATEMENT,
        **_evidence_limits(request),
    )


@pages.get("/account/accreditations/new", response_class=HTMLResponse)
def apply_form(request: Request, uow: Uow, _learner: LearnerPage, unit: str = "") -> Response:
    """The form to apply for learning to be accredited against a unit of a standard."""
    only = [c.code for c in centres(uow)]
    values = {"unit": unit.strip(), "centre": only[0] if len(only) == 1 else ""}
    return _apply_form(request, uow, values)


@pages.post("/account/accreditations/new", response_class=HTMLResponse)
def apply(request: Request, uow: Uow, learner: LearnerPage, form: Form) -> Response:
    """File the application with its evidence files: all stored together, or (on any problem)
    nothing, and the form comes back as it was filled in with every problem listed."""
    errors = FieldErrors(request)
    values = {name: value for name, value in form.values.items() if name != "csrf_token"}
    chosen = _parse_choice(form.get("unit"))
    if chosen is None:
        errors.add("unit", msg("choose the unit to have your learning accredited against"))
    centre = form.get("centre").strip().upper()
    if centre not in {c.code for c in centres(uow)}:
        errors.add("centre", msg("choose an accreditation centre"))
    setting = form.get("setting")
    if setting not in {s.value for s in LearningSetting}:
        errors.add("setting", msg("choose how you learned: formal, non-formal or informal"))
    taught_by = form.get("taught_by").strip().upper() or None
    if taught_by and taught_by not in {i.code for i in institutions.list_institutions(uow=uow)}:
        errors.add("taught_by", msg("choose an institution from the list, or none"))
    statement = _text(errors, form, "statement", MAX_STATEMENT)
    if "statement" not in errors.by_field:
        for problem in check_statement(statement):
            errors.add("statement", problem)
    max_bytes = _max_bytes(request)
    files = _evidence_files(errors, form, max_bytes)
    if errors or chosen is None:
        return _apply_form(request, uow, values, errors, UNPROCESSABLE)
    standard, version, unit = chosen
    try:
        with _database(request).unit_of_work() as writing:
            filed = service.apply(
                uow=writing,
                account_number=learner.account_number,
                centre=centre,
                standard=standard,
                standard_version=version,
                unit=unit,
                setting=setting,
                statement=statement,
                evidence_files=_store(writing, centre, files, max_bytes),
                by=service.LEARNER,
                applied_by_institution=None,
                taught_by=taught_by,
            )
    except DomainError as error:
        field = _FIELD_OF_CODE.get(error.code, "-")
        for problem in (error.message, *error.problems):
            errors.add(field, problem)
        return _apply_form(request, uow, values, errors, _status(error))
    return _see(f"/account/accreditations/{filed.public_id}", done="applied")


def _own(uow: UnitOfWork, learner: LearnerPrincipal, public_id: str) -> service.Parties:
    """The parties of the learner's own application; another learner's is "not found", as if
    it did not exist."""
    parties = service.parties(uow=uow, public_id=public_id)
    if parties.account_number != learner.account_number:
        raise AccreditationError(
            "application_not_found", msg("there is no application {id}", id=public_id)
        )
    return parties


def _status_page(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    public_id: str,
    today: date,
    *,
    status_code: int = 200,
    problems: Iterable[str] = (),
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
    notice: str | None = None,
) -> Response:
    _own(uow, learner, public_id)
    application = service.get_application(uow=uow, public_id=public_id)
    return _page(
        request,
        "accreditation/status.html",
        status_code=status_code,
        application=application,
        today=today,
        may_add_evidence=application.state in TRANSITIONS[Step.ADD_EVIDENCE],
        may_appeal=application.state in TRANSITIONS[Step.APPEAL] and not application.appealed,
        names={i.code: i for i in institutions.list_institutions(uow=uow)},
        problems=list(problems),
        values=values or {},
        errors=errors.as_dict() if errors else {},
        notice=notice,
        max_statement=MAX_STATEMENT,
        **_evidence_limits(request),
    )


@pages.get("/account/accreditations/{public_id}", response_class=HTMLResponse)
def my_application(
    public_id: str,
    request: Request,
    uow: Uow,
    learner: LearnerPage,
    today: Today,
    done: str | None = None,
) -> Response:
    """One of the learner's applications: its state and what happens next, the deadline, the
    evidence, marks, decisions and history."""
    return _status_page(request, uow, learner, public_id, today, notice=_notice(request, done))


@pages.get("/account/accreditations/{public_id}/evidence/{sha256}")
def my_evidence(public_id: str, sha256: str, uow: Uow, learner: LearnerPage) -> Response:
    """An evidence file of the learner's own application."""
    _own(uow, learner, public_id)
    return _evidence_download(uow, service.get_application(uow=uow, public_id=public_id), sha256)


def _learner_step(
    request: Request,
    uow: UnitOfWork,
    learner: LearnerPrincipal,
    public_id: str,
    today: date,
    *,
    errors: FieldErrors,
    values: Mapping[str, str],
    done: str,
    take: Callable[[UnitOfWork], object],
) -> Response:
    """Take a learner's step on their application in a transaction of its own (``take``), unless
    the form has errors; then back to the status page, or the page again with every problem."""
    status_code = UNPROCESSABLE
    problems: list[str] = []
    if not errors:
        try:
            with _database(request).unit_of_work() as writing:
                take(writing)
        except DomainError as error:
            problems = _refusal(request, error)
            status_code = _status(error)
        else:
            return _see(f"/account/accreditations/{public_id}", done=done)
    return _status_page(
        request,
        uow,
        learner,
        public_id,
        today,
        status_code=status_code,
        problems=problems,
        values=values,
        errors=errors,
    )


@pages.post("/account/accreditations/{public_id}/evidence", response_class=HTMLResponse)
def add_my_evidence(
    public_id: str, request: Request, uow: Uow, learner: LearnerPage, today: Today, form: Form
) -> Response:
    """Answer the assessor's request for more evidence: the files go to the application, which
    returns to its assessor."""
    parties = _own(uow, learner, public_id)
    errors = FieldErrors(request)
    note = _text(errors, form, "note", MAX_REASON)
    max_bytes = _max_bytes(request)
    files = _evidence_files(errors, form, max_bytes)
    return _learner_step(
        request,
        uow,
        learner,
        public_id,
        today,
        errors=errors,
        values={name: value for name, value in form.values.items() if name != "csrf_token"},
        done="evidence",
        take=lambda writing: service.add_evidence(
            uow=writing,
            public_id=public_id,
            evidence_files=_store(writing, parties.centre, files, max_bytes),
            note=note.strip(),
            by=service.LEARNER,
            by_user_id=None,
        ),
    )


@pages.post("/account/accreditations/{public_id}/appeal", response_class=HTMLResponse)
def appeal_mine(
    public_id: str, request: Request, uow: Uow, learner: LearnerPage, today: Today, form: Form
) -> Response:
    """Appeal a "not accredited" decision, once: a different assessor reconsiders it."""
    _own(uow, learner, public_id)
    errors = FieldErrors(request)
    reason = _text(errors, form, "reason", MAX_STATEMENT)
    if "reason" not in errors.by_field and not reason.strip():
        errors.add("reason", msg("say why the decision should be reconsidered"))
    return _learner_step(
        request,
        uow,
        learner,
        public_id,
        today,
        errors=errors,
        values={"reason": reason},
        done="appealed",
        take=lambda writing: service.appeal(
            uow=writing,
            public_id=public_id,
            reason=reason.strip(),
            by=service.LEARNER,
            by_user_id=None,
        ),
    )


# --- the centre's queue ------------------------------------------------------------------------


def _queue_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    today: date,
    centre: str,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    chosen = centre.strip().upper()
    if not chosen and principal.role is not Role.ASSESSOR:
        chosen = principal.institution or ""
    entries: list[service.QueueEntry] = []
    if chosen:
        require(principal, Action.READ_APPLICATION, chosen)
        entries = service.queue(uow=uow, centre=chosen, today=today)
    decided = {
        entry.public_id: service.get_application(uow=uow, public_id=entry.public_id)
        for entry in entries
        if entry.state is State.DECIDED
    }
    return _page(
        request,
        "accreditation/queue.html",
        status_code=status_code,
        principal=principal,
        centre=chosen,
        centres=centres(uow),
        entries=entries,
        stalled=sum(1 for entry in entries if entry.stalled),
        decided=decided,
        mine=service.assigned_to(uow=uow, user_id=principal.user_id, today=today)
        if principal.role is Role.ASSESSOR
        else [],
        may_assign=bool(chosen) and allowed(principal, Action.ASSIGN_ASSESSOR, chosen),
        may_confirm=bool(chosen) and allowed(principal, Action.CONFIRM_DECISION, chosen),
        assignable=frozenset({State.SUBMITTED, State.APPEALED}),
        problems=list(problems),
        failed=failed,
        values=values or {},
        notice=notice,
    )


@pages.get("/staff/accreditation/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    centre: str = "",
    done: str | None = None,
) -> Response:
    """A centre's open applications, the most overdue first, stalled ones flagged (its staff;
    bank administrators and auditors choose the centre); for an assessor, the applications
    assigned to them."""
    return _queue_page(request, uow, principal, today, centre, notice=_notice(request, done))


# --- an application as staff see it --------------------------------------------------------------


def _may_read_or_none(principal: Principal, parties: service.Parties) -> bool:
    try:
        parties.require_reader(principal)
    except AccessError:
        return False
    return True


def _certified_assessors(uow: UnitOfWork, application: Application, today: date) -> list[str]:
    """Who holds an assessor certification for the application's unit today (a suggestion; the
    service checks certification and conflicts on assignment)."""
    unit = application.unit
    return sorted(
        {
            c.email
            for c in standards.certifications_for(uow=uow, item_id=unit.item.id)
            if c.kind == standards.CertificationKind.ASSESSOR
            and c.covers(today)
            and c.level in {None, unit.level.level.code}
        }
    )


def _application_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    today: date,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
    notice: str | None = None,
) -> Response:
    parties = service.parties(uow=uow, public_id=public_id)
    parties.require_reader(principal)
    application = service.get_application(uow=uow, public_id=public_id)
    state = application.state
    assessor = parties.assessor_user_id == principal.user_id
    scoring = assessor and allowed(principal, Action.SCORE_APPLICATION, principal.institution)
    may_assign = state in TRANSITIONS[Step.ASSIGN] and allowed(
        principal, Action.ASSIGN_ASSESSOR, parties.centre
    )
    kept = dict(values or {})
    if application.marks is not None and not any(k.startswith("mark_") for k in kept):
        for component in application.marks.result.components:
            kept[f"mark_{component.kind.value}"] = f"{component.mark.normalize():f}"
        kept.setdefault("comment", application.marks.comment)
    return _page(
        request,
        "accreditation/application.html",
        status_code=status_code,
        principal=principal,
        application=application,
        today=today,
        may_score=scoring and state in TRANSITIONS[Step.SCORE],
        may_decide=scoring and state in TRANSITIONS[Step.DECIDE],
        may_assign=may_assign,
        may_confirm=state in TRANSITIONS[Step.CONFIRM]
        and allowed(principal, Action.CONFIRM_DECISION, parties.centre),
        may_queue=allowed(principal, Action.READ_APPLICATION, parties.centre),
        assessors=_certified_assessors(uow, application, today) if may_assign else [],
        decisions=list(Decision),
        names={i.code: i for i in institutions.list_institutions(uow=uow)},
        problems=list(problems),
        values=kept,
        errors=errors.as_dict() if errors else {},
        notice=notice,
    )


@pages.get("/staff/accreditations/{public_id}", response_class=HTMLResponse)
def application_page(
    public_id: str,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    today: Today,
    done: str | None = None,
) -> Response:
    """An application: its unit, evidence, state and deadline, marks, decisions and history; the
    forms of whoever may take its next step."""
    return _application_page(
        request, uow, principal, public_id, today, notice=_notice(request, done)
    )


@pages.get("/staff/accreditations/{public_id}/evidence/{sha256}")
def application_evidence(public_id: str, sha256: str, uow: Uow, principal: StaffPage) -> Response:
    """An evidence file of an application, to whoever may read the application."""
    service.parties(uow=uow, public_id=public_id).require_reader(principal)
    return _evidence_download(uow, service.get_application(uow=uow, public_id=public_id), sha256)


def _step(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    today: date,
    form: Posted,
    *,
    take: Callable[[UnitOfWork], object],
    done: str,
    values: Mapping[str, str],
    errors: FieldErrors,
) -> Response:
    """Take a step unless the form has problems; then back to the queue or the application
    (post/redirect/get), or the page again with every problem and the status of the refusal.

    A refusal is shown on the application's page only to whoever may read the application;
    anyone else gets the refusal itself (e.g. an assessor not assigned to it)."""
    from_queue = form.get("from") == FROM_QUEUE
    centre = form.get("centre").strip().upper()
    status_code = UNPROCESSABLE
    problems: list[str] = []
    if not errors:
        try:
            with _database(request).unit_of_work() as writing:
                take(writing)
        except DomainError as error:
            if not _may_read_or_none(principal, service.parties(uow=uow, public_id=public_id)):
                raise
            problems = _refusal(request, error)
            status_code = _status(error)
        else:
            if from_queue:
                return _see("/staff/accreditation/queue", centre=centre, done=done)
            return _see(f"/staff/accreditations/{public_id}", done=done)
    if from_queue:
        problems.extend(m for field in errors.by_field.values() for m in field)
        return _queue_page(
            request,
            uow,
            principal,
            today,
            centre,
            status_code=status_code,
            problems=problems,
            failed=public_id,
            values=values,
        )
    return _application_page(
        request,
        uow,
        principal,
        public_id,
        today,
        status_code=status_code,
        problems=problems,
        values=values,
        errors=errors,
    )


@pages.post("/staff/accreditations/{public_id}/assign", response_class=HTMLResponse)
def assign(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Assign an assessor certified for the unit and free of conflicts (the centre's
    accreditation officers, bank administrators)."""
    require(principal, Action.ASSIGN_ASSESSOR, service.parties(uow=uow, public_id=public_id).centre)
    errors = FieldErrors(request)
    email = _text(errors, form, "assessor", MAX_EMAIL).strip()
    if "assessor" not in errors.by_field and not email:
        errors.add("assessor", msg("give the e-mail address of the assessor to assign"))

    def take(writing: UnitOfWork) -> object:
        return service.assign(
            uow=writing,
            public_id=public_id,
            assessor_email=email,
            by=principal.email,
            by_user_id=principal.user_id,
            on=today,
        )

    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=take,
        done="assigned",
        values={"assessor": email},
        errors=errors,
    )


@pages.post("/staff/accreditations/{public_id}/scores", response_class=HTMLResponse)
def record_marks(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Record a mark for each component of the unit's scheme (the assigned assessor)."""
    require(principal, Action.SCORE_APPLICATION, principal.institution)
    errors = FieldErrors(request)
    unit = service.get_application(uow=uow, public_id=public_id).unit
    marks: dict[str, Decimal] = {}
    values: dict[str, str] = {}
    for component in unit.scheme.scheme.components:
        field = f"mark_{component.kind.value}"
        values[field] = form.get(field)
        mark = parse_decimal(errors, field, values[field], 2)
        if mark is not None and Decimal(0) <= mark <= Decimal(100):
            marks[component.kind.value] = mark
        elif field not in errors.by_field:
            errors.add(field, msg("enter a mark from 0 to 100"))
    values["comment"] = _text(errors, form, "comment", MAX_REASON)

    def take(writing: UnitOfWork) -> object:
        return service.record_marks(
            uow=writing,
            public_id=public_id,
            marks=marks,
            comment=values["comment"],
            by=principal.email,
            by_user_id=principal.user_id,
            on=today,
        )

    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=take,
        done="scored",
        values=values,
        errors=errors,
    )


@pages.post("/staff/accreditations/{public_id}/decide", response_class=HTMLResponse)
def decide(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Decide: accredited (with the unit's credits or fewer), not accredited, or more evidence
    needed (the assigned assessor). The decision waits for a second person."""
    require(principal, Action.SCORE_APPLICATION, principal.institution)
    errors = FieldErrors(request)
    values = {
        "decision": form.get("decision"),
        "credits": form.get("credits"),
        "reasons": _text(errors, form, "reasons", MAX_REASON),
    }
    try:
        decision = Decision(values["decision"])
    except ValueError:
        errors.add("decision", msg("choose a decision"))
        decision = Decision.NOT_ACCREDITED
    granted = parse_decimal(errors, "credits", values["credits"], 1)
    if granted is not None and decision is not Decision.ACCREDITED:
        errors.add("credits", msg("credits are given only when the learning is accredited"))

    def take(writing: UnitOfWork) -> object:
        return service.decide(
            uow=writing,
            public_id=public_id,
            decision=decision,
            granted=granted,
            reasons=values["reasons"],
            by=principal.email,
            by_user_id=principal.user_id,
            on=today,
        )

    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=take,
        done="decided",
        values=values,
        errors=errors,
    )


def _confirm(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    public_id: str,
    today: date,
    form: Posted,
    *,
    agree: bool,
) -> Response:
    require(
        principal, Action.CONFIRM_DECISION, service.parties(uow=uow, public_id=public_id).centre
    )
    field = "confirm_reason" if agree else "return_reason"
    errors = FieldErrors(request)
    reason = _text(errors, form, field, MAX_REASON)
    if not agree and field not in errors.by_field and not reason.strip():
        errors.add(field, msg("say why the decision goes back to the assessor"))

    def take(writing: UnitOfWork) -> object:
        return service.confirm(
            uow=writing,
            public_id=public_id,
            agree=agree,
            reason=reason,
            by=principal.email,
            by_user_id=principal.user_id,
        )

    return _step(
        request,
        uow,
        principal,
        public_id,
        today,
        form,
        take=take,
        done="confirmed" if agree else "returned",
        values={field: reason},
        errors=errors,
    )


@pages.post("/staff/accreditations/{public_id}/confirm", response_class=HTMLResponse)
def confirm(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Confirm the assessor's decision (four eyes: the centre's accreditation officers or bank
    administrators, never the assessor): it takes effect and is logged; an accredited one is
    deposited as an outcome in the learner's account."""
    return _confirm(request, uow, principal, public_id, today, form, agree=True)


@pages.post("/staff/accreditations/{public_id}/return", response_class=HTMLResponse)
def return_decision(
    public_id: str, request: Request, uow: Uow, principal: StaffPage, today: Today, form: Form
) -> Response:
    """Return the assessor's decision to them, with a reason (the second person disagrees)."""
    return _confirm(request, uow, principal, public_id, today, form, agree=False)
