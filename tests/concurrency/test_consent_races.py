"""Races on a learner's consents and share links (their pages, with the learner's session), on
SQLite and PostgreSQL, over two server processes.

- Parallel grants of consent to one institution: each replaces the one before (the learner is
  locked first), so exactly one consent stays active.
- Parallel withdrawals of a consent, and revocations of a share link: each answers like the
  first (withdrawing twice changes nothing), the consent or link ends once, and nothing else
  changes.
- Parallel visits of a share link are each counted (the count is updated in the database, not
  read, incremented and written back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

import pytest
from sqlalchemy import select

from creditbank.accounts import service as accounts
from creditbank.accounts.api import learner_id_of
from creditbank.accounts.model import parse_id_number
from creditbank.consents import service as consents
from creditbank.consents.tables import ConsentRow, ShareRow
from creditbank.institutions import api as institutions
from creditbank.sessions import service as sessions
from tests import conversion_world
from tests.bulk_files import id_number
from tests.concurrency.conftest import RACERS, ROUNDS, Call, World, race
from tests.support.pages import csrf_of, log_in, page_client

PASSWORD = "correct horse battery"
_serial = count(13_000)


@dataclass(frozen=True)
class Learner:
    """A learner logged in on the pages: the session's cookies and CSRF token."""

    learner_id: int
    account: str
    cookies: dict[str, str]
    csrf: str

    def form(self, path: str, **fields: str) -> Call:
        return Call(
            None, "POST", path, form={"csrf_token": self.csrf, **fields}, cookies=self.cookies
        )


@pytest.fixture
def learner(world: World) -> Learner:
    with world.banks.live.database.unit_of_work() as uow:
        account = accounts.open_account(  # with the bank's cipher: the shared page shows the name
            uow=uow,
            cipher=world.banks.live.cipher,
            id_number=parse_id_number(id_number(next(_serial))),
            name="学员",
        ).number
        sessions.set_learner_password(
            uow=uow, account_number=account, password=PASSWORD, now=datetime.now(UTC)
        )
        learner_id = learner_id_of(uow, account)
    with page_client(world.banks.live.url) as client:
        assert log_in(client, "learner", account, PASSWORD).status_code == 303
        csrf = csrf_of(client.get("/me/consents").text)
        cookies = dict(client.cookies)
    return Learner(learner_id, account, cookies, csrf)


def consents_to(world: World, learner: Learner, institution_id: int) -> list[ConsentRow]:
    with world.banks.live.database.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(ConsentRow)
                .where(
                    ConsentRow.learner_id == learner.learner_id,
                    ConsentRow.institution_id == institution_id,
                )
                .order_by(ConsentRow.id)
            )
        )


def institution_id(world: World, code: str) -> int:
    with world.banks.live.database.unit_of_work() as uow:
        return institutions.institution_id(uow=uow, code=code)


def test_parallel_grants_leave_one_active_consent(world: World, learner: Learner) -> None:
    bimteo = institution_id(world, "BIMTEO")
    for round_ in range(ROUNDS):
        answers = race(
            "consent grant",
            world.banks,
            [learner.form("/me/consents", institution="BIMTEO", until="") for _ in range(RACERS)],
        )
        assert all(a.status_code == 303 for a in answers), [a.text for a in answers]
        rows = consents_to(world, learner, bimteo)
        assert len(rows) == RACERS * (round_ + 1)
        active = [row for row in rows if row.withdrawn_at is None]
        assert len(active) == 1, [(row.id, row.withdrawn_at) for row in rows]


def test_parallel_withdrawals_end_a_consent_once(world: World, learner: Learner) -> None:
    shvc = institution_id(world, "SHVC")
    for _ in range(ROUNDS):
        with world.banks.live.database.unit_of_work() as uow:
            granted = consents.grant_consent(
                uow=uow,
                learner_id=learner.learner_id,
                institution="SHVC",
                until=None,
                today=conversion_world.ON,
                now=datetime.now(UTC),
            )
        answers = race(
            "consent withdraw",
            world.banks,
            [learner.form(f"/me/consents/{granted.id}/withdraw") for _ in range(RACERS)],
        )
        assert all(a.status_code == 303 for a in answers), [a.text for a in answers]
        rows = consents_to(world, learner, shvc)
        assert all(row.withdrawn_at is not None for row in rows)
        ended = next(row.withdrawn_at for row in rows if row.id == granted.id)
        with page_client(world.banks.live.url) as client:  # once more, later: nothing changes
            client.cookies.update(learner.cookies)
            again = client.post(
                f"/me/consents/{granted.id}/withdraw", data={"csrf_token": learner.csrf}
            )
        assert again.status_code == 303
        rows = consents_to(world, learner, shvc)
        assert next(row.withdrawn_at for row in rows if row.id == granted.id) == ended


def share(world: World, learner: Learner) -> consents.NewShare:
    with world.banks.live.database.unit_of_work() as uow:
        outcome = conversion_world.deposit(
            uow,
            learner.account,
            institution="SHVC",
            item="BIM-101",
            level="4",
            record=f"SHARE-{next(_serial)}",
        )
        return consents.create_share(
            uow=uow,
            learner_id=learner.learner_id,
            outcomes=[outcome],
            label="给用人单位",
            until=None,
            today=conversion_world.ON,
            now=datetime.now(UTC),
        )


def share_row(world: World, public_id: str) -> ShareRow:
    with world.banks.live.database.unit_of_work() as uow:
        return uow.session.scalars(select(ShareRow).where(ShareRow.public_id == public_id)).one()


def test_parallel_visits_of_a_share_link_are_each_counted(world: World, learner: Learner) -> None:
    for round_ in range(ROUNDS):
        made = share(world, learner)
        with page_client(world.banks.live.url) as visitor:  # the first visit issues credentials
            assert visitor.get(f"/shared/{made.token}").status_code == 200
        answers = race(
            "share view",
            world.banks,
            [Call(None, "GET", f"/shared/{made.token}") for _ in range(RACERS)],
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        assert share_row(world, made.share.id).views == RACERS + 1, round_


def test_parallel_revocations_end_a_share_link_once(world: World, learner: Learner) -> None:
    for _ in range(ROUNDS):
        made = share(world, learner)
        answers = race(
            "share revoke",
            world.banks,
            [learner.form(f"/me/shares/{made.share.id}/revoke") for _ in range(RACERS)],
        )
        assert all(a.status_code == 303 for a in answers), [a.text for a in answers]
        row = share_row(world, made.share.id)
        assert row.revoked_at is not None
        with page_client(world.banks.live.url) as visitor:
            closed = visitor.get(f"/shared/{made.token}")
        assert closed.status_code == 404, closed.status_code
        assert share_row(world, made.share.id).views == 0
