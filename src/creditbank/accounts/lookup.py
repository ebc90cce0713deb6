"""Handlers of the operator console's learners page: find a learner's account by its number
(its state, no personal data) or by identity number with a stated purpose (the personal data
opened through the audited read, so the learner sees the look-up on their access page, and
shown masked).

The console is the bank's: its administrators find learners, its auditors read what the
administrators may (by account number; an identity number opens personal data, which only
administrators may). Institutions' staff find learners on their own desk (``/staff/lookup``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from creditbank.access.policy import Action, Principal, allowed, require
from creditbank.accounts import outcomes, service
from creditbank.accounts.commands import FindAccount, FindLearnerByIdentity, ShowLearnerConsole
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import AccountError, OutcomeStatus, check_account_number
from creditbank.accounts.tables import LearnerRow
from creditbank.db import UnitOfWork
from creditbank.file_limits.preview import masked
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class LearnerConsole:
    """What the acting user may do on the console's learners page."""

    may_look_up_identity: bool
    """Find by identity number (opens personal data): bank administrators."""
    may_issue_codes: bool
    """Give a learner an activation code: the bank office's, administrators."""


@dataclass(frozen=True, slots=True)
class MaskedPersonalData:
    """A learner's personal data as the console shows it: the identity number masked."""

    name: str
    id_type: str
    id_number: str
    birth_date: str


@dataclass(frozen=True, slots=True)
class LearnerAccount:
    """An account's state: when and by whom it was opened, whether its personal data was
    erased, its outcomes by status and their issuers; the personal data when it was opened."""

    account_number: str
    opened_at: datetime
    opened_by: str | None
    erased_at: datetime | None
    outcomes_by_status: dict[OutcomeStatus, int]
    issuers: list[str]
    personal_data: MaskedPersonalData | None = None

    @property
    def outcome_count(self) -> int:
        return sum(self.outcomes_by_status.values())


def _require_console_reader(principal: Principal) -> None:
    """The console's readers: the bank's administrators and auditors (bank-wide readers of
    outcomes); everyone else is refused."""
    require(principal, Action.READ_OUTCOMES, None)


def _account(uow: UnitOfWork, number: str) -> LearnerAccount:
    row = uow.session.scalar(select(LearnerRow).where(LearnerRow.account_number == number))
    if row is None:
        raise AccountError("account_not_found", msg("there is no account {number}", number=number))
    found = outcomes.every_outcome(uow=uow, account_number=number)
    codes = (
        institutions.institution_codes(uow=uow) if row.opened_by_institution_id is not None else {}
    )
    return LearnerAccount(
        account_number=row.account_number,
        opened_at=row.opened_at,
        opened_by=codes.get(row.opened_by_institution_id or 0),
        erased_at=row.erased_at,
        outcomes_by_status=dict(Counter(outcome.status for outcome in found)),
        issuers=sorted({outcome.institution for outcome in found}),
    )


@handler
def show_learner_console(
    query: ShowLearnerConsole, *, principal: Principal, uow: UnitOfWork
) -> LearnerConsole:
    """Refuses (``forbidden``) all but the console's readers."""
    del query, uow
    _require_console_reader(principal)
    return LearnerConsole(
        may_look_up_identity=allowed(principal, Action.LOOKUP_LEARNER, None),
        may_issue_codes=allowed(principal, Action.OPEN_ACCOUNT, None),
    )


@handler
def find_account(query: FindAccount, *, principal: Principal, uow: UnitOfWork) -> LearnerAccount:
    """The account's state; ``invalid_account_number`` or ``account_not_found`` otherwise."""
    _require_console_reader(principal)
    return _account(uow, check_account_number(query.account_number))


@handler
def find_learner_by_identity(
    query: FindLearnerByIdentity,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
) -> LearnerAccount | None:
    """The account the identity number has (None: the bank has none), its personal data read
        through the audited read (who, when, ``purpose``) and masked. The look-up goes into the
    audit of administrators' actions too, found or not (never the identity number)."""
    _require_console_reader(principal)
    require(principal, Action.LOOKUP_LEARNER, None)
    number = service.find_account(uow=uow, cipher=cipher, id_number=query.id_number)
    institutions.record_admin_action(
        uow,
        principal,
        "learner.look_up",
        target_kind="learner",
        target=number or "",
        detail="found" if number else "not_found",
    )
    if number is None:
        return None
    data = service.read_personal_data(
        uow=uow, cipher=cipher, number=number, user_id=principal.user_id, purpose=query.purpose
    )
    shown = MaskedPersonalData(
        name=data.name,
        id_type=data.id_type,
        id_number=masked(data.id_number),
        birth_date=data.birth_date,
    )
    return replace(_account(uow, number), personal_data=shown)
