"""What other business areas may use of learners' accounts and their outcomes: functions and
plain data types. The area's tables are private to it (imported here as ``_tables`` for the
functions' own use, never exported)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, and_, or_, select

from creditbank.accounts import depositing, service, statistics
from creditbank.accounts import tables as _tables
from creditbank.accounts.bulk import (
    Batch,
    BatchLabel,
    BatchStatus,
    commit_batch,
    import_batch,
    keep_rejected_batch,
    open_batch,
)
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.depositing import (
    AccreditedLearning,
    Deposit,
    DepositRefusedError,
    OutcomeDeposit,
    RecognisedLearning,
    SessionResult,
    TransferredCredit,
)
from creditbank.accounts.files import FileFormat
from creditbank.accounts.lifecycle import (
    WITHDRAWN_HOOKS,
    WithdrawnHook,
    issuer_of,
    outcome_row,
    revoke_outcome,
    supersede_with,
)
from creditbank.accounts.model import (
    AccountError,
    IdNumber,
    IdType,
    LearningSetting,
    OutcomeFacts,
    OutcomeStatus,
    RowError,
    Transfer,
    check_account_number,
    check_reason,
    parse_id_number,
    stands,
)
from creditbank.accounts.outcomes import (
    Deposited,
    Outcome,
    has_status,
    learner_id_of,
    outcome_of,
    statuses,
)
from creditbank.accounts.records import READERS as _RECORD_READERS
from creditbank.accounts.statistics import (
    RECOGNISED_ITEM_PREFIX,
    RECOGNISED_RECORD_PREFIX,
    account_facts,
    cohort_learner_facts,
    outcome_facts,
)
from creditbank.catalog import api as catalog
from creditbank.catalog.model import ItemKind
from creditbank.db import UnitOfWork, for_update
from creditbank.institutions import api as institutions
from creditbank.ledger.api import LogKind


@dataclass(frozen=True, slots=True)
class Deposits:
    """What :func:`deposit` did: each outcome's deposit, in order, and the batch they were
    recorded under (its public id and row id), if one was asked for."""

    outcomes: list[Deposit]
    batch: str | None = None
    batch_row_id: int | None = None


def deposit(
    *,
    uow: UnitOfWork,
    outcomes: Sequence[OutcomeDeposit],
    today: date,
    now: datetime | None = None,
    log: bool = True,
    cipher: PersonalDataCipher | None = None,
    batch: BatchLabel | None = None,
) -> Deposits:
    """Deposit learning outcomes, all or none: the one way into a learner's account, for every
    area (:mod:`creditbank.accounts.depositing` says which checks apply to which origin).

    Each :class:`OutcomeDeposit` names the institution depositing, the account, the facts and,
    for an outcome the bank derives, its origin (:class:`SessionResult`,
    :class:`TransferredCredit`, :class:`AccreditedLearning`). A stated outcome is checked as
    every deposit is (the item issuable on ``facts.assessed_on``, at the level named, within
    its credits; an evidence file named uploaded by the institution; nothing in the future of
    ``today``), refused with ``invalid_outcome`` naming each problem (several outcomes:
    :class:`DepositRefusedError`, by outcome and field), and idempotent by ``record_id`` (the same
    facts answer the stored outcome, ``created`` False; other facts ``record_conflict``; of
    parallel deposits of one record, one stores it). Everything lands in ``uow``'s transaction
    (the caller's ``with`` commits). With ``log`` the deposit appends the outcomes' log entries;
    without, each :class:`Deposit` carries its ``fact`` for the caller to append with its own.
    With ``batch``, the outcomes are recorded under a new deposit batch, committed with them.
    """
    batch_row = None if batch is None else open_batch(uow=uow, label=batch)
    made = depositing.deposit(
        uow=uow,
        outcomes=outcomes,
        today=today,
        now=now,
        log=log,
        cipher=cipher,
        batch_id=None if batch_row is None else batch_row.id,
    )
    if batch_row is None:
        return Deposits(made)
    commit_batch(batch_row, rows=len(made), deposited=sum(1 for one in made if one.created))
    return Deposits(made, batch_row.public_id, batch_row.id)


def outcome_by_public_id(*, uow: UnitOfWork, public_id: str) -> tuple[Outcome, int]:
    """Outcome ``public_id`` as answers show it, and its row id (``outcome_not_found``)."""
    row = outcome_row(uow, public_id)
    return outcome_of(uow=uow, row=row), row.id


def standing_outcome_ids(*, uow: UnitOfWork, account_number: str) -> list[str]:
    """The public ids of an account's outcomes that still count, oldest first."""
    learner_id = learner_id_of(uow, account_number)
    rows = uow.session.execute(
        select(_tables.OutcomeRow.id, _tables.OutcomeRow.public_id)
        .where(_tables.OutcomeRow.learner_id == learner_id)
        .order_by(_tables.OutcomeRow.id)
    ).all()
    found = statuses(uow=uow, outcome_ids=[row.id for row in rows])
    return [row.public_id for row in rows if stands(found[row.id])]


def outcomes_no_longer_standing(*, uow: UnitOfWork, outcome_ids: list[int]) -> set[int]:
    """Which of these outcomes (row ids) were revoked or replaced by a correction."""
    found = statuses(uow=uow, outcome_ids=outcome_ids)
    return {outcome_id for outcome_id, status in found.items() if not stands(status)}


def lock_outcome(*, uow: UnitOfWork, outcome_id: int) -> None:
    """Lock outcome row ``outcome_id`` until the transaction ends (``db.for_update``): of
    parallel first exports of its credential, one records it and the others wait for it."""
    uow.session.scalar(
        for_update(
            uow.session, select(_tables.OutcomeRow.id).where(_tables.OutcomeRow.id == outcome_id)
        )
    )


def account_number_of(*, uow: UnitOfWork, learner_id: int) -> str:
    """The account number of learner row ``learner_id``."""
    return uow.session.get_one(_tables.LearnerRow, learner_id).account_number


@dataclass(frozen=True, slots=True)
class LearnerRef:
    """A learner as other areas refer to one: the row id (their foreign keys) and the account
    number."""

    id: int
    account_number: str


def find_learner(*, uow: UnitOfWork, account_number: str) -> LearnerRef | None:
    """The learner with account ``account_number``; None when the number is malformed or no
    account has it."""
    try:
        number = check_account_number(account_number)
    except AccountError:
        return None
    row = uow.session.execute(
        select(_tables.LearnerRow.id, _tables.LearnerRow.account_number).where(
            _tables.LearnerRow.account_number == number
        )
    ).first()
    return None if row is None else LearnerRef(row.id, row.account_number)


def learners_outcome_ids(
    *, uow: UnitOfWork, learner_id: int, public_ids: Iterable[str]
) -> dict[str, int]:
    """The row ids of those of these outcomes (public ids) that are learner ``learner_id``'s."""
    wanted = list(set(public_ids))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(_tables.OutcomeRow.public_id, _tables.OutcomeRow.id).where(
            _tables.OutcomeRow.learner_id == learner_id,
            _tables.OutcomeRow.public_id.in_(wanted),
        )
    )
    return {row.public_id: row.id for row in rows}


def account_numbers(*, uow: UnitOfWork, learner_ids: Iterable[int]) -> dict[int, str]:
    """The account numbers of these learner rows, by row id."""
    ids = list(set(learner_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(_tables.LearnerRow.id, _tables.LearnerRow.account_number).where(
            _tables.LearnerRow.id.in_(ids)
        )
    )
    return {row.id: row.account_number for row in rows}


def lock_learner(*, uow: UnitOfWork, learner_id: int) -> None:
    """Lock learner row ``learner_id`` until the transaction ends (``db.for_update``): of
    parallel requests that depend on what the learner has (e.g. open applications), one goes
    first and the others wait for it."""
    uow.session.scalar(
        for_update(
            uow.session, select(_tables.LearnerRow.id).where(_tables.LearnerRow.id == learner_id)
        )
    )


def identity_indexes(*, uow: UnitOfWork, learner_id: int) -> set[str]:
    """The indexes (HMACs) of learner row ``learner_id``'s identity numbers."""
    return set(
        uow.session.scalars(
            select(_tables.LearnerIdentityRow.id_hmac).where(
                _tables.LearnerIdentityRow.learner_id == learner_id
            )
        )
    )


def learner_id_by_identity(
    *, uow: UnitOfWork, cipher: PersonalDataCipher, id_number: IdNumber
) -> int | None:
    """The learner row id of the holder of ``id_number`` (found by its index), if any."""
    return uow.session.scalar(
        select(_tables.LearnerIdentityRow.learner_id).where(
            _tables.LearnerIdentityRow.id_hmac == cipher.index(id_number.index_key)
        )
    )


def outcome_public_ids(*, uow: UnitOfWork, outcome_ids: Iterable[int]) -> dict[int, str]:
    """The public ids of these outcomes (row ids), by row id."""
    ids = list(set(outcome_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(_tables.OutcomeRow.id, _tables.OutcomeRow.public_id).where(
            _tables.OutcomeRow.id.in_(ids)
        )
    )
    return {row.id: row.public_id for row in rows}


def first_outcomes_of(*, uow: UnitOfWork, institution_id: int, limit: int) -> list[str]:
    """The public ids of institution row ``institution_id``'s first ``limit`` outcomes, in
    deposit order."""
    return list(
        uow.session.scalars(
            select(_tables.OutcomeRow.public_id)
            .where(_tables.OutcomeRow.institution_id == institution_id)
            .order_by(_tables.OutcomeRow.id)
            .limit(limit)
        )
    )


def holders_of_kind(*, uow: UnitOfWork, kind: ItemKind, limit: int) -> list[str]:
    """The account numbers of the first ``limit`` learners (by account number) with an outcome
    of an item of ``kind``."""
    return list(
        uow.session.scalars(
            select(_tables.LearnerRow.account_number)
            .join(_tables.OutcomeRow, _tables.OutcomeRow.learner_id == _tables.LearnerRow.id)
            .where(catalog.is_item_of_kind(kind, _tables.OutcomeRow.item_id.expression))
            .distinct()
            .order_by(_tables.LearnerRow.account_number)
            .limit(limit)
        )
    )


@dataclass(frozen=True, slots=True)
class StandingOutcome:
    """An outcome that still counts (deposited or verified, neither revoked nor superseded), as
    another area reads it: the conversion engine's view of what a learner holds."""

    public_id: str
    item_id: int
    framework_level_id: int
    credits: Decimal | None
    score: Decimal | None
    assessed_on: date
    setting: str
    institution_id: int
    transferred: bool
    """Deposited by a conversion (transferred credit), not earned."""


def standing_outcomes(*, uow: UnitOfWork, learner_id: int) -> list[StandingOutcome]:
    """Learner row ``learner_id``'s outcomes that still count, oldest first."""
    rows = uow.session.scalars(
        select(_tables.OutcomeRow)
        .where(
            _tables.OutcomeRow.learner_id == learner_id,
            or_(has_status(OutcomeStatus.DEPOSITED), has_status(OutcomeStatus.VERIFIED)),
        )
        .order_by(_tables.OutcomeRow.id)
    )
    return [
        StandingOutcome(
            public_id=row.public_id,
            item_id=row.item_id,
            framework_level_id=row.framework_level_id,
            credits=row.credits,
            score=row.score,
            assessed_on=row.assessed_on,
            setting=row.setting,
            institution_id=row.institution_id,
            transferred=row.conversion_grant_id is not None,
        )
        for row in rows
    ]


def held_skills_select(aligned: Select[int, int | None, int]) -> Select[int, int, int]:
    """Columns ``learner_id``, ``skill_id``, ``institution_id`` (the outcome's issuer): one row
    per outcome that still counts (neither revoked nor superseded) and skill that ``aligned``
    gives it. ``aligned`` has columns ``item_id``, ``level_id`` (NULL: any level of the item)
    and ``skill_id`` (the alignments' sets in force): an outcome of item I at level L gives
    skill S when ``aligned`` has (I, NULL, S) or (I, L, S). For SQL joins and counts."""
    given = aligned.subquery()
    outcome = _tables.OutcomeRow
    return (
        select(outcome.learner_id, given.c.skill_id, outcome.institution_id)
        .join(
            given,
            and_(
                given.c.item_id == outcome.item_id,
                or_(given.c.level_id.is_(None), given.c.level_id == outcome.framework_level_id),
            ),
        )
        .where(or_(has_status(OutcomeStatus.DEPOSITED), has_status(OutcomeStatus.VERIFIED)))
    )


def outcome_ids_by_public_id(*, uow: UnitOfWork, public_ids: Iterable[str]) -> dict[str, int]:
    """The row ids of these outcomes (public ids), by public id."""
    wanted = list(set(public_ids))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(_tables.OutcomeRow.public_id, _tables.OutcomeRow.id).where(
            _tables.OutcomeRow.public_id.in_(wanted)
        )
    )
    return {row.public_id: row.id for row in rows}


def outcomes_of_grants(*, uow: UnitOfWork, grant_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """The outcomes conversion grants ``grant_ids`` deposited (and the corrections that replaced
    them), oldest first: (grant id, row id, public id)."""
    wanted = list(set(grant_ids))
    if not wanted:
        return []
    rows = uow.session.execute(
        select(
            _tables.OutcomeRow.conversion_grant_id,
            _tables.OutcomeRow.id,
            _tables.OutcomeRow.public_id,
        )
        .where(_tables.OutcomeRow.conversion_grant_id.in_(wanted))
        .order_by(_tables.OutcomeRow.id)
    )
    return [(grant, id_, public_id) for grant, id_, public_id in rows if grant is not None]


@dataclass(frozen=True, slots=True)
class ConvertedOutcome:
    """A standing outcome that a conversion grant deposited without saying it is transferred
    credit (as conversions confirmed before transferred credit was recorded as such did)."""

    public_id: str
    learner_id: int
    record_id: str
    grant_id: int
    item_id: int
    credits: Decimal | None
    assessed_on: date


def untransferred_conversion_outcomes(*, uow: UnitOfWork) -> list[ConvertedOutcome]:
    """Every standing outcome a conversion deposited as some item's own, oldest first."""
    rows = list(
        uow.session.scalars(
            select(_tables.OutcomeRow)
            .where(
                _tables.OutcomeRow.conversion_grant_id.is_not(None),
                _tables.OutcomeRow.transfer.is_(None),
            )
            .order_by(_tables.OutcomeRow.id)
        )
    )
    standing = statuses(uow=uow, outcome_ids=[row.id for row in rows])
    return [
        ConvertedOutcome(
            public_id=row.public_id,
            learner_id=row.learner_id,
            record_id=row.record_id,
            grant_id=row.conversion_grant_id,
            item_id=row.item_id,
            credits=row.credits,
            assessed_on=row.assessed_on,
        )
        for row in rows
        if row.conversion_grant_id is not None and stands(standing[row.id])
    ]


def shared_names(
    *, uow: UnitOfWork, cipher: PersonalDataCipher, learner_ids: Iterable[int]
) -> dict[int, str | None]:
    """The names of these learners (row ids), opened from their sealed personal data for what
    each learner chose to share (a job's matches, to which the learner consented): not an access
    by staff, so not in the audit trail; callers check the consent. None where erased."""
    numbers = account_numbers(uow=uow, learner_ids=learner_ids)
    names: dict[int, str | None] = {}
    for learner_id, number in numbers.items():
        try:
            names[learner_id] = service.read_own_personal_data(
                uow=uow, cipher=cipher, number=number
            ).name
        except AccountError:
            names[learner_id] = None
    return names


def identity_index_key(*, uow: UnitOfWork, cipher: PersonalDataCipher, learner_id: int) -> str:
    """The normal form (``type:number``) of learner row ``learner_id``'s identity number, opened
    from their sealed personal data for the learner's own use (a transfer package names the
    learner by a salted hash of it): never logged, never shown. ``personal_data_erased`` when
    it was erased."""
    number = account_number_of(uow=uow, learner_id=learner_id)
    data = service.read_own_personal_data(uow=uow, cipher=cipher, number=number)
    return parse_id_number(data.id_number, IdType(data.id_type)).index_key


def deposited_record(
    *, uow: UnitOfWork, public_id: str, schema: int = 2
) -> Mapping[str, object] | None:
    """The record the log entry of outcome ``public_id``'s deposit commits to (``schema``: the
    entry's ``v``; 2 for every outcome deposited since ADR 0017), rebuilt from the stored
    outcome; None if there is no such outcome."""
    read = _RECORD_READERS[LogKind.OUTCOME_DEPOSITED, schema]
    return read(uow, [public_id]).get(public_id)


def deposited_records(
    *, uow: UnitOfWork, public_ids: Iterable[str], schema: int = 2
) -> dict[str, Mapping[str, object]]:
    """:func:`deposited_record` of many outcomes at once, by public id (those not found left
    out)."""
    wanted = list(set(public_ids))
    if not wanted:
        return {}
    return dict(_RECORD_READERS[LogKind.OUTCOME_DEPOSITED, schema](uow, wanted))


def first_outcome_times(*, uow: UnitOfWork, learner_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these learners' first outcome was deposited (the statistics' cohort), by
    learner row id; those with no outcome left out."""
    return statistics.first_outcome_times(uow, learner_ids)


open_account = service.open_account
"""Open a learner's account (or answer the one the identity number has, to a caller who names
its holder as the account does); checks no policy: callers do."""


@dataclass(frozen=True, slots=True)
class OutcomeLabel:
    """How pages name an outcome to people: its item, institution and date (not its id)."""

    item_name: str
    item_name_en: str
    institution: str
    assessed_on: date

    def item_name_in(self, language: str) -> str:
        """The item's name in ``language``: English where the catalogue holds it."""
        return self.item_name_en if language == "en" and self.item_name_en else self.item_name


def outcome_labels(*, uow: UnitOfWork, public_ids: Iterable[str]) -> dict[str, OutcomeLabel]:
    """The labels of these outcomes (public ids), by public id, in three queries."""
    wanted = list(set(public_ids))
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(
            _tables.OutcomeRow.public_id,
            _tables.OutcomeRow.item_id,
            _tables.OutcomeRow.institution_id,
            _tables.OutcomeRow.assessed_on,
        ).where(_tables.OutcomeRow.public_id.in_(wanted))
    ).all()
    items = catalog.item_labels(uow=uow, item_ids=[row.item_id for row in rows])
    codes = institutions.institution_codes(uow=uow)
    return {
        row.public_id: OutcomeLabel(
            items[row.item_id].name,
            items[row.item_id].name_en,
            codes.get(row.institution_id, ""),
            row.assessed_on,
        )
        for row in rows
    }


__all__ = [
    "RECOGNISED_ITEM_PREFIX",
    "RECOGNISED_RECORD_PREFIX",
    "WITHDRAWN_HOOKS",
    "AccountError",
    "AccreditedLearning",
    "Batch",
    "BatchLabel",
    "BatchStatus",
    "Deposit",
    "DepositRefusedError",
    "Deposited",
    "Deposits",
    "FileFormat",
    "IdNumber",
    "IdType",
    "LearnerRef",
    "LearningSetting",
    "Outcome",
    "OutcomeDeposit",
    "OutcomeFacts",
    "OutcomeLabel",
    "OutcomeStatus",
    "PersonalDataCipher",
    "RecognisedLearning",
    "RowError",
    "SessionResult",
    "Transfer",
    "TransferredCredit",
    "WithdrawnHook",
    "account_facts",
    "check_account_number",
    "check_reason",
    "cohort_learner_facts",
    "deposit",
    "deposited_record",
    "find_learner",
    "first_outcome_times",
    "first_outcomes_of",
    "has_status",
    "held_skills_select",
    "holders_of_kind",
    "identity_index_key",
    "identity_indexes",
    "import_batch",
    "issuer_of",
    "keep_rejected_batch",
    "learner_id_of",
    "learners_outcome_ids",
    "lock_learner",
    "lock_outcome",
    "outcome_facts",
    "outcome_labels",
    "outcome_of",
    "parse_id_number",
    "revoke_outcome",
    "shared_names",
    "stands",
    "statuses",
    "supersede_with",
]
