"""Who may open accounts, deposit, read and change outcomes, upload and read evidence, read
personal data and give learners web access (handlers of ``creditbank.accounts``,
``creditbank.evidence`` and the bank office's of ``creditbank.sessions``); and that a learner's
own handlers (``creditbank.consents``, the learner's views) reach that learner's account only.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select

from creditbank import clock
from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import (
    changes,
    deposits,
    intake,
    learners,
    outcomes,
    service,
    uploads,
    views,
)
from creditbank.accounts.commands import (
    DepositOutcome,
    DepositUpload,
    ImportBatch,
    LookUpLearner,
    OpenAccount,
    ReadPersonalData,
    RevokeOutcome,
    ShowAccount,
    ShowBatch,
    ShowDepositForm,
    ShowDepositTemplate,
    ShowDesk,
    ShowLookUpForm,
    ShowMyAccessLog,
    ShowMyOutcomes,
    ShowOutcome,
    ShowTranscript,
    ShowUpload,
    SupersedeOutcome,
    UploadForCheck,
    VerifyOutcome,
)
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.accounts.tables import DepositBatchRow, LearnerRow
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.consents import handlers as consent_handlers
from creditbank.consents import service as consents
from creditbank.consents.commands import (
    GrantConsent,
    ListConsents,
    ListShares,
    RevokeShare,
    WithdrawConsent,
)
from creditbank.consents.model import ConsentError
from creditbank.db import Database, UnitOfWork
from creditbank.evidence import handlers as evidence
from creditbank.evidence import service as evidence_service
from creditbank.evidence.commands import ShowEvidence, UploadEvidence
from creditbank.file_limits import FileLimits
from creditbank.institutions import api as institutions
from creditbank.institutions.model import Role
from creditbank.sessions import handlers as sessions
from creditbank.sessions.commands import IssueActivationCode, SetLearnerPassword
from tests.access.matrix import (
    BANK_WIDE,
    EVERY_ROLE,
    OTHER,
    OWN,
    READERS,
    RECORD_READERS,
    Door,
    let_through,
)
from tests.bulk_files import id_number

_serials = count(100)
CIPHER = PersonalDataCipher(os.urandom(32))
TODAY = clock.today()
NOW = datetime.now(UTC)
OWN_REGISTRAR = BANK_WIDE | {Role.REGISTRAR}
VERIFIERS = BANK_WIDE | {Role.ASSESSOR, Role.ACCREDITATION_OFFICER}
OWN_BATCH_READERS = READERS | {Role.REGISTRAR}


class _BankDatabase:
    """The database of the module's bank (set by a fixture): the bulk deposit owns its
    transactions, so its handler is given the database as well as the trying unit of work."""

    current: Database | None = None

    def unit_of_work(self) -> UnitOfWork:
        assert self.current is not None
        return self.current.unit_of_work()


_BANK = _BankDatabase()


@pytest.fixture(autouse=True)
def _bank_database(access_database: Database) -> Iterator[None]:
    _BANK.current = access_database
    yield
    _BANK.current = None


def _facts(owner: str, uow: UnitOfWork) -> OutcomeFacts:
    code = f"ACC-{next(_serials)}"
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
    return OutcomeFacts(
        record_id=f"R-{next(_serials)}",
        item_code=code,
        level="5",
        credits=Decimal(2),
        score=None,
        assessed_on=TODAY - timedelta(days=30),
        setting=LearningSetting.FORMAL,
    )


def _new_account(uow: UnitOfWork) -> str:
    opened = service.open_account(
        uow=uow, cipher=CIPHER, id_number=parse_id_number(id_number(next(_serials))), name="学员"
    )
    return opened.number


def _new_outcome(uow: UnitOfWork, owner: str) -> str:
    deposited = outcomes.deposit_outcome(
        uow=uow,
        institution=owner,
        account_number=_new_account(uow),
        facts=_facts(owner, uow),
        today=TODAY,
    )
    return deposited.outcome.public_id


def _new_batch(uow: UnitOfWork, owner: str) -> str:
    public_id = f"batch{next(_serials)}"
    uow.session.add(
        DepositBatchRow(
            public_id=public_id,
            institution_id=institutions.institution_id(uow=uow, code=owner),
            submitted_by="matrix",
            filename="f.csv",
            format="csv",
            status="committed",
            rows=0,
            deposited=0,
            unchanged=0,
            accounts_opened=0,
            error_count=0,
            errors=[],
            created_at=NOW,
            finished_at=NOW,
        )
    )
    uow.session.flush()
    return public_id


def _learner_id(uow: UnitOfWork, number: str) -> int:
    found = uow.session.scalar(select(LearnerRow.id).where(LearnerRow.account_number == number))
    assert found is not None
    return found


def _consenting_account(uow: UnitOfWork) -> str:
    number = _new_account(uow)
    consents.grant_consent(
        uow=uow,
        learner_id=_learner_id(uow, number),
        institution=OWN,
        until=None,
        today=TODAY,
        now=NOW,
    )
    return number


def _uploaded(uow: UnitOfWork, owner: str) -> str:
    stored = evidence_service.store_evidence(
        uow=uow,
        institution=owner,
        content=b"%PDF-1.4\n" + os.urandom(16),
        declared_type="application/pdf",
        by="matrix",
        max_bytes=1000,
    )
    return stored.sha256


def _correction(uow: UnitOfWork, owner: str) -> SupersedeOutcome:
    public_id = _new_outcome(uow, owner)
    return SupersedeOutcome(public_id, _facts(owner, uow), reason="a typing error")


CIPHER_EXTRA = {"cipher": CIPHER}
INTAKE_EXTRA = {"cipher": CIPHER, "limits": FileLimits()}
HEADER_ONLY = b"record_id,id_number,name,item_code,level,assessed_on,setting\r\n"


def _new_upload(uow: UnitOfWork, owner: str) -> str:
    kept = uploads.keep(
        uow=uow,
        cipher=CIPHER,
        institution_id=institutions.institution_id(uow=uow, code=owner),
        submitted_by="matrix",
        filename="f.csv",
        file_format=FileFormat.CSV,
        stream=io.BytesIO(HEADER_ONLY),
    )
    return kept.public_id


DOORS = [
    Door("open an account", learners.open_account,
         lambda _: OpenAccount(id_number(next(_serials)), "学员"), OWN_REGISTRAR, CIPHER_EXTRA),
    Door("read personal data", learners.read_personal_data,
         lambda uow: ReadPersonalData(_new_account(uow), "checking a record"), BANK_WIDE,
         CIPHER_EXTRA),
    Door("the look-up form", learners.show_lookup_form, lambda _: ShowLookUpForm(), OWN_REGISTRAR),
    Door("look a learner up", learners.look_up_learner,
         lambda _: LookUpLearner(parse_id_number(id_number(next(_serials))), "checking a record"),
         OWN_REGISTRAR, CIPHER_EXTRA),
    Door("deposit for own", deposits.deposit_outcome,
         lambda uow: DepositOutcome(OWN, _new_account(uow), _facts(OWN, uow)), OWN_REGISTRAR,
         {"today": TODAY}),
    Door("deposit for another", deposits.deposit_outcome,
         lambda uow: DepositOutcome(OTHER, _new_account(uow), _facts(OTHER, uow)), BANK_WIDE,
         {"today": TODAY}),
    # the pages deposit for the user's own institution: bank staff have none
    Door("the deposit form", deposits.show_deposit_form, lambda _: ShowDepositForm(),
         frozenset({Role.REGISTRAR})),
    Door("import a file for own", deposits.import_batch,
         lambda _: ImportBatch(OWN, "f.csv", FileFormat.CSV, ()), OWN_REGISTRAR,
         {"database": _BANK, "cipher": CIPHER, "today": TODAY}),
    Door("import a file for another", deposits.import_batch,
         lambda _: ImportBatch(OTHER, "f.csv", FileFormat.CSV, ()), BANK_WIDE,
         {"database": _BANK, "cipher": CIPHER, "today": TODAY}),
    Door("read own batch", views.show_batch, lambda uow: ShowBatch(_new_batch(uow, OWN)),
         OWN_BATCH_READERS),
    Door("read another's batch", views.show_batch, lambda uow: ShowBatch(_new_batch(uow, OTHER)),
         READERS),
    Door("the desk", views.show_desk, lambda _: ShowDesk(), EVERY_ROLE),
    Door("read own outcome", changes.show_outcome,
         lambda uow: ShowOutcome(_new_outcome(uow, OWN)), RECORD_READERS),
    Door("read another's outcome", changes.show_outcome,
         lambda uow: ShowOutcome(_new_outcome(uow, OTHER)), READERS),
    Door("verify own outcome", changes.verify_outcome,
         lambda uow: VerifyOutcome(_new_outcome(uow, OWN)), VERIFIERS),
    Door("verify another's outcome", changes.verify_outcome,
         lambda uow: VerifyOutcome(_new_outcome(uow, OTHER)), BANK_WIDE),
    Door("revoke own outcome", changes.revoke_outcome,
         lambda uow: RevokeOutcome(_new_outcome(uow, OWN), "issued in error"), OWN_REGISTRAR),
    Door("revoke another's outcome", changes.revoke_outcome,
         lambda uow: RevokeOutcome(_new_outcome(uow, OTHER), "issued in error"), BANK_WIDE),
    Door("correct own outcome", changes.supersede_outcome, lambda uow: _correction(uow, OWN),
         OWN_REGISTRAR, {"today": TODAY}),
    Door("correct another's outcome", changes.supersede_outcome,
         lambda uow: _correction(uow, OTHER), BANK_WIDE, {"today": TODAY}),
    Door("a transcript, any issuer", views.show_transcript,
         lambda uow: ShowTranscript(_new_account(uow)), RECORD_READERS, {"now": NOW}),
    Door("a transcript of another's outcomes", views.show_transcript,
         lambda uow: ShowTranscript(_new_account(uow), institution=OTHER), READERS, {"now": NOW}),
    Door("a consenting learner's transcript of another's outcomes", views.show_transcript,
         lambda uow: ShowTranscript(_consenting_account(uow), institution=OTHER), RECORD_READERS,
         {"now": NOW}),
    Door("a whole account", views.show_account, lambda uow: ShowAccount(_new_account(uow)),
         RECORD_READERS, {"now": NOW}),
    Door("a whole account, another's outcomes", views.show_account,
         lambda uow: ShowAccount(_new_account(uow), institution=OTHER), READERS, {"now": NOW}),
    Door("upload evidence for own", evidence.upload_evidence,
         lambda _: UploadEvidence(OWN, b"not a file", "application/pdf"), OWN_REGISTRAR,
         {"max_bytes": 1000}),
    Door("upload evidence for another", evidence.upload_evidence,
         lambda _: UploadEvidence(OTHER, b"not a file", "application/pdf"), BANK_WIDE,
         {"max_bytes": 1000}),
    Door("read evidence own uploaded", evidence.show_evidence,
         lambda uow: ShowEvidence(_uploaded(uow, OWN)), RECORD_READERS),
    Door("read evidence another uploaded", evidence.show_evidence,
         lambda uow: ShowEvidence(_uploaded(uow, OTHER)), READERS),
    Door("read evidence nobody uploaded", evidence.show_evidence,
         lambda _: ShowEvidence("0" * 64), READERS),
    Door("give a learner a password", sessions.set_learner_password,
         lambda uow: SetLearnerPassword(_new_account(uow), "a long enough pass phrase"),
         BANK_WIDE, {"now": NOW}),
    Door("give a learner an activation code", sessions.issue_activation_code,
         lambda uow: IssueActivationCode(_new_account(uow), timedelta(days=14)), BANK_WIDE,
         {"now": NOW}),
    # intake: templates, and files checked before they are deposited
    Door("the own template", intake.show_deposit_template,
         lambda _: ShowDepositTemplate(FileFormat.CSV), frozenset({Role.REGISTRAR})),
    Door("a template for own", intake.show_deposit_template,
         lambda _: ShowDepositTemplate(FileFormat.CSV, OWN), OWN_REGISTRAR),
    Door("a template for another", intake.show_deposit_template,
         lambda _: ShowDepositTemplate(FileFormat.CSV, OTHER), BANK_WIDE),
    Door("upload a file to check", intake.upload_for_check,
         lambda _: UploadForCheck("f.csv", FileFormat.CSV, io.BytesIO(HEADER_ONLY)),
         frozenset({Role.REGISTRAR}), {**INTAKE_EXTRA, "database": _BANK, "today": TODAY}),
    Door("an upload of own", intake.show_upload, lambda uow: ShowUpload(_new_upload(uow, OWN)),
         OWN_REGISTRAR, INTAKE_EXTRA),
    Door("another's upload", intake.show_upload, lambda uow: ShowUpload(_new_upload(uow, OTHER)),
         BANK_WIDE, INTAKE_EXTRA),
    Door("deposit an upload of own", intake.deposit_upload,
         lambda uow: DepositUpload(_new_upload(uow, OWN)), OWN_REGISTRAR,
         {**INTAKE_EXTRA, "database": _BANK, "today": TODAY}),
    Door("deposit another's upload", intake.deposit_upload,
         lambda uow: DepositUpload(_new_upload(uow, OTHER)), BANK_WIDE,
         {**INTAKE_EXTRA, "database": _BANK, "today": TODAY}),
]  # fmt: skip


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def _learner(uow: UnitOfWork) -> LearnerPrincipal:
    number = _new_account(uow)
    outcomes.deposit_outcome(
        uow=uow, institution=OWN, account_number=number, facts=_facts(OWN, uow), today=TODAY
    )
    return LearnerPrincipal(_learner_id(uow, number), number)


def test_a_learner_reads_only_their_own_account(
    access_database: Database, principals: dict[Role, Principal]
) -> None:
    with access_database.unit_of_work() as uow:
        try:
            me, other = _learner(uow), _learner(uow)
            mine = views.show_my_outcomes(
                ShowMyOutcomes(with_personal_data=True), principal=me, uow=uow, cipher=CIPHER
            )
            assert {o.account_number for o in mine.outcomes} == {me.account_number}
            assert len(mine.outcomes) == 1
            assert mine.personal_data is not None
            assert mine.personal_data.name == "学员"
            service.read_personal_data(
                uow=uow,
                cipher=CIPHER,
                number=other.account_number,
                user_id=principals[Role.BANK_ADMIN].user_id,
                purpose="audit",
            )
            assert views.show_my_access_log(ShowMyAccessLog(), principal=me, uow=uow) == []
            theirs = views.show_my_access_log(ShowMyAccessLog(), principal=other, uow=uow)
            assert [entry.purpose for entry in theirs] == ["audit"]
        finally:
            uow.session.rollback()


def test_a_learner_changes_only_their_own_consents_and_shares(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        try:
            me, other = _learner(uow), _learner(uow)
            granted = consent_handlers.grant_consent(
                GrantConsent(OWN), principal=other, uow=uow, today=TODAY, now=NOW
            )
            assert consent_handlers.list_consents(ListConsents(), principal=me, uow=uow) == []
            with pytest.raises(ConsentError) as refused:
                consent_handlers.withdraw_consent(
                    WithdrawConsent(granted.id), principal=me, uow=uow, now=NOW
                )
            assert refused.value.code == "consent_not_found"
            (still,) = consent_handlers.list_consents(ListConsents(), principal=other, uow=uow)
            assert still.withdrawn_at is None
            share = consents.create_share(
                uow=uow,
                learner_id=other.learner_id,
                outcomes=[
                    o.public_id
                    for o in outcomes.every_outcome(uow=uow, account_number=other.account_number)
                ],
                label="",
                until=None,
                today=TODAY,
                now=NOW,
            )
            assert consent_handlers.list_shares(ListShares(), principal=me, uow=uow) == []
            with pytest.raises(ConsentError) as refused:
                consent_handlers.revoke_share(
                    RevokeShare(share.share.id), principal=me, uow=uow, now=NOW
                )
            assert refused.value.code == "share_not_found"
        finally:
            uow.session.rollback()
