"""HTTP of the alignments to skills (``/api/v1/alignments``): proposals for an item, drafting,
the four-eyes steps, and reading versions. Thin: authenticate, build the command, call its
handler (which checks the policy), render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

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
from creditbank.alignments.model import AlignmentStatus
from creditbank.alignments.schemas import (
    AlignmentCreate,
    AlignmentDecision,
    AlignmentRead,
    AlignmentRetirement,
    ProposalRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/alignments", tags=["alignments"])


@api.get("/proposals", response_model=ProposalRead, responses=responses(401, 403, 404, 422))
def propose_skills(
    uow: Uow,
    principal: Authenticated,
    item: Annotated[str, Query(max_length=140, description="OWNER:CODE (a bare CODE: yours).")],
    level: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=drafting.MAX_PROPOSALS)] = 10,
) -> ProposalRead:
    """The skills the bank proposes for a catalogue item (at a level, or at any), best first,
    each with its score and the words that matched; the alignment in force and the open version
    (the item's registrars and accreditation officers, bank administrators)."""
    command = ProposeSkills(item=item, level=level, limit=limit)
    return ProposalRead.of(drafting.propose_skills(command, principal=principal, uow=uow))


@api.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AlignmentRead,
    responses=responses(401, 403, 404, 409, 422),
)
def draft_alignment(body: AlignmentCreate, uow: Uow, principal: Authenticated) -> AlignmentRead:
    """Draft a version of an item's alignment to skills (by URI); an open draft of the same
    subject is withdrawn in its favour."""
    command = DraftAlignment(
        item=body.item, skills=tuple(body.skills), level=body.level, note=body.note
    )
    return AlignmentRead.of(drafting.draft_alignment(command, principal=principal, uow=uow))


@api.get("", response_model=list[AlignmentRead], responses=responses(401, 403, 404, 422))
def list_alignments(
    uow: Uow,
    principal: Authenticated,
    institution: Annotated[str | None, Query(max_length=32)] = None,
    status: AlignmentStatus | None = None,
    item: Annotated[str | None, Query(max_length=140)] = None,
) -> list[AlignmentRead]:
    """Versions, filtered by the item's owner, status (``submitted``: the bank's queue) and
    item; without an institution, those you may read."""
    query = ListAlignments(institution=institution, status=status, item=item)
    return [AlignmentRead.of(v) for v in views.list_alignments(query, principal=principal, uow=uow)]


@api.get("/{alignment_id}", response_model=AlignmentRead, responses=responses(401, 403, 404))
def read_alignment(alignment_id: int, uow: Uow, principal: Authenticated) -> AlignmentRead:
    query = ShowAlignment(alignment_id)
    return AlignmentRead.of(views.show_alignment(query, principal=principal, uow=uow))


@api.post(
    "/{alignment_id}/submit", response_model=AlignmentRead, responses=responses(401, 403, 404, 409)
)
def submit_alignment(alignment_id: int, uow: Uow, principal: Authenticated) -> AlignmentRead:
    """Send a draft to the bank for approval."""
    command = SubmitAlignment(alignment_id)
    return AlignmentRead.of(drafting.submit_alignment(command, principal=principal, uow=uow))


@api.post(
    "/{alignment_id}/approve",
    response_model=AlignmentRead,
    responses=responses(401, 403, 404, 409, 422),
)
def approve_alignment(
    alignment_id: int, uow: Uow, principal: Authenticated, body: AlignmentDecision | None = None
) -> AlignmentRead:
    """Approve a submitted version (bank administrators other than its author): in force from
    now on; logged."""
    command = ApproveAlignment(alignment_id, body.reason if body else "")
    return AlignmentRead.of(decisions.approve_alignment(command, principal=principal, uow=uow))


@api.post(
    "/{alignment_id}/reject",
    response_model=AlignmentRead,
    responses=responses(401, 403, 404, 409, 422),
)
def reject_alignment(
    alignment_id: int, body: AlignmentDecision, uow: Uow, principal: Authenticated
) -> AlignmentRead:
    """Reject a submitted version with a reason (bank administrators other than its author)."""
    command = RejectAlignment(alignment_id, body.reason)
    return AlignmentRead.of(decisions.reject_alignment(command, principal=principal, uow=uow))


@api.post(
    "/{alignment_id}/retire",
    response_model=AlignmentRead,
    responses=responses(401, 403, 404, 409, 422),
)
def retire_alignment(
    alignment_id: int, body: AlignmentRetirement, uow: Uow, principal: Authenticated
) -> AlignmentRead:
    """Retire the version in force, with a reason: the item has no alignment in force until
    another version is approved; logged."""
    command = RetireAlignment(alignment_id, body.reason)
    return AlignmentRead.of(decisions.retire_alignment(command, principal=principal, uow=uow))
