"""Who may move learners' records between banks (handlers of ``creditbank.transfers``).

An institution's registrar makes a transfer package for a learner only with the learner's
consent (a bank administrator without); registrars and bank administrators hand a package over
for a learner; registrars, accreditation officers, bank administrators and auditors read the
imported outcomes; accreditation officers decide for their own institution (bank administrators
for any) and re-check the sources. A learner makes and reads only their own (``OPEN``; the test
below); a one-time link is public (its token is the key).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from creditbank.access.policy import AccessError, LearnerPrincipal, Principal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.consents import service as consents
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.institutions.model import Role
from creditbank.transfers import importing, packages, recognition, terms, views
from creditbank.transfers.commands import (
    DecideRecognition,
    ImportTransfer,
    ListMyTransfers,
    ListRecognitions,
    MakeTransferPackage,
    NewLearner,
    RecheckTransfers,
    SetRecognitionTerms,
    ShowTransfer,
)
from creditbank.transfers.model import Decision
from tests.access.matrix import OTHER, OWN, Door, let_through
from tests.bulk_files import id_number

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CIPHER = PersonalDataCipher(os.urandom(32))
EXTRA = {"now": NOW, "cipher": CIPHER}
_serial = iter(range(600, 10_000))


def _learner(uow: UnitOfWork, *, consent_to: str | None = None) -> str:
    number = accounts.open_account(
        uow=uow, cipher=CIPHER, id_number=parse_id_number(id_number(next(_serial))), name="学员"
    ).number
    if consent_to is not None:
        found = accounts_api.find_learner(uow=uow, account_number=number)
        assert found is not None
        consents.grant_consent(
            uow=uow,
            learner_id=found.id,
            institution=consent_to,
            until=None,
            today=NOW.date(),
            now=NOW,
        )
    return number


DOORS = [
    Door(
        "make a package for a learner who does not consent",
        packages.make_transfer_package,
        lambda uow: MakeTransferPackage(_learner(uow), "peer.example/log"),
        frozenset({Role.BANK_ADMIN}),
        EXTRA,
    ),
    Door(
        "make a package for a learner who consents to the institution",
        packages.make_transfer_package,
        lambda uow: MakeTransferPackage(_learner(uow, consent_to=OWN), "peer.example/log"),
        frozenset({Role.BANK_ADMIN, Role.REGISTRAR}),
        EXTRA,
    ),
    Door(
        "import a package for a learner",
        importing.import_transfer,
        lambda uow: ImportTransfer(_learner(uow), package="{}"),
        frozenset({Role.BANK_ADMIN, Role.REGISTRAR}),
        EXTRA,
    ),
    Door(
        "import a package, opening the learner's account",
        importing.import_transfer,
        lambda _: ImportTransfer("", package="{}", new_learner=NewLearner("x", "学员")),
        frozenset({Role.BANK_ADMIN, Role.REGISTRAR}),
        EXTRA,
    ),
    Door(
        "show an imported package",
        views.show_transfer,
        lambda _: ShowTransfer("0" * 32),
        frozenset({Role.BANK_ADMIN, Role.AUDITOR, Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
    ),
    Door(
        "list the recognition queue",
        views.list_recognitions,
        lambda _: ListRecognitions(),
        frozenset({Role.BANK_ADMIN, Role.AUDITOR, Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
    ),
    Door(
        "decide for one's own institution",
        recognition.decide_recognition,
        lambda _: DecideRecognition("0" * 32, Decision.RECOGNISE),
        frozenset({Role.BANK_ADMIN, Role.ACCREDITATION_OFFICER}),
        {"now": NOW},
    ),
    Door(
        "decide for another institution",
        recognition.decide_recognition,
        lambda _: DecideRecognition("0" * 32, Decision.REFUSE, institution=OTHER, reason="x"),
        frozenset({Role.BANK_ADMIN}),
        {"now": NOW},
    ),
    Door(
        "set the terms for a peer",
        terms.set_recognition_terms,
        lambda _: SetRecognitionTerms("peer.example/log", OWN),
        frozenset({Role.BANK_ADMIN}),
        {"now": NOW},
    ),
    Door(
        "re-check the sources",
        recognition.recheck_transfers,
        lambda _: RecheckTransfers(),
        frozenset({Role.BANK_ADMIN, Role.ACCREDITATION_OFFICER}),
        {"now": NOW},
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_a_learner_makes_and_reads_only_their_own(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        mine, theirs = _learner(uow), _learner(uow)
        found = accounts_api.find_learner(uow=uow, account_number=mine)
        assert found is not None
        learner = LearnerPrincipal(found.id, found.account_number)
        with pytest.raises(AccessError) as refused:
            packages.make_transfer_package(
                MakeTransferPackage(theirs, "peer.example/log"),
                principal=learner,
                uow=uow,
                now=NOW,
                cipher=CIPHER,
            )
        assert refused.value.code == "forbidden"
        with pytest.raises(AccessError):
            importing.import_transfer(
                ImportTransfer(theirs, package="{}"),
                principal=learner,
                uow=uow,
                now=NOW,
                cipher=CIPHER,
            )
        with pytest.raises(DomainError) as own:  # reached: no such peer
            packages.make_transfer_package(
                MakeTransferPackage(mine, "peer.example/log"),
                principal=learner,
                uow=uow,
                now=NOW,
                cipher=CIPHER,
            )
        assert own.value.code == "unknown_peer"
        listed = views.list_my_transfers(ListMyTransfers(), principal=learner, uow=uow)
        assert listed.imported == []
        assert listed.made == []
        uow.session.rollback()
