"""One test, several certificates, through the handlers, on both databases: a scheme of three
bodies (Guangdong, Hong Kong, Macao; each its own framework), one assessment deposited under
it makes one outcome at each body at the level its mapping gives, each linked to the others;
depositing it again answers the same outcomes; a body's registrar may not deposit for the
others; a refusal names every problem and stores nothing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import AccessError, Principal
from creditbank.accounts import api as accounts
from creditbank.accounts import service as learners
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.tables import OutcomeRow
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import api as credentials
from creditbank.credentials import signing
from creditbank.db import Database
from creditbank.errors import DomainError
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.joint import api as joint_api
from creditbank.joint import schemes
from creditbank.joint.commands import (
    DefineJointScheme,
    DepositJointOutcome,
    JointBody,
    ListJointSchemes,
    ShowLinkedOutcomes,
)
from tests.bulk_files import id_number
from tests.conftest import BACKENDS, _new_database

BODIES = (
    ("GDVTC", "CAD-GD", "GDLEQF", ("3", "4")),
    ("HKVTC", "CAD-HK", "EQF", ("4", "5")),
    ("MOVTC", "CAD-MO", "LOFOUC", ("4", "5")),
)
MAPPING = {"GDVTC": "pass=3,merit=4", "HKVTC": "pass=4,merit=5", "MOVTC": "pass=4,merit=5"}


@dataclass
class World:
    database: Database
    admin: Principal
    registrar: Principal
    account: str


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("joint"), initialised=True
    )
    with database.unit_of_work() as uow:
        for code, item, framework, levels in BODIES:
            institutions.add_institution(
                uow=uow,
                code=code,
                name=f"{code} 学院",
                type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
            )
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=code,
                    code=item,
                    kind=ItemKind.VOCATIONAL_QUALIFICATION,
                    name=f"计算机辅助设计 {code}",
                    framework=framework,
                    levels=levels,
                    credits=Decimal(4),
                ),
                on=date(2025, 1, 1),
            )
        admin = institutions.add_user(uow=uow, email="admin@bank.example", role=Role.BANK_ADMIN)
        registrar = institutions.add_user(
            uow=uow, email="reg@gdvtc.example", role=Role.REGISTRAR, institution="GDVTC"
        )
        account = learners.open_account(
            uow=uow,
            cipher=PersonalDataCipher(bytes(32)),
            id_number=accounts.parse_id_number(id_number(31)),
            name="陈小明",
        ).number
    yield World(
        database,
        Principal(admin.id, admin.email, Role.BANK_ADMIN, None),
        Principal(registrar.id, registrar.email, Role.REGISTRAR, "GDVTC"),
        account,
    )
    database.dispose()


@pytest.fixture(autouse=True)
def pinned(world: World) -> Iterator[None]:
    with world.database.pinned():  # type: ignore[attr-defined]
        yield


def define(world: World, code: str = "GBA-CAD", **changes: object) -> object:
    fields: dict[str, object] = {
        "code": code,
        "name": "计算机辅助设计一试三证",
        "name_en": "CAD: one test, three certificates",
        "result_levels": ("pass", "merit"),
        "bodies": tuple(JointBody(c, item, MAPPING[c]) for c, item, _, _ in BODIES),
    }
    fields.update(changes)
    with world.database.unit_of_work() as uow:
        return schemes.define_joint_scheme(
            DefineJointScheme(**fields),  # type: ignore[arg-type]
            principal=world.admin,
            uow=uow,
        )


def deposit(world: World, principal: Principal | None = None, **changes: object) -> object:
    fields: dict[str, object] = {
        "scheme": "GBA-CAD",
        "account_number": world.account,
        "record_id": "GBA-2025-0001",
        "result": "merit",
        "assessed_on": date(2025, 6, 30),
        "score": Decimal("88.5"),
    }
    fields.update(changes)
    with world.database.unit_of_work() as uow:
        return schemes.deposit_joint_outcome(
            DepositJointOutcome(**fields),  # type: ignore[arg-type]
            principal=principal or world.admin,
            uow=uow,
        )


def outcomes(world: World) -> int:
    with world.database.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count(OutcomeRow.id))) or 0)


def refused(code: str, run: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        run()
    assert caught.value.code == code, caught.value.render()
    return caught.value


def test_one_assessment_makes_an_outcome_at_each_body_linked_to_the_others(
    world: World,
) -> None:
    define(world)
    made = deposit(world)
    assert made.created  # type: ignore[attr-defined]
    linked = made.outcomes  # type: ignore[attr-defined]
    assert [(o.institution, o.item_code) for o in linked] == [
        ("GDVTC", "CAD-GD"),
        ("HKVTC", "CAD-HK"),
        ("MOVTC", "CAD-MO"),
    ]
    with world.database.unit_of_work() as uow:
        levels = {}
        for one in linked:
            outcome, _ = accounts.outcome_by_public_id(uow=uow, public_id=one.outcome)
            levels[outcome.institution] = (outcome.level.framework, outcome.level.level.code)
            others = joint_api.linked_outcomes(uow=uow, outcome=one.outcome)
            assert {o.outcome for o in others} == {o.outcome for o in linked} - {one.outcome}
        shown = schemes.show_linked_outcomes(
            ShowLinkedOutcomes(linked[0].outcome), principal=None, uow=uow
        )
        assert [o.institution for o in shown] == ["HKVTC", "MOVTC"]
        listed = schemes.list_joint_schemes(ListJointSchemes(), principal=None, uow=uow)
        assert [s.code for s in listed] == ["GBA-CAD"]
    assert levels == {
        "GDVTC": ("GDLEQF", "4"),
        "HKVTC": ("EQF", "5"),
        "MOVTC": ("LOFOUC", "5"),
    }
    again = deposit(world)
    assert not again.created  # type: ignore[attr-defined]
    assert [o.outcome for o in again.outcomes] == [o.outcome for o in linked]  # type: ignore[attr-defined]
    assert outcomes(world) == 3


def test_each_body_s_credential_names_the_others(world: World) -> None:
    """One test, several certificates: each body's credential is its own (its issuer, its item,
    its framework's level) and names the outcomes the same assessment made at the others."""
    define(world)
    linked = deposit(world).outcomes  # type: ignore[attr-defined]
    world.database.session_info[signing.KEY_VAULT] = signing.KeyVault(os.urandom(32))
    issued = {}
    with world.database.unit_of_work() as uow:
        for one in linked:
            made = credentials.issue(
                uow=uow, outcome_id=one.outcome, fmt="ob3", now=datetime.now(UTC)
            )
            assert made.document is not None
            issued[one.institution] = (one.outcome, made.document)
    frameworks = set()
    for body, (outcome, document) in issued.items():
        assert document["issuer"]["name"] == f"{body} 学院"
        frameworks |= {
            alignment["targetFramework"]
            for alignment in document["credentialSubject"]["achievement"]["alignment"]
        }
        joint = [e for e in document["evidence"] if e.get("genre") == "JointAssessment"]
        named = {e["id"].split("/outcomes/")[1].removesuffix("/linked") for e in joint}
        assert named == {o for o, _ in issued.values()} - {outcome}, body
        others = {b for b in issued if b != body}
        assert {e["name"].rsplit(" of ", 1)[1] for e in joint} == others
    assert len(frameworks) == len(BODIES)  # each in its own framework


def test_a_body_registrar_may_not_deposit_for_the_others(world: World) -> None:
    define(world)
    with pytest.raises(AccessError):
        deposit(world, world.registrar)
    assert outcomes(world) == 0


def test_refusals_name_every_problem_and_store_nothing(world: World) -> None:
    error = refused(
        "invalid_joint_scheme",
        lambda: define(
            world,
            bodies=(
                JointBody("GDVTC", "CAD-GD", "pass=3,merit=9"),
                JointBody("HKVTC", "NO-SUCH", "pass=4,merit=5"),
                JointBody("MOVTC", "CAD-MO", "pass=4"),
            ),
        ),
    )
    rendered = [p.render() for p in error.problems]
    assert rendered == ["MOVTC maps no level for merit"], rendered
    error = refused(
        "invalid_joint_scheme",
        lambda: define(
            world,
            bodies=(
                JointBody("GDVTC", "CAD-GD", "pass=3,merit=9"),
                JointBody("HKVTC", "NO-SUCH", "pass=4,merit=5"),
            ),
        ),
    )
    assert len(error.problems) == 2, [p.render() for p in error.problems]
    refused(
        "invalid_joint_scheme", lambda: define(world, bodies=(JointBody("GDVTC", "CAD-GD", "x"),))
    )
    define(world)
    refused("joint_scheme_exists", lambda: define(world))
    refused("joint_scheme_not_found", lambda: deposit(world, scheme="NONE"))
    refused("invalid_joint_outcome", lambda: deposit(world, result="distinction"))
    with pytest.raises(DomainError):  # one body's outcome refused: none is deposited
        deposit(world, assessed_on=date(2099, 1, 1))
    assert outcomes(world) == 0
    with world.database.unit_of_work() as uow:
        refused(
            "joint_outcome_not_found",
            lambda: schemes.show_linked_outcomes(
                ShowLinkedOutcomes("0" * 32), principal=None, uow=uow
            ),
        )
