"""Fixtures of the access matrix: a bank with two institutions and one staff user per role.

The staff of institutional roles belong to ``OWN``; the bank administrator and the auditor to no
institution. Both institutions are accreditation centres (the type matters to accreditation
only, and to employers: the add-user use case puts an employer only at an enterprise, but the
matrix tries the policy, whose "own" is the principal's institution, so the employer is made
here, below the use case, at ``OWN`` like the other institutional roles). One bank per test module and database; every try is rolled back, so the bank stays as
the module's fixtures made it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.access.matrix import OTHER, OWN
from tests.conftest import BACKENDS, _new_database


@pytest.fixture(scope="module", params=BACKENDS)
def access_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("access"), initialised=True
    )
    with database.unit_of_work() as uow:
        for code, name in ((OWN, "甲大学"), (OTHER, "乙职业学院")):
            institutions.add_institution(
                uow=uow, code=code, name=name, type=InstitutionType.ACCREDITATION_CENTRE
            )
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def principals(access_database: Database) -> dict[Role, Principal]:
    """One principal per role."""
    people = {}
    with access_database.unit_of_work() as uow:
        for role in Role:
            email = f"{role.value}@alpha.example"
            institutions.add_user(
                uow=uow, email=email, role=role, institution=OWN if role.needs_institution else None
            )
            people[role] = institutions.principal_for(uow=uow, email=email)
    return people
