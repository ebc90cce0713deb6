"""The one deposit: every outcome that enters a learner's account comes in through
:func:`deposit` (``accounts.api.deposit``), whoever sends it.

An :class:`OutcomeDeposit` says what is deposited: the institution that deposits it (its code),
the account, the facts (record id, item, level, credits, score, assessed on, setting,
evidence), and, when the outcome is not one an institution sends of its own accord, its
origin as data:

- no origin: an institution states the outcome (the API, the pages, the CLI);
- :class:`SessionResult`: a candidate's pass in a 1+X assessment session, which the
  certificate's provider deposits from a results file;
- :class:`TransferredCredit`: credit a confirmed conversion grants toward a programme;
- :class:`AccreditedLearning`: a unit a confirmed accreditation decision accredits.
- :class:`RecognisedLearning`: an outcome imported from a peer bank that this bank recognised.

One path for all: resolve (institution, account, item, level), check what applies, build the
row (:func:`new_outcome_row`), store it, and make its log fact
(:func:`creditbank.accounts.records.deposited_fact`). With ``log=True`` the deposit appends
the facts itself (one append, in the order of the outcomes); with ``log=False`` it hands them
back, and the caller appends them with its own facts in the same transaction (a conversion's
confirmation, an accreditation decision), so the log holds them in the order it always did.

What applies to which origin:

- *Stated* outcomes (no origin, :class:`SessionResult`) get every check: the item is one the
  institution may issue (its own, or granted to it) on the day assessed, awarded at the level
  named, within its credits; score 0-100; assessed neither in the future of ``today`` nor
  before 1950; a record id of the right form; an evidence file named is one the institution
  uploaded. They are idempotent by record id: the same record with the same facts answers the
  stored outcome (``created`` False), with other facts ``record_conflict``; of parallel
  deposits of one record, one stores it (a SAVEPOINT keeps the loser's transaction). A
  :class:`SessionResult` also names the candidate as the results file wrote them: the name
  must be the account holder's (``NAME_MISMATCH``, as a bulk file's row), so a file cannot put
  an outcome into, or find, someone else's account.
- *Derived* outcomes (:class:`TransferredCredit`, :class:`AccreditedLearning`) are facts the
  bank computed, not an institution's statement, and skip those checks: the item is named
  ``OWNER:CODE`` and need not be issuable by the depositing institution (a transferred-credit
  item is made by the bank and issued by no institution; an accredited unit's item is the
  standard owner's, deposited by the accredited centre); the credits were checked by the area
  that computed them (within the unit's credits, within a rule's caps); the evidence of an
  accreditation was uploaded by the learner, not by the centre; and the facts are stored as
  given (not rounded). They are not looked up by record id: each is deposited once by its
  confirmation (under the conversion's or application's lock), and a second deposit of one
  is refused by the database's unique index.

A bulk *file* (:mod:`creditbank.accounts.bulk`) keeps its own fast path for hundreds of
thousands of rows (checked without the database in a worker, inserted with COPY); it shares
the checks of a stated outcome (:func:`creditbank.accounts.model.check_outcome`, the item's
level and grant window), the stored columns (``records.STORED_FACT_COLUMNS``) and the log
record (``records.outcome_values_v2``). ADR 0015 lists what is shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import records, service, statistics
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.fields import FIELDS_BY_NAME, given_columns, stored_value
from creditbank.accounts.model import (
    NAME_MISMATCH,
    AccountError,
    OutcomeFacts,
    OutcomeStatus,
    Transfer,
    check_account_number,
    check_outcome,
    normalised,
)
from creditbank.accounts.outcome_answers import (
    AnswerContext,
    Deposited,
    Outcome,
    answer_of,
    learner_id_of,
    statuses,
)
from creditbank.accounts.records import STORED_FACT_COLUMNS
from creditbank.accounts.tables import OutcomeRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.evidence import api as evidence
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg


@dataclass(frozen=True, slots=True)
class SessionResult:
    """Origin: a candidate's pass in a 1+X assessment session, from line ``line`` of the
    session's results file, which names the candidate ``name``."""

    line: int
    name: str


@dataclass(frozen=True, slots=True)
class TransferredCredit:
    """Origin: credit conversion grant ``grant_id`` transfers, and toward what (``transfer``)."""

    grant_id: int
    transfer: Transfer


@dataclass(frozen=True, slots=True)
class AccreditedLearning:
    """Origin: the unit that the confirmed decision on accreditation application
    ``application`` (its public id) accredits."""

    application: str


@dataclass(frozen=True, slots=True)
class RecognisedLearning:
    """Origin: an outcome imported from a peer bank (its imported outcome's public id ``imported``)
    that this bank's recognition decision recognised (``creditbank.transfers``)."""

    imported: str


Origin = SessionResult | TransferredCredit | AccreditedLearning | RecognisedLearning


@dataclass(frozen=True, slots=True)
class OutcomeDeposit:
    """One outcome to deposit: by ``institution`` (its code) into account ``account_number``.
    ``facts.item_code`` names the item (``OWNER:CODE`` when the code alone is ambiguous, and
    always for a derived origin), ``facts.level`` its level."""

    institution: str
    account_number: str
    facts: OutcomeFacts
    origin: Origin | None = None

    @property
    def stated(self) -> bool:
        """An institution's statement (checked, idempotent by record id), not a fact the bank
        derived."""
        return self.origin is None or isinstance(self.origin, SessionResult)


@dataclass(frozen=True, slots=True)
class Deposit:
    """What depositing one outcome did."""

    outcome: Outcome
    """As answers show it."""
    created: bool
    """False when the same record was deposited before with the same facts."""
    outcome_id: int
    """The outcome's row id (other areas' foreign keys)."""
    fact: ledger.LogFact | None
    """The log fact of a created outcome (the caller appends it when ``log`` was False)."""
    receipt: ledger.Receipt | None
    """Where it stands in the ledger, once logged."""

    @property
    def deposited(self) -> Deposited:
        """The answer of a single deposit."""
        return Deposited(self.outcome, created=self.created, receipt=self.receipt)


class DepositRefusedError(AccountError):
    """Some of the outcomes fail their checks; nothing was stored. ``rows``: each problem as
    (position of the outcome among those deposited, field, problem)."""

    def __init__(self, message: Message, rows: Sequence[tuple[int, str, Message]]) -> None:
        super().__init__("invalid_outcome", message, [problem for _, _, problem in rows])
        self.rows = list(rows)


@dataclass(slots=True)
class _Prepared:
    """An outcome resolved and checked, ready to store."""

    request: OutcomeDeposit
    facts: OutcomeFacts
    institution_id: int
    institution: str
    learner_id: int
    account_number: str
    item: catalog.CatalogItem
    level: frameworks.PinnedLevel
    batch_id: int | None

    def sent(self) -> dict[str, object]:
        return stored_facts(
            learner_id=self.learner_id,
            item_id=self.item.id,
            level_id=self.level.level_id,
            facts=self.facts,
        )

    def row(self, now: datetime) -> OutcomeRow:
        origin = self.request.origin
        transferred = origin if isinstance(origin, TransferredCredit) else None
        facts = self.facts
        return new_outcome_row(
            learner_id=self.learner_id,
            institution_id=self.institution_id,
            record_id=facts.record_id,
            item_id=self.item.id,
            framework_level_id=self.level.level_id,
            given=given_columns(facts),
            deposited_at=now,
            batch_id=self.batch_id,
            conversion_grant_id=None if transferred is None else transferred.grant_id,
            transfer=None if transferred is None else transferred.transfer,
            item_version=self.item.version,
        )

    def answer(self, row: OutcomeRow, status: OutcomeStatus) -> Outcome:
        item = self.item
        context = AnswerContext(self.account_number, {self.institution_id: self.institution})
        fields = (item.code, item.kind, item.name, item.institution)
        return answer_of(context, row, fields, self.level, status, item_name_en=item.name_en)


@dataclass(slots=True)
class _Resolver:
    """Resolves the outcomes of one deposit, reading what they share once."""

    uow: UnitOfWork
    today: date
    cipher: PersonalDataCipher | None
    batch_id: int | None
    institution_ids: dict[str, int] = field(default_factory=dict)
    learner_ids: dict[str, int] = field(default_factory=dict)
    issuable: dict[tuple[str, str], catalog.Issuable] = field(default_factory=dict)
    items: dict[str, catalog.CatalogItem] = field(default_factory=dict)

    def institution_id(self, code: str) -> int:
        if code not in self.institution_ids:
            self.institution_ids[code] = institutions.institution_id(uow=self.uow, code=code)
        return self.institution_ids[code]

    def learner_id(self, number: str) -> int:
        if number not in self.learner_ids:
            self.learner_ids[number] = learner_id_of(self.uow, number)
        return self.learner_ids[number]

    def prepare(self, request: OutcomeDeposit) -> _Prepared | list[tuple[str, Message]]:
        """The outcome resolved and checked, or its problems (by field)."""
        institution = request.institution
        institution_id = self.institution_id(institution)
        learner_id = self.learner_id(request.account_number)
        number = check_account_number(request.account_number)
        if not request.stated:
            named = self._named_item(request.facts.item_code)
            level = named.level_named(request.facts.level)
            if isinstance(level, Message):
                raise AccountError("invalid_outcome", level)
            return _Prepared(
                request,
                request.facts,
                institution_id,
                institution.upper(),
                learner_id,
                number,
                named,
                level,
                self.batch_id,
            )
        facts = normalised(request.facts)
        key = (institution, facts.item_code)
        if key not in self.issuable:
            self.issuable[key] = catalog.issuable_items(
                uow=self.uow, institution=institution, ref=facts.item_code
            )
        issuable = self.issuable[key]
        item = issuable.find(facts.item_code)
        if item is None:
            raise AccountError(
                "invalid_outcome",
                issuable.ambiguity(facts.item_code)
                or msg(
                    "{institution} has no catalogue item {code}",
                    institution=institution.upper(),
                    code=facts.item_code,
                ),
            )
        problems = check_outcome(facts, item_credits=item.credits, today=self.today)
        not_granted = issuable.window_problem(item, facts.assessed_on)
        if not_granted is not None:
            problems.append(("item_code", not_granted))
        problems += self._evidence_problems(institution, institution_id, facts)
        level = item.level_named(facts.level)
        if isinstance(level, Message):
            problems.append(("level", level))
        if isinstance(request.origin, SessionResult):
            problems += self._name_problems(number, request.origin.name)
        if problems or isinstance(level, Message):
            return problems
        return _Prepared(
            request,
            facts,
            institution_id,
            institution.upper(),
            learner_id,
            number,
            item,
            level,
            self.batch_id,
        )

    def _named_item(self, ref: str) -> catalog.CatalogItem:
        """The item ``OWNER:CODE`` names (a derived outcome's)."""
        if ref not in self.items:
            owner, code = catalog.split_item_ref(ref)
            named = (
                None
                if owner is None
                else catalog.find_item(uow=self.uow, institution=owner, code=code)
            )
            if named is None:
                raise AccountError(
                    "invalid_outcome",
                    msg(
                        "{institution} has no catalogue item {code}",
                        institution=owner or "-",
                        code=code,
                    ),
                )
            self.items[ref] = named
        return self.items[ref]

    def _evidence_problems(
        self, institution: str, institution_id: int, facts: OutcomeFacts
    ) -> list[tuple[str, Message]]:
        sha256 = facts.evidence_sha256
        if (
            sha256 is None
            or not evidence.SHA256_HEX.match(sha256)
            or evidence.held_for(uow=self.uow, institution_id=institution_id, hashes=[sha256])
        ):
            return []
        return [
            (
                "evidence_sha256",
                msg(
                    "the bank holds no evidence file {sha256} uploaded by {institution}; "
                    "upload it first (POST /api/v1/evidence)",
                    sha256=sha256,
                    institution=institution.upper(),
                ),
            )
        ]

    def _name_problems(self, number: str, name: str) -> list[tuple[str, Message]]:
        """A results file's name of the candidate, checked against the account holder's (none
        left after an erasure: then no name matches)."""
        field = FIELDS_BY_NAME["name"]  # as a bulk file's name column is read
        try:
            written = str(field.parse(name))
        except ValueError:
            assert field.problem is not None  # noqa: S101 - the name's parser can fail
            return [("name", field.problem)]
        if self.cipher is None:
            message = "a deposit from a results file needs the personal-data cipher"
            raise ValueError(message)
        try:
            held = service.read_own_personal_data(uow=self.uow, cipher=self.cipher, number=number)
        except AccountError:
            return [("name", NAME_MISMATCH)]
        return [] if service.same_name(held.name, written) else [("name", NAME_MISMATCH)]


def deposit(
    *,
    uow: UnitOfWork,
    outcomes: Sequence[OutcomeDeposit],
    today: date,
    now: datetime | None = None,
    log: bool = True,
    cipher: PersonalDataCipher | None = None,
    batch_id: int | None = None,
) -> list[Deposit]:
    """Deposit ``outcomes``, all or none, in ``uow``'s transaction: what each did, in order.

    Every outcome is resolved and checked first; any problem refuses the lot before anything
    is stored (one outcome: ``invalid_outcome`` naming its problems, as always; several:
    :class:`DepositRefusedError`, which says which outcome each problem is of). ``today`` bounds
    the assessment dates of stated outcomes; ``now`` (default: the clock) is when they are
    deposited. ``cipher`` is needed for :class:`SessionResult` outcomes (the holder's name);
    ``batch_id`` (a deposit batch's row id) is recorded on each new outcome.
    """
    resolver = _Resolver(uow, today, cipher, batch_id)
    prepared: list[_Prepared] = []
    refused: list[tuple[int, str, Message]] = []
    for index, request in enumerate(outcomes):
        found = resolver.prepare(request)
        if isinstance(found, list):
            refused += [(index, column, problem) for column, problem in found]
        else:
            prepared.append(found)
    if refused:
        first = outcomes[refused[0][0]].facts.record_id
        message = msg("outcome {record} is not valid", record=first)
        if len(outcomes) == 1:
            raise AccountError("invalid_outcome", message, [problem for _, _, problem in refused])
        raise DepositRefusedError(message, refused)
    now = now or datetime.now(UTC)
    if any(entry.request.stated for entry in prepared):
        hold_write_lock(uow.session)  # SQLite: one writer from here on, so look-ups see the latest
    first_time = statistics.learners_without_outcomes(uow, [e.learner_id for e in prepared])
    made = [_store(uow, entry, now) for entry in prepared]
    _tally(uow, prepared, made, now, first_time)
    logged = [deposit.fact for deposit in made if deposit.fact is not None]
    if not log or not logged:
        return made
    receipts = iter(ledger.append(uow, logged))
    return [replace(d, receipt=next(receipts)) if d.fact is not None else d for d in made]


def _store(uow: UnitOfWork, entry: _Prepared, now: datetime) -> Deposit:
    """Store one prepared outcome (a stated one unless its record is stored already)."""
    session = uow.session
    row = entry.row(now)
    if not entry.request.stated:
        session.add(row)
        session.flush()  # a record deposited twice is refused by the unique index
    else:
        existing = _stored(uow, entry.institution_id, entry.facts.record_id)
        if existing is not None:
            return _deposit_again(uow, entry, existing)
        try:
            with session.begin_nested():  # a SAVEPOINT: the transaction survives a lost race
                session.add(row)
                session.flush()
        except IntegrityError:
            # PostgreSQL: a parallel request stored the record first (its insert committed
            # while ours waited on the unique index). Answer as if it had come first: the
            # same facts are that outcome, other facts a record conflict.
            winner = _stored(uow, entry.institution_id, entry.facts.record_id)
            if winner is None:
                raise
            return _deposit_again(uow, entry, winner)
    fact = records.deposited_fact(
        row,
        bank=ledger.log_origin(uow=uow),
        item=records.item_ref(entry.item),
        level=records.level_ref(entry.level),
        account_number=entry.account_number,
        institution=entry.institution,
    )
    return Deposit(
        entry.answer(row, OutcomeStatus.DEPOSITED),
        created=True,
        outcome_id=row.id,
        fact=fact,
        receipt=None,
    )


def _tally(
    uow: UnitOfWork,
    prepared: Sequence[_Prepared],
    made: Sequence[Deposit],
    at: datetime,
    first_time: set[int],
) -> None:
    """Count the outcomes stored (not those sent again unchanged) and the learners whose first
    they are (:mod:`creditbank.accounts.statistics`)."""
    counts = statistics.OutcomeCounts()
    for entry, deposit in zip(prepared, made, strict=True):
        if deposit.created:
            key = statistics.outcome_key(
                institution=entry.institution.strip(),
                item=records.item_ref(entry.item),
                level=records.level_ref(entry.level),
                setting=str(stored_value(entry.facts.setting)),
                record_id=entry.facts.record_id,
            )
            counts.add(key, at, entry.facts.credits)
    statistics.tally_deposited(uow, counts, at=at)
    statistics.tally_first_outcomes(uow, at=at, learners=len(first_time))


def _stored(uow: UnitOfWork, institution_id: int, record_id: str) -> OutcomeRow | None:
    """The outcome ``institution_id`` deposited as ``record_id``, if any."""
    return uow.session.scalar(
        select(OutcomeRow).where(
            OutcomeRow.institution_id == institution_id, OutcomeRow.record_id == record_id
        )
    )


def _deposit_again(uow: UnitOfWork, entry: _Prepared, existing: OutcomeRow) -> Deposit:
    """A record sent again: the stored outcome when its facts are the same (``created``
    False), else ``record_conflict``."""
    if facts_of(existing) != entry.sent():
        raise AccountError(
            "record_conflict",
            msg(
                "record {record} of {institution} was deposited with other facts; "
                "correct it with a superseding record, not by sending it again",
                record=existing.record_id,
                institution=entry.institution,
            ),
        )
    status = statuses(uow=uow, outcome_ids=[existing.id])[existing.id]
    receipt = ledger.receipt_of(
        uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=existing.public_id
    )
    return Deposit(
        entry.answer(existing, status),
        created=False,
        outcome_id=existing.id,
        fact=None,
        receipt=receipt,
    )


def stored_facts(
    *, learner_id: int, item_id: int, level_id: int, facts: OutcomeFacts
) -> dict[str, object]:
    """The columns that make a record what it is; equal for the same record sent again."""
    return {
        "learner_id": learner_id,
        "item_id": item_id,
        "framework_level_id": level_id,
        **given_columns(facts),
    }


def facts_of(row: OutcomeRow) -> dict[str, object]:
    """:func:`stored_facts` of a stored outcome."""
    return {key: getattr(row, key) for key in STORED_FACT_COLUMNS}


def new_outcome_row(
    *,
    learner_id: int,
    institution_id: int,
    record_id: str,
    item_id: int,
    framework_level_id: int,
    given: Mapping[str, object],
    deposited_at: datetime,
    batch_id: int | None = None,
    conversion_grant_id: int | None = None,
    transfer: Transfer | None = None,
    item_version: int | None = None,
) -> OutcomeRow:
    """A new outcome's row, under a public id of its own: what every deposit stores (``given``:
    the columns stored as the facts give them, :func:`creditbank.accounts.fields.given_columns`;
    a bulk file inserts the same columns in bulk, :mod:`creditbank.accounts.depositor`)."""
    return OutcomeRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner_id,
        institution_id=institution_id,
        record_id=record_id,
        item_id=item_id,
        framework_level_id=framework_level_id,
        item_version=item_version,
        deposited_at=deposited_at,
        batch_id=batch_id,
        conversion_grant_id=conversion_grant_id,
        transfer=None if transfer is None else transfer.as_json(),
        **given,
    )
