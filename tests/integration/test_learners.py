"""Learners' accounts on real databases: personal data sealed at rest, found by HMAC, audited, erasable."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import MetaData, select

from creditbank.accounts import service
from creditbank.accounts.crypto import PersonalDataCipher, Sealed
from creditbank.accounts.model import AccountError, parse_id_number, resident_check_character
from creditbank.accounts.tables import LearnerKeyRow, LearnerRow
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role

FIRST_17 = "31010419900307123"
ID_NUMBER = FIRST_17 + resident_check_character(FIRST_17)
NAME = "张晓梅"


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(os.urandom(32))


@pytest.fixture
def staff(database: Database) -> int:
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="SHOU", name="上海开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        return institutions.add_user(
            uow=uow, email="reg@shou.example", role=Role.REGISTRAR, institution="SHOU"
        ).id


def open_one(
    database: Database, cipher: PersonalDataCipher, id_number: str = ID_NUMBER, name: str = NAME
) -> service.OpenedAccount:
    with database.unit_of_work() as uow:
        return service.open_account(
            uow=uow,
            cipher=cipher,
            id_number=parse_id_number(id_number),
            name=name,
            contact="13800000000",
            opened_by="SHOU",
        )


def every_stored_value(database: Database) -> list[str]:
    """Every value of every column of every table, as text (bytes decoded leniently)."""
    metadata = MetaData()
    metadata.reflect(database.engine)
    values = []
    with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        values.append(bytes(value).decode("utf-8", "replace"))
                        values.append(bytes(value).hex())
                    else:
                        values.append(str(value))
    return values


def test_personal_data_is_encrypted_at_rest(
    database: Database, cipher: PersonalDataCipher, staff: int
) -> None:
    opened = open_one(database, cipher)
    assert opened.created and opened.number.startswith("CB")
    stored = "\n".join(every_stored_value(database))
    for secret in (
        NAME,
        ID_NUMBER,
        "13800000000",
        "1990-03-07",
        NAME.encode().hex(),
        ID_NUMBER.encode().hex(),
    ):
        assert secret not in stored
    assert opened.number in stored  # the public account number is stored in clear


def test_same_identity_same_account(
    database: Database, cipher: PersonalDataCipher, staff: int
) -> None:
    first = open_one(database, cipher)
    # the holder's name, spaced otherwise, finds the account; anybody else's is refused
    again = open_one(database, cipher, id_number=ID_NUMBER.lower(), name=f" {NAME} ")
    assert (again.number, again.created) == (first.number, False)
    with pytest.raises(AccountError) as refused:
        open_one(database, cipher, id_number=ID_NUMBER.lower(), name="别的名字")
    assert refused.value.code == "account_exists"
    assert first.number not in refused.value.message.render()
    with database.unit_of_work() as uow:
        assert (
            service.find_account(uow=uow, cipher=cipher, id_number=parse_id_number(ID_NUMBER))
            == first.number
        )
        assert (
            uow.session.scalar(
                select(LearnerRow.id).where(LearnerRow.account_number != first.number)
            )
            is None
        )
        # the name was not overwritten by the later calls
        data = service.read_personal_data(
            uow=uow, cipher=cipher, number=first.number, user_id=staff, purpose="check"
        )
    assert data.name == NAME


def test_reading_is_audited(database: Database, cipher: PersonalDataCipher, staff: int) -> None:
    number = open_one(database, cipher).number
    with database.unit_of_work() as uow:
        data = service.read_personal_data(
            uow=uow, cipher=cipher, number=number, user_id=staff, purpose="deposit review"
        )
    assert (data.name, data.id_number, data.birth_date, data.contact) == (
        NAME,
        ID_NUMBER,
        "1990-03-07",
        "13800000000",
    )
    with database.unit_of_work() as uow:
        log = service.access_log(uow=uow, number=number)
    assert [(entry.user_id, entry.purpose) for entry in log] == [(staff, "deposit review")]


def test_another_data_key_opens_nothing(
    database: Database, cipher: PersonalDataCipher, staff: int
) -> None:
    number = open_one(database, cipher).number
    stranger = PersonalDataCipher(os.urandom(32))
    with database.unit_of_work() as uow:
        assert (
            service.find_account(uow=uow, cipher=stranger, id_number=parse_id_number(ID_NUMBER))
            is None
        )
        key_row = uow.session.scalar(select(LearnerKeyRow))
        assert key_row is not None
        with pytest.raises(InvalidTag):
            stranger.unwrap(number, Sealed(key_row.nonce, key_row.wrapped_key))
        with pytest.raises(InvalidTag):  # a key cannot be moved to another account either
            cipher.unwrap("CB000000000000", Sealed(key_row.nonce, key_row.wrapped_key))


def test_erasure_shreds_the_data_and_keeps_the_account(
    database: Database, cipher: PersonalDataCipher, staff: int
) -> None:
    number = open_one(database, cipher).number
    with database.unit_of_work() as uow:
        service.erase_personal_data(uow=uow, number=number)
    with database.unit_of_work() as uow:
        with pytest.raises(AccountError, match="has been erased"):
            service.read_personal_data(
                uow=uow, cipher=cipher, number=number, user_id=staff, purpose="x"
            )
        assert (
            service.find_account(uow=uow, cipher=cipher, id_number=parse_id_number(ID_NUMBER))
            is None
        )
        assert (
            uow.session.scalar(
                select(LearnerRow.erased_at).where(LearnerRow.account_number == number)
            )
            is not None
        )


def test_unknown_and_malformed_account_numbers(
    database: Database, cipher: PersonalDataCipher, staff: int
) -> None:
    with database.unit_of_work() as uow:
        with pytest.raises(AccountError, match="not an account number"):
            service.access_log(uow=uow, number="CB123")
        with pytest.raises(AccountError, match="there is no account"):
            service.access_log(uow=uow, number="CB000000000000")


def test_a_name_is_required(database: Database, cipher: PersonalDataCipher, staff: int) -> None:
    with pytest.raises(AccountError, match="needs a name"):
        open_one(database, cipher, name="   ")


def test_the_data_key_is_checked() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        PersonalDataCipher(b"short")
    assert PersonalDataCipher.from_base64(base64.b64encode(os.urandom(32)).decode()).index("x")
