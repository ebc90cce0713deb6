"""Alignments of catalogue items to skills in the pages: a registrar's desk (an item's proposed
skills with their scores and matched words, ticked to draft a version; the institution's
versions), one version (its skills and history; submit a draft, retire the version in force),
and the bank administrators' queue (approve with a note, reject with a reason: four eyes).

Thin, like every page: authenticate, build the command, call its handler (which checks the
policy), render. Every change runs in a unit of work of its own (``attempt``): a refusal is
shown on the page with the API's status, a success redirects (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.alignments import decisions, drafting, views
from creditbank.alignments.commands import (
    ApproveAlignment,
    DraftAlignment,
    ListAlignments,
    ProposeSkills,
    RejectAlignment,
    RetireAlignment,
    ShowAlignment,
    SubmitAlignment,
)
from creditbank.alignments.drafting import Proposal
from creditbank.alignments.model import STATUS_WORDS, AlignmentStatus
from creditbank.catalog import handlers as catalog
from creditbank.catalog.commands import ListItems
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow, render
from creditbank.web.pages.changes import attempt, refusal, see, status_of
from creditbank.web.pages.conversion_common import Form
from creditbank.web.pages.forms import say
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

MAX_ITEMS_SHOWN = 200
"""Items of the staff's institution listed on the desk to choose from (others are typed in)."""
PASSED_ON = frozenset({"forbidden", "alignment_not_found"})
"""Refusals shown as the error page (403, 404), as the API answers; others on the page."""

NOTICES: dict[str, Message] = {
    "drafted": msg("The draft is saved. Submit it when it is ready for the bank's approval."),
    "submitted": msg(
        "The version is submitted: a bank administrator other than its author decides on it."
    ),
    "approved": msg("The alignment is approved, in force and recorded in the log."),
    "rejected": msg("The version is rejected; its author sees the reason."),
    "retired": msg("The alignment is retired and recorded in the log."),
}


def _attempt(request: Request, run: Callable[[UnitOfWork], object]) -> object:
    return attempt(request, run, passed_on=lambda error: error.code in PASSED_ON)


def _page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
    done = request.query_params.get("done")
    return render(
        request,
        template,
        status_code=status_code,
        status_word=lambda status: say(request, STATUS_WORDS[AlignmentStatus(status)]),
        notice=say(request, NOTICES[done]) if done in NOTICES else None,
        **context,
    )


# --- the registrar's desk -----------------------------------------------------------------


def _desk(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    *,
    item: str = "",
    level: str = "",
    status_code: int = 200,
    problems: Sequence[str] = (),
    values: Mapping[str, object] | None = None,
) -> Response:
    proposal: Proposal | None = None
    if item.strip():
        query = ProposeSkills(item=item, level=level.strip() or None, limit=20)
        try:
            proposal = drafting.propose_skills(query, principal=principal, uow=uow)
        except DomainError as error:
            if error.code == "forbidden":
                raise
            status_code = status_code if problems else status_of(error)
            problems = [*problems, *refusal(request, error)]
    versions = views.list_alignments(ListAlignments(), principal=principal, uow=uow)
    own_items = (
        catalog.list_items(ListItems(principal.institution), principal=principal, uow=uow)[
            :MAX_ITEMS_SHOWN
        ]
        if principal.institution
        else []
    )
    return _page(
        request,
        "alignments/desk.html",
        status_code=status_code,
        item=item,
        level=level,
        proposal=proposal,
        versions=list(reversed(versions)),
        own_items=own_items,
        problems=list(problems),
        values=values or {},
    )


@pages.get("/staff/alignments", response_class=HTMLResponse)
def desk_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    item: Annotated[str, Query(max_length=140)] = "",
    level: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The alignments one may read, and, for an item (``OWNER:CODE``), the skills proposed for
    it with their scores and the words that matched, to tick and draft a version."""
    return _desk(request, uow, principal, item=item, level=level)


@pages.post("/staff/alignments", response_class=HTMLResponse)
def draft_alignment(request: Request, uow: Uow, principal: StaffPage, form: Form) -> Response:
    """Draft a version of the item's alignment with the ticked skills and a note."""
    item, level = form.get("item"), form.get("level")
    command = DraftAlignment(
        item=item,
        skills=tuple(form.all("skill")),
        level=level.strip() or None,
        note=form.get("note"),
    )
    drafted = _attempt(
        request, lambda w: drafting.draft_alignment(command, principal=principal, uow=w)
    )
    if isinstance(drafted, DomainError):
        return _desk(
            request,
            uow,
            principal,
            item=item,
            level=level,
            status_code=status_of(drafted),
            problems=refusal(request, drafted),
            values={"skill": set(form.all("skill")), "note": form.get("note")},
        )
    return see(f"/staff/alignments/{getattr(drafted, 'id', '')}", done="drafted")


# --- the bank's queue ---------------------------------------------------------------------


def _queue(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    failed: int | None = None,
    reason: str = "",
) -> Response:
    query = ListAlignments(status=AlignmentStatus.SUBMITTED)
    queue = views.list_alignments(query, principal=principal, uow=uow)
    return _page(
        request,
        "alignments/queue.html",
        status_code=status_code,
        queue=queue,
        problems=list(problems),
        failed=failed,
        reason=reason,
    )


@pages.get("/staff/alignments/queue", response_class=HTMLResponse)
def queue_page(request: Request, uow: Uow, principal: StaffPage) -> Response:
    """The versions submitted for approval, with their skills and author."""
    return _queue(request, uow, principal)


def _decide(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    alignment_id: int,
    reason: str,
    decide: Callable[[UnitOfWork], object],
    done: str,
) -> Response:
    decided = _attempt(request, decide)
    if isinstance(decided, DomainError):
        return _queue(
            request,
            uow,
            principal,
            status_code=status_of(decided),
            problems=refusal(request, decided),
            failed=alignment_id,
            reason=reason,
        )
    return see("/staff/alignments/queue", done=done)


@pages.post("/staff/alignments/{alignment_id}/approve", response_class=HTMLResponse)
def approve_alignment(
    alignment_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Approve a submitted version, with an optional note (another administrator than its
    author)."""
    command = ApproveAlignment(alignment_id, form.get("reason"))
    return _decide(
        request,
        uow,
        principal,
        alignment_id,
        command.reason,
        lambda w: decisions.approve_alignment(command, principal=principal, uow=w),
        "approved",
    )


@pages.post("/staff/alignments/{alignment_id}/reject", response_class=HTMLResponse)
def reject_alignment(
    alignment_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Reject a submitted version, with a reason (another administrator than its author)."""
    command = RejectAlignment(alignment_id, form.get("reason"))
    return _decide(
        request,
        uow,
        principal,
        alignment_id,
        command.reason,
        lambda w: decisions.reject_alignment(command, principal=principal, uow=w),
        "rejected",
    )


# --- one version --------------------------------------------------------------------------


def _version(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    alignment_id: int,
    *,
    status_code: int = 200,
    problems: Sequence[str] = (),
    reason: str = "",
) -> Response:
    found = views.show_alignment(ShowAlignment(alignment_id), principal=principal, uow=uow)
    return _page(
        request,
        "alignments/version.html",
        status_code=status_code,
        version=found,
        problems=list(problems),
        reason=reason,
    )


@pages.get("/staff/alignments/{alignment_id}", response_class=HTMLResponse)
def version_page(alignment_id: int, request: Request, uow: Uow, principal: StaffPage) -> Response:
    """A version: its item and level, skills, status and history."""
    return _version(request, uow, principal, alignment_id)


@pages.post("/staff/alignments/{alignment_id}/submit", response_class=HTMLResponse)
def submit_alignment(
    alignment_id: int, request: Request, uow: Uow, principal: StaffPage
) -> Response:
    """Send a draft to the bank for approval."""
    command = SubmitAlignment(alignment_id)
    submitted = _attempt(
        request, lambda w: drafting.submit_alignment(command, principal=principal, uow=w)
    )
    if isinstance(submitted, DomainError):
        return _version(
            request,
            uow,
            principal,
            alignment_id,
            status_code=status_of(submitted),
            problems=refusal(request, submitted),
        )
    return see(f"/staff/alignments/{alignment_id}", done="submitted")


@pages.post("/staff/alignments/{alignment_id}/retire", response_class=HTMLResponse)
def retire_alignment(
    alignment_id: int, request: Request, uow: Uow, principal: StaffPage, form: Form
) -> Response:
    """Retire the version in force, with a reason."""
    command = RetireAlignment(alignment_id, form.get("reason"))
    retired = _attempt(
        request, lambda w: decisions.retire_alignment(command, principal=principal, uow=w)
    )
    if isinstance(retired, DomainError):
        return _version(
            request,
            uow,
            principal,
            alignment_id,
            status_code=status_of(retired),
            problems=refusal(request, retired),
            reason=command.reason,
        )
    return see(f"/staff/alignments/{alignment_id}", done="retired")
