"""Bulk deposit of items the institution is accredited to issue (grants), on both databases."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from sqlalchemy import literal, select

from creditbank.accounts import bulk
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.catalog import api as catalog_api
from creditbank.catalog import grants
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from creditbank.frameworks import service as frameworks
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from tests.bulk_files import add_college_with_course, csv_bytes, row

TODAY = date(2026, 11, 22)


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(os.urandom(32))


def add_x_certificate(database: Database, owner: str) -> None:
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code=owner, name=owner, type=InstitutionType.TRAINING_EVALUATION_ORGANISATION
        )
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=owner,
                code="BIM-X",
                kind=ItemKind.X_CERTIFICATE,
                name="BIM",
                framework="1X",
                levels=("beginner", "intermediate", "advanced"),
                provider=owner,
                approval_round=1,
            ),
            on=TODAY,
        )


@pytest.fixture
def bank(database: Database) -> Database:
    with database.unit_of_work() as uow:
        frameworks.install_builtin_frameworks(uow=uow)
        add_college_with_course(uow)
    add_x_certificate(database, "TEO-BIM")
    return database


def grant(database: Database, owner: str, until: date | None = None) -> int:
    with database.unit_of_work() as uow:
        return grants.grant_item(
            uow=uow,
            owner=owner,
            code="BIM-X",
            grantee="JSVC",
            valid_from=date(2024, 1, 1),
            valid_until=until,
            by="test",
        ).id


def upload(database: Database, cipher: PersonalDataCipher, data: bytes) -> bulk.Batch:
    return bulk.import_batch(
        database=database,
        cipher=cipher,
        institution="JSVC",
        submitted_by="test",
        filename="f.csv",
        file_format=FileFormat.CSV,
        rows=read_rows(io.BytesIO(data), FileFormat.CSV),
        today=TODAY,
    )


def x_row(serial: int, **changes: str) -> dict[str, str]:
    return row(serial, **{"item_code": "BIM-X", "level": "advanced", "credits": "", **changes})


def reasons(batch: bulk.Batch) -> list[tuple[int, str, str]]:
    return bulk.render_errors(batch, str)


def test_granted_items_in_a_file(bank: Database, cipher: PersonalDataCipher) -> None:
    refused = upload(bank, cipher, csv_bytes([row(1), x_row(2)]))
    assert refused.status is bulk.BatchStatus.REJECTED
    assert reasons(refused) == [(3, "item_code", "the institution has no catalogue item BIM-X")]
    grant(bank, "TEO-BIM", until=date(2025, 12, 31))
    rows = [
        row(1),
        x_row(2),
        x_row(3, item_code="TEO-BIM:BIM-X"),
        x_row(4, item_code="teo-bim:BIM-X"),
    ]
    batch = upload(bank, cipher, csv_bytes(rows))
    assert (batch.status, batch.deposited) == (bulk.BatchStatus.COMMITTED, 4), reasons(batch)
    outside = upload(bank, cipher, csv_bytes([x_row(5, assessed_on="2026-01-02"), x_row(6)]))
    assert reasons(outside) == [
        (
            2,
            "item_code",
            (
                "JSVC is accredited to issue TEO-BIM:BIM-X for assessments in "
                "2024-01-01/2025-12-31, not on 2026-01-02"
            ),
        )
    ]
    assert outside.deposited == 0


def test_ambiguous_and_withdrawn_grants(bank: Database, cipher: PersonalDataCipher) -> None:
    grant(bank, "TEO-BIM")
    add_x_certificate(bank, "TEO-2")
    second = grant(bank, "TEO-2")
    batch = upload(bank, cipher, csv_bytes([x_row(1), x_row(2, item_code="TEO-2:BIM-X")]))
    assert reasons(batch) == [
        (2, "item_code", "BIM-X is granted to JSVC by TEO-2, TEO-BIM; name it as OWNER:BIM-X")
    ]
    with bank.unit_of_work() as uow:
        grants.withdraw_grant(uow=uow, grant_id=second, by="test")
    batch = upload(bank, cipher, csv_bytes([x_row(1), x_row(2, item_code="TEO-2:BIM-X")]))
    assert reasons(batch) == [(3, "item_code", "the institution has no catalogue item TEO-2:BIM-X")]
    batch = upload(bank, cipher, csv_bytes([x_row(1)]))  # TEO-BIM's is the only one left
    assert (batch.status, batch.deposited) == (bulk.BatchStatus.COMMITTED, 1)


def test_other_areas_ask_the_api_for_items_by_id_and_kind(bank: Database) -> None:
    with bank.unit_of_work() as uow:
        (x_certificate,) = catalog.list_items(uow=uow, kind=ItemKind.X_CERTIFICATE)
        by_id = catalog_api.items_by_id(uow=uow, item_ids=[x_certificate.id, 10_000])
        kinds = {
            kind
            for kind in (ItemKind.X_CERTIFICATE, ItemKind.COURSE)
            if uow.session.scalar(
                select(catalog_api.is_item_of_kind(kind, literal(x_certificate.id)))
            )
        }
    assert list(by_id) == [x_certificate.id] and by_id[x_certificate.id].code == "BIM-X"
    assert kinds == {ItemKind.X_CERTIFICATE}
