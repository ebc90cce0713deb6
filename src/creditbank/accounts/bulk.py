"""Bulk deposit: a whole file of outcomes, all or nothing.

The file is read as a stream and handled in chunks of :data:`CHUNK` rows: per
chunk, one query finds the learners already in the bank (by HMAC index), one
finds the records already deposited (by the institution's ``record_id``), and
the new learners and outcomes are inserted with one multi-row statement each.
Every row is checked, to the end of the file, and every bad row is reported by
line, column and reason (never by its value, which may be personal data).

All of it happens in one transaction. If any row is bad, the transaction is
rolled back (nothing is deposited) and the batch is recorded as ``rejected``
with its report in a transaction of its own; otherwise the batch is marked
``committed`` in the same transaction as its outcomes.

Idempotent: a row whose ``record_id`` the institution has deposited before with
the same facts is counted as unchanged; with other facts, it is an error.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, Row
from creditbank.accounts.model import (
    SHA256_HEX,
    AccountError,
    ParsedRow,
    RowError,
    birth_date_of,
    check_outcome,
    new_account_number,
    parse_row,
)
from creditbank.accounts.outcomes import STORED_FACT_COLUMNS, item_level, stored_facts
from creditbank.accounts.tables import (
    DepositBatchRow,
    LearnerIdentityRow,
    LearnerKeyRow,
    LearnerPersonalDataRow,
    LearnerRow,
    OutcomeRow,
)
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork, bulk_insert, one_of, reserve_ids
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.messages import Message, Translate, msg

CHUNK = 2000
MAX_REPORTED_ERRORS = 1000


class BatchStatus(StrEnum):
    PROCESSING = "processing"
    COMMITTED = "committed"
    REJECTED = "rejected"


@dataclass
class BatchReport:
    """What a batch did, or why it did nothing."""

    rows: int = 0
    deposited: int = 0
    unchanged: int = 0
    accounts_opened: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


@dataclass(frozen=True, slots=True)
class Batch:
    id: str
    institution: str
    filename: str
    format: FileFormat
    status: BatchStatus
    rows: int
    deposited: int
    unchanged: int
    accounts_opened: int
    error_count: int
    errors: list[dict[str, Any]]
    created_at: datetime
    finished_at: datetime | None


class _Rejected(Exception):  # noqa: N818 - internal signal to roll the deposit back
    pass


Progress = Callable[[int], None]


def _chunks(rows: Iterable[tuple[int, Row]]) -> Iterator[list[tuple[int, Row]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


@dataclass
class _Prepared:
    """A chunk after parsing and checking: its good rows (with level id and identity HMAC)
    and the problems of the others."""

    rows: int
    good: list[tuple[ParsedRow, int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    evidence: list[tuple[int, str]] = field(default_factory=list)  # (line, sha256) to look up


class _Depositor:
    """The state of one batch while its rows pass: items, seen record ids, the report."""

    def __init__(
        self,
        session: Session,
        cipher: PersonalDataCipher,
        *,
        institution_id: int,
        issuable: catalog.Issuable,
        held_evidence: Callable[[set[str]], set[str]],
        batch_id: int,
        today: date,
    ) -> None:
        self.session = session
        self.cipher = cipher
        self.institution_id = institution_id
        self.issuable = issuable
        self.items = issuable.items
        self.held_evidence = held_evidence
        self.batch_id = batch_id
        self.today = today
        self.report = BatchReport()
        self.first_line_of: dict[str, int] = {}

    def _check(self, parsed: ParsedRow) -> tuple[int, list[RowError]]:
        """The framework level id for a parsed row, and its problems."""
        facts, line = parsed.facts, parsed.line
        errors: list[RowError] = []
        first = self.first_line_of.setdefault(facts.record_id, line)
        if first != line:
            errors.append(
                RowError(
                    line,
                    "record_id",
                    msg("record_id appears again (first at line {first})", first=first),
                )
            )
        item = self.issuable.find(facts.item_code)
        if item is None:
            errors.append(
                RowError(
                    line,
                    "item_code",
                    self.issuable.ambiguity(facts.item_code)
                    or msg("the institution has no catalogue item {code}", code=facts.item_code),
                )
            )
            return 0, errors
        if (not_granted := self.issuable.window_problem(item, facts.assessed_on)) is not None:
            errors.append(RowError(line, "item_code", not_granted))
        level = item_level(item, facts.level)
        if isinstance(level, Message):
            errors.append(RowError(line, "level", level))
        errors += [
            RowError(line, column, problem)
            for column, problem in check_outcome(facts, item_credits=item.credits, today=self.today)
        ]
        return (0 if isinstance(level, Message) else level.level_id), errors

    def prepare(self, chunk: list[tuple[int, Row]]) -> _Prepared:
        """Parse and check a chunk's rows, and index their identities (no database).

        Runs on the reader thread, one chunk ahead of :meth:`store`.
        """
        prepared = _Prepared(len(chunk))
        for line, row in chunk:
            parsed = parse_row(line, row)
            if isinstance(parsed, list):
                prepared.errors += parsed
                continue
            sha256 = parsed.facts.evidence_sha256
            if sha256 is not None and SHA256_HEX.match(sha256):
                prepared.evidence.append((line, sha256))
            level_id, errors = self._check(parsed)
            if errors:
                prepared.errors += errors
            else:
                identity = self.cipher.index(parsed.id_number.index_key)
                prepared.good.append((parsed, level_id, identity))
        return prepared

    def store(self, prepared: _Prepared) -> None:
        """Look up a prepared chunk's learners and records; insert what is new."""
        self.report.rows += prepared.rows
        errors = list(prepared.errors)
        good = prepared.good
        if prepared.evidence:  # one look-up per chunk, for the rows that name a file
            held = self.held_evidence({sha256 for _, sha256 in prepared.evidence})
            missing = {line for line, sha256 in prepared.evidence if sha256 not in held}
            errors += [
                RowError(
                    line,
                    "evidence_sha256",
                    msg(
                        "the bank holds no evidence file with this hash uploaded by the institution"
                    ),
                )
                for line in missing
            ]
            good = [entry for entry in good if entry[0].line not in missing]
        for error in sorted(errors, key=lambda error: error.line):
            self.report.add_error(error)
        known = self._known_records([parsed.facts.record_id for parsed, _, _ in good])
        learners = self._learners([(identity, parsed) for parsed, _, identity in good])
        now = datetime.now(UTC)
        new_rows = []
        for parsed, level_id, identity in good:
            facts = parsed.facts
            values = stored_facts(
                learner_id=learners[identity],
                item_id=self.items[facts.item_code].id,
                level_id=level_id,
                facts=facts,
            )
            if facts.record_id in known:
                if known[facts.record_id] == values:
                    self.report.unchanged += 1
                else:
                    self.report.add_error(
                        RowError(
                            parsed.line,
                            "record_id",
                            msg(
                                "record_id was deposited before with other facts; "
                                "send a correction instead"
                            ),
                        )
                    )
                continue
            values["public_id"] = secrets.token_hex(16)
            values["institution_id"] = self.institution_id
            values["record_id"] = facts.record_id
            values["deposited_at"] = now
            values["batch_id"] = self.batch_id
            new_rows.append(values)
        if new_rows and not self.report.error_count:
            bulk_insert(self.session, OutcomeRow, new_rows)
            self.report.deposited += len(new_rows)

    def _known_records(self, record_ids: list[str]) -> dict[str, dict[str, object]]:
        if not record_ids:
            return {}
        columns = [getattr(OutcomeRow, name) for name in STORED_FACT_COLUMNS]
        rows = self.session.execute(
            select(OutcomeRow.record_id, *columns).where(
                OutcomeRow.institution_id == self.institution_id,
                one_of(self.session, OutcomeRow.record_id, record_ids),
            )
        )
        return {row[0]: dict(zip(STORED_FACT_COLUMNS, row[1:], strict=True)) for row in rows}

    def _learners(self, rows: list[tuple[str, ParsedRow]]) -> dict[str, int]:
        """Learner ids by identity HMAC, opening accounts for those the bank lacks."""
        wanted: dict[str, ParsedRow] = {}
        for identity, parsed in rows:
            wanted.setdefault(identity, parsed)
        if not wanted:
            return {}
        rows_found = self.session.execute(
            select(LearnerIdentityRow.id_hmac, LearnerIdentityRow.learner_id).where(
                one_of(self.session, LearnerIdentityRow.id_hmac, list(wanted))
            )
        )
        found = {row.id_hmac: row.learner_id for row in rows_found}
        missing = [key for key in wanted if key not in found]
        if missing and not self.report.error_count:
            found.update(self._open_accounts({key: wanted[key] for key in missing}))
        elif missing:
            found.update(dict.fromkeys(missing, 0))  # the batch is rejected anyway
        return found

    def _open_accounts(self, people: dict[str, ParsedRow]) -> dict[str, int]:
        numbers = self._fresh_numbers(len(people))
        now = datetime.now(UTC)
        created = list(
            zip(reserve_ids(self.session, LearnerRow, len(people)), numbers, strict=True)
        )
        bulk_insert(
            self.session,
            LearnerRow,
            [
                {
                    "id": learner_id,
                    "account_number": number,
                    "opened_at": now,
                    "opened_by_institution_id": self.institution_id,
                }
                for learner_id, number in created
            ],
        )
        identities, keys, sealed_rows = [], [], []
        result = {}
        for (key_hmac, parsed), (learner_id, number) in zip(people.items(), created, strict=True):
            learner_key, wrapped = self.cipher.new_learner_key(number)
            born = birth_date_of(parsed.id_number)
            sealed = self.cipher.seal(
                learner_key,
                number,
                {
                    "name": parsed.name,
                    "id_type": parsed.id_number.type.value,
                    "id_number": parsed.id_number.number,
                    "birth_date": born.isoformat() if born else "",
                    "contact": "",
                },
            )
            identities.append({"learner_id": learner_id, "id_hmac": key_hmac})
            keys.append(
                {
                    "learner_id": learner_id,
                    "nonce": wrapped.nonce,
                    "wrapped_key": wrapped.ciphertext,
                }
            )
            sealed_rows.append(
                {"learner_id": learner_id, "nonce": sealed.nonce, "ciphertext": sealed.ciphertext}
            )
            result[key_hmac] = learner_id
        bulk_insert(self.session, LearnerIdentityRow, identities)
        bulk_insert(self.session, LearnerKeyRow, keys)
        bulk_insert(self.session, LearnerPersonalDataRow, sealed_rows)
        self.report.accounts_opened += len(people)
        return result

    def _fresh_numbers(self, count: int) -> list[str]:
        numbers: set[str] = set()
        while len(numbers) < count:
            candidates = {new_account_number() for _ in range(count - len(numbers))} - numbers
            taken = set(
                self.session.scalars(
                    select(LearnerRow.account_number).where(
                        one_of(self.session, LearnerRow.account_number, list(candidates))
                    )
                )
            )
            numbers |= candidates - taken
        return sorted(numbers)


def _deposit_all(
    depositor: _Depositor, rows: Iterable[tuple[int, Row]], progress: Progress | None
) -> None:
    """Pass every row through ``depositor``: a reader thread reads, parses and checks the next
    chunk while this thread stores the current one (so parsing overlaps the database's work).
    At most two chunks are in memory; the reader's errors (an unreadable file) surface here.
    """
    chunks = _chunks(rows)

    def next_prepared() -> _Prepared | None:
        chunk = next(chunks, None)
        return None if chunk is None else depositor.prepare(chunk)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-reader") as reader:
        pending = reader.submit(next_prepared)
        while (prepared := pending.result()) is not None:
            pending = reader.submit(next_prepared)
            depositor.store(prepared)
            if progress:
                progress(depositor.report.rows)


def _batch(row: DepositBatchRow, institution: str) -> Batch:
    return Batch(
        id=row.public_id,
        institution=institution,
        filename=row.filename,
        format=FileFormat(row.format),
        status=BatchStatus(row.status),
        rows=row.rows,
        deposited=row.deposited,
        unchanged=row.unchanged,
        accounts_opened=row.accounts_opened,
        error_count=row.error_count,
        errors=row.errors,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _errors_json(report: BatchReport) -> list[dict[str, Any]]:
    """Errors as stored: the message template and its parameters, rendered when read."""
    return [
        {
            "line": error.line,
            "column": error.column,
            "message": error.message.template,
            "params": dict(error.message.params),
        }
        for error in report.errors
    ]


def render_errors(batch: Batch, translate: Translate) -> list[tuple[int, str, str]]:
    """A batch's errors as (line, column, reason) in the reader's language."""
    return [
        (
            error["line"],
            error["column"],
            Message(error["message"], error["params"]).render(translate),
        )
        for error in batch.errors
    ]


def import_batch(
    *,
    database: Database,
    cipher: PersonalDataCipher,
    institution: str,
    submitted_by: str,
    filename: str,
    file_format: FileFormat,
    rows: Iterable[tuple[int, Row]],
    today: date,
    progress: Progress | None = None,
) -> Batch:
    """Deposit every row of a file, or none; the batch and its report are kept either way.

    This use case owns its transactions (one for the deposit, one for a
    rejection's report), because a rejected batch's report must outlive the
    rolled-back deposit.
    """
    institution = institution.strip().upper()
    with database.unit_of_work() as uow:
        institution_id = institutions.institution_id(uow=uow, code=institution)
        issuable = catalog.issuable_items(uow=uow, institution=institution)
    depositor: _Depositor | None = None
    public_id = uuid.uuid4().hex
    file_error: AccountError | None = None
    try:
        with database.unit_of_work() as uow:
            batch_row = _new_batch_row(
                public_id, institution_id, submitted_by, filename, file_format
            )
            uow.session.add(batch_row)
            uow.session.flush()
            depositor = _Depositor(
                uow.session,
                cipher,
                institution_id=institution_id,
                issuable=issuable,
                held_evidence=lambda hashes: evidence.held_for(
                    uow=uow, institution_id=institution_id, hashes=hashes
                ),
                batch_id=batch_row.id,
                today=today,
            )
            _deposit_all(depositor, rows, progress)
            if depositor.report.error_count:
                raise _Rejected  # noqa: TRY301 - rolls back the deposit; the report is kept below
            _finish(batch_row, depositor.report, BatchStatus.COMMITTED)
            return _batch(batch_row, institution)
    except _Rejected:
        pass
    except AccountError as error:  # the file itself cannot be read (header, format)
        file_error = error
    report = depositor.report if depositor else BatchReport()
    report.deposited = report.unchanged = report.accounts_opened = 0
    if file_error is not None:
        report.add_error(RowError(1, "-", file_error.message))
        for problem in file_error.problems:
            report.add_error(RowError(1, "-", problem))
    with database.unit_of_work() as uow:
        batch_row = _new_batch_row(public_id, institution_id, submitted_by, filename, file_format)
        _finish(batch_row, report, BatchStatus.REJECTED)
        uow.session.add(batch_row)
        uow.session.flush()
        return _batch(batch_row, institution)


def _new_batch_row(
    public_id: str, institution_id: int, submitted_by: str, filename: str, file_format: FileFormat
) -> DepositBatchRow:
    return DepositBatchRow(
        public_id=public_id,
        institution_id=institution_id,
        submitted_by=submitted_by,
        filename=filename[-255:],
        format=file_format.value,
        status=BatchStatus.PROCESSING.value,
        rows=0,
        deposited=0,
        unchanged=0,
        accounts_opened=0,
        error_count=0,
        errors=[],
        created_at=datetime.now(UTC),
        finished_at=None,
    )


def _finish(row: DepositBatchRow, report: BatchReport, status: BatchStatus) -> None:
    report.errors.sort(key=lambda error: error.line)  # a chunk's record conflicts come last
    row.status = status.value
    row.rows = report.rows
    row.deposited = report.deposited
    row.unchanged = report.unchanged
    row.accounts_opened = report.accounts_opened
    row.error_count = report.error_count
    row.errors = _errors_json(report)
    row.finished_at = datetime.now(UTC)


def get_batch(*, uow: UnitOfWork, batch_id: str) -> Batch:
    row = uow.session.scalar(select(DepositBatchRow).where(DepositBatchRow.public_id == batch_id))
    if row is None:
        raise AccountError("batch_not_found", msg("there is no batch {id}", id=batch_id))
    codes = institutions.institution_codes(uow=uow)
    return _batch(row, codes[row.institution_id])


def recent_batches(*, uow: UnitOfWork, institution: str, limit: int = 10) -> list[Batch]:
    """An institution's latest batches, newest first."""
    code = institution.strip().upper()
    institution_id = institutions.institution_id(uow=uow, code=code)
    rows = uow.session.scalars(
        select(DepositBatchRow)
        .where(DepositBatchRow.institution_id == institution_id)
        .order_by(DepositBatchRow.id.desc())
        .limit(limit)
    )
    return [_batch(row, code) for row in rows]
