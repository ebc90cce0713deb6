"""The API's lists of institutions and users (bank administrators and auditors), disabled users'
tokens, the administrators' audit of API changes; and two administrators editing one
institution at once (one wins), on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2
import pytest
from sqlalchemy import select

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.errors import DomainError
from creditbank.institutions import handlers, service
from creditbank.institutions.commands import DisableUser, EditInstitution, RevokeToken
from creditbank.institutions.model import Institution, InstitutionType, Role
from creditbank.institutions.tables import AdminActionRow
from tests.conftest import LiveBank

PROBLEM = "application/problem+json"
INSTITUTIONS = (
    (
        "SH-OPEN",
        "上海开放大学",
        "Shanghai Open University",
        "CN-SH",
        InstitutionType.OPEN_UNIVERSITY,
    ),
    ("SH-TECH", "上海技师学院", "", "CN-SH", InstitutionType.TECHNICAL_SCHOOL),
    (
        "JS-VC",
        "江苏职业技术学院",
        "Jiangsu Vocational College",
        "CN-JS",
        InstitutionType.HIGHER_VOCATIONAL_COLLEGE,
    ),
    ("ZJ-100", "浙江百分百学院", "Zhejiang 100% College", "CN-ZJ", InstitutionType.UNIVERSITY),
)


@dataclass
class Clients:
    admin: httpx2.Client
    auditor: httpx2.Client
    registrar: httpx2.Client
    assessor: httpx2.Client
    registrar_token: str


def _client(live_bank: LiveBank, secret: str) -> httpx2.Client:
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    )


@pytest.fixture(scope="module")
def clients(live_bank: LiveBank) -> Iterator[Clients]:
    secrets: dict[str, str] = {}
    with live_bank.database.unit_of_work() as uow:
        for code, name, name_en, region, kind in INSTITUTIONS:
            service.add_institution(
                uow=uow,
                code=code,
                name=name,
                name_en=name_en,
                type=kind,
                region=region,
                alliances=("YRD",) if region in {"CN-SH", "CN-JS"} else (),
            )
        for email, role, institution in (
            ("admin@bank.example", Role.BANK_ADMIN, None),
            ("auditor@bank.example", Role.AUDITOR, None),
            ("reg@sh-open.example", Role.REGISTRAR, "SH-OPEN"),
            ("assessor@js-vc.example", Role.ASSESSOR, "JS-VC"),
            ("reg2@sh-open.example", Role.REGISTRAR, "SH-OPEN"),
        ):
            service.add_user(uow=uow, email=email, role=role, institution=institution)
            secrets[email] = service.create_token(uow=uow, email=email).secret
    made = Clients(
        admin=_client(live_bank, secrets["admin@bank.example"]),
        auditor=_client(live_bank, secrets["auditor@bank.example"]),
        registrar=_client(live_bank, secrets["reg@sh-open.example"]),
        assessor=_client(live_bank, secrets["assessor@js-vc.example"]),
        registrar_token=secrets["reg2@sh-open.example"],
    )
    yield made
    for client in (made.admin, made.auditor, made.registrar, made.assessor):
        client.close()


def codes(answer: httpx2.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [found["code"] for found in answer.json()["institutions"]]


def test_bank_admins_and_auditors_list_institutions_others_may_not(
    clients: Clients, live_bank: LiveBank
) -> None:
    for reader in (clients.admin, clients.auditor):
        assert codes(reader.get("/api/v1/institutions")) == [
            "JS-VC",
            "SH-OPEN",
            "SH-TECH",
            "ZJ-100",
        ]
    for staff in (clients.registrar, clients.assessor):
        refused = staff.get("/api/v1/institutions")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert staff.get("/api/v1/users").status_code == 403
    with httpx2.Client(base_url=live_bank.url, timeout=10) as anonymous:
        assert anonymous.get("/api/v1/institutions").status_code == 401
        assert anonymous.get("/api/v1/users").status_code == 401


def test_search_by_code_or_name_and_region(clients: Clients) -> None:
    admin = clients.admin
    listed = admin.get("/api/v1/institutions", params={"q": "SH"}).json()["institutions"]
    assert [i["code"] for i in listed] == ["SH-OPEN", "SH-TECH"]
    assert listed[0] == {
        "code": "SH-OPEN",
        "name": "上海开放大学",
        "name_en": "Shanghai Open University",
        "type": "open_university",
        "region": "CN-SH",
        "alliances": ["YRD"],
    }
    assert codes(admin.get("/api/v1/institutions", params={"q": "开放"})) == ["SH-OPEN"]
    assert codes(admin.get("/api/v1/institutions", params={"q": "vocational"})) == ["JS-VC"]
    assert codes(admin.get("/api/v1/institutions", params={"region": "CN-SH"})) == [
        "SH-OPEN",
        "SH-TECH",
    ]
    assert codes(admin.get("/api/v1/institutions", params={"q": "上海", "region": "CN-JS"})) == []
    # '%' and '_' are matched as themselves, not as wildcards
    assert codes(admin.get("/api/v1/institutions", params={"q": "100%"})) == ["ZJ-100"]
    assert codes(admin.get("/api/v1/institutions", params={"q": "%"})) == ["ZJ-100"]
    assert codes(admin.get("/api/v1/institutions", params={"q": "1_0"})) == []
    assert codes(admin.get("/api/v1/institutions", params={"q": "百分"})) == ["ZJ-100"]


def test_pages_follow_the_cursor(clients: Clients) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        answer = clients.auditor.get("/api/v1/institutions", params=params).json()
        seen.extend(found["code"] for found in answer["institutions"])
        pages += 1
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert pages == 2 and seen == ["JS-VC", "SH-OPEN", "SH-TECH", "ZJ-100"]
    bad = clients.admin.get("/api/v1/institutions", params={"cursor": "not-ours"})
    assert bad.status_code == 422 and bad.json()["type"].endswith("/invalid-cursor")
    user_cursor = clients.admin.get("/api/v1/users", params={"limit": 1}).json()["next_cursor"]
    crossed = clients.admin.get("/api/v1/institutions", params={"cursor": user_cursor})
    assert crossed.status_code == 422
    assert clients.admin.get("/api/v1/institutions", params={"limit": 0}).status_code == 422


def emails(answer: httpx2.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [user["email"] for user in answer.json()["users"]]


def test_users_by_institution_role_and_state(clients: Clients, live_bank: LiveBank) -> None:
    admin = clients.admin
    assert emails(admin.get("/api/v1/users", params={"institution": "sh-open"})) == [
        "reg@sh-open.example",
        "reg2@sh-open.example",
    ]
    assert emails(admin.get("/api/v1/users", params={"role": "auditor"})) == [
        "auditor@bank.example"
    ]
    first = admin.get("/api/v1/users", params={"institution": "JS-VC"}).json()["users"][0]
    assert set(first) == {
        "id",
        "email",
        "role",
        "institution",
        "enabled",
        "has_password",
        "created_at",
    }
    assert first["enabled"] is True and first["has_password"] is False
    with live_bank.database.unit_of_work() as uow:
        service.set_user_enabled(
            uow=uow, email="reg2@sh-open.example", enabled=False, now=datetime.now(UTC)
        )
    assert emails(admin.get("/api/v1/users", params={"enabled": "false"})) == [
        "reg2@sh-open.example"
    ]
    assert "reg2@sh-open.example" not in emails(
        clients.auditor.get("/api/v1/users", params={"enabled": "true"})
    )
    walked: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = admin.get("/api/v1/users", params=params).json()
        walked.extend(user["email"] for user in answer["users"])
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert len(walked) == len(set(walked)) == 5
    assert admin.get("/api/v1/users", params={"role": "dean"}).status_code == 422


def test_a_disabled_users_token_is_refused_until_enabled(
    clients: Clients, live_bank: LiveBank
) -> None:
    token = _client(live_bank, clients.registrar_token)
    with token:
        assert token.get("/api/v1/institutions/SH-OPEN").status_code == 200
        with live_bank.database.unit_of_work() as uow:
            admin = service.principal_for(uow=uow, email="admin@bank.example")
            handlers.disable_user(DisableUser("reg2@sh-open.example"), principal=admin, uow=uow)
        refused = token.get("/api/v1/institutions/SH-OPEN")
        assert refused.status_code == 401
        assert refused.json()["detail"] == "the API token is unknown or revoked"
        with live_bank.database.unit_of_work() as uow:
            service.set_user_enabled(
                uow=uow, email="reg2@sh-open.example", enabled=True, now=datetime.now(UTC)
            )
        assert token.get("/api/v1/institutions/SH-OPEN").status_code == 200


def test_an_institution_opened_over_the_api_is_audited(
    clients: Clients, live_bank: LiveBank
) -> None:
    opened = clients.admin.post(
        "/api/v1/institutions",
        json={"code": "NEW-U", "name": "新大学", "type": "university", "region": "CN-BJ"},
    )
    assert opened.status_code == 201, opened.text
    with live_bank.database.unit_of_work() as uow:
        admin_id = service.principal_for(uow=uow, email="admin@bank.example").user_id
        entries = uow.session.scalars(
            select(AdminActionRow).where(AdminActionRow.institution == "NEW-U")
        ).all()
    assert [(e.actor_id, e.action, e.target_kind, e.target, e.detail) for e in entries] == [
        (admin_id, "institution.add", "institution", "NEW-U", "university")
    ]
    refused = clients.auditor.post(
        "/api/v1/institutions", json={"code": "NEW-V", "name": "另一所", "type": "university"}
    )
    assert refused.status_code == 403
    with live_bank.database.unit_of_work() as uow:
        assert not uow.session.scalars(
            select(AdminActionRow).where(AdminActionRow.institution == "NEW-V")
        ).all()


# --- two administrators edit one institution at once: one wins ------------------------------------


def _racing_bank(database: Database) -> tuple[Principal, Principal]:
    with database.unit_of_work() as uow:
        service.add_institution(
            uow=uow, code="RACE-U", name="竞赛大学", type=InstitutionType.UNIVERSITY
        )
        for email in ("first@bank.example", "second@bank.example"):
            service.add_user(uow=uow, email=email, role=Role.BANK_ADMIN)
        return (
            service.principal_for(uow=uow, email="first@bank.example"),
            service.principal_for(uow=uow, email="second@bank.example"),
        )


@pytest.mark.own_database
def test_two_admins_edit_one_version_one_wins(database: Database) -> None:
    admins = _racing_bank(database)
    start = threading.Barrier(len(admins))
    won: list[Institution] = []
    refused: list[DomainError] = []
    broken: list[BaseException] = []

    def edit(principal: Principal, region: str) -> None:
        command = EditInstitution("RACE-U", version=1, name="竞赛大学", region=region)
        try:
            start.wait()
            with database.unit_of_work() as uow:
                won.append(handlers.edit_institution(command, principal=principal, uow=uow))
        except DomainError as error:
            refused.append(error)
        except BaseException as error:  # noqa: BLE001 - reported below
            broken.append(error)

    threads = [
        threading.Thread(target=edit, args=(principal, region))
        for principal, region in zip(admins, ("CN-SH", "CN-BJ"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert broken == []
    assert len(won) == 1 and [error.code for error in refused] == ["institution_changed"]
    with database.unit_of_work() as uow:
        now = service.get_institution(uow=uow, code="RACE-U")
        edits = uow.session.scalars(
            select(AdminActionRow).where(AdminActionRow.action == "institution.edit")
        ).all()
    assert now.version == 2 and now.region == won[0].region
    assert [(e.target, e.detail) for e in edits] == [("RACE-U", "region")]
    # the loser makes the change again on what it is now, and may
    again = EditInstitution(
        "RACE-U", version=2, name="竞赛大学", name_en="Race University", region=now.region
    )
    with database.unit_of_work() as uow:
        edited = handlers.edit_institution(again, principal=admins[1], uow=uow)
    assert (edited.version, edited.region, edited.name_en) == (3, now.region, "Race University")


@pytest.mark.own_database
def test_two_admins_disable_a_user_and_revoke_a_token_at_once_recorded_once(
    database: Database,
) -> None:
    admins = _racing_bank(database)
    with database.unit_of_work() as uow:
        service.add_user(
            uow=uow, email="staff@race-u.example", role=Role.REGISTRAR, institution="RACE-U"
        )
        token = service.create_token(uow=uow, email="staff@race-u.example").id
    start = threading.Barrier(len(admins))
    broken: list[BaseException] = []

    def act(principal: Principal) -> None:
        try:
            start.wait()
            with database.unit_of_work() as uow:
                handlers.disable_user(
                    DisableUser("staff@race-u.example"), principal=principal, uow=uow
                )
            with database.unit_of_work() as uow:
                handlers.revoke_token(RevokeToken(token), principal=principal, uow=uow)
        except BaseException as error:  # noqa: BLE001 - reported below
            broken.append(error)

    threads = [threading.Thread(target=act, args=(principal,)) for principal in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert broken == []  # both succeed: the second finds it done
    with database.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AdminActionRow.action).where(
                AdminActionRow.action.in_(["user.disable", "token.revoke"])
            )
        ).all()
        assert service.get_user(uow=uow, email="staff@race-u.example").enabled is False
    assert sorted(actions) == ["token.revoke", "user.disable"]
