"""Who may propose, draft, submit, approve, reject, retire and read alignments of catalogue
items to skills (handlers of ``creditbank.alignments``), for their own institution's items and
another's. The world: a course of each institution, the skills' test file; versions a door
needs (drafted, submitted, approved by the owner's registrar) are made inside the try (rolled
back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from creditbank.access.policy import Principal
from creditbank.alignments import decisions, drafting, store, views
from creditbank.alignments.commands import (
    ApproveAlignment,
    DraftAlignment,
    ListAlignments,
    ProposeSkills,
    RejectAlignment,
    RetireAlignment,
    ShowAlignment,
    SubmitAlignment,
)
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.access.matrix import BANK_WIDE, EVERY_ROLE, OTHER, OWN, READERS, Door, let_through
from tests.alignments_world import BIM, TEAMWORK, import_skills_world

ON = date(2026, 11, 22)
DRAFTERS = frozenset({Role.BANK_ADMIN, Role.REGISTRAR, Role.ACCREDITATION_OFFICER})
_serials = count(1)


@dataclass(frozen=True)
class World:
    registrars: dict[str, int]
    admin: int


_world: list[World] = []


def _w() -> World:
    return _world[0]


@pytest.fixture(scope="module")
def world(access_database: Database, principals: dict[Role, Principal]) -> World:
    registrars = {OWN: principals[Role.REGISTRAR].user_id}
    with access_database.unit_of_work() as uow:
        registrars[OTHER] = institutions.add_user(
            uow=uow, email="registrar@beta.example", role=Role.REGISTRAR, institution=OTHER
        ).id
        for institution in (OWN, OTHER):
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=institution,
                    code="ALN",
                    kind=ItemKind.COURSE,
                    name="建筑信息模型应用",
                    framework="LOFOUC",
                    levels=("4",),
                    credits=Decimal(4),
                ),
                on=ON,
            )
        import_skills_world(uow)
    _world[:] = [World(registrars, principals[Role.BANK_ADMIN].user_id)]
    return _w()


def _item(institution: str) -> str:
    return f"{institution}:ALN"


def _drafted(uow: UnitOfWork, institution: str) -> int:
    subject = store.find_subject(uow, _item(institution), None)
    return store.draft_alignment(
        uow=uow,
        subject=subject,
        skill_uris=(BIM, TEAMWORK),
        note=f"door {next(_serials)}",
        user_id=_w().registrars[institution],
    ).id


def _submitted(uow: UnitOfWork, institution: str) -> int:
    found = _drafted(uow, institution)
    store.submit_alignment(uow=uow, alignment_id=found, user_id=_w().registrars[institution])
    return found


def _approved(uow: UnitOfWork, institution: str) -> int:
    found = _submitted(uow, institution)
    store.approve_alignment(uow=uow, alignment_id=found, user_id=_w().admin)
    return found


def _draft(institution: str) -> DraftAlignment:
    return DraftAlignment(item=_item(institution), skills=(BIM,))


DOORS = [
    Door(
        "propose for own item",
        drafting.propose_skills,
        lambda _: ProposeSkills(item=_item(OWN)),
        DRAFTERS,
    ),
    Door(
        "propose for another's item",
        drafting.propose_skills,
        lambda _: ProposeSkills(item=_item(OTHER)),
        BANK_WIDE,
    ),
    Door("draft own", drafting.draft_alignment, lambda _: _draft(OWN), DRAFTERS),
    Door("draft another's", drafting.draft_alignment, lambda _: _draft(OTHER), BANK_WIDE),
    Door(
        "submit own",
        drafting.submit_alignment,
        lambda uow: SubmitAlignment(_drafted(uow, OWN)),
        DRAFTERS,
    ),
    Door(
        "submit another's",
        drafting.submit_alignment,
        lambda uow: SubmitAlignment(_drafted(uow, OTHER)),
        BANK_WIDE,
    ),
    Door(
        "approve own",
        decisions.approve_alignment,
        lambda uow: ApproveAlignment(_submitted(uow, OWN)),
        BANK_WIDE,
    ),
    Door(
        "approve another's",
        decisions.approve_alignment,
        lambda uow: ApproveAlignment(_submitted(uow, OTHER)),
        BANK_WIDE,
    ),
    Door(
        "reject own",
        decisions.reject_alignment,
        lambda uow: RejectAlignment(_submitted(uow, OWN), "too broad"),
        BANK_WIDE,
    ),
    Door(
        "retire own",
        decisions.retire_alignment,
        lambda uow: RetireAlignment(_approved(uow, OWN), "changed"),
        DRAFTERS,
    ),
    Door(
        "retire another's",
        decisions.retire_alignment,
        lambda uow: RetireAlignment(_approved(uow, OTHER), "changed"),
        BANK_WIDE,
    ),
    Door(
        "list own",
        views.list_alignments,
        lambda _: ListAlignments(institution=OWN),
        EVERY_ROLE,
    ),
    Door(
        "list another's",
        views.list_alignments,
        lambda _: ListAlignments(institution=OTHER),
        READERS,
    ),
    Door("list what one may read", views.list_alignments, lambda _: ListAlignments(), EVERY_ROLE),
    Door(
        "show own",
        views.show_alignment,
        lambda uow: ShowAlignment(_drafted(uow, OWN)),
        EVERY_ROLE,
    ),
    Door(
        "show another's",
        views.show_alignment,
        lambda uow: ShowAlignment(_drafted(uow, OTHER)),
        READERS,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(
    access_database: Database, principals: dict[Role, Principal], world: World, door: Door
) -> None:
    assert world is _w()
    assert let_through(access_database, principals, door) == door.allowed
