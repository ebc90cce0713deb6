"""`creditbank catalog grant`, `catalog grants`, `catalog withdraw-grant` on both databases."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from creditbank import clock
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database
from tests.cli.runner import run


def prepare(cli: CliRunner, database: Database) -> None:
    for code, kind in (("TEO-BIM", "training_evaluation_organisation"), ("JSVC", "university")):
        run(cli, "institutions", "add", code, "--name", code, "--type", kind)
    with database.unit_of_work() as uow:  # the CLI has no command to add items
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="TEO-BIM",
                code="BIM-X",
                kind=ItemKind.X_CERTIFICATE,
                name="BIM",
                framework="1X",
                levels=("beginner",),
                provider="TEO-BIM",
                approval_round=1,
            ),
            on=date(2026, 11, 22),
        )


def test_grant_list_and_withdraw(initialised: CliRunner, database: Database) -> None:
    prepare(initialised, database)
    granted = json.loads(
        run(
            initialised,
            "catalog",
            "grant",
            "BIM-X",
            "--owner",
            "teo-bim",
            "--to",
            "JSVC",
            "--until",
            "2030-12-31",
            "--json",
        )
    )
    assert {k: granted[k] for k in ("owner", "item_code", "institution", "valid_until")} == {
        "owner": "TEO-BIM",
        "item_code": "BIM-X",
        "institution": "JSVC",
        "valid_until": "2030-12-31",
    }
    assert granted["valid_from"] == clock.today().isoformat() and granted["granted_by"] == "cli"
    assert "withdraw that grant first" in run(
        initialised, "catalog", "grant", "BIM-X", "--owner", "TEO-BIM", "--to", "JSVC", code=1
    )
    listed = json.loads(
        run(initialised, "catalog", "grants", "BIM-X", "--owner", "TEO-BIM", "--json")
    )
    assert [g["id"] for g in listed] == [granted["id"]]
    text = run(initialised, "catalog", "grants", "BIM-X", "--owner", "TEO-BIM")
    assert f"TEO-BIM:BIM-X → JSVC  {granted['valid_from']}/2030-12-31" in text
    withdrawn = run(initialised, "catalog", "withdraw-grant", str(granted["id"]), "--by", "ops")
    assert "withdrawn" in withdrawn
    again = json.loads(
        run(initialised, "catalog", "grants", "BIM-X", "--owner", "TEO-BIM", "--json")
    )
    assert again[0]["withdrawn_by"] == "ops" and again[0]["withdrawn_at"] is not None
    assert "was withdrawn already" in run(
        initialised, "catalog", "withdraw-grant", str(granted["id"]), code=1
    )


def test_refusals(initialised: CliRunner, database: Database) -> None:
    prepare(initialised, database)
    grant = ("catalog", "grant", "BIM-X", "--owner", "TEO-BIM", "--to", "JSVC")
    assert "--until must be a date like 2025-09-01" in run(
        initialised, *grant, "--until", "next year", code=1
    )
    assert "TEO-BIM has no catalogue item NOPE" in run(
        initialised, "catalog", "grant", "NOPE", "--owner", "TEO-BIM", "--to", "JSVC", code=1
    )
    assert "needs no grant" in run(
        initialised, "catalog", "grant", "BIM-X", "--owner", "TEO-BIM", "--to", "TEO-BIM", code=1
    )
    assert "there is no grant 42" in run(initialised, "catalog", "withdraw-grant", "42", code=1)
    assert "No institution is accredited to issue BIM-X" in run(
        initialised, "catalog", "grants", "BIM-X", "--owner", "TEO-BIM"
    )
