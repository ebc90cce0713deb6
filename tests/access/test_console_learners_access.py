"""Who may use the operator console's learners page (handlers of ``creditbank.accounts.lookup``
and ``creditbank.sessions.views``): the bank's administrators and auditors read accounts by
number; only administrators find a learner by identity number (it opens personal data)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from itertools import count

import pytest

from creditbank.access.policy import Principal
from creditbank.accounts import lookup, service
from creditbank.accounts.commands import FindAccount, FindLearnerByIdentity, ShowLearnerConsole
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.sessions import views as web_access
from creditbank.sessions.commands import ShowWebAccess
from tests.access.matrix import BANK_WIDE, READERS, Door, let_through
from tests.bulk_files import id_number

_serials = count(300)
CIPHER = PersonalDataCipher(os.urandom(32))


def _new_account(uow: UnitOfWork) -> str:
    opened = service.open_account(
        uow=uow, cipher=CIPHER, id_number=parse_id_number(id_number(next(_serials))), name="学员"
    )
    return opened.number


def _by_identity(uow: UnitOfWork) -> FindLearnerByIdentity:
    number = id_number(next(_serials))
    service.open_account(uow=uow, cipher=CIPHER, id_number=parse_id_number(number), name="学员")
    return FindLearnerByIdentity(parse_id_number(number), "answering the learner's enquiry")


DOORS = [
    Door("the console's learners page", lookup.show_learner_console,
         lambda _: ShowLearnerConsole(), READERS),
    Door("an account by its number", lookup.find_account,
         lambda uow: FindAccount(_new_account(uow)), READERS),
    Door("a learner by identity number", lookup.find_learner_by_identity, _by_identity,
         BANK_WIDE, {"cipher": CIPHER}),
    Door("a learner's web access", web_access.show_web_access,
         lambda uow: ShowWebAccess(_new_account(uow)), READERS, {"now": datetime.now(UTC)}),
]  # fmt: skip


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_the_page_says_what_each_reader_may_do(
    access_database: Database, principals: dict[Role, Principal]
) -> None:
    with access_database.unit_of_work() as uow:
        admin = lookup.show_learner_console(
            ShowLearnerConsole(), principal=principals[Role.BANK_ADMIN], uow=uow
        )
        auditor = lookup.show_learner_console(
            ShowLearnerConsole(), principal=principals[Role.AUDITOR], uow=uow
        )
    assert (admin.may_look_up_identity, admin.may_issue_codes) == (True, True)
    assert (auditor.may_look_up_identity, auditor.may_issue_codes) == (False, False)
