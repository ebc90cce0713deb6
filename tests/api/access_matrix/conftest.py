"""The access matrix's fixtures, one of each per module and backend: the staff (a user and an
API token per role), the world they act on, and a client per role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count

import httpx2
import pytest

from creditbank import clock
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.catalog import grants
from creditbank.evidence import service as evidence
from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from tests.api.access_matrix.support import (
    OTHER,
    OWN,
    PDF,
    Staff,
    World,
    add_course_at_both,
    clients,
    facts,
    other_than,
)
from tests.conftest import LiveBank


@pytest.fixture(scope="module")
def staff(live_bank: LiveBank) -> dict[Role, Staff]:
    """One user per role; staff roles belong to ALPHA-U; admin and auditor to no institution.

    Both institutions are of the accreditation centre type: the type matters to nothing but
    accreditation (an application goes to a centre), and it lets the staff be a centre's staff
    in the accreditation rows. The employer is made at ALPHA-U too, below the add-user use case
    (which puts employers only at enterprises): the matrix tries the policy's own and other."""
    with live_bank.database.unit_of_work() as uow:
        for code, name in ((OWN, "甲大学"), (OTHER, "乙职业学院")):
            service.add_institution(
                uow=uow, code=code, name=name, type=InstitutionType.ACCREDITATION_CENTRE
            )
        people = {}
        for role in Role:
            institution = OWN if role.needs_institution else None
            service.add_user(
                uow=uow, email=f"{role.value}@alpha.example", role=role, institution=institution
            )
            people[role] = Staff(
                role, service.create_token(uow=uow, email=f"{role.value}@alpha.example").secret
            )
    return people


@pytest.fixture(scope="module")
def world(live_bank: LiveBank, staff: dict[Role, Staff]) -> World:
    """Both institutions with a course MATRIX-101, and a learner's account."""
    del staff  # the institutions come with the staff
    with live_bank.database.unit_of_work() as uow:
        add_course_at_both(uow, "MATRIX-101", clock.today())
        account = accounts.open_account(
            uow=uow,
            cipher=PersonalDataCipher(os.urandom(32)),
            id_number=parse_id_number("E7654321"),
            name="学员",
        ).number
    serials = count(1)

    def deposit(owner: str) -> str:
        with live_bank.database.unit_of_work() as uow:
            return outcomes.deposit_outcome(
                uow=uow,
                institution=owner,
                account_number=account,
                facts=facts(f"M-{next(serials)}"),
                today=clock.today(),
            ).outcome.public_id

    def grant(owner: str) -> int:
        day = date(1900, 1, 1) + timedelta(days=next(serials))  # windows never overlap
        with live_bank.database.unit_of_work() as uow:
            return grants.grant_item(
                uow=uow,
                owner=owner,
                code="MATRIX-101",
                grantee=other_than(owner),
                valid_from=day,
                valid_until=day,
                by="matrix",
            ).id

    files = {}
    with live_bank.database.unit_of_work() as uow:
        for owner in (OWN, OTHER):
            files[owner] = evidence.store_evidence(
                uow=uow,
                institution=owner,
                content=PDF + owner.encode(),
                declared_type=None,
                by="matrix",
                max_bytes=1000,
            ).sha256
    return World(deposit, grant, files)


@pytest.fixture(scope="module")
def by_role(staff: dict[Role, Staff], bank: str) -> Iterator[dict[Role | None, httpx2.Client]]:
    """A client per role and one without a token (key ``None``), made once for the module."""
    made = clients(staff, bank)
    yield made
    for client in made.values():
        client.close()


@pytest.fixture
def anonymous(by_role: dict[Role | None, httpx2.Client]) -> httpx2.Client:
    """The client without a token, its cookies cleared."""
    client = by_role[None]
    client.cookies.clear()
    return client
