"""`creditbank account show`: a transcript by framework level; personal data only on purpose."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from creditbank.accounts import lifecycle, outcomes, service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import (
    LearningSetting,
    OutcomeFacts,
    parse_id_number,
    resident_check_character,
)
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.settings import get_settings
from tests.bulk_files import add_college_with_course
from tests.cli.conftest import Once
from tests.cli.runner import run

FIRST = "32058219870214567"
ID_NUMBER = FIRST + resident_check_character(FIRST)
NAME = "钱晓东"


def facts(record_id: str, level: str = "4") -> OutcomeFacts:
    return OutcomeFacts(
        record_id=record_id,
        item_code="CAD-201" if level == "4" else "CAD-301",
        level=level,
        credits=Decimal(3),
        score=Decimal("91.5"),
        assessed_on=date(2024, 6, 30),
        setting=LearningSetting.FORMAL,
    )


@pytest.fixture
def account(initialised: CliRunner, database: Database, once: Once) -> str:
    """An account with three outcomes of JSVC at LOFOUC 4 and 5, one of them revoked (built
    once per backend: see tests/cli/conftest.py)."""
    return once("account", lambda: _build(initialised, database))


def _build(initialised: CliRunner, database: Database) -> str:
    run(initialised, "users", "add", "admin@bank.example", "--role", "bank_admin")
    settings = get_settings()
    cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    with database.unit_of_work() as uow:
        add_college_with_course(uow)
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="JSVC",
                code="CAD-301",
                kind=ItemKind.COURSE,
                name="高级计算机辅助设计",
                framework="LOFOUC",
                levels=("5",),
                credits=Decimal(3),
            ),
            on=date(2026, 11, 22),
        )
        registrar = institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
        number = service.open_account(
            uow=uow, cipher=cipher, id_number=parse_id_number(ID_NUMBER), name=NAME
        ).number
        for record, level in (("R-1", "4"), ("R-2", "4"), ("R-3", "5")):
            outcomes.deposit_outcome(
                uow=uow,
                institution="JSVC",
                account_number=number,
                facts=facts(record, level),
                today=date(2026, 11, 22),
            )
    with database.unit_of_work() as uow:
        public_id = outcomes.transcript(uow=uow, account_number=number).outcomes[1].public_id
        lifecycle.revoke_outcome(uow=uow, public_id=public_id, user_id=registrar.id, reason="x")
    return number


def audit_entries(database: Database, number: str) -> list[str]:
    with database.unit_of_work() as uow:
        return [entry.purpose for entry in service.access_log(uow=uow, number=number)]


def test_the_transcript_by_level_without_personal_data(
    initialised: CliRunner, database: Database, account: str
) -> None:
    text = run(initialised, "account", "show", account.lower())
    assert f"Account {account}: 3 outcomes" in text
    assert text.index("LOFOUC v1 · 5") < text.index("LOFOUC v1 · 4")  # highest level first
    assert "revoked" in text and "deposited" in text and "CAD-301" in text
    assert NAME not in text and ID_NUMBER not in text
    body = json.loads(run(initialised, "account", "show", account, "--json"))
    assert body["account_number"] == account and body["personal_data"] is None
    assert [(o["record_id"], o["status"]) for o in body["outcomes"]] == [
        ("R-1", "deposited"),
        ("R-2", "revoked"),
        ("R-3", "deposited"),
    ]
    assert NAME not in json.dumps(body, ensure_ascii=False)
    revoked = json.loads(
        run(initialised, "account", "show", account, "--status", "revoked", "--json")
    )
    assert [o["record_id"] for o in revoked["outcomes"]] == ["R-2"]
    chinese = run(initialised, "--lang", "zh", "account", "show", account)
    assert "已撤销" in chinese and "共 3 条学习成果" in chinese
    assert audit_entries(database, account) == []


def test_personal_data_only_on_purpose_and_audited(
    initialised: CliRunner, database: Database, account: str
) -> None:
    show = ("account", "show", account, "--with-personal-data")
    assert "needs --purpose and --user" in run(initialised, *show, code=1)
    assert "go with --with-personal-data" in run(
        initialised, "account", "show", account, "--purpose", "x", code=1
    )
    refused = run(initialised, *show, "--purpose", "appeal", "--user", "reg@jsvc.example", code=1)
    assert "may not read learners' personal data" in refused and NAME not in refused
    assert "there is no user" in run(
        initialised, *show, "--purpose", "appeal", "--user", "who@x.example", code=1
    )
    assert "purpose of 1 to 200" in run(
        initialised, *show, "--purpose", " ", "--user", "admin@bank.example", code=1
    )
    assert audit_entries(database, account) == []
    text = run(
        initialised, *show, "--purpose", "learner asked by phone", "--user", "admin@bank.example"
    )
    assert NAME in text and ID_NUMBER in text and "1987-02-14" in text
    body = json.loads(
        run(initialised, *show, "--purpose", "export", "--user", "admin@bank.example", "--json")
    )
    assert body["personal_data"]["name"] == NAME and len(body["outcomes"]) == 3
    assert audit_entries(database, account) == ["learner asked by phone", "export"]


def test_unknown_accounts_and_institutions(initialised: CliRunner, account: str) -> None:
    assert "there is no account CB000000000000" in run(
        initialised, "account", "show", "CB000000000000", code=1
    )
    assert "is not an account number" in run(initialised, "account", "show", "12345", code=1)
    assert "there is no institution NOWHERE" in run(
        initialised, "account", "show", account, "--institution", "NOWHERE", code=1
    )
    body = json.loads(
        run(initialised, "account", "show", account, "--institution", "jsvc", "--json")
    )
    assert len(body["outcomes"]) == 3
