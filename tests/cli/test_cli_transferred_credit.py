"""Transferred credit is recorded as what it is, on both databases.

A confirmed conversion deposits credits toward the programme (its transferred-credit item,
with the rule version and the source outcomes), never the course, qualification or X
certificate as if the learner earned it: the account, the log and the signed credential say
so. Conversions that an earlier version confirmed as the programme's own item are corrected
by ``creditbank conversions correct-transfers`` through the supersede path, logged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from creditbank.accounts import api as accounts
from creditbank.accounts.tables import OutcomeRow
from creditbank.bootstrap import build_app
from creditbank.catalog.tables import CatalogItemRow
from creditbank.conversion import api as conversion_api
from creditbank.conversion import records as conversion_records
from creditbank.conversion.tables import (
    ConversionEventRow,
    ConversionGrantRow,
    ConversionRow,
    ProgrammeComponentRow,
    ProgrammeRow,
)
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.ledger import api as ledger
from tests import conftest as shared
from tests import conversion_world as world
from tests.cli.conftest import Once
from tests.cli.runner import run
from tests.support.tamper import tamper
from tests.support.v1_records import deposited_fact_v1

ON = world.ON.isoformat()
ADMIN1, _ADMIN2 = world.ADMINS


@dataclass(frozen=True)
class World:
    cli: CliRunner
    database: Database
    api: TestClient
    learner: str


def _build(database: Database) -> tuple[str, str]:
    with database.unit_of_work() as uow:
        users = world.build(uow)
        learner = world.x_certificate_holder(uow, 1)
        world.approved(uow, users, world.x_certificate_rule(), "SHVC")
        secret = institutions.create_token(uow=uow, email=ADMIN1).secret
    return learner, secret


@pytest.fixture
def bank(initialised: CliRunner, database: Database, once: Once) -> Iterator[World]:
    """The 1+X world with SHVC's approved rule (BIM-X intermediate+ exempts BIM-101) and a
    learner holding the certificate; an API client acting as a bank administrator (the world
    built once per backend: see tests/cli/conftest.py), on the test's database."""
    learner, secret = once("bank", lambda: _build(database))
    app = build_app(shared.test_settings(database.url), database)
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    with TestClient(app, headers=headers) as api:
        yield World(initialised, database, api, learner)


def _request(bank: World) -> str:
    convert = ("convert", bank.learner, "--programme", world.DIPLOMA, "--on", ON)
    return str(json.loads(run(bank.cli, *convert, "--as", ADMIN1, "--json"))["id"])


def _account(bank: World) -> dict[str, Any]:
    return {
        o["id"]: o
        for o in json.loads(run(bank.cli, "account", "show", bank.learner, "--json"))["outcomes"]
    }


def test_a_confirmed_conversion_deposits_credit_toward_the_programme(
    bank: World, tmp_path: Path
) -> None:
    cli = bank.cli
    conversion = _request(bank)
    run(cli, "conversions", "confirm", conversion, "--as", world.SHVC_REGISTRAR)
    shown = json.loads(run(cli, "conversions", "show", conversion, "--json"))
    (grant,) = shown["grants"]
    outcomes = _account(bank)
    made = outcomes[grant["transferred"]]
    assert (made["item_code"], made["item_kind"]) == (f"TC.{world.DIPLOMA}", "transferred_credit")
    assert made["item_name"].startswith("转换学分：")
    assert made["transfer"] == {
        "conversion": conversion,
        "programme": world.DIPLOMA,
        "programme_name": made["transfer"]["programme_name"],
        "programme_name_en": made["transfer"]["programme_name_en"],
        "component": "BIM-101",
        "component_name": made["transfer"]["component_name"],
        "category": grant["target"]["category"],
        "rule": "BIMX-INT",
        "rule_version": 1,
        "sources": grant["sources"],
    }
    # the learner holds no BIM-101 course outcome: only the certificate and the credit
    assert [o["item_code"] for o in outcomes.values()].count("BIM-101") == 0
    english = run(cli, "--lang", "en", "account", "show", bank.learner)
    assert "4.0 credits transferred toward programme" in english
    assert "component" in english and "BIM-101) exempted, under rule BIMX-INT version 1" in english
    chinese = run(cli, "--lang", "zh", "account", "show", bank.learner)
    assert "转换学分" in chinese and "BIMX-INT" in chinese and "免修" in chinese

    # the signed credential says it is transferred credit, with a link to each source
    badge = tmp_path / "credit.json"
    run(cli, "credentials", "export", made["id"], "--output", str(badge))
    document = json.loads(badge.read_text(encoding="utf-8"))
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "ext:TransferredCredit"
    assert achievement["humanCode"] == f"TC.{world.DIPLOMA}"
    assert "BIMX-INT" in achievement["description"]
    assert "transferred toward programme" in achievement["description"]  # English half
    assert "转换" in achievement["description"]  # Chinese half
    links = [e["id"] for e in document["evidence"] if e.get("genre") == "TransferSource"]
    assert [link.rsplit("/", 2)[-2] for link in links] == grant["sources"]
    assert "VERIFIED" in run(cli, "verify", str(badge))
    assert "0 problems" in run(cli, "log", "verify")
    # an institution cannot deposit transferred credit itself
    refused = bank.api.post(
        "/api/v1/outcomes",
        json={
            "record_id": "forged-credit",
            "account_number": bank.learner,
            "institution": "SHVC",
            "item_code": f"TC.{world.DIPLOMA}",
            "level": "5",
            "assessed_on": ON,
            "setting": "formal",
        },
    )
    assert (refused.status_code, refused.json()["type"]) == (422, "/problems/invalid-outcome")
    # what the log commits to includes the transfer: changing it afterwards shows
    forged = json.dumps({**made["transfer"], "component": "BIM-102"})
    tamper(
        bank.database,
        f"UPDATE outcomes SET transfer = '{forged}' WHERE public_id = '{made['id']}'",  # noqa: S608 - the test's own values
    )
    tampered = run(cli, "log", "verify", code=1)
    assert f"outcome.deposited {made['id']} differs from what was logged" in tampered


def _confirm_as_before(database: Database, conversion: str) -> str:
    """Confirm ``conversion`` as versions before transferred credit did: the grant deposited
    as the programme component's own item (here the course BIM-101), logged as such. Returns
    the outcome's public id."""
    with database.unit_of_work() as uow:
        session = uow.session
        row = session.scalars(
            select(ConversionRow).where(ConversionRow.public_id == conversion)
        ).one()
        programme = session.get_one(ProgrammeRow, row.programme_id)
        (grant,) = session.scalars(
            select(ConversionGrantRow).where(ConversionGrantRow.conversion_id == row.id)
        ).all()
        item_id = session.scalars(
            select(ProgrammeComponentRow.item_id).where(
                ProgrammeComponentRow.programme_id == programme.id,
                ProgrammeComponentRow.code == grant.component,
            )
        ).one()
        assert item_id is not None
        item = session.get_one(CatalogItemRow, item_id)
        now = datetime.now(UTC)
        outcome = OutcomeRow(
            public_id=uuid.uuid4().hex,
            learner_id=row.learner_id,
            institution_id=programme.institution_id,
            record_id=f"conversion/{row.public_id}/{grant.position}",
            item_id=item_id,
            framework_level_id=item.levels[0].framework_level_id,
            credits=grant.granted,
            score=None,
            assessed_on=now.date(),
            setting="formal",
            evidence_sha256=None,
            deposited_at=now,
            batch_id=None,
            conversion_grant_id=grant.id,
        )
        session.add(outcome)
        session.flush()
        number = accounts.account_number_of(uow=uow, learner_id=row.learner_id)
        event = ConversionEventRow(
            conversion_id=row.id, kind="confirmed", reason="", by=world.SHVC_REGISTRAR, at=now
        )
        session.add(event)
        session.flush()
        confirmed = conversion_api.get_conversion(uow=uow, public_id=conversion)
        ledger.append(
            uow,
            [
                deposited_fact_v1(outcome, account_number=number, institution="SHVC"),
                conversion_records.conversion_fact(uow, replace(confirmed), event),
            ],
        )
        return outcome.public_id


def test_correct_transfers_supersedes_what_earlier_versions_confirmed(bank: World) -> None:
    cli = bank.cli
    conversion = _request(bank)
    old = _confirm_as_before(bank.database, conversion)
    assert _account(bank)[old]["item_code"] == "BIM-101"  # the false record, as it was
    command = ("conversions", "correct-transfers", "--reason", "transferred credit, not the course")

    refused = run(cli, *command, "--as", world.SHVC_REGISTRAR, code=1)
    assert "may not correct outcomes" in refused
    assert "give a reason" in run(
        cli, "conversions", "correct-transfers", "--reason", " ", "--as", ADMIN1, code=1
    )
    dry = json.loads(run(cli, *command, "--as", ADMIN1, "--dry-run", "--json"))
    assert dry["dry_run"] is True
    assert [(c["old_outcome"], c["new_outcome"], c["old_item"]) for c in dry["corrections"]] == [
        (old, None, "SHVC:BIM-101")
    ]
    assert _account(bank)[old]["status"] == "deposited"  # the dry run changed nothing

    text = run(cli, "--lang", "en", *command, "--as", ADMIN1)
    assert f"conversion {conversion}: outcome {old} (SHVC:BIM-101)" in text
    assert "1 outcomes corrected" in text
    outcomes = _account(bank)
    assert outcomes[old]["status"] == "superseded"
    (new,) = [o for o in outcomes.values() if o["item_kind"] == "transferred_credit"]
    assert new["status"] == "deposited"
    assert (new["credits"], new["transfer"]["conversion"]) == ("4.0", conversion)
    assert new["record_id"] == f"conversion/{conversion}/0/transfer"
    detail = bank.api.get(f"/api/v1/outcomes/{old}").json()
    assert detail["replaced_by"] == new["id"]
    assert detail["history"][-1]["reason"] == "transferred credit, not the course"
    shown = json.loads(run(cli, "conversions", "show", conversion, "--json"))
    assert shown["grants"][0]["transferred"] == new["id"]
    assert "0 problems" in run(cli, "log", "verify")

    again = run(cli, "--lang", "en", *command, "--as", ADMIN1)
    assert "Nothing to correct" in again

    # reversing the conversion now revokes the credit that stands (the correction), and only it
    reversed_ = bank.api.post(
        f"/api/v1/conversions/{conversion}/reverse", json={"reason": "forged certificate"}
    )
    assert reversed_.status_code == 200, reversed_.text
    outcomes = _account(bank)
    assert (outcomes[old]["status"], outcomes[new["id"]]["status"]) == ("superseded", "revoked")
    assert "0 problems" in run(cli, "log", "verify")
