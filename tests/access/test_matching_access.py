"""Who may read a learner's gaps and fits, a job's matches and a programme's coverage
(``creditbank.matching``): a learner's gaps and fits are read by bank administrators and
auditors, and by an institution's staff (never an employer) while the learner consents to that
institution; a job's matches by its enterprise's employers and bank administrators; a
programme's coverage by its institution's registrars and accreditation officers, bank
administrators and auditors. A learner reads only their own gaps and fits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from creditbank.access.policy import AccessError, LearnerPrincipal, Principal
from creditbank.accounts import api as accounts
from creditbank.accounts import service as account_service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.consents import service as consents
from creditbank.conversion import programme_store
from creditbank.conversion.model import Component
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.matching import coverage, gaps, matches
from creditbank.matching.commands import ListFits, MatchJob, ShowCoverage, ShowGaps
from tests.access.matrix import OTHER, OWN, READERS, RECORD_READERS, Door, let_through
from tests.bulk_files import id_number
from tests.matching_world import insert_job

ON = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 8, tzinfo=UTC)
WITH_NOW = {"now": NOW}
CIPHER = PersonalDataCipher(os.urandom(32))
BIM = "4-08-08-23"


@dataclass(frozen=True)
class World:
    learner: str
    consenting: str
    stranger: str
    jobs: dict[str, int]


_WORLD: list[World] = []


def _w() -> World:
    return _WORLD[0]


def _programme(institution: str) -> str:
    return f"MP-{institution}"


def _learner(uow: UnitOfWork, serial: int) -> str:
    return account_service.open_account(
        uow=uow,
        cipher=CIPHER,
        id_number=parse_id_number(id_number(9500 + serial)),
        name="学员",
    ).number


@pytest.fixture(scope="module")
def world(access_database: Database, principals: dict[Role, Principal]) -> World:
    with access_database.unit_of_work() as uow:
        for institution in (OWN, OTHER):
            for code, kind, levels in (
                ("MSRC", ItemKind.COURSE, ("4",)),
                ("MQ", ItemKind.QUALIFICATION, ("5",)),
            ):
                catalog.add_item(
                    uow=uow,
                    draft=ItemDraft(
                        institution=institution,
                        code=code,
                        kind=kind,
                        name=code,
                        framework="LOFOUC",
                        levels=levels,
                        credits=Decimal(4) if kind is ItemKind.COURSE else None,
                    ),
                    on=ON,
                )
            programme_store.create_programme(
                uow=uow,
                spec=programme_store.ProgrammeSpec(
                    code=_programme(institution),
                    institution=institution,
                    item="MQ",
                    name="专业",
                    total_credits=Decimal(60),
                    components=(Component("C", "课程", Decimal(4), item="MSRC"),),
                ),
                by="matrix",
            )
        learner, consenting, stranger = (_learner(uow, serial) for serial in (1, 2, 3))
        consents.grant_consent(
            uow=uow,
            learner_id=accounts.learner_id_of(uow, consenting),
            institution=OWN,
            until=None,
            today=ON,
            now=NOW,
        )
        jobs = {institution: insert_job(uow, institution) for institution in (OWN, OTHER)}
    _WORLD[0:] = [World(learner, consenting, stranger, jobs)]
    return _WORLD[0]


DOORS = [
    Door(
        "a learner's gaps",
        gaps.show_gaps,
        lambda _: ShowGaps(_w().learner, occupation=BIM),
        READERS,
        WITH_NOW,
    ),
    Door(
        "a consenting learner's gaps",
        gaps.show_gaps,
        lambda _: ShowGaps(_w().consenting, occupation=BIM),
        RECORD_READERS,
        WITH_NOW,
    ),
    Door("a learner's fits", gaps.list_fits, lambda _: ListFits(_w().learner), READERS, WITH_NOW),
    Door(
        "a consenting learner's fits",
        gaps.list_fits,
        lambda _: ListFits(_w().consenting),
        RECORD_READERS,
        WITH_NOW,
    ),
    Door(
        "own job's matches",
        matches.match_job,
        lambda _: MatchJob(_w().jobs[OWN]),
        frozenset({Role.EMPLOYER, Role.BANK_ADMIN}),
        {"cipher": CIPHER},
    ),
    Door(
        "another's job's matches",
        matches.match_job,
        lambda _: MatchJob(_w().jobs[OTHER]),
        frozenset({Role.BANK_ADMIN}),
        {"cipher": CIPHER},
    ),
    Door(
        "own programme's coverage",
        coverage.show_coverage,
        lambda _: ShowCoverage(_programme(OWN), occupation=BIM),
        READERS | {Role.REGISTRAR, Role.ACCREDITATION_OFFICER},
    ),
    Door(
        "another's programme's coverage",
        coverage.show_coverage,
        lambda _: ShowCoverage(_programme(OTHER), region=True),
        READERS,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(
    access_database: Database, principals: dict[Role, Principal], world: World, door: Door
) -> None:
    assert world is _w()
    assert let_through(access_database, principals, door) == door.allowed


def test_a_learner_reads_only_their_own_gaps_and_fits(
    access_database: Database, world: World
) -> None:
    with access_database.unit_of_work() as uow:
        me = LearnerPrincipal(accounts.learner_id_of(uow, world.learner), world.learner)
        fits = gaps.list_fits(ListFits(world.learner), principal=me, uow=uow, now=NOW)
        assert fits.account_number == world.learner
        assert fits.skills_held == 0
        with pytest.raises(AccessError) as refused:
            gaps.show_gaps(
                ShowGaps(world.stranger, job=world.jobs[OWN]), principal=me, uow=uow, now=NOW
            )
        assert refused.value.code == "forbidden"
        with pytest.raises(AccessError) as refused:
            gaps.list_fits(ListFits(world.stranger), principal=me, uow=uow, now=NOW)
        assert refused.value.code == "forbidden"
        uow.session.rollback()
