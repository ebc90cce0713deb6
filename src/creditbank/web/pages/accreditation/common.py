"""What the accreditation pages share: the words for states, steps and decisions, what
happens next, the notices after a step, rendering a page, posted forms with evidence files.

Thin, like every page: the pages parse a form, call a use case's handler (which checks the
policy, as the JSON API's routes do) and render. Every write runs in a unit of work of its
own (:mod:`creditbank.web.pages.changes`), so a refusal changes nothing (an application and
its evidence files are stored together or not at all); the refusal is shown on the page in
the page's language with the status of its problem, and a success redirects
(post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from creditbank.accreditation.applications import MAX_EVIDENCE_NAME, Application
from creditbank.accreditation.commands import EvidenceUpload
from creditbank.accreditation.model import State
from creditbank.accreditation.standards import Standard, Unit
from creditbank.evidence.api import EvidenceContent
from creditbank.evidence.model import ACCEPTED, EXTENSIONS, EvidenceError, check_file
from creditbank.messages import Message, msg
from creditbank.web.deps import render
from creditbank.web.i18n import translator_for
from creditbank.web.labels import labeller
from creditbank.web.pages.forms import FieldErrors, say

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
FIELD_OF_CODE = {
    "standard_not_found": "unit",
    "unit_not_found": "unit",
    "application_status_conflict": "unit",
    "institution_not_found": "centre",
}


def max_bytes(request: Request) -> int:
    limit: int = request.app.state.settings.evidence_max_bytes
    return limit


def terms(request: Request) -> Callable[[str, object], str]:
    """``term(group, value)``: the word for a value in the page's language."""
    translate = translator_for(request).gettext
    label = labeller(translate)

    def term(group: str, value: object) -> str:
        found = TERMS.get((group, str(getattr(value, "value", value))))
        return found.render(translate) if found else label(group, value)

    return term


def next_step(application: Application, *, learner: bool = False) -> Message:
    key = application.state.value
    if application.state is State.NOT_ACCREDITED and application.appealed:
        key = "appeal_decided"
    return (NEXT_FOR_LEARNER if learner else NEXT).get(key) or NEXT[key]


def page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        term=terms(request),
        explain=lambda message: say(request, message),
        next_step=lambda application, learner=False: say(
            request, next_step(application, learner=learner)
        ),
        states=State,
        **context,
    )


def notice(request: Request, done: str | None) -> str | None:
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


async def posted(request: Request) -> Posted:
    form = await request.form()
    limit = max_bytes(request)
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


Form = Annotated[Posted, Depends(posted)]


def text(errors: FieldErrors, form: Posted, name: str, limit: int) -> str:
    """Field ``name``, refused (not cut) when longer than ``limit`` characters."""
    value = form.get(name)
    if len(value) > limit:
        errors.add(name, msg("write at most {count} characters here", count=limit))
    return value


def evidence_files(
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
        elif len(name) > MAX_EVIDENCE_NAME:
            errors.add(
                field,
                msg(
                    "say in up to {count} characters what the file is",
                    count=MAX_EVIDENCE_NAME,
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


def uploads(files: Sequence[tuple[Upload, str]]) -> tuple[EvidenceUpload, ...]:
    """The evidence rows of a form as the use case takes them."""
    return tuple(
        EvidenceUpload(upload.content, upload.content_type, name) for upload, name in files
    )


def evidence_limits(request: Request) -> dict[str, object]:
    return {
        "rows": range(1, EVIDENCE_ROWS + 1),
        "accepted": ", ".join(EXTENSIONS[kind].upper() for kind in ACCEPTED),
        "accept": ",".join([*ACCEPTED, *(f".{ext}" for ext in EXTENSIONS.values())]),
        "max_mb": f"{max_bytes(request) / 1_048_576:.3g}",
    }


def download(found: EvidenceContent) -> Response:
    """An evidence file, to be saved rather than shown."""
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


def unit_choice(standard: Standard, unit: Unit) -> str:
    """The value of a unit's choice on the form: ``STANDARD/VERSION/UNIT``."""
    return f"{standard.code}/{standard.version}/{unit.code}"


def parse_choice(value: str) -> tuple[str, int, str] | None:
    parts = value.strip().split("/")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[0] or not parts[2]:  # noqa: PLR2004
        return None
    return parts[0], int(parts[1]), parts[2]
