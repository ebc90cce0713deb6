"""Consents and shares on real databases: grant, withdraw, expire; links that show only what
was chosen, and stop working when revoked or expired."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.consents import service
from creditbank.consents.model import ConsentError, Status
from creditbank.consents.tables import ConsentRow, ShareRow
from creditbank.db import Database
from creditbank.institutions.model import InstitutionError
from tests.support.records import Record, build_record

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 11, 22)


@pytest.fixture
def record(database: Database) -> Record:
    return build_record(database, PersonalDataCipher(os.urandom(32)))


def consenting(database: Database, record: Record, now: datetime) -> frozenset[str]:
    with database.unit_of_work() as uow:
        return service.consenting_institutions(uow=uow, account_number=record.account, now=now)


def grant(database: Database, record: Record, institution: str, until: date | None = None) -> int:
    with database.unit_of_work() as uow:
        return service.grant_consent(
            uow=uow,
            learner_id=record.learner_id,
            institution=institution,
            until=until,
            today=TODAY,
            now=T0,
        ).id


def test_grant_and_withdraw(database: Database, record: Record) -> None:
    assert consenting(database, record, T0) == frozenset()
    consent = grant(database, record, "other-u")
    assert consenting(database, record, T0 + timedelta(days=400)) == {"OTHER-U"}
    with database.unit_of_work() as uow:
        service.withdraw_consent(
            uow=uow, learner_id=record.learner_id, consent_id=consent, now=T0 + timedelta(hours=1)
        )
    assert consenting(database, record, T0 + timedelta(minutes=30)) == frozenset()
    with database.unit_of_work() as uow:
        listed = service.list_consents(uow=uow, learner_id=record.learner_id)
        # withdrawing twice changes nothing; the row is kept, with the first withdrawal time
        service.withdraw_consent(
            uow=uow, learner_id=record.learner_id, consent_id=consent, now=T0 + timedelta(days=1)
        )
        rows = uow.session.scalars(select(ConsentRow)).all()
    assert [c.status(T0 + timedelta(hours=2)) for c in listed] == [Status.WITHDRAWN]
    assert listed[0].institution_name == "另一所大学"
    assert len(rows) == 1 and rows[0].withdrawn_at is not None


def test_a_consent_ends_with_the_day_chosen(database: Database, record: Record) -> None:
    grant(database, record, "OTHER-U", until=date(2026, 12, 31))
    # the end of 31 December in Shanghai is 16:00 UTC that day
    assert consenting(database, record, datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == {"OTHER-U"}
    assert consenting(database, record, datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == frozenset()


def test_granting_again_replaces_the_earlier_consent(database: Database, record: Record) -> None:
    first = grant(database, record, "OTHER-U", until=date(2026, 12, 31))
    second = grant(database, record, "OTHER-U")
    grant(database, record, "TEO-BIM")
    with database.unit_of_work() as uow:
        listed = service.list_consents(uow=uow, learner_id=record.learner_id)
    assert [c.id for c in listed][1:] == [second, first]
    assert {c.id: c.status(T0) for c in listed}[first] is Status.WITHDRAWN
    assert consenting(database, record, T0 + timedelta(days=60)) == {"OTHER-U", "TEO-BIM"}


def test_refused_consents(database: Database, record: Record) -> None:
    with pytest.raises(InstitutionError) as unknown:
        grant(database, record, "NOWHERE")
    assert unknown.value.code == "institution_not_found"
    with pytest.raises(ConsentError) as past:
        grant(database, record, "OTHER-U", until=date(2026, 11, 21))
    assert past.value.code == "invalid_consent"
    # another learner cannot withdraw her consent
    consent = grant(database, record, "OTHER-U")
    with database.unit_of_work() as uow, pytest.raises(ConsentError) as foreign:
        service.withdraw_consent(
            uow=uow, learner_id=record.learner_id + 1, consent_id=consent, now=T0
        )
    assert foreign.value.code == "consent_not_found"
    assert consenting(database, record, T0) == {"OTHER-U"}
    with database.unit_of_work() as uow:
        assert service.consenting_institutions(uow=uow, account_number="bad", now=T0) == frozenset()


def share(
    database: Database, record: Record, outcomes: list[str], until: date | None = None
) -> service.NewShare:
    with database.unit_of_work() as uow:
        return service.create_share(
            uow=uow,
            learner_id=record.learner_id,
            outcomes=outcomes,
            label="  for the   interview ",
            until=until,
            today=TODAY,
            now=T0,
        )


def open_link(database: Database, token: str, now: datetime = T0) -> service.SharedRecord | None:
    with database.unit_of_work() as uow:
        return service.open_share(uow=uow, token=token, now=now)


def test_a_share_opens_only_the_chosen_outcomes(database: Database, record: Record) -> None:
    chosen = [record.outcomes["C-3"], record.outcomes["B-1"]]
    new = share(database, record, chosen)
    assert new.share.outcomes == 2 and new.share.label == "for the interview"
    with database.unit_of_work() as uow:
        stored = uow.session.scalars(select(ShareRow.digest)).all()
    assert stored and new.token not in stored[0]
    opened = open_link(database, new.token)
    assert opened is not None
    assert opened.account_number == record.account and opened.outcome_ids == set(chosen)
    open_link(database, new.token)
    with database.unit_of_work() as uow:
        (listed,) = service.list_shares(uow=uow, learner_id=record.learner_id)
    assert listed.views == 2 and listed.last_viewed_at is not None
    assert open_link(database, new.token + "x") is None


def test_revoked_and_expired_shares_open_nothing(database: Database, record: Record) -> None:
    revoked = share(database, record, [record.outcomes["C-1"]])
    with database.unit_of_work() as uow:
        service.revoke_share(
            uow=uow, learner_id=record.learner_id, share_id=revoked.share.id, now=T0
        )
    assert open_link(database, revoked.token, T0 + timedelta(seconds=1)) is None
    dated = share(database, record, [record.outcomes["C-1"]], until=date(2026, 11, 30))
    assert open_link(database, dated.token, datetime(2026, 11, 30, 15, 0, tzinfo=UTC)) is not None
    assert open_link(database, dated.token, datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) is None
    with database.unit_of_work() as uow:
        statuses = [
            s.status(T0 + timedelta(days=30))
            for s in service.list_shares(uow=uow, learner_id=record.learner_id)
        ]
    assert statuses == [Status.EXPIRED, Status.REVOKED]
    with database.unit_of_work() as uow, pytest.raises(ConsentError) as foreign:
        service.revoke_share(
            uow=uow, learner_id=record.learner_id + 1, share_id=dated.share.id, now=T0
        )
    assert foreign.value.code == "share_not_found"


def test_only_own_outcomes_can_be_shared(database: Database, record: Record) -> None:
    with pytest.raises(ConsentError) as nothing:
        share(database, record, [])
    assert nothing.value.code == "invalid_share"
    with pytest.raises(ConsentError) as unknown:
        share(database, record, [record.outcomes["C-1"], "0" * 32])
    assert "only your own outcomes" in unknown.value.render()
    with database.unit_of_work() as uow, pytest.raises(ConsentError):
        service.create_share(
            uow=uow,
            learner_id=record.learner_id + 1,  # the other learner, with none of these outcomes
            outcomes=[record.outcomes["C-1"]],
            label="",
            until=None,
            today=TODAY,
            now=T0,
        )
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ShareRow)) == 0
