"""Bulk deposit through its worker process, on both databases: small chunks and a waiting worker
send small files through the path big files take, and it must give the very report, deposit and
accounts of the in-process path, fail the same way, and leave no process behind."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import date

import pytest
from sqlalchemy import func, select

from creditbank.accounts import bulk, chunks
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, Row, read_rows
from creditbank.accounts.model import AccountError, luhn_digit
from creditbank.accounts.pipeline import IN_PROCESS, WorkerPolicy, pipelined
from creditbank.accounts.tables import LearnerRow, OutcomeRow
from creditbank.catalog import api as catalog
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.messages import msg
from tests.bulk_files import add_college_with_course, csv_bytes, id_number, row
from tests.support.stages import ModulesAfter, bulk_workers

TODAY = date(2026, 11, 22)
CHUNK = 7
PLANS = {
    "in process": bulk.BulkPlan(chunk_rows=CHUNK, worker=IN_PROCESS),
    "in the worker": bulk.BulkPlan(chunk_rows=CHUNK, worker=WorkerPolicy(after=0, wait=True)),
    "handed over": bulk.BulkPlan(chunk_rows=CHUNK, worker=WorkerPolicy(after=2, wait=True)),
}
WORKER_PLANS = ["in the worker", "handed over"]


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(os.urandom(32))


@pytest.fixture
def bank(database: Database) -> Iterator[Database]:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
    yield database
    assert bulk_workers() == []


def upload(
    database: Database,
    cipher: PersonalDataCipher,
    rows: Iterable[tuple[int, Row]] | bytes,
    plan: str,
) -> bulk.Batch:
    return bulk.import_batch(
        database=database,
        cipher=cipher,
        institution="JSVC",
        submitted_by="test",
        filename="f.csv",
        file_format=FileFormat.CSV,
        rows=read_rows(io.BytesIO(rows), FileFormat.CSV) if isinstance(rows, bytes) else rows,
        today=TODAY,
        plan=PLANS[plan],
    )


def counts(database: Database) -> tuple[int, int]:
    with database.unit_of_work() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(OutcomeRow)) or 0,
            uow.session.scalar(select(func.count()).select_from(LearnerRow)) or 0,
        )


def report(batch: bulk.Batch) -> list[tuple[int, str, str]]:
    return bulk.render_errors(batch, str)


@pytest.mark.parametrize("plan", WORKER_PLANS)
def test_a_good_file_through_the_worker(
    bank: Database, cipher: PersonalDataCipher, plan: str
) -> None:
    rows = [row(n) for n in range(1, 41)]
    rows.append(
        row(41, id_number=row(3)["id_number"], name="学员3")
    )  # learner 3 again, 5 chunks on
    batch = upload(bank, cipher, csv_bytes(rows), plan)
    assert (batch.status, batch.rows, batch.deposited, batch.accounts_opened) == (
        bulk.BatchStatus.COMMITTED,
        41,
        41,
        40,
    )
    assert counts(bank) == (41, 40)
    with bank.unit_of_work() as uow:  # sealed in the worker, opened here with the bank's key
        number = uow.session.scalars(select(LearnerRow.account_number)).first()
        assert number is not None
        personal = accounts.read_own_personal_data(uow=uow, cipher=cipher, number=number)
        assert personal.name.startswith("学员") and personal.id_type == "resident_id"
    again = upload(bank, cipher, csv_bytes(rows), plan)
    assert (again.status, again.deposited, again.unchanged, again.accounts_opened) == (
        bulk.BatchStatus.COMMITTED,
        0,
        41,
        0,
    )
    assert counts(bank) == (41, 40)


def test_bad_rows_over_many_chunks_give_the_same_report_on_every_path(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    rows = [row(n) for n in range(1, 61)]
    rows[2] = row(3, credits="4")  # line 4, chunk 1
    rows[9] = row(10, level="9")  # line 11, chunk 2
    rows[20] = row(21, evidence_sha256="a" * 64)  # line 22: a file the bank does not hold
    rows[33] = row(34, record_id="REC-000002")  # line 35, chunk 5: a duplicate of line 3
    rows[13] = row(14, level="9", assessed_on="2030-01-01")  # line 15, two problems
    rows[47] = row(48, id_number=id_number(48)[:-1] + ("0" if id_number(48)[-1] != "0" else "1"))
    rows[59] = row(60, record_id="REC-000010")  # line 61: a duplicate of a bad row (line 11)
    reports = {}
    for plan in PLANS:
        batch = upload(bank, cipher, csv_bytes(rows), plan)
        assert (batch.status, batch.rows, batch.deposited) == (bulk.BatchStatus.REJECTED, 60, 0)
        reports[plan] = report(batch)
    assert reports["in the worker"] == reports["in process"] == reports["handed over"]
    assert [(line, column) for line, column, _ in reports["in process"]] == [
        (4, "credits"),
        (11, "level"),
        (15, "level"),
        (15, "assessed_on"),
        (22, "evidence_sha256"),
        (35, "record_id"),
        (49, "id_number"),
        (61, "record_id"),
    ]
    reasons = {(line, column): reason for line, column, reason in reports["in process"]}
    assert reasons[(35, "record_id")] == "record_id appears again (first at line 3)"
    assert reasons[(61, "record_id")] == "record_id appears again (first at line 11)"
    assert counts(bank) == (0, 0)


def test_repeats_across_chunk_boundaries_name_the_first_line_on_every_path(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    """The record ids seen are kept in the preparer (in SQLite's temporary file, not in a dict):
    a repeat is named with its first line wherever the two rows fall (one chunk, neighbouring
    chunks, on both sides of the hand-over to the worker), the rows being alike or not."""
    rows = [row(n) for n in range(1, 51)]  # chunks of 7: lines 2-8, 9-15, 16-22, ...
    rows[7] = dict(rows[6])  # line 9, first of chunk 2: the very row of line 8, last of chunk 1
    rows[11] = row(12, record_id="REC-000011")  # line 13: line 12's, in the same chunk
    rows[30] = row(31, record_id="REC-000001", name="另一人")  # line 32: line 2's, chunk 5
    rows[48] = row(49, record_id="REC-000001")  # line 50: line 2's again, chunk 7
    rows[49] = row(50, record_id="REC-000049")  # line 51: line 50's is REC-000001, so new
    reports = {}
    for plan in PLANS:
        batch = upload(bank, cipher, csv_bytes(rows), plan)
        assert (batch.status, batch.rows, batch.deposited) == (bulk.BatchStatus.REJECTED, 50, 0)
        reports[plan] = report(batch)
    assert reports["in the worker"] == reports["in process"] == reports["handed over"]
    assert reports["in process"] == [
        (9, "record_id", "record_id appears again (first at line 8)"),
        (13, "record_id", "record_id appears again (first at line 12)"),
        (32, "record_id", "record_id appears again (first at line 2)"),
        (50, "record_id", "record_id appears again (first at line 2)"),
    ]
    assert counts(bank) == (0, 0)


def test_after_a_bad_row_repeats_are_still_found(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    """Once a row is bad nothing more is stored, so the database cannot tell repeats: the
    preparer does, to the end of the file, for rows that passed and rows that did not."""
    rows = [row(n) for n in range(1, 41)]
    rows[0] = row(1, level="9")  # line 2, bad: nothing is stored from here on
    rows[19] = row(20, record_id="REC-000010")  # line 21: a good row's repeat
    rows[38] = row(39, record_id="REC-000001")  # line 40: the bad row's repeat
    rows[39] = row(40, record_id="REC-000020")  # line 41: line 21's record is REC-000010
    batch = upload(bank, cipher, csv_bytes(rows), "handed over")
    assert report(batch) == [
        (2, "level", "item CAD-201 is awarded at 4, not at 9"),
        (21, "record_id", "record_id appears again (first at line 11)"),
        (40, "record_id", "record_id appears again (first at line 2)"),
    ]
    assert counts(bank) == (0, 0)


def test_the_worker_imports_neither_sqlalchemy_nor_the_file_readers(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    """The preparer the bulk deposit makes, unpickled and used in a worker process, needs only
    the pure cores, the cipher and sqlite3 (SQLAlchemy alone was about 40 MB of the worker)."""
    with bank.unit_of_work() as uow:
        issuable = catalog.issuable_items(uow=uow, institution="JSVC")
    preparer = chunks.ChunkPreparer(cipher, issuable=issuable, today=TODAY)
    chunk = [(n + 1, row(n)) for n in range(1, 4)]
    policy = WorkerPolicy(after=0, wait=True)
    with closing(pipelined([chunk], ModulesAfter(preparer), policy=policy)) as results:
        ((prepared, modules),) = list(results)
    assert [entry.line for entry in prepared.good] == [2, 3, 4]
    assert "creditbank.catalog.model" in modules  # the items came, as plain data classes
    assert "creditbank.accounts.chunks" in modules
    unwanted = ("sqlalchemy", "creditbank.db", "creditbank.accounts.files", "openpyxl", "pydantic")
    assert [name for name in modules if name.split(".")[0] in unwanted or name in unwanted] == []
    preparer.close()


@pytest.mark.parametrize("plan", WORKER_PLANS)
def test_a_bad_header_is_a_rejected_batch(
    bank: Database, cipher: PersonalDataCipher, plan: str
) -> None:
    data = csv_bytes([row(n) for n in range(1, 30)], columns=["record_id", "name", "colour"])
    batch = upload(bank, cipher, data, plan)
    assert batch.status is bulk.BatchStatus.REJECTED
    reasons = [reason for _, _, reason in report(batch)]
    assert "unknown column colour" in reasons and "missing column id_number" in reasons
    assert counts(bank) == (0, 0)


@pytest.mark.parametrize("plan", WORKER_PLANS)
def test_the_reader_s_error_after_several_chunks_rejects_the_batch(
    bank: Database, cipher: PersonalDataCipher, plan: str
) -> None:
    def rows() -> Iterator[tuple[int, Row]]:
        for n in range(1, 31):
            yield n + 1, row(n)
        raise AccountError("invalid_file", msg("the file is not a readable XLSX workbook"))

    batch = upload(bank, cipher, rows(), plan)
    assert batch.status is bulk.BatchStatus.REJECTED
    assert report(batch) == [(1, "-", "the file is not a readable XLSX workbook")]
    assert counts(bank) == (0, 0)


@pytest.mark.parametrize("plan", WORKER_PLANS)
def test_a_failure_in_the_worker_commits_nothing(
    bank: Database, cipher: PersonalDataCipher, plan: str
) -> None:
    def rows() -> Iterator[tuple[int, Row]]:  # a reader bug: a value that is not text
        for n in range(1, 31):
            yield n + 1, row(n)
        yield 32, {**row(31), "record_id": None}  # type: ignore[dict-item]

    with pytest.raises(AttributeError) as raised:
        upload(bank, cipher, rows(), plan)
    assert any("raised in the worker process" in note for note in raised.value.__notes__)
    assert counts(bank) == (0, 0)


def test_an_account_number_given_meanwhile_is_drawn_again(
    bank: Database, cipher: PersonalDataCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks draw their account numbers before the chunks ahead of them are stored: one the
    bank has given by then is replaced, and the sealed data sealed anew for the new number."""
    upload(bank, cipher, csv_bytes([row(1)]), "in process")
    with bank.unit_of_work() as uow:
        given = uow.session.scalars(select(LearnerRow.account_number)).one()
    fresh = "CB00000000001" + luhn_digit("00000000001")
    drawn = iter([given, fresh])
    monkeypatch.setattr(chunks, "new_account_number", lambda: next(drawn))
    batch = upload(bank, cipher, csv_bytes([row(2), row(3)]), "in process")
    assert (batch.status, batch.accounts_opened) == (bulk.BatchStatus.COMMITTED, 2)
    with bank.unit_of_work() as uow:
        numbers = set(uow.session.scalars(select(LearnerRow.account_number)))
        assert len(numbers) == 3 and fresh in numbers
        for number in numbers:
            personal = accounts.read_own_personal_data(uow=uow, cipher=cipher, number=number)
            assert personal.id_number in {id_number(1), id_number(2), id_number(3)}
