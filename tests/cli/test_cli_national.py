"""`creditbank national ...`, `creditbank alliances ...` and `creditbank joint ...` on both
databases: a pilot school registered, its signed batch handed over as a file and counted once, a
bad one refused naming each reference, the figures with small counts suppressed; sending with
nothing new refused; joining an alliance with four eyes, leaving it, each logged; a joint scheme
defined, an assessment deposited under it at each body, the outcomes linked."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger import notes
from creditbank.national.model import make_batch, signed_text
from creditbank.settings import get_settings
from tests.bulk_files import id_number
from tests.cli.runner import run

ADMIN1, ADMIN2 = "admin1@bank.example", "admin2@bank.example"
SCHOOL = "school.example/results"


def _batch(private: str, references: list[dict[str, Any]]) -> bytes:
    made: dict[str, Any] = {
        **make_batch(sender=SCHOOL, sent_at="2026-12-07T10:00:00Z", references=[]),
        "references": references,
    }
    made["signature"] = notes.sign(signed_text(made), [notes.Signer.from_private_key(private)])
    return json.dumps(made).encode()


def _reference(n: int, **changes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "origin": SCHOOL,
        "leaf_index": n,
        "leaf_hash": base64.b64encode(hashlib.sha256(f"cli {n}".encode()).digest()).decode(),
        "item": {"owner": "GZVC", "code": "X-WEB-1", "kind": "x_certificate"},
        "level": {"framework": "XCERT", "version": 1, "code": "intermediate"},
        "credits": None,
        "year": 2025,
    }
    found.update(changes)
    return found


def test_national_from_the_command_line(initialised: CliRunner, tmp_path: Path) -> None:
    run(initialised, "users", "add", ADMIN1, "--role", "bank_admin")
    private, key = notes.generate_key(SCHOOL)
    registered = json.loads(
        run(
            initialised,
            "national",
            "register-school",
            "GZ-VC-01",
            "--as",
            ADMIN1,
            "--name",
            "广州某职业学院",
            "--origin",
            SCHOOL,
            "--key",
            key,
            "--json",
        )
    )
    assert registered["origin"] == SCHOOL
    assert "GZ-VC-01" in run(initialised, "national", "schools")
    good = tmp_path / "batch.json"
    good.write_bytes(_batch(private, [_reference(n) for n in range(3)]))
    taken = json.loads(run(initialised, "national", "receive", str(good), "--json"))
    assert (taken["references"], taken["new_references"]) == (3, 3)
    assert "3 references, 0 new" in run(initialised, "national", "receive", str(good))
    bad = tmp_path / "bad.json"
    bad.write_bytes(_batch(private, [_reference(0), _reference(1, year=3000)]))
    refused = run(initialised, "national", "receive", str(bad), code=1)
    assert "reference 2: year must be a whole number" in refused
    figures = json.loads(
        run(initialised, "national", "counts", "--kind", "x_certificate", "--json")
    )
    assert figures["total"] == {"count": None, "shown": "<10"}
    assert "<10" in run(initialised, "national", "counts", "--year", "2025")
    assert "item must be OWNER/CODE" in run(
        initialised, "national", "counts", "--item", "X", code=1
    )
    batches = json.loads(run(initialised, "national", "batches", "--json"))
    assert [b["new_references"] for b in batches] == [0, 3]
    nothing = run(
        initialised, "national", "send", "--as", ADMIN1, "--to", "http://127.0.0.1:9", code=1
    )
    assert "no outcome was deposited" in nothing


def test_alliances_from_the_command_line(initialised: CliRunner) -> None:
    for email in (ADMIN1, ADMIN2):
        run(initialised, "users", "add", email, "--role", "bank_admin")
    proposed = json.loads(
        run(
            initialised,
            "alliances",
            "join",
            "OU-MUTUAL",
            "--as",
            ADMIN1,
            "--name",
            "开放大学学习成果互认联盟",
            "--member",
            "bank-a.example/log",
            "--member",
            "bank-b.example/log",
            "--framework",
            "CQF",
            "--valid-from",
            "2026-01-01",
            "--json",
        )
    )
    assert proposed["status"] == "proposed"
    assert "four eyes" in run(
        initialised, "alliances", "approve", "OU-MUTUAL", "--as", ADMIN1, code=1
    )
    approved = run(initialised, "alliances", "approve", str(proposed["id"]), "--as", ADMIN2)
    assert "logged: alliance.joined" in approved
    assert "bank-b.example/log" in run(initialised, "alliances", "list")
    left = json.loads(
        run(
            initialised,
            "alliances",
            "leave",
            "OU-MUTUAL",
            "--as",
            ADMIN1,
            "--reason",
            "ended",
            "--json",
        )
    )
    assert (left["status"], left["receipt"]["kind"]) == ("left", "alliance.left")
    assert json.loads(run(initialised, "alliances", "list", "--status", "joined", "--json")) == []


def test_joint_from_the_command_line(initialised: CliRunner, database: Database) -> None:
    run(initialised, "users", "add", ADMIN1, "--role", "bank_admin")
    with database.unit_of_work() as uow:
        for code, item, framework, level in (
            ("GDVTC", "CAD-GD", "GDLEQF", "4"),
            ("MOVTC", "CAD-MO", "LOFOUC", "5"),
        ):
            institutions.add_institution(
                uow=uow, code=code, name=f"{code} 学院", type=InstitutionType.TECHNICAL_SCHOOL
            )
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=code,
                    code=item,
                    kind=ItemKind.VOCATIONAL_QUALIFICATION,
                    name=f"计算机辅助设计 {code}",
                    framework=framework,
                    levels=(level,),
                ),
                on=date(2025, 1, 1),
            )
        cipher = PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())
        account = accounts.open_account(
            uow=uow, cipher=cipher, id_number=parse_id_number(id_number(51)), name="陈小明"
        ).number
    defined = run(
        initialised,
        "joint",
        "define",
        "GBA-CAD",
        "--as",
        ADMIN1,
        "--name",
        "计算机辅助设计一试两证",
        "--result",
        "pass",
        "--body",
        "GDVTC:CAD-GD:pass=4",
        "--body",
        "MOVTC:CAD-MO:pass=5",
    )
    assert "GDVTC  CAD-GD  pass=4" in defined
    assert "--body must read" in run(
        initialised,
        "joint",
        "define",
        "X",
        "--as",
        ADMIN1,
        "--name",
        "x",
        "--result",
        "pass",
        "--body",
        "GDVTC",
        code=1,
    )
    assert "GBA-CAD" in run(initialised, "joint", "schemes")
    made = json.loads(
        run(
            initialised,
            "joint",
            "deposit",
            "GBA-CAD",
            account,
            "--as",
            ADMIN1,
            "--record-id",
            "GBA-1",
            "--result",
            "pass",
            "--assessed-on",
            "2025-06-30",
            "--json",
        )
    )
    assert [o["institution"] for o in made["outcomes"]] == ["GDVTC", "MOVTC"]
    linked = json.loads(
        run(initialised, "joint", "linked", made["outcomes"][1]["outcome"], "--json")
    )
    assert linked == [made["outcomes"][0]]
