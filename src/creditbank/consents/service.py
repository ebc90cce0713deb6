"""Use cases of consents and shares. Given a unit of work; never commit.

Only the learner acts here (the pages check who is logged in); institutions see
the effect through :func:`consenting_institutions`, which the access policy is
given when staff read a transcript.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from creditbank import clock
from creditbank.accounts import api as accounts
from creditbank.consents.model import (
    Consent,
    ConsentError,
    Scope,
    Share,
    check_expiry,
    check_label,
    end_of_day,
)
from creditbank.consents.tables import ConsentRow, ShareOutcomeRow, ShareRow
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.sessions.model import digest, new_secret


@dataclass(frozen=True, slots=True)
class NewShare:
    """A share just made. ``token`` is in the link, shown once; the bank keeps its digest."""

    token: str
    share: Share


@dataclass(frozen=True, slots=True)
class SharedRecord:
    """What a share link opens: whose outcomes, and which."""

    account_number: str
    outcome_ids: frozenset[str]
    expires_at: datetime | None


def _expiry(until: date | None) -> datetime | None:
    return end_of_day(until, clock.BANK_TIMEZONE) if until is not None else None


def _consent(row: ConsentRow, institution: institutions.Institution) -> Consent:
    return Consent(
        id=row.id,
        institution=institution.code,
        institution_name=institution.name,
        scope=Scope(row.scope),
        granted_at=row.granted_at,
        expires_at=row.expires_at,
        withdrawn_at=row.withdrawn_at,
    )


def _active(now: datetime) -> ColumnElement[bool]:
    return and_(
        ConsentRow.withdrawn_at.is_(None),
        or_(ConsentRow.expires_at.is_(None), ConsentRow.expires_at > now),
    )


def grant_consent(
    *,
    uow: UnitOfWork,
    learner_id: int,
    institution: str,
    until: date | None,
    today: date,
    now: datetime,
) -> Consent:
    """Let ``institution``'s staff read the learner's whole record (until the end of ``until``).

    Granting again replaces the earlier consent to the same institution, which is withdrawn.
    The learner is locked first, so that of parallel grants each replaces the one before and
    one consent stays active.
    """
    session = uow.session
    problems = check_expiry(until, today)
    if problems:
        raise ConsentError("invalid_consent", msg("the consent cannot be granted"), problems)
    institution_id = institutions.institution_id(uow=uow, code=institution)
    accounts.lock_learner(uow=uow, learner_id=learner_id)
    session.execute(
        update(ConsentRow)
        .where(
            ConsentRow.learner_id == learner_id,
            ConsentRow.institution_id == institution_id,
            ConsentRow.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
    )
    row = ConsentRow(
        learner_id=learner_id,
        institution_id=institution_id,
        scope=Scope.READ_OUTCOMES.value,
        granted_at=now,
        expires_at=_expiry(until),
        withdrawn_at=None,
    )
    session.add(row)
    session.flush()
    code = institutions.institution_codes(uow=uow)[institution_id]
    return _consent(row, institutions.get_institution(uow=uow, code=code))


def withdraw_consent(*, uow: UnitOfWork, learner_id: int, consent_id: int, now: datetime) -> None:
    """End a consent now. Withdrawing one already withdrawn changes nothing (the update is
    conditional: of parallel withdrawals the first one's time stays)."""
    row = uow.session.get(ConsentRow, consent_id)
    if row is None or row.learner_id != learner_id:
        raise ConsentError("consent_not_found", msg("you have no consent {id}", id=consent_id))
    uow.session.execute(
        update(ConsentRow)
        .where(ConsentRow.id == consent_id, ConsentRow.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )


def list_consents(*, uow: UnitOfWork, learner_id: int) -> list[Consent]:
    """Every consent the learner ever granted, newest first."""
    rows = uow.session.scalars(
        select(ConsentRow).where(ConsentRow.learner_id == learner_id).order_by(ConsentRow.id.desc())
    ).all()
    codes = institutions.institution_codes(uow=uow)
    by_code = {
        institution.code: institution for institution in institutions.list_institutions(uow=uow)
    }
    return [_consent(row, by_code[codes[row.institution_id]]) for row in rows]


def consenting_institutions(
    *, uow: UnitOfWork, account_number: str, now: datetime
) -> frozenset[str]:
    """The institutions the holder of ``account_number`` has an active consent for."""
    learner = accounts.find_learner(uow=uow, account_number=account_number)
    if learner is None:
        return frozenset()
    consented = uow.session.scalars(
        select(ConsentRow.institution_id).where(ConsentRow.learner_id == learner.id, _active(now))
    ).all()
    if not consented:
        return frozenset()
    codes = institutions.institution_codes(uow=uow)
    return frozenset(codes[institution_id] for institution_id in consented)


def _share(session: Session, row: ShareRow) -> Share:
    count = session.scalar(
        select(func.count()).select_from(ShareOutcomeRow).where(ShareOutcomeRow.share_id == row.id)
    )
    return Share(
        id=row.public_id,
        label=row.label,
        outcomes=count or 0,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        views=row.views,
        last_viewed_at=row.last_viewed_at,
    )


def create_share(
    *,
    uow: UnitOfWork,
    learner_id: int,
    outcomes: Sequence[str],
    label: str,
    until: date | None,
    today: date,
    now: datetime,
) -> NewShare:
    """A secret link to the learner's outcomes ``outcomes`` (their public ids)."""
    session = uow.session
    label = " ".join(label.split())
    problems: list[Message] = [*check_expiry(until, today), *check_label(label)]
    wanted = set(outcomes)
    if not wanted:
        problems.append(msg("choose at least one outcome to share"))
    found = accounts.learners_outcome_ids(uow=uow, learner_id=learner_id, public_ids=wanted)
    if len(found) != len(wanted):
        problems.append(msg("only your own outcomes can be shared"))
    if problems:
        raise ConsentError("invalid_share", msg("the share cannot be made"), problems)
    token = new_secret()
    row = ShareRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner_id,
        digest=digest(token),
        label=label,
        created_at=now,
        expires_at=_expiry(until),
        revoked_at=None,
        views=0,
        last_viewed_at=None,
    )
    session.add(row)
    session.flush()
    session.add_all(
        ShareOutcomeRow(share_id=row.id, outcome_id=outcome_id)
        for outcome_id in sorted(found.values())
    )
    session.flush()
    return NewShare(token, _share(session, row))


def revoke_share(*, uow: UnitOfWork, learner_id: int, share_id: str, now: datetime) -> None:
    """Make a share link worthless from now on."""
    row = uow.session.scalar(select(ShareRow).where(ShareRow.public_id == share_id))
    if row is None or row.learner_id != learner_id:
        raise ConsentError("share_not_found", msg("you have no share {id}", id=share_id))
    uow.session.execute(  # conditional: of parallel revocations the first one's time stays
        update(ShareRow)
        .where(ShareRow.id == row.id, ShareRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def list_shares(*, uow: UnitOfWork, learner_id: int) -> list[Share]:
    """Every share the learner made, newest first."""
    rows = uow.session.scalars(
        select(ShareRow).where(ShareRow.learner_id == learner_id).order_by(ShareRow.id.desc())
    )
    return [_share(uow.session, row) for row in rows]


def open_share(*, uow: UnitOfWork, token: str, now: datetime) -> SharedRecord | None:
    """What the share link with ``token`` shows, or None when it is unknown, expired or revoked.

    Counts the visit, so the learner sees whether and when the link was opened.
    """
    session = uow.session
    row = session.scalar(select(ShareRow).where(ShareRow.digest == digest(token)))
    if row is None or not _share(session, row).is_active(now):
        return None
    number = accounts.account_numbers(uow=uow, learner_ids=[row.learner_id]).get(row.learner_id)
    # read to the end first: on SQLite a statement still open holds a read snapshot, and the
    # write below could then not wait for another writer (locked at once)
    outcome_ids = session.scalars(
        select(ShareOutcomeRow.outcome_id).where(ShareOutcomeRow.share_id == row.id)
    ).all()
    ids = frozenset(accounts.outcome_public_ids(uow=uow, outcome_ids=outcome_ids).values())
    session.execute(  # counted in the database: parallel visits are each counted
        update(ShareRow)
        .where(ShareRow.id == row.id)
        .values(views=ShareRow.views + 1, last_viewed_at=now)
    )
    return SharedRecord(number or "", ids, row.expires_at)
