"""Intake as registrars have it, on both databases: Chinese headers, workbook dates and serial
numbers, identity numbers a spreadsheet made numbers; a file checked (nothing stored) then
deposited from where the bank kept it, once, however often and however concurrently asked."""

from __future__ import annotations

import io
import os
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import Principal
from creditbank.accounts import bulk, intake, uploads
from creditbank.accounts.commands import DepositUpload, ShowUpload, UploadForCheck
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import AccountError
from creditbank.accounts.tables import (
    DepositBatchRow,
    DepositUploadPartRow,
    DepositUploadRow,
    LearnerRow,
    OutcomeRow,
)
from creditbank.db import Database
from creditbank.file_limits import FileLimits
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.bulk_files import add_college_with_course, csv_bytes, id_number, row
from tests.intake_files import chinese_csv, typed_workbook

TODAY = date(2026, 11, 22)
LIMITS = FileLimits()
TRANSLATE = str


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(os.urandom(32))


@pytest.fixture
def bank(database: Database) -> Database:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
    return database


@pytest.fixture
def registrar(bank: Database) -> Principal:
    with bank.unit_of_work() as uow:
        return institutions.principal_for(uow=uow, email="reg@jsvc.example")


def stored(database: Database) -> dict[str, int]:
    with database.unit_of_work() as uow:
        return {
            table.__tablename__: uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (OutcomeRow, LearnerRow, DepositBatchRow, DepositUploadPartRow)
        }


def deposit(
    database: Database, cipher: PersonalDataCipher, data: bytes, file_format: FileFormat
) -> bulk.Batch:
    return bulk.import_batch(
        database=database,
        cipher=cipher,
        institution="JSVC",
        submitted_by="test",
        filename=f"f.{file_format.value}",
        file_format=file_format,
        rows=read_rows(io.BytesIO(data), file_format),
        today=TODAY,
    )


def test_chinese_headers_and_workbook_dates_deposit(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    batch = deposit(bank, cipher, chinese_csv([row(1), row(2)], encoding="gbk"), FileFormat.CSV)
    assert (batch.status, batch.deposited) == (bulk.BatchStatus.COMMITTED, 2), batch.errors
    workbook = typed_workbook(
        [
            {**row(3), "assessed_on": date(2024, 6, 30), "score": 80, "credits": 3},
            {**row(4), "assessed_on": 45473},
        ]
    )
    batch = deposit(bank, cipher, workbook, FileFormat.XLSX)
    assert (batch.status, batch.deposited) == (bulk.BatchStatus.COMMITTED, 2), batch.errors
    with bank.unit_of_work() as uow:
        assert set(uow.session.scalars(select(OutcomeRow.assessed_on))) == {date(2024, 6, 30)}


def test_numeric_identity_numbers_are_refused_by_row_never_shown(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    lost = id_number(5)[:15] + "000"
    workbook = typed_workbook(
        [row(4), {**row(5), "id_number": int(lost)}, {**row(6), "id_number": "3.10104E+17"}]
    )
    batch = deposit(bank, cipher, workbook, FileFormat.XLSX)
    assert batch.status is bulk.BatchStatus.REJECTED
    problems = bulk.render_errors(batch, TRANSLATE)
    assert [(line, column) for line, column, _ in problems] == [(3, "id_number"), (4, "id_number")]
    assert all("stored the identity number as a number" in reason for _, _, reason in problems)
    assert lost not in str(batch.errors) and "3.10104" not in str(batch.errors)
    assert stored(bank)["outcomes"] == 0


def test_a_check_finds_what_a_deposit_would_and_stores_nothing(
    bank: Database, cipher: PersonalDataCipher
) -> None:
    data = csv_bytes([row(1), row(2, level="9"), row(3, record_id="REC-000001")])
    before = stored(bank)
    report = bulk.check_batch(
        database=bank,
        cipher=cipher,
        institution="JSVC",
        rows=read_rows(io.BytesIO(data), FileFormat.CSV),
        today=TODAY,
    )
    assert stored(bank) == before
    batch = deposit(bank, cipher, data, FileFormat.CSV)
    assert (report.rows, report.error_count) == (batch.rows, batch.error_count) == (3, 2)
    assert bulk.errors_json(report) == batch.errors
    good = bulk.check_batch(
        database=bank,
        cipher=cipher,
        institution="JSVC",
        rows=read_rows(io.BytesIO(csv_bytes([row(1), row(2)])), FileFormat.CSV),
        today=TODAY,
    )
    assert (good.deposited, good.accounts_opened, good.error_count) == (2, 2, 0)


def upload_and_check(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal, data: bytes
) -> str:
    with bank.unit_of_work() as uow:
        check = intake.upload_for_check(
            UploadForCheck("term.csv", FileFormat.CSV, io.BytesIO(data)),
            principal=registrar,
            uow=uow,
            database=bank,
            cipher=cipher,
            today=TODAY,
            limits=LIMITS,
        )
    check.run()
    return check.upload_id


def claim(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal, upload_id: str
) -> intake.Claimed:
    with bank.unit_of_work() as uow:
        return intake.deposit_upload(
            DepositUpload(upload_id),
            principal=registrar,
            uow=uow,
            database=bank,
            cipher=cipher,
            today=TODAY,
            limits=LIMITS,
        )


def show(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal, upload_id: str
) -> intake.Upload:
    with bank.unit_of_work() as uow:
        return intake.show_upload(
            ShowUpload(upload_id), principal=registrar, uow=uow, cipher=cipher, limits=LIMITS
        )


def test_a_file_is_kept_encrypted_checked_then_deposited_once(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal
) -> None:
    data = chinese_csv([row(n) for n in range(1, 13)])
    before = stored(bank)
    upload_id = upload_and_check(bank, cipher, registrar, data)
    with bank.unit_of_work() as uow:
        parts = uow.session.scalars(select(DepositUploadPartRow.data)).all()
    assert parts and "学员1".encode() not in b"".join(parts)  # kept encrypted
    assert {**stored(bank), "deposit_upload_parts": 0} == {**before, "deposit_upload_parts": 0}
    checked = show(bank, cipher, registrar, upload_id)
    assert checked.status is uploads.UploadStatus.CHECKED and checked.may_deposit
    assert (checked.report["rows"], checked.report["deposited"]) == (12, 12)
    assert len(checked.preview) == 10 and checked.preview[0].line == 2
    shown = dict(zip(checked.columns, checked.preview[0].values, strict=True))
    assert shown["id_number"] == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    assert (shown["name"], shown["assessed_on"]) == ("学员1", "2024-06-30")
    first = claim(bank, cipher, registrar, upload_id)
    again = claim(bank, cipher, registrar, upload_id)
    assert first.deposit is not None and again.deposit is None
    assert again.batch_id == first.batch_id
    batch = first.deposit.run()
    assert (batch.id, batch.status, batch.deposited) == (
        first.batch_id,
        bulk.BatchStatus.COMMITTED,
        12,
    )
    after = stored(bank)
    assert after["outcomes"] == before["outcomes"] + 12
    assert after["deposit_upload_parts"] == 0  # the bytes are gone once deposited
    done = show(bank, cipher, registrar, upload_id)
    assert (done.status, done.batch_id) == (uploads.UploadStatus.DEPOSITED, batch.id)
    assert claim(bank, cipher, registrar, upload_id).deposit is None


def test_a_file_with_problems_cannot_be_deposited(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal
) -> None:
    upload_id = upload_and_check(bank, cipher, registrar, csv_bytes([row(1), row(2, level="9")]))
    checked = show(bank, cipher, registrar, upload_id)
    assert not checked.may_deposit and checked.report["error_count"] == 1
    assert [(e["line"], e["column"]) for e in checked.report["errors"]] == [(3, "level")]
    with pytest.raises(AccountError) as refused:
        claim(bank, cipher, registrar, upload_id)
    assert refused.value.code == "upload_not_ready"


def test_a_file_refused_whole_later_on_is_kept_as_refused(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal
) -> None:
    """The first rows read; a field too long further on refuses the file at the check."""
    rows = [row(n) for n in range(1, 30)]
    rows[24] = row(25, name="长" * (LIMITS.max_field_chars + 1))
    upload_id = upload_and_check(bank, cipher, registrar, csv_bytes(rows))
    refused = show(bank, cipher, registrar, upload_id)
    assert refused.status is uploads.UploadStatus.REFUSED
    assert [m.render() for m in refused.refusal] == [
        f"line 26, column name: more than {LIMITS.max_field_chars} characters"
    ]
    assert stored(bank)["outcomes"] == 0


@pytest.mark.own_database
def test_deposits_asked_for_at_once_deposit_once(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal
) -> None:
    upload_id = upload_and_check(bank, cipher, registrar, csv_bytes([row(n) for n in range(1, 6)]))
    claimants = 4
    start = threading.Barrier(claimants)
    claims: list[intake.Claimed] = []
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            start.wait()
            claimed = claim(bank, cipher, registrar, upload_id)
            claims.append(claimed)
            if claimed.deposit is not None:
                claimed.deposit.run()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=ask) for _ in range(claimants)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({claimed.batch_id for claimed in claims}) == 1
    assert sum(claimed.deposit is not None for claimed in claims) == 1
    assert stored(bank)["outcomes"] == 5
    assert stored(bank)["deposit_batches"] == 1
    with bank.unit_of_work() as uow:
        row_ = uow.session.scalar(select(DepositUploadRow))
        assert row_ is not None and row_.status == "deposited"


def test_files_not_deposited_are_forgotten_after_a_day(
    bank: Database, cipher: PersonalDataCipher, registrar: Principal
) -> None:
    old = upload_and_check(bank, cipher, registrar, csv_bytes([row(1)]))
    with bank.unit_of_work() as uow:
        kept = uploads.find(uow, old)
        kept.created_at -= uploads.KEPT_FOR + timedelta(minutes=1)
    new = upload_and_check(bank, cipher, registrar, csv_bytes([row(2)]))
    with bank.unit_of_work() as uow:
        ids = set(uow.session.scalars(select(DepositUploadRow.public_id)))
        parts = set(uow.session.scalars(select(DepositUploadPartRow.upload_id)))
        assert ids == {new} and parts == {uploads.find(uow, new).id}
