"""Bulk deposit rows naming evidence files, on both databases: only files the institution uploaded."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import date

import pytest

from creditbank.accounts import bulk
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.db import Database
from creditbank.evidence import service as evidence
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from tests.bulk_files import add_college_with_course, csv_bytes, jsonl_bytes, row

TODAY = date(2026, 11, 22)
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def bank(database: Database) -> Database:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
        institutions.add_institution(
            uow=uow, code="ELSEWHERE", name="别处", type=InstitutionType.UNIVERSITY
        )
    return database


def store(database: Database, content: bytes, institution: str = "JSVC") -> str:
    with database.unit_of_work() as uow:
        return evidence.store_evidence(
            uow=uow,
            institution=institution,
            content=content,
            declared_type="application/pdf",
            by="test",
            max_bytes=1 << 20,
        ).sha256


def upload(database: Database, data: bytes, file_format: FileFormat) -> bulk.Batch:
    return bulk.import_batch(
        database=database,
        cipher=PersonalDataCipher(os.urandom(32)),
        institution="JSVC",
        submitted_by="test",
        filename=f"f.{file_format.value}",
        file_format=file_format,
        rows=read_rows(io.BytesIO(data), file_format),
        today=TODAY,
    )


def test_rows_name_only_uploaded_evidence(bank: Database) -> None:
    own = store(bank, PDF + b"1")
    theirs = store(bank, PDF + b"2", institution="ELSEWHERE")
    never = hashlib.sha256(b"never").hexdigest()
    rows = [
        row(1, evidence_sha256=own),
        row(2, evidence_sha256=theirs),
        row(3, evidence_sha256=never),
        row(4, evidence_sha256="NOT-A-HASH"),
        row(5),
    ]
    batch = upload(bank, csv_bytes(rows), FileFormat.CSV)
    assert [(line, column) for line, column, _ in bulk.render_errors(batch, str)] == [
        (3, "evidence_sha256"),
        (4, "evidence_sha256"),
        (5, "evidence_sha256"),
    ]
    reasons = [reason for _, _, reason in bulk.render_errors(batch, str)]
    assert (
        reasons[0] == "the bank holds no evidence file with this hash uploaded by the institution"
    )
    assert reasons[2] == "evidence_sha256 must be 64 lower-case hexadecimal characters"
    assert theirs not in str(batch.errors)
    good = upload(bank, jsonl_bytes([rows[0], rows[4]]), FileFormat.JSONL)
    assert (good.status, good.deposited) == (bulk.BatchStatus.COMMITTED, 2)
