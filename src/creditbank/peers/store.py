"""The trust list as stored: proposing, approving and removing a peer, each step an event
logged in the ledger in the same transaction, and reading peers back.

Every step is guarded in the database: the peer's row is locked (``db.for_update``) before
its status is read, and the step is a conditional update on the version it read, so of two
parallel approvals one wins and the other is refused (``peer_status_conflict``); an origin
is in use by one row at a time (a partial unique index), so of two parallel proposals of one
origin one is stored and the other refused (``peer_exists``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.ledger.api import Receipt
from creditbank.messages import Message, msg
from creditbank.peers import records
from creditbank.peers.model import (
    Agreement,
    Peer,
    PeerError,
    PeerEvent,
    PeerStatus,
    TrustedPeer,
    joined,
    split,
)
from creditbank.peers.tables import (
    PeerCheckpointRow,
    PeerEventRow,
    PeerForkRow,
    PeerRow,
)

STATUS_WORDS: dict[str, Message] = {
    PeerStatus.PROPOSED.value: msg("proposed"),
    PeerStatus.APPROVED.value: msg("approved"),
    PeerStatus.REMOVED.value: msg("removed"),
}
"""A peer's status as messages name it."""
_CONFLICTS: dict[PeerStatus, Message] = {
    PeerStatus.APPROVED: msg(
        "the peer bank {origin} is {status}: only a proposed peer can be approved"
    ),
    PeerStatus.REMOVED: msg("the peer bank {origin} is {status}: it is off the trust list already"),
}


def actor_of(uow: UnitOfWork, user_id: int) -> str:
    """The stable pseudonymous id the log names a user by (``user:<uuid>``), never a row id."""
    return institutions.actor_ids(uow=uow, user_ids=[user_id])[user_id]


def trusted(row: PeerRow) -> TrustedPeer:
    return TrustedPeer(
        id=row.id,
        origin=row.origin,
        log_key=row.log_key,
        did=row.did,
        url=row.url,
        witness_url=row.witness_url,
        witness_key=row.witness_key,
        agreement=Agreement(
            frameworks=split(row.frameworks),
            item_kinds=split(row.item_kinds),
            institutions=split(row.institutions),
            valid_from=row.valid_from,
            valid_until=row.valid_until,
        ),
        status=PeerStatus(row.status),
    )


def peer_row(uow: UnitOfWork, peer: str, *, lock: bool = False) -> PeerRow:
    """The peer ``peer`` names: its id (digits), or an origin in use (proposed or approved)."""
    query = select(PeerRow)
    if peer.strip().isdigit():
        query = query.where(PeerRow.id == int(peer))
    else:
        query = query.where(
            PeerRow.origin == peer.strip(), PeerRow.status != PeerStatus.REMOVED.value
        )
    if lock:
        query = for_update(uow.session, query)
    row = uow.session.scalar(query)
    if row is None:
        raise PeerError("peer_not_found", msg("there is no peer bank {peer}", peer=peer))
    return row


def _exists(origin: str) -> PeerError:
    return PeerError(
        "peer_exists",
        msg("the peer bank {origin} is on the trust list already", origin=origin),
    )


def add_peer(
    *, uow: UnitOfWork, peer: TrustedPeer, user_id: int, at: datetime | None = None
) -> tuple[Peer, Receipt]:
    """Store a proposed peer and its first event; logged."""
    at = at or datetime.now(UTC)
    in_use = for_update(
        uow.session,
        select(PeerRow.id).where(
            PeerRow.origin == peer.origin, PeerRow.status != PeerStatus.REMOVED.value
        ),
    )
    if uow.session.scalar(in_use) is not None:
        raise _exists(peer.origin)
    earlier = uow.session.scalar(
        select(func.count(PeerRow.id)).where(PeerRow.origin == peer.origin)
    )
    row = PeerRow(
        public_id=records.public_id(peer.origin, int(earlier or 0) + 1),
        origin=peer.origin,
        log_key=peer.log_key,
        did=peer.did,
        url=peer.url,
        witness_url=peer.witness_url,
        witness_key=peer.witness_key,
        frameworks=joined(peer.agreement.frameworks),
        item_kinds=joined(peer.agreement.item_kinds),
        institutions=joined(peer.agreement.institutions),
        valid_from=peer.agreement.valid_from,
        valid_until=peer.agreement.valid_until,
        status=PeerStatus.PROPOSED.value,
        version=1,
        proposed_by_user_id=user_id,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:  # a parallel proposal of the origin committed first (PostgreSQL)
        raise _exists(peer.origin) from None
    receipt = _step(uow, row, PeerStatus.PROPOSED, user_id=user_id, reason="", at=at)
    return get_peer(uow=uow, peer=str(row.id)), receipt


def change_status(
    *,
    uow: UnitOfWork,
    peer: str,
    to: PeerStatus,
    allowed_from: Sequence[PeerStatus],
    user_id: int,
    reason: str = "",
    four_eyes: bool = False,
) -> tuple[Peer, Receipt]:
    """Move a peer to ``to`` from one of ``allowed_from``: locked, then a conditional update on
    the version read; logged. ``four_eyes``: its proposer may not take the step."""
    row = peer_row(uow, peer, lock=True)
    if row.status not in {status.value for status in allowed_from}:
        raise PeerError(
            "peer_status_conflict",
            Message(
                _CONFLICTS[to].template, {"origin": row.origin, "status": STATUS_WORDS[row.status]}
            ),
        )
    if four_eyes and row.proposed_by_user_id == user_id:
        raise PeerError(
            "peer_four_eyes",
            msg(
                "the administrator who proposed {origin} may not approve it: another "
                "bank administrator must (four eyes)",
                origin=row.origin,
            ),
        )
    done = uow.session.execute(
        update(PeerRow)
        .where(PeerRow.id == row.id, PeerRow.version == row.version)
        .values(status=to.value, version=row.version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 1) != 1:  # pragma: no cover - the lock makes it so
        raise PeerError(
            "peer_status_conflict",
            msg("the peer bank {origin} changed meanwhile", origin=row.origin),
        )
    uow.session.refresh(row)
    receipt = _step(uow, row, to, user_id=user_id, reason=reason, at=datetime.now(UTC))
    return get_peer(uow=uow, peer=str(row.id)), receipt


def _step(
    uow: UnitOfWork, row: PeerRow, kind: PeerStatus, *, user_id: int, reason: str, at: datetime
) -> Receipt:
    event = PeerEventRow(
        peer_id=row.id,
        kind=kind.value,
        by_user_id=user_id,
        actor=actor_of(uow, user_id),
        reason=reason,
        at=at,
    )
    uow.session.add(event)
    uow.session.flush()
    (receipt,) = ledger.append(
        uow, [records.peer_fact(row, event, bank=ledger.log_origin(uow=uow))]
    )
    return receipt


def _events(uow: UnitOfWork, peer_ids: Sequence[int]) -> dict[int, list[PeerEvent]]:
    found: dict[int, list[PeerEvent]] = {}
    if not peer_ids:
        return found
    rows = list(
        uow.session.scalars(
            select(PeerEventRow).where(PeerEventRow.peer_id.in_(peer_ids)).order_by(PeerEventRow.id)
        )
    )
    users = institutions.user_names(uow=uow, user_ids={row.by_user_id for row in rows})
    for event in rows:
        found.setdefault(event.peer_id, []).append(
            PeerEvent(
                kind=PeerStatus(event.kind),
                actor=users.get(event.by_user_id, (event.actor, None))[0],
                at=event.at,
                reason=event.reason,
            )
        )
    return found


def _peers(uow: UnitOfWork, rows: Sequence[PeerRow]) -> list[Peer]:
    ids = [row.id for row in rows]
    events = _events(uow, ids)
    seen: dict[int, tuple[int, int]] = {}
    forks: dict[int, int] = {}
    if ids:
        for peer_id, count, largest in uow.session.execute(
            select(
                PeerCheckpointRow.peer_id,
                func.count(PeerCheckpointRow.id),
                func.max(PeerCheckpointRow.tree_size),
            )
            .where(PeerCheckpointRow.peer_id.in_(ids))
            .group_by(PeerCheckpointRow.peer_id)
        ):
            seen[peer_id] = (int(count), int(largest))
        for peer_id, count in uow.session.execute(
            select(PeerForkRow.peer_id, func.count(PeerForkRow.id))
            .where(PeerForkRow.peer_id.in_(ids))
            .group_by(PeerForkRow.peer_id)
        ):
            forks[peer_id] = int(count)
    return [
        Peer(
            peer=trusted(row),
            proposed_by=next(
                (e.actor for e in events.get(row.id, []) if e.kind is PeerStatus.PROPOSED), ""
            ),
            events=tuple(events.get(row.id, [])),
            latest_size=seen[row.id][1] if row.id in seen else None,
            checkpoints_seen=seen.get(row.id, (0, 0))[0],
            forks=forks.get(row.id, 0),
            version=row.version,
        )
        for row in rows
    ]


def get_peer(*, uow: UnitOfWork, peer: str) -> Peer:
    return _peers(uow, [peer_row(uow, peer)])[0]


def list_peers(*, uow: UnitOfWork, status: PeerStatus | None = None) -> list[Peer]:
    query = select(PeerRow).order_by(PeerRow.origin, PeerRow.id)
    if status is not None:
        query = query.where(PeerRow.status == status.value)
    return _peers(uow, list(uow.session.scalars(query)))


def approved_rows(uow: UnitOfWork) -> list[PeerRow]:
    return list(
        uow.session.scalars(
            select(PeerRow)
            .where(PeerRow.status == PeerStatus.APPROVED.value)
            .order_by(PeerRow.origin)
        )
    )
