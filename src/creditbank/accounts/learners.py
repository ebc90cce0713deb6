"""Handlers of learners' accounts: open one, read personal data on purpose, look a learner up.

Each checks the access policy first, then calls :mod:`creditbank.accounts.service` in the unit
of work it is given. Personal data is opened only through the audited read.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import service
from creditbank.accounts.commands import (
    LookUpLearner,
    OpenAccount,
    ReadPersonalData,
    ShowLookUpForm,
)
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.accounts.service import OpenedAccount, PersonalData
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class FoundLearner:
    """What a look-up found: the account number and personal data, or nothing."""

    account_number: str | None
    personal_data: PersonalData | None


@handler
def open_account(
    command: OpenAccount, *, principal: Principal, uow: UnitOfWork, cipher: PersonalDataCipher
) -> OpenedAccount:
    require(principal, Action.OPEN_ACCOUNT, principal.institution)
    return service.open_account(
        uow=uow,
        cipher=cipher,
        id_number=parse_id_number(command.id_number, command.id_type),
        name=command.name,
        contact=command.contact,
        opened_by=principal.institution,
    )


@handler
def read_personal_data(
    query: ReadPersonalData,
    *,
    principal: Principal,
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
) -> PersonalData:
    require(principal, Action.READ_PERSONAL_DATA, None)
    return service.read_personal_data(
        uow=uow,
        cipher=cipher,
        number=query.account_number,
        user_id=principal.user_id,
        purpose=query.purpose,
    )


@handler
def show_lookup_form(query: ShowLookUpForm, *, principal: Principal, uow: UnitOfWork) -> None:
    """Refuses (``forbidden``) a user who may not look learners up; else answers nothing."""
    del query, uow
    require(principal, Action.LOOKUP_LEARNER, principal.institution)


@handler
def look_up_learner(
    query: LookUpLearner, *, principal: Principal, uow: UnitOfWork, cipher: PersonalDataCipher
) -> FoundLearner:
    require(principal, Action.LOOKUP_LEARNER, principal.institution)
    number = service.find_account(uow=uow, cipher=cipher, id_number=query.id_number)
    if number is None:
        return FoundLearner(None, None)
    data = service.read_personal_data(
        uow=uow, cipher=cipher, number=number, user_id=principal.user_id, purpose=query.purpose
    )
    return FoundLearner(number, data)
