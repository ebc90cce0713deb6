"""Identity numbers (GB 11643-1999) and account numbers, without a database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.accounts.model import (
    AccountError,
    IdType,
    birth_date_of,
    check_account_number,
    luhn_digit,
    new_account_number,
    parse_id_number,
    resident_check_character,
)


def resident(region: str = "310104", born: date = date(1990, 3, 7), sequence: str = "123") -> str:
    first = f"{region}{born:%Y%m%d}{sequence}"
    return first + resident_check_character(first)


def test_the_standards_example() -> None:
    # GB 11643-1999's worked example: 11010519491231002X
    assert resident_check_character("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed.type is IdType.RESIDENT and parsed.number == "11010519491231002X"
    assert birth_date_of(parsed) == date(1949, 12, 31)


@given(
    region=st.from_regex(r"\A[1-8]\d{5}\Z"),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    sequence=st.from_regex(r"\A\d{3}\Z"),
)
def test_every_valid_number_parses_and_every_other_check_character_fails(
    region: str, born: date, sequence: str
) -> None:
    number = resident(region, born, sequence)
    assert parse_id_number(number).number == number
    for wrong in "0123456789X":
        if wrong != number[-1]:
            with pytest.raises(AccountError, match="check digit is wrong"):
                parse_id_number(number[:-1] + wrong, IdType.RESIDENT)


def test_bad_dates_and_shapes_are_named_without_echoing_the_number() -> None:
    bad_date = "31010419901332" + "123"
    with pytest.raises(AccountError) as raised:
        parse_id_number(bad_date + resident_check_character(bad_date), IdType.RESIDENT)
    assert "no valid date of birth" in str(raised.value)
    assert bad_date not in str(raised.value)
    with pytest.raises(AccountError, match="17 digits") as raised:
        parse_id_number("31010419900307123", IdType.RESIDENT)
    assert "31010419900307123" not in str(raised.value)


def test_passports() -> None:
    assert parse_id_number("e 1234 5678").type is IdType.PASSPORT
    assert parse_id_number("e 1234 5678").number == "E12345678"
    with pytest.raises(AccountError, match="passport number"):
        parse_id_number("A1", IdType.PASSPORT)


def test_account_numbers_check_themselves() -> None:
    numbers = {new_account_number() for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert check_account_number(number.lower()) == number
        wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
        with pytest.raises(AccountError, match="not an account number"):
            check_account_number(wrong)


def test_luhn_known_value() -> None:
    assert luhn_digit("7992739871") == "3"  # the textbook example
