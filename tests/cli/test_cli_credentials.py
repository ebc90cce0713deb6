"""`creditbank credentials ...` and `creditbank verify`, on SQLite and PostgreSQL: export an
outcome as a signed Open Badges 3.0 credential (JSON-LD and JWT) and as a CLR, verify each
(and a tampered copy, which fails with exit 1), manage keys as a registrar under the policy,
and suspend a credential so that verifying it fails.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from creditbank.accounts import outcomes
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from tests.bulk_files import add_college_with_course, course_outcome, open_learner
from tests.cli.runner import run


def _outcome(database: Database) -> str:
    with database.unit_of_work() as uow:
        add_college_with_course(uow)
        institutions.add_user(
            uow=uow, email="reg@jsvc.example", role=Role.REGISTRAR, institution="JSVC"
        )
        account = open_learner(uow, 3)
        deposited = outcomes.deposit_outcome(
            uow=uow,
            institution="JSVC",
            account_number=account,
            facts=course_outcome("CRED-1", score="88"),
            today=date(2026, 11, 22),
        )
    return deposited.outcome.public_id


def test_export_and_verify_each_format(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    outcome_id = _outcome(database)
    badge = tmp_path / "badge.json"
    run(initialised, "credentials", "export", outcome_id, "--output", str(badge))
    document = json.loads(badge.read_text(encoding="utf-8"))
    assert "OpenBadgeCredential" in document["type"]
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    verified = run(initialised, "verify", str(badge))
    assert "VERIFIED" in verified
    assert "✓ signature" in verified

    token = run(initialised, "credentials", "export", outcome_id, "--format", "jwt").strip()
    assert token.count(".") == 2
    jwt_file = tmp_path / "badge.jwt"
    jwt_file.write_text(token, encoding="utf-8")
    answer = json.loads(run(initialised, "verify", str(jwt_file), "--json"))
    assert answer["verified"] is True
    assert answer["format"] == "jwt"

    record = json.loads(run(initialised, "credentials", "export", outcome_id, "--format", "clr"))
    assert "ClrCredential" in record["type"]
    clr_file = tmp_path / "record.json"
    clr_file.write_text(json.dumps(record), encoding="utf-8")
    answer = json.loads(run(initialised, "verify", str(clr_file), "--json"))
    assert answer["verified"] is True
    assert [part["verified"] for part in answer["credentials"]] == [True]


def test_a_tampered_credential_fails_with_exit_1(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    outcome_id = _outcome(database)
    document = json.loads(run(initialised, "credentials", "export", outcome_id))
    document["credentialSubject"]["creditsEarned"] = 99
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    answer = json.loads(run(initialised, "verify", str(tampered), "--json", code=1))
    failed = {c["check"]: c["code"] for c in answer["checks"] if c["result"] == "failed"}
    # the changed credits break the signature, and the ledger's commitment, which the
    # credential's self-contained receipt lets any verifier recompute from the credential
    assert failed == {"signature": "bad_signature", "ledger": "commitment_mismatch"}
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("not a credential", encoding="utf-8")
    assert "NOT VERIFIED" in run(initialised, "verify", str(garbage), code=1)


def test_keys_and_status_under_the_policy(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    outcome_id = _outcome(database)
    document = json.loads(run(initialised, "credentials", "export", outcome_id))
    credential_id = document["id"].removeprefix("urn:uuid:")
    listed = run(initialised, "credentials", "keys", "list", "JSVC")
    assert "#key-1" in listed

    refused = run(
        initialised, "credentials", "keys", "rotate", "bank", "--as", "reg@jsvc.example", code=1
    )
    assert "may not" in refused
    rotated = run(initialised, "credentials", "keys", "rotate", "JSVC", "--as", "reg@jsvc.example")
    assert rotated.strip().endswith("#key-2")

    run(
        initialised,
        "credentials",
        "status",
        credential_id,
        "--purpose",
        "suspension",
        "--reason",
        "under review",
        "--as",
        "reg@jsvc.example",
    )
    saved = tmp_path / "badge.json"
    saved.write_text(json.dumps(document), encoding="utf-8")
    answer = json.loads(run(initialised, "verify", str(saved), "--json", code=1))
    assert {c["check"]: c["code"] for c in answer["checks"] if c["result"] == "failed"} == {
        "status": "suspended"
    }
    run(
        initialised,
        "credentials",
        "status",
        credential_id,
        "--purpose",
        "suspension",
        "--reason",
        "cleared",
        "--lift",
        "--as",
        "reg@jsvc.example",
    )
    assert json.loads(run(initialised, "verify", str(saved), "--json"))["verified"] is True
