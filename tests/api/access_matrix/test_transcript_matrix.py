"""Who may read a learner's transcript over HTTP, and what the learner's consent changes: every
role, every consent state, own, other and any issuer.

The expected table is written out here by hand, not derived from the policy,
so that a change to the policy that opens or closes a door fails this test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx2
import pytest
from sqlalchemy import select

from creditbank import clock
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.model import (
    LearningSetting,
    OutcomeFacts,
    parse_id_number,
    resident_check_character,
)
from creditbank.accounts.tables import LearnerRow
from creditbank.consents import service as consents
from creditbank.consents.tables import ConsentRow
from creditbank.institutions.model import Role
from tests.api.access_matrix.support import (
    ADMIN,
    ASSESSOR,
    AUDITOR,
    OFFICER,
    OTHER,
    OWN,
    REGISTRAR,
    Staff,
    add_course_at_both,
    fresh,
)
from tests.conftest import LiveBank

# (consent state, issuer asked for) -> roles that succeed and how many outcomes they see;
# every other role gets 403. The learner has one outcome from ALPHA-U (own) and one from
# BETA-VC (other); "any" asks for no issuer.
ALL_STAFF = {REGISTRAR, ASSESSOR, OFFICER}
READING: dict[tuple[str, str], dict[Role, int]] = {
    ("no consent", "own"): {ADMIN: 1, AUDITOR: 1} | dict.fromkeys(ALL_STAFF, 1),
    ("no consent", "other"): {ADMIN: 1, AUDITOR: 1},
    ("no consent", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
    ("consent to own", "own"): {ADMIN: 1, AUDITOR: 1} | dict.fromkeys(ALL_STAFF, 1),
    ("consent to own", "other"): {ADMIN: 1, AUDITOR: 1} | dict.fromkeys(ALL_STAFF, 1),
    ("consent to own", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 2),
    ("consent to other only", "other"): {ADMIN: 1, AUDITOR: 1},
    ("consent to other only", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
    ("consent withdrawn", "other"): {ADMIN: 1, AUDITOR: 1},
    ("consent withdrawn", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
    ("consent expired", "other"): {ADMIN: 1, AUDITOR: 1},
    ("consent expired", "any"): {ADMIN: 2, AUDITOR: 2} | dict.fromkeys(ALL_STAFF, 1),
}


@pytest.fixture(scope="module")
def learner(staff: dict[Role, Staff], live_bank: LiveBank) -> tuple[str, int]:
    """A learner with one outcome from each institution: (account number, learner id)."""
    with live_bank.database.unit_of_work() as uow:
        add_course_at_both(uow, "READ-1", date(2026, 11, 22))
        first = "32010219900101123"
        number = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(first + resident_check_character(first)),
            name="读者",
        ).number
        for owner in (OWN, OTHER):
            outcomes.deposit_outcome(
                uow=uow,
                institution=owner,
                account_number=number,
                facts=OutcomeFacts(
                    record_id="READ-1",
                    item_code="READ-1",
                    level="5",
                    credits=Decimal(2),
                    score=None,
                    assessed_on=date(2025, 1, 1),
                    setting=LearningSetting.FORMAL,
                ),
                today=date(2026, 11, 22),
            )
        learner_id = uow.session.scalar(
            select(LearnerRow.id).where(LearnerRow.account_number == number)
        )
    assert learner_id is not None
    return number, learner_id


def _set_consents(live_bank: LiveBank, learner_id: int, state: str) -> None:
    now = datetime.now(UTC)
    with live_bank.database.unit_of_work() as uow:
        for row in uow.session.scalars(select(ConsentRow).where(ConsentRow.withdrawn_at.is_(None))):
            row.withdrawn_at = now
    if state == "no consent":
        return
    with live_bank.database.unit_of_work() as uow:
        target = OTHER if state == "consent to other only" else OWN
        granted = consents.grant_consent(
            uow=uow,
            learner_id=learner_id,
            institution=target,
            until=None,
            today=clock.today(),
            now=now,
        )
        if state == "consent withdrawn":
            consents.withdraw_consent(
                uow=uow, learner_id=learner_id, consent_id=granted.id, now=now
            )
        if state == "consent expired":
            row = uow.session.get_one(ConsentRow, granted.id)
            row.expires_at = now - timedelta(seconds=1)


def test_reading_a_transcript_with_and_without_consent(
    by_role: dict[Role | None, httpx2.Client], learner: tuple[str, int], live_bank: LiveBank
) -> None:
    number, learner_id = learner
    for (state, asked), permitted in READING.items():
        _set_consents(live_bank, learner_id, state)
        params = {"institution": {"own": OWN, "other": OTHER}[asked]} if asked != "any" else {}
        for role, client in by_role.items():
            if role is None:  # no token: see the other modules
                continue
            response = fresh(client).get(f"/api/v1/accounts/{number}/outcomes", params=params)
            if role in permitted:
                assert response.status_code == 200, (state, asked, role, response.text)
                assert len(response.json()["outcomes"]) == permitted[role], (state, asked, role)
            else:
                assert response.status_code == 403, (state, asked, role, response.text)
