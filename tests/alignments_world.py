"""A world for the alignments' tests: the conversion tests' 1+X world (BIMTEO's X certificate
BIM-X at 1X beginner/intermediate/advanced, SHVC's courses, a registrar of each, two bank
administrators; tests/conversion_world.py), the occupations' and skills' small test files
(tests/occupations/files.py, tests/skills/files.py), an auditor, and helpers that take a
version through its steps with the handlers."""

from __future__ import annotations

from creditbank.access.policy import Principal
from creditbank.alignments import decisions, drafting
from creditbank.alignments.commands import (
    ApproveAlignment,
    DraftAlignment,
    SubmitAlignment,
)
from creditbank.alignments.store import AlignmentVersion
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institution_service
from creditbank.institutions.model import Role
from tests import conversion_world
from tests.occupations import files as occupation_files
from tests.occupations.test_importing import import_file as import_occupations
from tests.skills.files import CSV
from tests.skills.test_importing import import_file as import_skills

ITEM = "BIMTEO:BIM-X"
BIM = "urn:test:skill:bim-modelling"
TEAMWORK = "urn:test:skill:teamwork"
SQL = "urn:test:skill:sql"
TESTING = "urn:test:skill:testing"
AUDITOR = "audit@bank.example"


def build(uow: UnitOfWork) -> conversion_world.Users:
    """The conversion world, the test occupations and skills, an auditor."""
    users = conversion_world.build(uow)
    import_skills_world(uow)
    institution_service.add_user(uow=uow, email=AUDITOR, role=Role.AUDITOR)
    return users


def import_skills_world(uow: UnitOfWork) -> None:
    """The test occupations and skills (importing them again changes nothing)."""
    import_occupations(uow, occupation_files.CSV)
    import_skills(uow, CSV)


def principal(uow: UnitOfWork, email: str) -> Principal:
    return institution_service.principal_for(uow=uow, email=email)


def drafted(
    uow: UnitOfWork,
    skills: tuple[str, ...] = (BIM, TEAMWORK),
    *,
    level: str | None = None,
    item: str = ITEM,
    by: str = conversion_world.TEO_REGISTRAR,
) -> AlignmentVersion:
    command = DraftAlignment(item=item, skills=skills, level=level)
    return drafting.draft_alignment(command, principal=principal(uow, by), uow=uow)


def submitted(uow: UnitOfWork, *args: object, **kwargs: object) -> AlignmentVersion:
    version = drafted(uow, *args, **kwargs)  # type: ignore[arg-type]
    return drafting.submit_alignment(
        SubmitAlignment(version.id),
        principal=principal(uow, conversion_world.TEO_REGISTRAR),
        uow=uow,
    )


def approved(uow: UnitOfWork, *args: object, **kwargs: object) -> AlignmentVersion:
    version = submitted(uow, *args, **kwargs)
    return decisions.approve_alignment(
        ApproveAlignment(version.id, "ok"),
        principal=principal(uow, conversion_world.ADMINS[0]),
        uow=uow,
    )
