"""Use cases for learners' accounts and personal data. Given a unit of work; never commit.

Personal data is sealed with the learner's own key before it reaches the
session, is opened only by :func:`read_personal_data` (which writes the access
to the learner's audit trail), and is never logged or put in an error message.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from creditbank.accounts import statistics
from creditbank.accounts.crypto import PersonalDataCipher, Sealed
from creditbank.accounts.model import (
    MAX_NAME,
    NAME_MISMATCH,
    AccountError,
    IdNumber,
    IdType,
    birth_date_of,
    check_account_number,
    name_digest,
    new_account_number,
)
from creditbank.accounts.tables import (
    LearnerIdentityRow,
    LearnerKeyRow,
    LearnerPersonalDataRow,
    LearnerRow,
    PersonalDataAccessRow,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import msg

MAX_NAME_LENGTH = MAX_NAME
MAX_PURPOSE = 200


@dataclass(frozen=True, slots=True)
class OpenedAccount:
    number: str
    created: bool
    """False when the identity number already had an account (nothing was changed)."""


@dataclass(frozen=True, slots=True)
class PersonalData:
    name: str
    id_type: str
    id_number: str
    birth_date: str
    contact: str


@dataclass(frozen=True, slots=True)
class AccessEntry:
    user_id: int
    purpose: str
    at: datetime


def find_account(*, uow: UnitOfWork, cipher: PersonalDataCipher, id_number: IdNumber) -> str | None:
    """The account number of the learner with ``id_number``, if the bank has one."""
    return uow.session.scalar(
        select(LearnerRow.account_number)
        .join(LearnerIdentityRow, LearnerIdentityRow.learner_id == LearnerRow.id)
        .where(LearnerIdentityRow.id_hmac == cipher.index(id_number.index_key))
    )


def open_account(
    *,
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    id_number: IdNumber,
    name: str,
    contact: str = "",
    opened_by: str | None = None,
) -> OpenedAccount:
    """Open a personal learning account, or return the one this identity number already has,
    but only to a caller who names its holder as the account does (:func:`same_name`):
    otherwise anybody could turn an identity number into an account number. A different name
    is refused with ``account_exists`` (409), which says nothing of the account."""
    session = uow.session
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AccountError(
            "invalid_learner",
            msg("a learner needs a name of 1 to {count} characters", count=MAX_NAME_LENGTH),
        )
    existing = find_account(uow=uow, cipher=cipher, id_number=id_number)
    if existing is not None:
        held = _open_personal_data(session, cipher, _learner(session, existing))
        if not same_name(held.name, name):
            raise AccountError("account_exists", NAME_MISMATCH)
        return OpenedAccount(existing, created=False)
    number = _unused_number(session)
    opened_at = datetime.now(UTC)
    learner = LearnerRow(
        account_number=number,
        opened_at=opened_at,
        opened_by_institution_id=(
            institutions.institution_id(uow=uow, code=opened_by) if opened_by else None
        ),
        erased_at=None,
    )
    session.add(learner)
    session.flush()
    key, wrapped = cipher.new_learner_key(number)
    born = birth_date_of(id_number)
    sealed = cipher.seal(
        key,
        number,
        {
            "name": name,
            "id_type": id_number.type.value,
            "id_number": id_number.number,
            "birth_date": born.isoformat() if born else "",
            "contact": contact.strip(),
        },
    )
    session.add_all(
        [
            LearnerIdentityRow(learner_id=learner.id, id_hmac=cipher.index(id_number.index_key)),
            LearnerKeyRow(
                learner_id=learner.id, nonce=wrapped.nonce, wrapped_key=wrapped.ciphertext
            ),
            LearnerPersonalDataRow(
                learner_id=learner.id, nonce=sealed.nonce, ciphertext=sealed.ciphertext
            ),
        ]
    )
    session.flush()
    statistics.tally_opened(
        uow,
        at=opened_at,
        institution=opened_by.strip().upper() if opened_by else None,
        identities=[id_number.number if id_number.type is IdType.RESIDENT else ""],
    )
    return OpenedAccount(number, created=True)


def same_name(held: str, given: str) -> bool:
    """Whether ``given`` names the same person as ``held``: equal after Unicode NFKC
    normalisation, case folding and collapsing white space (full-width letters and spaces,
    "LI Si" and "Li  Si" match). Compared in constant time: how near a wrong name came shows
    nowhere."""
    return hmac.compare_digest(name_digest(held), name_digest(given))


def _unused_number(session: Session) -> str:
    while True:
        number = new_account_number()
        taken = session.scalar(select(LearnerRow.id).where(LearnerRow.account_number == number))
        if taken is None:
            return number


def _learner(session: Session, number: str) -> LearnerRow:
    learner = session.scalar(
        select(LearnerRow).where(LearnerRow.account_number == check_account_number(number))
    )
    if learner is None:
        raise AccountError(
            "account_not_found", msg("there is no account {number}", number=number.upper())
        )
    return learner


def _open_personal_data(
    session: Session, cipher: PersonalDataCipher, learner: LearnerRow
) -> PersonalData:
    key_row = session.get(LearnerKeyRow, learner.id)
    data_row = session.get(LearnerPersonalDataRow, learner.id)
    if key_row is None or data_row is None:
        raise AccountError(
            "personal_data_erased",
            msg(
                "the personal data of account {number} has been erased",
                number=learner.account_number,
            ),
        )
    key = cipher.unwrap(learner.account_number, Sealed(key_row.nonce, key_row.wrapped_key))
    data = cipher.open(key, learner.account_number, Sealed(data_row.nonce, data_row.ciphertext))
    return PersonalData(
        name=data["name"],
        id_type=data["id_type"],
        id_number=data["id_number"],
        birth_date=data["birth_date"],
        contact=data["contact"],
    )


def read_personal_data(
    *, uow: UnitOfWork, cipher: PersonalDataCipher, number: str, user_id: int, purpose: str
) -> PersonalData:
    """Open a learner's personal data for a staff user, and record that access (and why)."""
    session = uow.session
    purpose = " ".join(purpose.split())
    if not purpose or len(purpose) > MAX_PURPOSE:
        raise AccountError(
            "invalid_purpose",
            msg(
                "say why the personal data is read: a purpose of 1 to {count} characters",
                count=MAX_PURPOSE,
            ),
        )
    learner = _learner(session, number)
    data = _open_personal_data(session, cipher, learner)
    session.add(
        PersonalDataAccessRow(
            learner_id=learner.id, user_id=user_id, purpose=purpose, at=datetime.now(UTC)
        )
    )
    session.flush()
    return data


def read_own_personal_data(
    *, uow: UnitOfWork, cipher: PersonalDataCipher, number: str
) -> PersonalData:
    """Open a learner's personal data for the learner themselves (or for what they chose to
    share): not an access by staff, so not in the audit trail. Callers check who asks."""
    return _open_personal_data(uow.session, cipher, _learner(uow.session, number))


def access_log(*, uow: UnitOfWork, number: str) -> list[AccessEntry]:
    """Every access by staff to the learner's personal data, oldest first."""
    learner = _learner(uow.session, number)
    rows = uow.session.scalars(
        select(PersonalDataAccessRow)
        .where(PersonalDataAccessRow.learner_id == learner.id)
        .order_by(PersonalDataAccessRow.id)
    )
    return [AccessEntry(row.user_id, row.purpose, row.at) for row in rows]


def erase_personal_data(*, uow: UnitOfWork, number: str) -> None:
    """Crypto-shred: destroy the learner's key and identity index; the account number stays."""
    session = uow.session
    learner = _learner(session, number)
    for row_type in (LearnerKeyRow, LearnerPersonalDataRow):
        row = session.get(row_type, learner.id)
        if row is not None:
            session.delete(row)
    for identity in session.scalars(
        select(LearnerIdentityRow).where(LearnerIdentityRow.learner_id == learner.id)
    ):
        session.delete(identity)
    learner.erased_at = datetime.now(UTC)
    session.flush()
