"""Identity numbers (GB 11643-1999) and account numbers, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.accounts.model import (
    EVENT_KINDS,
    AccountError,
    IdType,
    LearningSetting,
    OutcomeFacts,
    OutcomeStatus,
    Transfer,
    birth_date_of,
    check_account_number,
    check_event,
    check_outcome,
    check_reason,
    derive_status,
    luhn_digit,
    new_account_number,
    normalised,
    parse_id_number,
    resident_check_character,
)
from creditbank.accounts.outcomes import facts_of, stored_facts
from creditbank.accounts.records import STORED_FACT_COLUMNS
from creditbank.accounts.tables import OutcomeRow


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
    region=st.from_regex(r"\A[1-8][0-9]{5}\Z"),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    sequence=st.from_regex(r"\A[0-9]{3}\Z"),
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


def test_only_ascii_digits_make_an_identity_number() -> None:
    """Full-width or Arabic-Indic digits would index the same person under another HMAC."""
    ascii_number = resident()
    full_width = ascii_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with pytest.raises(AccountError, match="17 digits"):
        parse_id_number(full_width, IdType.RESIDENT)
    with pytest.raises(AccountError, match="passport number"):
        parse_id_number(full_width)


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


def outcome(**changes: object) -> OutcomeFacts:
    base: dict[str, object] = {
        "record_id": "R-1",
        "item_code": "C",
        "level": "4",
        "credits": Decimal(3),
        "score": Decimal(80),
        "assessed_on": date(2024, 6, 1),
        "setting": LearningSetting.FORMAL,
    }
    return OutcomeFacts(**{**base, **changes})  # type: ignore[arg-type]


def outcome_problems(**changes: object) -> list[str]:
    found = check_outcome(outcome(**changes), item_credits=Decimal("3.0"), today=date(2025, 1, 1))
    return [str(message) for _, message in found]


def test_a_good_outcome_and_its_limits() -> None:
    assert outcome_problems() == []
    assert outcome_problems(score=Decimal("100.5")) == ["score must be between 0 and 100"]
    assert outcome_problems(credits=Decimal(-1)) == ["credits cannot be negative"]
    assert outcome_problems(assessed_on=date(1949, 12, 31)) == [
        "assessed_on 1949-12-31 is before 1950-01-01"
    ]
    assert outcome_problems(evidence_sha256="ABC") == [
        "evidence_sha256 must be 64 lower-case hexadecimal characters"
    ]
    assert outcome_problems(evidence_sha256="a" * 64) == []
    assert outcome_problems(record_id="has space") == [
        "record_id must be 1-100 letters, digits or . _ : / - (the institution's own id)"
    ]


def test_normalised_precision() -> None:
    facts = normalised(outcome(credits=Decimal(3), score=Decimal("86.5")))
    assert (str(facts.credits), str(facts.score)) == ("3.0", "86.50")


def test_stored_facts_and_stored_rows_compare_the_same_columns() -> None:
    facts = normalised(outcome())
    fresh = stored_facts(learner_id=7, item_id=3, level_id=11, facts=facts)
    assert tuple(fresh) == STORED_FACT_COLUMNS
    row = OutcomeRow(
        learner_id=7,
        item_id=3,
        framework_level_id=11,
        credits=facts.credits,
        score=facts.score,
        assessed_on=facts.assessed_on,
        setting=facts.setting.value,
        evidence_sha256=None,
    )
    assert facts_of(row) == fresh
    row.score = Decimal("81.00")
    assert facts_of(row) != fresh


# --- outcome status and events ----------------------------------------------------


@given(st.sets(st.sampled_from(sorted(EVENT_KINDS))))
def test_status_is_the_strongest_event(kinds: set[OutcomeStatus]) -> None:
    status = derive_status(kinds)
    if not kinds:
        assert status is OutcomeStatus.DEPOSITED
    elif OutcomeStatus.REVOKED in kinds:
        assert status is OutcomeStatus.REVOKED
    elif OutcomeStatus.SUPERSEDED in kinds:
        assert status is OutcomeStatus.SUPERSEDED
    else:
        assert status is OutcomeStatus.VERIFIED


ALLOWED = {
    (OutcomeStatus.DEPOSITED, OutcomeStatus.VERIFIED),
    (OutcomeStatus.DEPOSITED, OutcomeStatus.REVOKED),
    (OutcomeStatus.DEPOSITED, OutcomeStatus.SUPERSEDED),
    (OutcomeStatus.VERIFIED, OutcomeStatus.REVOKED),
    (OutcomeStatus.VERIFIED, OutcomeStatus.SUPERSEDED),
}


@pytest.mark.parametrize("current", list(OutcomeStatus))
@pytest.mark.parametrize("kind", sorted(EVENT_KINDS))
def test_which_event_may_follow_which_status(current: OutcomeStatus, kind: OutcomeStatus) -> None:
    if (current, kind) in ALLOWED:
        check_event("abc", current, kind)
        return
    with pytest.raises(AccountError) as refused:
        check_event("abc", current, kind)
    assert refused.value.code == "outcome_status_conflict"
    assert f"outcome abc is {current.value}" in str(refused.value)
    assert refused.value.extensions == {"outcome_status": current.value}


def test_reasons() -> None:
    assert check_reason("  forged \n certificate ", required=True) == "forged certificate"
    assert check_reason("", required=False) == ""
    for bad, required in (("", True), ("  ", True), ("x" * 501, False)):
        with pytest.raises(AccountError) as refused:
            check_reason(bad, required=required)
        assert refused.value.code == "invalid_reason"


def test_a_transfer_says_what_it_is_toward_what_and_from_what() -> None:
    exemption = Transfer(
        conversion="c1",
        programme="PJVC-HOTEL-DIP",
        programme_name="酒店管理专业",
        programme_name_en="Hotel Management",
        component="TR150",
        component_name="旅游大数据应用",
        category="core",
        rule="X-ANY-TR150",
        rule_version=2,
        sources=("s1", "s2"),
    )
    assert Transfer.of(exemption.as_json()) == exemption
    assert exemption.describe(Decimal("2.0"), "en").render() == (
        "2.0 credits transferred toward programme Hotel Management (PJVC-HOTEL-DIP): component "
        "旅游大数据应用 (TR150) exempted, under rule X-ANY-TR150 version 2, from outcomes s1, s2"
    )
    # a programme without an English name is named in Chinese on English pages too
    elective = replace(exemption, component=None, component_name=None, programme_name_en="")
    assert Transfer.of(elective.as_json()) == elective
    assert elective.describe(Decimal(4), "en").render() == (
        "4 elective credits (category core) transferred toward programme 酒店管理专业 "
        "(PJVC-HOTEL-DIP), under rule X-ANY-TR150 version 2, from outcomes s1, s2"
    )
