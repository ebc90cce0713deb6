"""The certification of teachers and assessors of an item (one level of it, or all).

Given a unit of work; never commit. An assessor is assigned to an application only while
certified for its unit's level; 1+X operations certify the teachers and assessors of X
certificates the same way. The person's identity number is kept only as its index (HMAC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, or_, select

from creditbank.access.policy import ROLE_WORDS, Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.accreditation.commands import CertifyStaff, ListCertifications
from creditbank.accreditation.model import AccreditationError
from creditbank.accreditation.schemes import item_level, item_owner, owned_item
from creditbank.accreditation.tables import CertificationRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler


class CertificationKind:
    TEACHER = "teacher"
    ASSESSOR = "assessor"
    ALL = (TEACHER, ASSESSOR)


@dataclass(frozen=True, slots=True)
class Certification:
    id: int
    email: str
    institution: str | None
    kind: str
    item: str
    """``OWNER:CODE``."""
    level: str | None
    """A level code, or None for every level of the item."""
    valid_from: date
    valid_until: date
    training: str
    certified_by: str

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_until


def certify(
    *,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
    email: str,
    kind: str,
    item_ref: str,
    level: str | None,
    id_number: str,
    valid_from: date,
    valid_until: date,
    training: str,
    by: str,
) -> Certification:
    """Certify a staff user as a teacher or an assessor of an item (one level, or all). An
    assessor must hold the assessor role. The person's identity number is kept only as its
    index (HMAC), so that nobody is ever assigned to assess their own application."""
    problems: list[Message] = []
    if kind not in CertificationKind.ALL:
        problems.append(msg("a certification is as teacher or as assessor, not {kind}", kind=kind))
    if valid_until < valid_from:
        problems.append(msg("a certification cannot end before it starts"))
    if not training.strip():
        problems.append(msg("say which training led to the certification"))
    try:
        person = accounts.parse_id_number(id_number)
    except accounts.AccountError as error:
        problems.append(error.message)
        person = None
    principal = institutions.principal_or_none(uow=uow, email=email)
    if principal is None:
        problems.append(msg("there is no user {email}", email=email))
    elif kind == CertificationKind.ASSESSOR and principal.role is not institutions.Role.ASSESSOR:
        problems.append(
            msg(
                "{email} is {role}; only an assessor can be certified to assess",
                email=email,
                role=ROLE_WORDS[principal.role],
            )
        )
    item = owned_item(uow, item_ref)
    pinned = None if level is None else item_level(item, level)
    if problems or principal is None or person is None:
        raise AccreditationError(
            "invalid_certification", msg("the certification cannot be made"), problems
        )
    row = CertificationRow(
        user_id=principal.user_id,
        kind=kind,
        item_id=item.id,
        framework_level_id=None if pinned is None else pinned.level_id,
        person_hmac=cipher.index(person.index_key),
        valid_from=valid_from,
        valid_until=valid_until,
        training=training.strip(),
        certified_by=by,
        certified_at=datetime.now(UTC),
    )
    uow.session.add(row)
    uow.session.flush()
    return _certifications(uow, CertificationRow.id == row.id)[0]


def _certifications(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[Certification]:
    rows = list(
        uow.session.scalars(select(CertificationRow).where(*where).order_by(CertificationRow.id))
    )
    users = institutions.users_by_id(uow=uow, user_ids={r.user_id for r in rows})
    items = catalog.items_by_id(uow=uow, item_ids=[r.item_id for r in rows])
    levels = frameworks.pinned_levels(
        uow=uow, level_ids=[r.framework_level_id for r in rows if r.framework_level_id]
    )
    return [
        Certification(
            id=r.id,
            email=users[r.user_id].email,
            institution=users[r.user_id].institution,
            kind=r.kind,
            item=f"{items[r.item_id].institution}:{items[r.item_id].code}",
            level=None if r.framework_level_id is None else levels[r.framework_level_id].level.code,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            training=r.training,
            certified_by=r.certified_by,
        )
        for r in rows
    ]


def certifications_of(*, uow: UnitOfWork, user_id: int) -> list[Certification]:
    return _certifications(uow, CertificationRow.user_id == user_id)


def certifications_for(*, uow: UnitOfWork, item_id: int) -> list[Certification]:
    return _certifications(uow, CertificationRow.item_id == item_id)


def certified(
    *, uow: UnitOfWork, user_id: int, kind: str, item_id: int, level_id: int, on: date
) -> CertificationRow | None:
    """The certification that makes ``user_id`` a ``kind`` of this item's level on ``on``."""
    return uow.session.scalar(
        select(CertificationRow)
        .where(
            CertificationRow.user_id == user_id,
            CertificationRow.kind == kind,
            CertificationRow.item_id == item_id,
            or_(
                CertificationRow.framework_level_id.is_(None),
                CertificationRow.framework_level_id == level_id,
            ),
            CertificationRow.valid_from <= on,
            CertificationRow.valid_until >= on,
        )
        .order_by(CertificationRow.valid_until.desc())
        .limit(1)
    )


# --- handlers ----------------------------------------------------------------------------------


@handler
def certify_staff(
    command: CertifyStaff,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
) -> Certification:
    """The item owner's registrars and accreditation officers, bank administrators."""
    require(principal, Action.CERTIFY, item_owner(uow=uow, item_ref=command.item_ref))
    return certify(
        uow=uow,
        cipher=cipher,
        email=command.email,
        kind=command.kind.strip().lower(),
        item_ref=command.item_ref,
        level=command.level,
        id_number=command.id_number,
        valid_from=command.valid_from,
        valid_until=command.valid_until,
        training=command.training,
        by=principal.email,
    )


@handler
def list_certifications(
    query: ListCertifications, *, principal: Principal, uow: UnitOfWork
) -> list[Certification]:
    """Who may read a user's institution reads its staff's certifications (bank-wide users':
    bank administrators and auditors)."""
    user = institutions.principal_for(uow=uow, email=query.email)
    require(principal, Action.READ_INSTITUTION, user.institution)
    return certifications_of(uow=uow, user_id=user.user_id)
