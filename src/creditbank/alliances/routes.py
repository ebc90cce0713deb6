"""HTTP for the bank's alliances: joining (proposed by one bank administrator, approved by
another), leaving, the administrators' list, and the public list of the bank's alliances.
Thin: parse, build the command, call its handler, render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from creditbank.alliances import membership, views
from creditbank.alliances.commands import (
    ApproveJoining,
    JoinAlliance,
    LeaveAlliance,
    ListAlliances,
    ShowMemberships,
)
from creditbank.alliances.model import AllianceStatus
from creditbank.alliances.schemas import (
    AllianceCreate,
    AllianceLeave,
    AllianceRead,
    MembershipsRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["alliances"])


@api.get("/alliances", response_model=list[AllianceRead], responses=responses(401, 403, 422))
def list_alliances(
    uow: Uow,
    principal: Authenticated,
    status_: Annotated[
        AllianceStatus | None, Query(alias="status", description="proposed, joined or left.")
    ] = None,
) -> list[AllianceRead]:
    """The bank's alliances with their history (administrators, auditors)."""
    found = views.list_alliances(ListAlliances(status_), principal=principal, uow=uow)
    return [AllianceRead.of_alliance(a) for a in found]


@api.post(
    "/alliances",
    status_code=status.HTTP_201_CREATED,
    response_model=AllianceRead,
    responses=responses(401, 403, 409, 422),
)
def join_alliance(body: AllianceCreate, uow: Uow, principal: Authenticated) -> AllianceRead:
    """Propose that this bank join an alliance (a bank administrator); it joins, logged, once
    ANOTHER one approves."""
    command = JoinAlliance(
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        members=tuple(body.members),
        frameworks=tuple(body.frameworks),
        item_kinds=tuple(body.item_kinds),
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return AllianceRead.of_change(membership.join_alliance(command, principal=principal, uow=uow))


@api.get("/alliances/joined", response_model=MembershipsRead, responses=responses())
def memberships(uow: Uow) -> MembershipsRead:
    """Public: the alliances this bank is a member of today, their members and agreements."""
    return MembershipsRead.of(views.show_memberships(ShowMemberships(), principal=None, uow=uow))


@api.post(
    "/alliances/{alliance_id}/approve",
    response_model=AllianceRead,
    responses=responses(401, 403, 404, 409, 422),
)
def approve_joining(alliance_id: int, uow: Uow, principal: Authenticated) -> AllianceRead:
    """Approve this bank's joining (a bank administrator other than its proposer); logged."""
    change = membership.approve_joining(
        ApproveJoining(str(alliance_id)), principal=principal, uow=uow
    )
    return AllianceRead.of_change(change)


@api.post(
    "/alliances/{alliance_id}/leave",
    response_model=AllianceRead,
    responses=responses(401, 403, 404, 409, 422),
)
def leave_alliance(
    alliance_id: int, body: AllianceLeave, uow: Uow, principal: Authenticated
) -> AllianceRead:
    """Leave an alliance this bank joined, with a reason (one bank administrator); logged."""
    command = LeaveAlliance(str(alliance_id), body.reason)
    return AllianceRead.of_change(membership.leave_alliance(command, principal=principal, uow=uow))
