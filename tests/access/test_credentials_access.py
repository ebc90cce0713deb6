"""Who may keep signing keys, export credentials and records and change a credential's status
(handlers of ``creditbank.credentials``); and that a learner's own exports reach that learner's
outcomes only.

The owner of a key is an institution, or the bank (``bank``: bank administrators only); of an
outcome's credential, the outcome's issuer; a CLR is signed by the bank. The public reads (DID
documents, status lists, the verifier, what a share link offers) and the learner's own handlers
are in ``OPEN`` of ``test_matrix_covers_every_handler``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from creditbank import clock
from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import exports, issuing, keys, signing, status
from creditbank.credentials.commands import (
    ChangeCredentialStatus,
    ExportCredential,
    ExportMyCredential,
    ExportMyRecord,
    ExportOutcomes,
    ExportRecord,
    GenerateKey,
    ListKeys,
    ListMyCredentials,
    MarkKeyCompromised,
    RotateKey,
)
from creditbank.credentials.signing import BANK, CredentialError
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from tests.access.matrix import BANK_WIDE, OTHER, OWN, Door, let_through
from tests.bulk_files import id_number

_serials = count(500)
CIPHER = PersonalDataCipher(os.urandom(32))
TODAY = clock.today()
NOW = datetime.now(UTC)
AT_NOW = {"now": NOW}
OWN_REGISTRAR = BANK_WIDE | {Role.REGISTRAR}


def _new_account(uow: UnitOfWork) -> str:
    number = id_number(next(_serials))
    return accounts.open_account(
        uow=uow, cipher=CIPHER, id_number=parse_id_number(number), name="学员"
    ).number


def _new_outcome(uow: UnitOfWork, owner: str, account: str | None = None) -> str:
    code = f"CRED-{next(_serials)}"
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution=owner,
            code=code,
            kind=ItemKind.COURSE,
            name="课程",
            framework="LOFOUC",
            levels=("5",),
            credits=Decimal(2),
        ),
        on=TODAY - timedelta(days=400),
    )
    facts = OutcomeFacts(
        record_id=f"R-{next(_serials)}",
        item_code=code,
        level="5",
        credits=Decimal(2),
        score=None,
        assessed_on=TODAY - timedelta(days=30),
        setting=LearningSetting.FORMAL,
    )
    deposited = outcomes.deposit_outcome(
        uow=uow,
        institution=owner,
        account_number=account or _new_account(uow),
        facts=facts,
        today=TODAY,
    )
    return deposited.outcome.public_id


def _new_credential(uow: UnitOfWork, owner: str) -> str:
    outcome = _new_outcome(uow, owner)
    return issuing.issue(uow=uow, outcome_id=outcome, fmt="ob3", now=NOW).credential_id


def _spare_key(uow: UnitOfWork, owner: str) -> MarkKeyCompromised:
    spare = signing.generate_key(uow=uow, owner=owner, now=NOW)
    return MarkKeyCompromised(owner, spare.name, NOW - timedelta(days=1))


def _status_change(uow: UnitOfWork, owner: str) -> ChangeCredentialStatus:
    credential = _new_credential(uow, owner)
    return ChangeCredentialStatus(credential, "suspension", value=True, reason="checking")


def _record(uow: UnitOfWork) -> ExportRecord:
    account = _new_account(uow)
    _new_outcome(uow, OWN, account)
    return ExportRecord(account)


# fmt: off
DOORS = [
    Door("list own keys", keys.list_keys, lambda _: ListKeys(OWN), OWN_REGISTRAR),
    Door("list another's keys", keys.list_keys, lambda _: ListKeys(OTHER), BANK_WIDE),
    Door("list the bank's keys", keys.list_keys, lambda _: ListKeys(BANK), BANK_WIDE),
    Door("register own key", keys.generate_key, lambda _: GenerateKey(OWN), OWN_REGISTRAR,
         AT_NOW),
    Door("register another's key", keys.generate_key, lambda _: GenerateKey(OTHER), BANK_WIDE,
         AT_NOW),
    Door("register the bank's key", keys.generate_key, lambda _: GenerateKey(BANK), BANK_WIDE,
         AT_NOW),
    Door("rotate own keys", keys.rotate_key, lambda _: RotateKey(OWN), OWN_REGISTRAR, AT_NOW),
    Door("rotate another's keys", keys.rotate_key, lambda _: RotateKey(OTHER), BANK_WIDE,
         AT_NOW),
    Door("rotate the bank's keys", keys.rotate_key, lambda _: RotateKey(BANK), BANK_WIDE,
         AT_NOW),
    Door("own key compromised", keys.mark_key_compromised, lambda uow: _spare_key(uow, OWN),
         OWN_REGISTRAR, AT_NOW),
    Door("another's key compromised", keys.mark_key_compromised,
         lambda uow: _spare_key(uow, OTHER), BANK_WIDE, AT_NOW),
    Door("the bank's key compromised", keys.mark_key_compromised,
         lambda uow: _spare_key(uow, BANK), BANK_WIDE, AT_NOW),
    Door("status of own credential", status.change_credential_status,
         lambda uow: _status_change(uow, OWN), OWN_REGISTRAR, AT_NOW),
    Door("status of another's credential", status.change_credential_status,
         lambda uow: _status_change(uow, OTHER), BANK_WIDE, AT_NOW),
    Door("export own outcome", exports.export_credential,
         lambda uow: ExportCredential(_new_outcome(uow, OWN)), OWN_REGISTRAR, AT_NOW),
    Door("export another's outcome", exports.export_credential,
         lambda uow: ExportCredential(_new_outcome(uow, OTHER), "jwt"), BANK_WIDE, AT_NOW),
    Door("export a learner's record", exports.export_record, _record, BANK_WIDE, AT_NOW),
    Door("export own outcomes (console)", exports.export_outcomes,
         lambda uow: ExportOutcomes((_new_outcome(uow, OWN),)), OWN_REGISTRAR, AT_NOW),
    Door("export another's outcomes (console)", exports.export_outcomes,
         lambda uow: ExportOutcomes((_new_outcome(uow, OTHER),), "jwt"), BANK_WIDE, AT_NOW),
    Door("export own outcomes as a record (console)", exports.export_outcomes,
         lambda uow: ExportOutcomes((_new_outcome(uow, OWN),), "clr"), BANK_WIDE, AT_NOW),
]
# fmt: on


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def _learner(uow: UnitOfWork, number: str) -> LearnerPrincipal:
    return LearnerPrincipal(
        learner_id=accounts_api.learner_id_of(uow, number), account_number=number
    )


def test_a_learner_exports_only_their_own_outcomes(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        try:
            mine, theirs = _new_account(uow), _new_account(uow)
            own_outcome = _new_outcome(uow, OWN, mine)
            other_outcome = _new_outcome(uow, OTHER, theirs)
            learner = _learner(uow, mine)

            listed = exports.list_my_credentials(ListMyCredentials(), principal=learner, uow=uow)
            assert listed == [own_outcome]
            issued = exports.export_my_credential(
                ExportMyCredential(own_outcome.upper()), principal=learner, uow=uow, now=NOW
            )
            assert issued.outcome_id == own_outcome
            assert issued.document is not None
            with pytest.raises(CredentialError) as refused:
                exports.export_my_credential(
                    ExportMyCredential(other_outcome), principal=learner, uow=uow, now=NOW
                )
            assert refused.value.code == "outcome_not_found"
            record = exports.export_my_record(ExportMyRecord(), principal=learner, uow=uow, now=NOW)
            inside = record["credentialSubject"]["verifiableCredential"]
            assert [c["id"] for c in inside] == [f"urn:uuid:{issued.credential_id}"]
        finally:
            uow.session.rollback()
