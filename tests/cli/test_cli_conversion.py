"""`creditbank programmes`, `rules`, `progress`, `convert` and `conversions` on both databases.

The world is the small 1+X world of ``tests/conversion_world.py``; `--json` output is compared
with what the HTTP API answers for the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from creditbank.bootstrap import build_app
from creditbank.conversion.tables import ConversionRow, ProgrammeRow, RuleRow
from creditbank.db import Database
from creditbank.institutions import service as institutions
from tests import conftest as shared
from tests import conversion_world as world
from tests.cli.conftest import Once
from tests.cli.runner import run

ON = world.ON.isoformat()
ADMIN1, ADMIN2 = world.ADMINS

RULE_TOML = """\
institution = "SHVC"
programme = "SHVC-BIM-DIP"
code = "BIMX-INT"
name = "BIM 中级证书免修 BIM 课程"
valid_from = 2025-09-01

[[sources]]
item = "BIMTEO:BIM-X"
level = { framework = "1X", level = "intermediate" }
at_least = true

[[targets]]
kind = "component"
component = "BIM-101"

[[targets]]
kind = "component"
component = "BIM-102"
"""

ELECTIVE_RULE = {
    "institution": "SHVC",
    "programme": "SHVC-BIM-DIP",
    "code": "DRAW-ELECTIVE",
    "name": "制图课程计选修学分",
    "sources": [{"item": "SHVC:DRAW-100"}],
    "targets": [{"kind": "elective", "credits": 1.5, "category": "general"}],
    "conditions": {"min_score": 60},
    "valid_from": "2025-09-01",
}

PROGRAMME_TOML = """\
code = "SHVC-BIM-CERT"
institution = "SHVC"
item = "DIP-CE"
name = "BIM 技术应用（专项证书）"
name_en = "BIM applications (certificate)"
total_credits = 9
category_credits = { core = 7 }

[[components]]
code = "BIM-101"
name = "BIM 建模"
credits = 4
category = "core"
mandatory = true
item = "BIM-101"

[[components]]
code = "BIM-102"
name = "BIM 应用"
credits = 3
category = "core"
item = "SHVC:BIM-102"

[caps]
per_source_item = 4.5
programme_share = 0.5
"""


@dataclass(frozen=True)
class World:
    cli: CliRunner
    database: Database
    api: TestClient
    users: world.Users
    learner: str
    """A learner holding the BIM-X certificate at intermediate level."""


def _build(database: Database) -> tuple[world.Users, str, str]:
    with database.unit_of_work() as uow:
        users = world.build(uow)
        learner = world.x_certificate_holder(uow, 1)
        secret = institutions.create_token(uow=uow, email=ADMIN1).secret
    return users, learner, secret


@pytest.fixture
def built(initialised: CliRunner, database: Database, once: Once) -> Iterator[World]:
    """The 1+X world (no rules yet), a learner, and an API client acting as a bank admin (the
    world built once per backend: see tests/cli/conftest.py), on the test's database."""
    users, learner, secret = once("built", lambda: _build(database))
    app = build_app(shared.test_settings(database.url), database)
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    with TestClient(app, headers=headers) as api:
        yield World(initialised, database, api, users, learner)


@pytest.fixture
def with_rule(built: World) -> World:
    """The world with SHVC's rule approved: BIM-X intermediate+ exempts BIM-101 and BIM-102."""
    with built.database.unit_of_work() as uow:
        world.approved(uow, built.users, world.x_certificate_rule(), "SHVC")
    return built


def count(database: Database, table: Any) -> int:
    with database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(table)) or 0


def api_json(built: World, path: str, **params: str) -> Any:
    response = built.api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_rule_is_drafted_submitted_and_approved_by_another(built: World, tmp_path: Path) -> None:
    cli = built.cli
    rule_file = tmp_path / "rule.toml"
    rule_file.write_text(RULE_TOML, encoding="utf-8")
    elective_file = tmp_path / "elective.json"
    elective_file.write_text(json.dumps(ELECTIVE_RULE, ensure_ascii=False), encoding="utf-8")

    refused = run(cli, "rules", "draft", str(rule_file), "--as", world.TEO_REGISTRAR, code=1)
    assert "a registrar of BIMTEO may not draft conversion rules for SHVC" in refused
    drafted = json.loads(
        run(cli, "rules", "draft", str(rule_file), "--as", world.SHVC_REGISTRAR, "--json")
    )
    assert (drafted["code"], drafted["version"], drafted["status"]) == ("BIMX-INT", 1, "draft")
    assert drafted["author"] == world.SHVC_REGISTRAR
    rule = str(drafted["id"])
    assert "is draft; it cannot become approved" in run(
        cli, "rules", "approve", rule, "--as", ADMIN1, code=1
    )
    submitted = run(cli, "rules", "submit", rule, "--as", world.SHVC_REGISTRAR)
    assert f"Rule BIMX-INT v1 (id {rule}) is submitted" in submitted

    # a bank administrator drafts and submits another rule; approving it is refused to them
    own = json.loads(run(cli, "rules", "draft", str(elective_file), "--as", ADMIN1, "--json"))
    other = str(own["id"])
    run(cli, "rules", "submit", other, "--as", ADMIN1)
    listed = json.loads(run(cli, "rules", "list", "--status", "submitted", "--json"))
    assert [r["id"] for r in listed] == [drafted["id"], own["id"]]
    assert listed == api_json(built, "/api/v1/rules", status="submitted")
    four_eyes = run(cli, "rules", "approve", other, "--as", ADMIN1, code=1)
    assert (
        "rule DRAW-ELECTIVE v1 was drafted by you; another administrator must approve or "
        "reject it" in four_eyes
    )
    assert "a registrar of SHVC may not approve conversion rules for SHVC" in run(
        cli, "rules", "approve", rule, "--as", world.SHVC_REGISTRAR, code=1
    )
    assert "there is no user nobody@bank.example" in run(
        cli, "rules", "approve", rule, "--as", "nobody@bank.example", code=1
    )
    rejected = run(cli, "rules", "reject", other, "--as", ADMIN2, "--reason", "not a BIM course")
    assert f"Rule DRAW-ELECTIVE v1 (id {other}) is rejected" in rejected

    approved = run(cli, "rules", "approve", rule, "--as", ADMIN1, "--note", "syllabus checked")
    assert f"Rule BIMX-INT v1 (id {rule}) is approved" in approved
    assert "Logged in the ledger: entry" in approved
    shown = json.loads(run(cli, "rules", "show", rule, "--json"))
    assert shown == api_json(built, f"/api/v1/rules/{rule}")
    assert [(e["kind"], e["by"], e["reason"]) for e in shown["history"]] == [
        ("submitted", world.SHVC_REGISTRAR, ""),
        ("approved", ADMIN1, "syllabus checked"),
    ]
    text = run(cli, "rules", "show", rule)
    assert "BIMTEO:BIM-X 1X:intermediate+" in text
    assert "component:BIM-101; component:BIM-102" in text
    assert json.loads(run(cli, "rules", "list", "--status", "submitted", "--json")) == []
    table = run(cli, "rules", "list", "--programme", world.DIPLOMA, "--institution", "SHVC")
    assert "BIMX-INT v1" in table and "DRAW-ELECTIVE v1" in table and "rejected" in table

    retire = ("rules", "retire", rule, "--as", world.SHVC_REGISTRAR, "--reason", "new syllabus")
    assert "--from must be a date like 2025-09-01" in run(cli, *retire, "--from", "soon", code=1)
    retired = run(cli, *retire, "--from", "2027-09-01")
    assert f"(id {rule}) is retired" in retired and "Retired from 2027-09-01" in retired
    assert json.loads(run(cli, "rules", "show", rule, "--json"))["retired_from"] == "2027-09-01"


def test_progress_convert_and_confirm(with_rule: World) -> None:
    built, cli, number = with_rule, with_rule.cli, with_rule.learner
    progress = json.loads(
        run(cli, "progress", number, "--programme", world.DIPLOMA, "--on", ON, "--json")
    )
    assert progress == api_json(
        built, f"/api/v1/accounts/{number}/progress", programme=world.DIPLOMA, on=ON
    )
    plan = progress["plan"]
    assert [(g["rule"], g["target"]["component"]) for g in plan["grants"]] == [
        ("BIMX-INT", "BIM-101")
    ]
    assert plan["total"] == "4.0" and plan["passed_over"]  # BIM-102 does not fit the 6 cap
    text = run(cli, "progress", number, "--programme", world.DIPLOMA, "--on", ON)
    assert "BIMX-INT v1 BIM 中级证书免修 BIM 课程: applies: offers 7.0 credits" in text
    assert "+ BIMX-INT v1 → component:BIM-101: 4.0 of 4.0 credits" in text
    assert "- BIMX-INT v1" in text and "cap leaves no room for BIM-102" in text  # passed over
    assert "✗ BIM-102 BIM 应用 · 3.0 credits" in text  # missing even with the plan
    assert "The plan grants 4.0 credits; with it 4.0 of 60.0 credits" in text
    other = run(cli, "progress", number, "--programme", world.X_PROGRAMME, "--on", ON)
    assert "✗ THEORY 理论考试 · 2.0 credits · mandatory" in other
    assert "No approved rule for this programme" in other

    assert count(built.database, ConversionRow) == 0
    convert = ("convert", number, "--programme", world.DIPLOMA, "--on", ON)
    proposed = json.loads(run(cli, *convert, "--dry-run", "--json"))
    assert proposed["status"] == "pending" and proposed["total"] == "4.0"
    assert "Dry run: nothing was stored" in run(cli, *convert, "--dry-run")
    assert count(built.database, ConversionRow) == 0
    assert "the learner has not consented to SHVC reading their record" in run(
        cli, *convert, "--as", world.SHVC_REGISTRAR, code=1
    )
    requested = json.loads(run(cli, *convert, "--as", ADMIN1, "--json"))
    assert count(built.database, ConversionRow) == 1
    assert requested["status"] == "pending" and requested["requested_by"] == ADMIN1
    assert [g["granted"] for g in requested["grants"]] == ["4.0"]
    again = run(cli, *convert, code=1)
    assert "no approved rule converts anything more toward SHVC-BIM-DIP" in again
    assert count(built.database, ConversionRow) == 1

    conversion = requested["id"]
    shown = json.loads(run(cli, "conversions", "show", conversion, "--json"))
    assert shown == api_json(built, f"/api/v1/conversions/{conversion}")
    assert "a registrar of BIMTEO may not decide on conversions for SHVC" in run(
        cli, "conversions", "confirm", conversion, "--as", world.TEO_REGISTRAR, code=1
    )
    confirmed = run(cli, "conversions", "confirm", conversion, "--as", world.SHVC_REGISTRAR)
    assert f"Conversion {conversion} of {number} toward SHVC-BIM-DIP: confirmed" in confirmed
    decided = json.loads(run(cli, "conversions", "show", conversion, "--json"))
    transferred = decided["grants"][0]["transferred"]
    assert decided["status"] == "confirmed" and transferred
    account = json.loads(run(cli, "account", "show", number, "--json"))
    deposited = {o["id"]: o for o in account["outcomes"]}
    assert deposited[transferred]["credits"] == "4.0"
    assert deposited[transferred]["record_id"] == f"conversion/{conversion}/0"
    assert "is confirmed; it cannot be confirmed" in run(
        cli, "conversions", "confirm", conversion, "--as", world.SHVC_REGISTRAR, code=1
    )
    after = json.loads(
        run(cli, "progress", number, "--programme", world.DIPLOMA, "--on", ON, "--json")
    )
    assert [m["component"] for m in after["met"] if m["transferred"]] == ["BIM-101"]


def test_a_declined_conversion_frees_its_sources(with_rule: World) -> None:
    cli, number = with_rule.cli, with_rule.learner
    convert = ("convert", number, "--programme", world.DIPLOMA, "--on", ON)
    first = run(cli, *convert)
    assert "pending" in first and "SHVC confirms or declines it" in first
    conversion = json.loads(
        run(cli, "progress", number, "--programme", world.DIPLOMA, "--on", ON, "--json")
    )["met"][0]["by"]
    assert "give a reason" in run(
        cli, "conversions", "decline", conversion, "--as", ADMIN2, "--reason", " ", code=1
    )
    declined = run(
        cli, "conversions", "decline", conversion, "--as", ADMIN2, "--reason", "wrong learner"
    )
    assert "declined" in declined and "wrong learner" in declined
    assert "pending" in run(cli, *convert)  # the certificate is free for a new request
    assert "there is no conversion nope" in run(cli, "conversions", "show", "nope", code=1)


def test_programmes_add_and_show(built: World, tmp_path: Path) -> None:
    cli = built.cli
    file = tmp_path / "certificate.toml"
    file.write_text(PROGRAMME_TOML, encoding="utf-8")
    added = json.loads(
        run(cli, "programmes", "add", str(file), "--by", world.SHVC_REGISTRAR, "--json")
    )
    assert added["code"] == "SHVC-BIM-CERT" and added["institution"] == "SHVC"
    shown = json.loads(run(cli, "programmes", "show", "SHVC-BIM-CERT", "--json"))
    assert shown == api_json(built, "/api/v1/programmes/SHVC-BIM-CERT")
    assert [c["item"] for c in shown["components"]] == ["SHVC:BIM-101", "SHVC:BIM-102"]
    assert shown["programme_cap"] == "4.5" and shown["caps"]["per_source_item"] == "4.5"
    text = run(cli, "programmes", "show", "SHVC-BIM-CERT")
    assert "SHVC-BIM-CERT BIM applications (certificate) · SHVC · 9.0 credits" in text
    assert "per_source_item 4.5, programme_share 0.500" in text and "BIM-102" in text
    again = run(cli, "programmes", "add", str(file), code=1)
    assert "programme SHVC-BIM-CERT exists already" in again
    assert "there is no programme NOPE" in run(cli, "programmes", "show", "NOPE", code=1)


BAD_PROGRAMMES = {
    "syntax.toml": ('code = "X"\nname = ', "syntax.toml cannot be parsed"),
    "list.json": ("[1, 2]", "list.json must hold one table/object"),
    "shape.toml": (
        PROGRAMME_TOML.replace('name = "BIM 技术应用（专项证书）"\n', "").replace(
            "credits = 4\n", "credit = 4\n"
        ),
        (
            "shape.toml is not a valid programme definition; components[0].credit: unknown key; "
            "name: Field required"
        ),
    ),
    "items.toml": (
        PROGRAMME_TOML.replace('item = "DIP-CE"', 'item = "NOPE"').replace(
            'item = "SHVC:BIM-102"', 'item = "BIMTEO:BIM-102"'
        ),
        (
            "programme SHVC-BIM-CERT cannot be defined; there is no catalogue item NOPE; there "
            "is no catalogue item BIMTEO:BIM-102"
        ),
    ),
}


def test_bad_files_are_refused_naming_the_problem(built: World, tmp_path: Path) -> None:
    cli = built.cli
    programmes, rules = count(built.database, ProgrammeRow), count(built.database, RuleRow)
    for name, (content, expected) in BAD_PROGRAMMES.items():
        file = tmp_path / name
        file.write_text(content, encoding="utf-8")
        assert expected in run(cli, "programmes", "add", str(file), code=1), name
    assert "is not a file" in run(cli, "programmes", "add", str(tmp_path / "none.toml"), code=1)
    bad_rules = {
        "target.json": (
            json.dumps({**ELECTIVE_RULE, "targets": [{"kind": "component", "component": "X"}]}),
            "rule DRAW-ELECTIVE is not valid; programme SHVC-BIM-DIP has no component X",
        ),
        "typo.json": (
            json.dumps({**ELECTIVE_RULE, "conditions": {"min_scor": 60}}),
            "typo.json is not a valid rule definition; conditions.min_scor: unknown key",
        ),
        "date.toml": (
            RULE_TOML.replace("valid_from = 2025-09-01", 'valid_from = "soon"'),
            "date.toml is not a valid rule definition; valid_from: Input should be a valid date",
        ),
    }
    for name, (content, expected) in bad_rules.items():
        file = tmp_path / name
        file.write_text(content, encoding="utf-8")
        output = run(cli, "rules", "draft", str(file), "--as", world.SHVC_REGISTRAR, code=1)
        assert expected in output, (name, output)
    (tmp_path / "latin1.toml").write_bytes(b'name = "\xe9"')
    assert "is not UTF-8 text" in run(
        cli, "rules", "draft", str(tmp_path / "latin1.toml"), "--as", ADMIN1, code=1
    )
    assert count(built.database, ProgrammeRow) == programmes
    assert count(built.database, RuleRow) == rules
