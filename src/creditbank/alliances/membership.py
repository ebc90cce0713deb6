"""Handlers of the bank's alliances: proposing to join one, approving the joining (four eyes)
and leaving, each step stored and (joining, leaving) logged in the same transaction.

Bank administrators only. Every step is guarded in the database: the alliance's row is locked
(``db.for_update``) before its status is read and the step is a conditional update on the
version it read, so of two parallel approvals one wins (``alliance_status_conflict``); a code is
in use by one row at a time (a partial unique index), so of two parallel proposals of one code
one is stored (``alliance_exists``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, Principal, require
from creditbank.alliances import records
from creditbank.alliances.commands import ApproveJoining, JoinAlliance, LeaveAlliance
from creditbank.alliances.model import (
    MAX_REASON,
    Alliance,
    AllianceError,
    AllianceEvent,
    AllianceStatus,
    Scope,
    check_alliance,
    joined,
    split,
)
from creditbank.alliances.tables import BankAllianceEventRow, BankAllianceRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork, for_update, hold_write_lock
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import Receipt
from creditbank.messages import Message, msg
from creditbank.usecases import handler

STATUS_WORDS: dict[str, Message] = {
    AllianceStatus.PROPOSED.value: msg("proposed"),
    AllianceStatus.JOINED.value: msg("joined"),
    AllianceStatus.LEFT.value: msg("left"),
}
_CONFLICTS: dict[AllianceStatus, Message] = {
    AllianceStatus.JOINED: msg(
        "the alliance {code} is {status}: only a proposed joining can be approved"
    ),
    AllianceStatus.LEFT: msg("the alliance {code} is {status}: only a joined alliance can be left"),
}


@dataclass(frozen=True, slots=True)
class AllianceChange:
    """An alliance after a step, and the step's receipt in the log (None for a proposal)."""

    alliance: Alliance
    receipt: Receipt | None


def alliance_row(uow: UnitOfWork, alliance: str, *, lock: bool = False) -> BankAllianceRow:
    """The alliance ``alliance`` names: its id (digits), or a code in use (proposed, joined)."""
    query = select(BankAllianceRow)
    if alliance.strip().isdigit():
        query = query.where(BankAllianceRow.id == int(alliance))
    else:
        query = query.where(
            BankAllianceRow.code == alliance.strip(),
            BankAllianceRow.status != AllianceStatus.LEFT.value,
        )
    if lock:
        query = for_update(uow.session, query)
    row = uow.session.scalar(query)
    if row is None:
        raise AllianceError(
            "alliance_not_found", msg("there is no alliance {alliance}", alliance=alliance)
        )
    return row


def _events(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, list[AllianceEvent]]:
    found: dict[int, list[AllianceEvent]] = {}
    if not ids:
        return found
    rows = list(
        uow.session.scalars(
            select(BankAllianceEventRow)
            .where(BankAllianceEventRow.alliance_id.in_(ids))
            .order_by(BankAllianceEventRow.id)
        )
    )
    users = institutions.user_names(uow=uow, user_ids={row.by_user_id for row in rows})
    for event in rows:
        found.setdefault(event.alliance_id, []).append(
            AllianceEvent(
                kind=AllianceStatus(event.kind),
                actor=users.get(event.by_user_id, (event.actor, None))[0],
                at=event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC),
                reason=event.reason,
            )
        )
    return found


def alliances_of(uow: UnitOfWork, rows: Sequence[BankAllianceRow]) -> list[Alliance]:
    events = _events(uow, [row.id for row in rows])
    return [
        Alliance(
            id=row.id,
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            members=split(row.members),
            scope=Scope(
                frameworks=split(row.frameworks),
                item_kinds=split(row.item_kinds),
                valid_from=row.valid_from,
                valid_until=row.valid_until,
            ),
            status=AllianceStatus(row.status),
            version=row.version,
            events=tuple(events.get(row.id, [])),
        )
        for row in rows
    ]


def _step(
    uow: UnitOfWork, row: BankAllianceRow, kind: AllianceStatus, *, user_id: int, reason: str
) -> Receipt | None:
    at = datetime.now(UTC)
    event = BankAllianceEventRow(
        alliance_id=row.id,
        kind=kind.value,
        by_user_id=user_id,
        actor=institutions.actor_ids(uow=uow, user_ids=[user_id])[user_id],
        reason=reason,
        at=at,
    )
    uow.session.add(event)
    uow.session.flush()
    if kind.value not in records.KINDS:
        return None
    fact = records.alliance_fact(row, event, bank=ledger.log_origin(uow=uow))
    (receipt,) = ledger.append(uow, [fact])
    return receipt


@handler
def join_alliance(
    command: JoinAlliance, *, principal: Principal, uow: UnitOfWork
) -> AllianceChange:
    """Propose that this bank join an alliance; it joins once ANOTHER administrator approves."""
    require(principal, Action.MANAGE_ALLIANCES, None)
    code, name, name_en, members, scope = check_alliance(
        code=command.code,
        name=command.name,
        name_en=command.name_en,
        members=command.members,
        frameworks=command.frameworks,
        item_kinds=command.item_kinds,
        valid_from=command.valid_from,
        valid_until=command.valid_until,
        known_item_kinds=[kind.value for kind in catalog.ItemKind],
        own_origin=ledger.log_origin(uow=uow),
    )
    row = BankAllianceRow(
        code=code,
        name=name,
        name_en=name_en,
        members=joined(members),
        frameworks=joined(scope.frameworks),
        item_kinds=joined(scope.item_kinds),
        valid_from=scope.valid_from,
        valid_until=scope.valid_until,
        status=AllianceStatus.PROPOSED.value,
        version=1,
        proposed_by_user_id=principal.user_id,
    )
    hold_write_lock(uow.session)  # SQLite: BEGIN first, or RELEASE SAVEPOINT would commit
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except IntegrityError:
        raise AllianceError(
            "alliance_exists",
            msg("this bank has joined or proposed the alliance {code} already", code=code),
        ) from None
    receipt = _step(uow, row, AllianceStatus.PROPOSED, user_id=principal.user_id, reason="")
    return AllianceChange(alliances_of(uow, [row])[0], receipt)


def _change(
    uow: UnitOfWork,
    alliance: str,
    *,
    to: AllianceStatus,
    allowed_from: AllianceStatus,
    user_id: int,
    reason: str = "",
    four_eyes: bool = False,
) -> AllianceChange:
    row = alliance_row(uow, alliance, lock=True)
    if row.status != allowed_from.value:
        raise AllianceError(
            "alliance_status_conflict",
            Message(
                _CONFLICTS[to].template, {"code": row.code, "status": STATUS_WORDS[row.status]}
            ),
        )
    if four_eyes and row.proposed_by_user_id == user_id:
        raise AllianceError(
            "alliance_four_eyes",
            msg(
                "the administrator who proposed joining {code} may not approve it: another bank "
                "administrator must (four eyes)",
                code=row.code,
            ),
        )
    done = uow.session.execute(
        update(BankAllianceRow)
        .where(BankAllianceRow.id == row.id, BankAllianceRow.version == row.version)
        .values(status=to.value, version=row.version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 1) != 1:  # pragma: no cover - the lock makes it so
        raise AllianceError(
            "alliance_status_conflict", msg("the alliance {code} changed meanwhile", code=row.code)
        )
    uow.session.refresh(row)
    receipt = _step(uow, row, to, user_id=user_id, reason=reason)
    return AllianceChange(alliances_of(uow, [row])[0], receipt)


@handler
def approve_joining(
    command: ApproveJoining, *, principal: Principal, uow: UnitOfWork
) -> AllianceChange:
    """Approve this bank's joining of a proposed alliance (not its proposer); logged."""
    require(principal, Action.MANAGE_ALLIANCES, None)
    return _change(
        uow,
        command.alliance,
        to=AllianceStatus.JOINED,
        allowed_from=AllianceStatus.PROPOSED,
        user_id=principal.user_id,
        four_eyes=True,
    )


@handler
def leave_alliance(
    command: LeaveAlliance, *, principal: Principal, uow: UnitOfWork
) -> AllianceChange:
    """Leave an alliance this bank joined (one administrator, with a reason); logged."""
    require(principal, Action.MANAGE_ALLIANCES, None)
    reason = command.reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise AllianceError(
            "invalid_alliance",
            msg("give the reason for leaving the alliance (at most {n} characters)", n=MAX_REASON),
        )
    return _change(
        uow,
        command.alliance,
        to=AllianceStatus.LEFT,
        allowed_from=AllianceStatus.JOINED,
        user_id=principal.user_id,
        reason=reason,
    )
