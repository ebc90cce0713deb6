"""The storing side of a bulk deposit: each prepared chunk's learners and records looked up
in a few queries, the accounts the bank lacks opened, the new outcomes inserted in bulk, and
the batch's report kept (:mod:`creditbank.accounts.bulk` drives it, a chunk at a time).

Every bad row is reported by line, column and reason, never by its value (which may be
personal data); a row naming a learner other than the account's holder says nothing of the
account.
"""

from __future__ import annotations

import hmac
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from creditbank.accounts import records, statistics
from creditbank.accounts.chunks import GoodRow, NewAccount, PreparedChunk, seal_account
from creditbank.accounts.crypto import PersonalDataCipher, Sealed
from creditbank.accounts.fields import STORED_AS_GIVEN
from creditbank.accounts.model import NAME_MISMATCH, RowError, name_digest, new_account_number
from creditbank.accounts.records import STORED_FACT_COLUMNS
from creditbank.accounts.tables import (
    LearnerIdentityRow,
    LearnerKeyRow,
    LearnerPersonalDataRow,
    LearnerRow,
    OutcomeRow,
)
from creditbank.db import UnitOfWork, find_each, insert_rows, reserve_ids
from creditbank.ledger import api as ledger
from creditbank.messages import msg

MAX_REPORTED_ERRORS = 1000
_CREDITS = STORED_AS_GIVEN.index("credits")
_SETTING = STORED_AS_GIVEN.index("setting")
_OUTCOME_COLUMNS = (
    *STORED_FACT_COLUMNS,
    "public_id",
    "institution_id",
    "record_id",
    "deposited_at",
    "batch_id",
    "item_version",
)


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


_ZERO = Decimal(0)


def _credits(value: object) -> Decimal:
    """A row's credits as stored (none: 0)."""
    return value if isinstance(value, Decimal) else _ZERO


def _recognised(entry: GoodRow) -> bool:
    """Whether a row's record id is one of an outcome recognised from another bank (with its
    item, :func:`creditbank.accounts.statistics.outcome_kind` decides)."""
    return entry.record_id.startswith(statistics.RECOGNISED_RECORD_PREFIX)


class Depositor:
    """The storing side of one batch: looks each prepared chunk's learners and records up,
    opens the accounts the bank lacks, inserts the new outcomes, and keeps the report."""

    def __init__(
        self,
        uow: UnitOfWork,
        cipher: PersonalDataCipher,
        *,
        institution_id: int,
        institution: str,
        held_evidence: Callable[[set[str]], set[str]],
        batch_id: int,
        log: Callable[[list[ledger.LogFact]], object],
        names: records.Names,
    ) -> None:
        self.uow = uow
        self.session = uow.session
        self.names = names
        self.cipher = cipher
        self.institution_id = institution_id
        self.institution = institution
        self.log = log
        self.held_evidence = held_evidence
        self.batch_id = batch_id
        self.report = BatchReport()

    def store(self, prepared: PreparedChunk) -> None:
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
            good = [entry for entry in good if entry.line not in missing]
        for error in sorted(errors, key=lambda error: error.line):
            self.report.add_error(error)
        known = self._known_records([entry.record_id for entry in good])
        learners, existing = self._learners({entry.identity for entry in good}, prepared.accounts)
        good = self._named_as_held(good, learners, existing)
        now = datetime.now(UTC)
        new_rows: list[tuple[object, ...]] = []
        facts: list[ledger.LogFact] = []
        names = self.names
        names.load(  # none to look up when the batch's issuable items were remembered
            item_ids={entry.item_id for entry in good},
            level_ids={entry.level_id for entry in good},
        )
        kinds: Counter[tuple[int, int, object, bool]] = Counter()  # outcomes by what counts
        credited: dict[tuple[int, int, object, bool], Decimal] = {}
        depositing: set[int] = set()  # the learners of existing accounts given new outcomes
        for entry in good:
            learner_id, account_number = learners[entry.identity]
            stored = entry.stored_facts(learner_id)
            if entry.record_id in known:
                if known[entry.record_id] == stored:
                    self.report.unchanged += 1
                else:
                    self.report.add_error(
                        RowError(
                            entry.line,
                            "record_id",
                            msg(
                                "record_id was deposited before with other facts; "
                                "send a correction instead"
                            ),
                        )
                    )
                continue
            item = names.item(entry.item_id)
            new_rows.append(
                (
                    *stored,
                    entry.public_id,
                    self.institution_id,
                    entry.record_id,
                    now,
                    self.batch_id,
                    item.version,
                )
            )
            record = records.outcome_values_v2(
                bank=names.bank,
                public_id=entry.public_id,
                account_number=account_number,
                institution=self.institution,
                record_id=entry.record_id,
                item=item,
                level=names.level(entry.level_id),
                given=entry.given,
                deposited_at=now,
            )
            facts.append(
                ledger.LogFact(
                    ledger.LogKind.OUTCOME_DEPOSITED, entry.public_id, self.institution, now, record
                )
            )
            kind = (entry.item_id, entry.level_id, entry.given[_SETTING], _recognised(entry))
            kinds[kind] += 1
            credited[kind] = credited.get(kind, _ZERO) + _credits(entry.given[_CREDITS])
            if entry.identity in existing:
                depositing.add(learner_id)
        if new_rows and not self.report.error_count:
            first_time = statistics.learners_without_outcomes(self.uow, depositing)
            opened = {learners[identity][0] for identity in learners.keys() - existing}
            insert_rows(self.session, OutcomeRow, _OUTCOME_COLUMNS, new_rows)
            self.log(facts)
            self.report.deposited += len(new_rows)
            counts = statistics.OutcomeCounts()
            for kind, count in kinds.items():
                counts.add(self._key(kind), now, credited[kind], count)
            statistics.tally_deposited(self.uow, counts, at=now)
            statistics.tally_first_outcomes(
                self.uow, at=now, learners=len(first_time) + len(opened)
            )

    def _key(self, kind: tuple[int, int, object, bool]) -> statistics.OutcomeKey:
        """What outcomes of (item, level, setting, recognised) are counted by
        (:mod:`creditbank.accounts.statistics`): worked out once per chunk and kind, not per
        row."""
        item_id, level_id, setting, recognised = kind
        return statistics.outcome_key(
            institution=self.institution,
            item=self.names.item(item_id),
            level=self.names.level(level_id),
            setting=str(setting),
            record_id=statistics.RECOGNISED_RECORD_PREFIX if recognised else "",
        )

    def _known_records(self, record_ids: list[str]) -> dict[str, tuple[object, ...]]:
        """The stored facts (``STORED_FACT_COLUMNS``) of the institution's records among these."""
        columns = [getattr(OutcomeRow, name) for name in STORED_FACT_COLUMNS]
        rows = find_each(
            self.session,
            [OutcomeRow.record_id, *columns],
            OutcomeRow.record_id,
            record_ids,
            OutcomeRow.institution_id == self.institution_id,
        )
        return {row[0]: tuple(row[1:]) for row in rows}

    def _named_as_held(
        self, good: list[GoodRow], learners: dict[str, tuple[int, str]], existing: set[str]
    ) -> list[GoodRow]:
        """The rows whose learner had no account, or names the account's holder as it does;
        a row naming anyone else is an error that says nothing of the account (otherwise a file
        with any name would put outcomes into, and so find, anybody's account)."""
        people = {learners[entry.identity] for entry in good if entry.identity in existing}
        held = self._held_names(dict(people)) if people else {}
        first: dict[str, bytes] = {}  # a new account's name: its first row's
        for entry in good:
            if entry.identity not in existing:
                first.setdefault(entry.identity, entry.name_key)
        wrong = {
            entry.line
            for entry in good
            if not hmac.compare_digest(
                held.get(learners[entry.identity][0], b"")
                if entry.identity in existing
                else first[entry.identity],
                entry.name_key,
            )
        }
        for line in sorted(wrong):
            self.report.add_error(RowError(line, "name", NAME_MISMATCH))
        return [entry for entry in good if entry.line not in wrong]

    def _held_names(self, numbers: dict[int, str]) -> dict[int, bytes]:
        """The name digest of each of these learners (id: account number) as their sealed
        personal data holds it; none for erased personal data, so that a row naming such a
        learner is refused (there is no name left to check it against)."""
        ids = list(numbers)
        keys = {
            row[0]: Sealed(row[1], row[2])
            for row in find_each(
                self.session,
                [LearnerKeyRow.learner_id, LearnerKeyRow.nonce, LearnerKeyRow.wrapped_key],
                LearnerKeyRow.learner_id,
                ids,
            )
        }
        found: dict[int, bytes] = {}
        for learner_id, nonce, ciphertext in find_each(
            self.session,
            [
                LearnerPersonalDataRow.learner_id,
                LearnerPersonalDataRow.nonce,
                LearnerPersonalDataRow.ciphertext,
            ],
            LearnerPersonalDataRow.learner_id,
            ids,
        ):
            if learner_id not in keys:
                continue
            number = numbers[learner_id]
            key = self.cipher.unwrap(number, keys[learner_id])
            personal = self.cipher.open(key, number, Sealed(nonce, ciphertext))
            found[learner_id] = name_digest(personal["name"])
        return found

    def _learners(
        self, wanted: set[str], accounts: list[NewAccount]
    ) -> tuple[dict[str, tuple[int, str]], set[str]]:
        """Learner ids and account numbers by identity HMAC, opening accounts (sealed ahead)
        for those the bank lacks; and the identities that had an account already."""
        rows_found = find_each(
            self.session,
            [LearnerIdentityRow.id_hmac, LearnerIdentityRow.learner_id],
            LearnerIdentityRow.id_hmac,
            list(wanted),
        )
        numbers: dict[int, str] = {
            row[0]: row[1]
            for row in find_each(
                self.session,
                [LearnerRow.id, LearnerRow.account_number],
                LearnerRow.id,
                [row[1] for row in rows_found],
            )
        }
        found: dict[str, tuple[int, str]] = {
            row[0]: (row[1], numbers[row[1]]) for row in rows_found
        }
        lacking = wanted - found.keys()
        missing = [account for account in accounts if account.identity in lacking]
        existing = set(found)
        if missing and not self.report.error_count:
            found.update(self._open_accounts(missing))
        elif missing:
            found.update(dict.fromkeys(lacking, (0, "")))  # the batch is rejected anyway
        return found, existing

    def _open_accounts(self, accounts: list[NewAccount]) -> dict[str, tuple[int, str]]:
        accounts = sorted(self._unclaimed(accounts), key=lambda account: account.number)
        now = datetime.now(UTC)
        ids = reserve_ids(self.session, LearnerRow, len(accounts))
        opened = list(zip(ids, accounts, strict=True))
        institution = self.institution_id
        insert_rows(
            self.session,
            LearnerRow,
            ("id", "account_number", "opened_at", "opened_by_institution_id"),
            [(learner_id, account.number, now, institution) for learner_id, account in opened],
        )
        insert_rows(
            self.session,
            LearnerIdentityRow,
            ("learner_id", "id_hmac"),
            [(learner_id, account.identity) for learner_id, account in opened],
        )
        insert_rows(
            self.session,
            LearnerKeyRow,
            ("learner_id", "nonce", "wrapped_key"),
            [
                (learner_id, account.key_nonce, account.wrapped_key)
                for learner_id, account in opened
            ],
        )
        insert_rows(
            self.session,
            LearnerPersonalDataRow,
            ("learner_id", "nonce", "ciphertext"),
            [
                (learner_id, account.data_nonce, account.sealed_data)
                for learner_id, account in opened
            ],
        )
        self.report.accounts_opened += len(accounts)
        counted = Counter((account.sex, account.age) for account in accounts)
        statistics.tally_opened_by(self.uow, at=now, institution=self.institution, counted=counted)
        return {account.identity: (learner_id, account.number) for learner_id, account in opened}

    def _unclaimed(self, accounts: list[NewAccount]) -> list[NewAccount]:
        """``accounts``, those whose random number the bank has given already sealed anew under
        another one (their numbers were drawn before the chunks ahead of them were stored)."""
        numbers = [account.number for account in accounts]
        taken = self._taken(numbers)
        if not taken:
            return accounts
        fresh = iter(self._fresh_numbers(len(taken), avoid=set(numbers)))
        return [
            self._reseal(account, next(fresh)) if account.number in taken else account
            for account in accounts
        ]

    def _reseal(self, account: NewAccount, number: str) -> NewAccount:
        old = account.number
        learner_key = self.cipher.unwrap(old, Sealed(account.key_nonce, account.wrapped_key))
        personal = self.cipher.open(
            learner_key, old, Sealed(account.data_nonce, account.sealed_data)
        )
        resealed = seal_account(self.cipher, account.identity, number, personal)
        return resealed._replace(sex=account.sex, age=account.age)

    def _fresh_numbers(self, count: int, *, avoid: set[str]) -> list[str]:
        numbers: set[str] = set()
        while len(numbers) < count:
            candidates = {new_account_number() for _ in range(count - len(numbers))}
            candidates -= numbers | avoid
            numbers |= candidates - self._taken(list(candidates))
        return sorted(numbers)

    def _taken(self, numbers: list[str]) -> set[str]:
        """Those of these account numbers that the bank has given."""
        rows = find_each(
            self.session, [LearnerRow.account_number], LearnerRow.account_number, numbers
        )
        return {row[0] for row in rows}
