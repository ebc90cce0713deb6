"""Building bulk deposit files for tests: rows in, CSV / JSON Lines / XLSX bytes out."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import COLUMNS
from creditbank.accounts.model import (
    LearningSetting,
    OutcomeFacts,
    parse_id_number,
    resident_check_character,
)
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType


def id_number(serial: int) -> str:
    """A checksum-valid resident identity number, different for each serial (born 1990-2017)."""
    first = (
        f"310104{1990 + serial % 28}{serial % 12 + 1:02d}{serial % 28 + 1:02d}{serial % 1000:03d}"
    )
    return first + resident_check_character(first)


def row(serial: int, **changes: str) -> dict[str, str]:
    return {
        "record_id": f"REC-{serial:06d}",
        "id_number": id_number(serial),
        "name": f"学员{serial}",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3",
        "score": "80",
        "assessed_on": "2024-06-30",
        "setting": "formal",
        "evidence_sha256": "",
        **changes,
    }


def csv_bytes(rows: Sequence[dict[str, str]], columns: Sequence[str] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def jsonl_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def xlsx_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def add_college_with_course(uow: UnitOfWork, *, with_institution: bool = True) -> None:
    """The rows' depositor: college JSVC and its 3-credit course CAD-201 at LOFOUC level 4."""
    if with_institution:
        institutions.add_institution(
            uow=uow, code="JSVC", name="江苏某学院", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
    catalog.add_item(
        uow=uow,
        draft=ItemDraft(
            institution="JSVC",
            code="CAD-201",
            kind=ItemKind.COURSE,
            name="计算机辅助设计",
            framework="LOFOUC",
            levels=("4",),
            credits=Decimal(3),
        ),
        on=date(2026, 11, 22),
    )


def course_outcome(record_id: str, score: str = "80") -> OutcomeFacts:
    """An outcome of JSVC's course CAD-201 (level 4, 3 credits), to deposit one at a time."""
    return OutcomeFacts(
        record_id=record_id,
        item_code="CAD-201",
        level="4",
        credits=Decimal(3),
        score=Decimal(score),
        assessed_on=date(2024, 6, 30),
        setting=LearningSetting.FORMAL,
    )


def open_learner(uow: UnitOfWork, serial: int = 1) -> str:
    """A learner's new account (identity number ``id_number(serial)``): its account number."""
    return accounts.open_account(
        uow=uow,
        cipher=PersonalDataCipher(os.urandom(32)),
        id_number=parse_id_number(id_number(serial)),
        name="学员",
    ).number
