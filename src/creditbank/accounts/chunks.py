"""A bulk file's rows made ready for storing, a chunk at a time, without a database.

:class:`ChunkPreparer` does the work of a bulk deposit that needs no database:
it parses and checks each row, remembers the line each record id was first
seen on (:class:`FirstLines`, to name a repeat's first line), computes each
learner's identity index (HMAC), and seals a new account for each person of the
chunk (a random account number, a wrapped learner key and the sealed personal
data), in case the bank does not know them yet. The caller
(:mod:`creditbank.accounts.bulk`) looks the learners and records up, and stores.

It runs in the bulk deposit's worker process for big files
(:mod:`creditbank.accounts.pipeline`), so it is picklable with its state, and
what it returns is compact: named tuples of plain values, no parsed objects
(unpickling a chunk of them costs the storing process about 2.6 µs a row;
plain tuples 1.4 µs, measured on 2,000-row chunks).

That process imports this module and what unpickling the preparer needs: the
pure cores (the catalogue items and framework levels are plain data classes of
``catalog.model`` and ``frameworks.model``), ``crypto`` and :mod:`sqlite3`,
never SQLAlchemy, the database or the file readers
(``tests/integration/test_bulk_pipeline.py`` checks).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.fields import ParsedRow, given_columns, parse_row
from creditbank.accounts.model import (
    SHA256_HEX,
    IdType,
    RowError,
    birth_date_of,
    check_outcome,
    name_digest,
    new_account_number,
)
from creditbank.catalog.model import Issuable
from creditbank.messages import Message, msg
from creditbank.stats.model import UNKNOWN, demographics  # the pure core: no SQLAlchemy here

if TYPE_CHECKING:
    from creditbank.accounts.files import Row  # not at run time: it imports the XLSX reader

# Pages of the record ids seen that SQLite keeps in memory, in KiB; the rest are in its temporary
# file (and the operating system's file cache).
FIRST_LINES_CACHE_KIB = 8192


class GoodRow(NamedTuple):
    """A row that passed every check, with what storing it needs (its outcome's public id is
    drawn here too)."""

    line: int
    record_id: str
    identity: str  # HMAC index of the identity number
    public_id: str
    item_id: int
    level_id: int
    given: tuple[object, ...]
    """The values of the columns stored as given (``fields.STORED_AS_GIVEN``), in order."""
    name_key: bytes  # accounts.model.name_digest of the row's name (memory only, never stored)

    def stored_facts(self, learner_id: int) -> tuple[object, ...]:
        """The values of ``records.STORED_FACT_COLUMNS``, in that order."""
        return (learner_id, self.item_id, self.level_id, *self.given)


class NewAccount(NamedTuple):
    """A sealed account for a person the bank may not know yet."""

    identity: str  # HMAC index of the identity number
    number: str
    key_nonce: bytes  # the learner key, wrapped under the bank's key
    wrapped_key: bytes
    data_nonce: bytes  # the personal data, sealed under the learner key
    sealed_data: bytes
    sex: str = UNKNOWN  # counted if the account is opened (stats.model.demographics), never stored
    age: str = UNKNOWN


@dataclass(slots=True)
class PreparedChunk:
    """A chunk after parsing and checking: its good rows, the problems of the others, the
    evidence files its rows name, and a sealed new account per person of its good rows."""

    rows: int
    good: list[GoodRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    evidence: list[tuple[int, str]] = field(default_factory=list)  # (line, sha256) to look up
    accounts: list[NewAccount] = field(default_factory=list)


def seal_account(
    cipher: PersonalDataCipher, identity: str, number: str, personal: dict[str, str]
) -> NewAccount:
    """A new learner key, wrapped, and ``personal`` data sealed under it, for account ``number``."""
    learner_key, wrapped = cipher.new_learner_key(number)
    sealed = cipher.seal(learner_key, number, personal)
    return NewAccount(
        identity, number, wrapped.nonce, wrapped.ciphertext, sealed.nonce, sealed.ciphertext
    )


def _personal_data(parsed: ParsedRow) -> dict[str, str]:
    born = birth_date_of(parsed.id_number)
    return {
        "name": parsed.name,
        "id_type": parsed.id_number.type.value,
        "id_number": parsed.id_number.number,
        "birth_date": born.isoformat() if born else "",
        "contact": "",
    }


class FirstLines:
    """The line each record id of a file was first seen on, for any number of rows in flat memory.

    The ids are kept in a private temporary SQLite database (``sqlite3.connect("")``): SQLite holds
    up to :data:`FIRST_LINES_CACHE_KIB` of its pages in memory and the rest in a file that is
    deleted when the connection closes (or the process ends, however it ends). The one
    transaction stays open, so that pages go to the file only when that cache is full, not at
    every chunk. A dict of the ids held about 130 bytes a row (95 MB at 710,000 rows); this holds
    at most the cache, and costs about 1.2 µs a row (sequential ids; 3.4 µs for random ones).

    Picklable with its contents (the bulk deposit hands it to its worker process after a chunk or
    a few).
    """

    def __init__(self) -> None:
        self._open([])

    def _open(self, seen: list[tuple[str, int]]) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(f"PRAGMA cache_size = -{FIRST_LINES_CACHE_KIB}")
        self._db.execute(
            "CREATE TABLE seen (record_id TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID"
        )
        self._db.execute("BEGIN")
        if seen:
            self.see(seen)

    def see(self, rows: list[tuple[str, int]]) -> list[int]:
        """Take ``rows`` (record id, line), in file order: the line each one's record id was first
        seen on (its own line, for a record id not seen before)."""
        before = self._db.total_changes
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", rows)
        if self._db.total_changes - before == len(rows):  # all new: the usual case
            return [line for _, line in rows]
        first = dict(
            self._db.execute(
                "SELECT record_id, line FROM seen WHERE record_id IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps([record_id for record_id, _ in rows]),),
            ).fetchall()
        )
        return [first[record_id] for record_id, _ in rows]

    def close(self) -> None:
        self._db.close()

    def __getstate__(self) -> list[tuple[str, int]]:
        return self._db.execute("SELECT record_id, line FROM seen ORDER BY line").fetchall()

    def __setstate__(self, seen: list[tuple[str, int]]) -> None:
        self._open(seen)


class ChunkPreparer:
    """Parses, checks, indexes and seals a batch's chunks, in file order (its state: the record
    ids seen so far, with the line each was first seen on, in :class:`FirstLines`)."""

    def __init__(self, cipher: PersonalDataCipher, *, issuable: Issuable, today: date) -> None:
        self.cipher = cipher
        self.issuable = issuable
        self.today = today
        self.first_lines = FirstLines()

    def close(self) -> None:
        """Let the record ids seen go (the worker's copy goes with the worker)."""
        self.first_lines.close()

    def __call__(self, chunk: list[tuple[int, Row]]) -> PreparedChunk:
        prepared = PreparedChunk(len(chunk))
        people: dict[str, ParsedRow] = {}
        parsed_rows: list[ParsedRow] = []
        for line, row in chunk:
            parsed = parse_row(line, row)
            if isinstance(parsed, list):
                prepared.errors += parsed
                continue
            parsed_rows.append(parsed)
        first_lines = self.first_lines.see(
            [(parsed.facts.record_id, parsed.line) for parsed in parsed_rows]
        )
        for parsed, first in zip(parsed_rows, first_lines, strict=True):
            line, facts = parsed.line, parsed.facts
            sha256 = facts.evidence_sha256
            if sha256 is not None and SHA256_HEX.match(sha256):
                prepared.evidence.append((line, sha256))
            checked = self._check(parsed, first)
            if isinstance(checked, list):
                prepared.errors += checked
                continue
            item_id, level_id = checked
            identity = self.cipher.index(parsed.id_number.index_key)
            people.setdefault(identity, parsed)
            prepared.good.append(
                GoodRow(
                    line,
                    facts.record_id,
                    identity,
                    secrets.token_hex(16),
                    item_id,
                    level_id,
                    tuple(given_columns(facts).values()),
                    name_digest(parsed.name),
                )
            )
        numbers: set[str] = set()
        while len(numbers) < len(people):  # distinct within the chunk; the caller checks the bank
            numbers.add(new_account_number())
        for (identity, parsed), number in zip(people.items(), numbers, strict=True):
            sealed = seal_account(self.cipher, identity, number, _personal_data(parsed))
            resident = parsed.id_number.type is IdType.RESIDENT
            sex, age = demographics(parsed.id_number.number if resident else "", on=self.today)
            prepared.accounts.append(sealed._replace(sex=sex, age=age))
        return prepared

    def _check(self, parsed: ParsedRow, first: int) -> tuple[int, int] | list[RowError]:
        """The item id and framework level id of a parsed row, or its problems (``first``: the
        line its record id was first seen on)."""
        facts, line = parsed.facts, parsed.line
        errors: list[RowError] = []
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
            return errors
        if (not_granted := self.issuable.window_problem(item, facts.assessed_on)) is not None:
            errors.append(RowError(line, "item_code", not_granted))
        level = item.level_named(facts.level)
        if isinstance(level, Message):
            errors.append(RowError(line, "level", level))
        errors += [
            RowError(line, column, problem)
            for column, problem in check_outcome(facts, item_credits=item.credits, today=self.today)
        ]
        if errors or isinstance(level, Message):
            return errors
        return item.id, level.level_id
