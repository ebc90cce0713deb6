"""Migration 0015 on both databases: at most one active consent per learner and institution
(a partial unique index), and what parallel grants left before it is tidied (the newest stays
active, the older ones end when it was granted)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.bootstrap import alembic_config, migrate
from creditbank.consents.tables import ConsentRow
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from tests.bulk_files import id_number

INSERT = text(
    "INSERT INTO consents (learner_id, institution_id, scope, granted_at, expires_at,"
    " withdrawn_at) VALUES (:learner, :institution, 'read_outcomes', :at, NULL, :withdrawn)"
)


def ids(database: Database) -> tuple[int, int]:
    with database.unit_of_work() as uow:
        institution = institutions.add_institution(
            uow=uow, code="JSVC", name="JSVC", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        accounts.open_account(
            uow=uow,
            cipher=PersonalDataCipher(os.urandom(32)),
            id_number=parse_id_number(id_number(1)),
            name="学员",
        )
    with database.unit_of_work() as uow:
        learner_id = uow.session.scalar(text("SELECT id FROM learners"))
        institution_id = uow.session.scalar(
            text("SELECT id FROM institutions WHERE code = :code"), {"code": institution.code}
        )
    assert learner_id is not None and institution_id is not None
    return learner_id, institution_id


def test_a_second_active_consent_is_refused(database: Database) -> None:
    learner, institution = ids(database)
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        uow.session.execute(
            INSERT, {"learner": learner, "institution": institution, "at": now, "withdrawn": now}
        )
        uow.session.execute(
            INSERT, {"learner": learner, "institution": institution, "at": now, "withdrawn": None}
        )
    with pytest.raises(IntegrityError), database.unit_of_work() as uow:
        uow.session.execute(
            INSERT, {"learner": learner, "institution": institution, "at": now, "withdrawn": None}
        )


def test_the_migration_keeps_the_newest_of_several_active_consents(database: Database) -> None:
    learner, institution = ids(database)
    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")
    granted = [datetime(2026, 11, day, 9, tzinfo=UTC) for day in (1, 2, 3)]
    with database.unit_of_work() as uow:
        for at in granted:
            uow.session.execute(
                INSERT,
                {"learner": learner, "institution": institution, "at": at, "withdrawn": None},
            )
    migrate(database)
    with database.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(ConsentRow).order_by(ConsentRow.id)))
    ended = [row.withdrawn_at for row in rows]
    assert ended[-1] is None
    assert [
        (moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC))
        for moment in ended[:-1]
    ] == [granted[-1], granted[-1]]
