"""Bulk deposit on real databases: all or nothing, every bad row named, idempotent, three formats."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from sqlalchemy import func, select

from creditbank.accounts import bulk
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import NAME_MISMATCH
from creditbank.accounts.tables import LearnerRow, OutcomeRow
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.messages import Translate
from tests.bulk_files import add_college_with_course, csv_bytes, jsonl_bytes, row, xlsx_bytes

TODAY = date(2026, 11, 22)


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(os.urandom(32))


@pytest.fixture
def bank(database: Database) -> Database:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
    return database


def upload(
    database: Database,
    cipher: PersonalDataCipher,
    data: bytes,
    file_format: FileFormat = FileFormat.CSV,
    plan: bulk.BulkPlan | None = None,
) -> bulk.Batch:
    return bulk.import_batch(
        database=database,
        cipher=cipher,
        institution="jsvc",
        submitted_by="test",
        filename=f"f.{file_format.value}",
        file_format=file_format,
        rows=read_rows(io.BytesIO(data), file_format),
        today=TODAY,
        plan=plan,
    )


def counts(database: Database) -> tuple[int, int]:
    with database.unit_of_work() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(OutcomeRow)) or 0,
            uow.session.scalar(select(func.count()).select_from(LearnerRow)) or 0,
        )


TRANSLATE: Translate = str  # English: the catalog keys themselves


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_a_good_file_in_each_format(
    bank: Database, cipher: PersonalDataCipher, file_format: FileFormat
) -> None:
    rows = [row(n) for n in range(1, 26)] + [row(26, id_number=row(1)["id_number"], name="学员1")]
    data = {FileFormat.CSV: csv_bytes, FileFormat.JSONL: jsonl_bytes, FileFormat.XLSX: xlsx_bytes}[
        file_format
    ](rows)
    batch = upload(bank, cipher, data, file_format)
    assert (
        batch.status,
        batch.rows,
        batch.deposited,
        batch.accounts_opened,
        batch.error_count,
    ) == (
        bulk.BatchStatus.COMMITTED,
        26,
        26,
        25,
        0,
    )
    assert counts(bank) == (26, 25)


def test_the_same_file_twice_adds_nothing(bank: Database, cipher: PersonalDataCipher) -> None:
    """A file of three chunks (of 100 rows, the default plan's worker otherwise: a file of
    2,500 rows in chunks of 2,000 cost 2 s of CPU) deposited twice: the second time, nothing."""
    plan = bulk.BulkPlan(chunk_rows=100)
    data = csv_bytes([row(n) for n in range(1, 251)])  # more than two chunks
    first = upload(bank, cipher, data, plan=plan)
    assert (first.status, first.deposited, first.accounts_opened) == (
        bulk.BatchStatus.COMMITTED,
        250,
        250,
    )
    again = upload(bank, cipher, data, plan=plan)
    assert (again.status, again.deposited, again.unchanged, again.accounts_opened) == (
        bulk.BatchStatus.COMMITTED,
        0,
        250,
        0,
    )
    assert counts(bank) == (250, 250)


def test_one_bad_row_commits_nothing_and_every_bad_row_is_named(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    rows = [row(n) for n in range(1, 1801)]
    rows[4] = row(5, credits="4")  # line 6
    rows[9] = row(
        10, id_number=row(10)["id_number"][:-1] + ("0" if row(10)["id_number"][-1] != "0" else "1")
    )  # line 11
    rows[1499] = row(1500, level="9", assessed_on="2030-01-01")  # line 1501, in the second chunk
    rows[1799] = row(1800, record_id="REC-000001")  # line 1801: a duplicate of line 2
    batch = upload(bank, cipher, csv_bytes(rows))
    assert batch.status is bulk.BatchStatus.REJECTED
    assert (batch.deposited, batch.accounts_opened) == (0, 0)
    errors = {(line, column) for line, column, _ in bulk.render_errors(batch, TRANSLATE)}
    assert errors == {
        (6, "credits"),
        (11, "id_number"),
        (1501, "level"),
        (1501, "assessed_on"),
        (1801, "record_id"),
    }
    reasons = {
        (line, column): reason for line, column, reason in bulk.render_errors(batch, TRANSLATE)
    }
    assert reasons[(1801, "record_id")] == "record_id appears again (first at line 2)"
    assert reasons[(11, "id_number")] == "the identity number's check digit is wrong"
    assert row(10)["id_number"][:-1] not in str(
        batch.errors
    )  # the number itself is not in the report
    assert counts(bank) == (0, 0)
    with bank.unit_of_work() as uow:  # the rejected batch and its report are kept
        assert bulk.get_batch(uow=uow, batch_id=batch.id).error_count == 5


def test_a_known_record_with_other_facts_is_an_error(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    upload(bank, cipher, csv_bytes([row(1), row(2)]))
    batch = upload(bank, cipher, csv_bytes([row(1, score="95"), row(3)]))
    assert batch.status is bulk.BatchStatus.REJECTED
    assert [(line, column) for line, column, _ in bulk.render_errors(batch, TRANSLATE)] == [
        (2, "record_id")
    ]
    assert counts(bank) == (2, 2)


def test_a_row_naming_anyone_but_the_holder_of_a_known_identity_is_refused(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    """A file cannot put outcomes into (and so find) somebody's account by their identity
    number under any name: the name must be the holder's, as their sealed data has it."""
    upload(bank, cipher, csv_bytes([row(1), row(2)]))  # accounts of 学员1 and 学员2
    before = counts(bank)
    batch = upload(
        bank,
        cipher,
        csv_bytes(
            [
                row(3, id_number=row(1)["id_number"], name="张三"),  # line 2: not the holder
                row(4, id_number=row(2)["id_number"], name="学员2"),  # line 3: the holder
                row(5),  # line 4: a new learner, 学员5
                row(6, id_number=row(5)["id_number"], name="李四"),  # line 5: 学员5 renamed
            ]
        ),
    )
    assert batch.status is bulk.BatchStatus.REJECTED
    found = bulk.render_errors(batch, TRANSLATE)
    assert [(line, column) for line, column, _ in found] == [(2, "name"), (5, "name")]
    assert {reason for _, _, reason in found} == {NAME_MISMATCH.render()}
    assert "学员1" not in str(batch.errors) and "CB" not in str(batch.errors)
    assert counts(bank) == before
    # the holder's name in other spacing and width is theirs
    again = upload(
        bank,
        cipher,
        csv_bytes(
            [
                row(3, id_number=row(1)["id_number"], name=" 学员１ "),
                row(4, id_number=row(2)["id_number"], name="学员2"),
            ]
        ),
    )
    assert (again.status, again.deposited, again.accounts_opened) == (
        bulk.BatchStatus.COMMITTED,
        2,
        0,
    )


def test_header_and_line_problems(bank: Database, cipher: PersonalDataCipher) -> None:
    batch = upload(bank, cipher, csv_bytes([row(1)], columns=["record_id", "name", "colour"]))
    assert batch.status is bulk.BatchStatus.REJECTED
    reasons = [reason for _, _, reason in bulk.render_errors(batch, TRANSLATE)]
    assert "unknown column colour" in reasons and "missing column id_number" in reasons
    broken = jsonl_bytes([row(1)]) + b"not json\n" + b'{"record_id": "x", "colour": "red"}\n'
    batch = upload(bank, cipher, broken, FileFormat.JSONL)
    assert [(line, reason) for line, _, reason in bulk.render_errors(batch, TRANSLATE)] == [
        (2, "the line is not a JSON object"),
        (3, "the line is unknown key colour"),
    ]
    assert counts(bank) == (0, 0)


def test_missing_values_and_bad_numbers(bank: Database, cipher: PersonalDataCipher) -> None:
    batch = upload(
        bank,
        cipher,
        csv_bytes(
            [
                row(
                    1,
                    name="",
                    credits="2.55",
                    score="abc",
                    setting="online",
                    assessed_on="30/06/2024",
                )
            ]
        ),
    )
    assert sorted(column for _, column, _ in bulk.render_errors(batch, TRANSLATE)) == ["name"]
    batch = upload(
        bank,
        cipher,
        csv_bytes(
            [row(1, credits="2.55", score="abc", setting="online", assessed_on="30/06/2024")]
        ),
    )
    assert sorted(column for _, column, _ in bulk.render_errors(batch, TRANSLATE)) == [
        "assessed_on",
        "credits",
        "score",
        "setting",
    ]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_csv_saved_in_gbk_or_gb18030_deposits_as_its_utf8_twin(
    bank: Database, cipher: PersonalDataCipher, encoding: str
) -> None:
    """Excel on a Chinese Windows saves CSV in GBK: the file deposits, and the names stored are
    the Chinese names written (a character outside GBK in GB18030's four bytes)."""
    name = "张𠀀三" if encoding == "gb18030" else "张三"
    rows = [row(1, name=name), row(2)]
    data = csv_bytes(rows).decode("utf-8").encode(encoding)
    batch = upload(bank, cipher, data)
    assert (batch.status, batch.deposited, batch.accounts_opened) == (
        bulk.BatchStatus.COMMITTED,
        2,
        2,
    )
    with bank.unit_of_work() as uow:
        numbers = list(
            uow.session.scalars(select(LearnerRow.account_number).order_by(LearnerRow.id))
        )
        names = [
            accounts.read_own_personal_data(uow=uow, cipher=cipher, number=number).name
            for number in numbers
        ]
    assert sorted(names) == sorted([name, "学员2"])


def test_dates_as_spreadsheets_write_them_deposit_as_the_same_day(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    written = ["2024/6/30", "2024.6.30", "2024年6月30日", "2024-06-30"]
    batch = upload(
        bank,
        cipher,
        csv_bytes([row(n, assessed_on=day) for n, day in enumerate(written, start=1)]),
    )
    assert (batch.status, batch.deposited) == (bulk.BatchStatus.COMMITTED, 4)
    with bank.unit_of_work() as uow:
        stored = set(uow.session.scalars(select(OutcomeRow.assessed_on)))
    assert stored == {date(2024, 6, 30)}
