"""A credential carrying the skills of its item's approved alignment (``ext:Skill`` alignments
beside the framework level), judged by the Node harness (Digital Bazaar's ``@digitalbazaar/vc``,
safe-mode JSON-LD): it verifies, and fails once a skill's name is changed; on both databases."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from creditbank.credentials import issuing, signing
from tests import alignments_world as world
from tests import conversion_world
from tests.conftest import LiveBank
from tests.interop.node import run_harness


@pytest.fixture(scope="module")
def badge(live_bank: LiveBank) -> tuple[dict[str, Any], dict[str, Any]]:
    """BIM-X's skills approved, an intermediate holder's credential, and the DID documents."""
    with live_bank.database.unit_of_work() as uow:
        world.build(uow)
        world.approved(uow, (world.BIM, world.TEAMWORK), level="intermediate")
        account = conversion_world.x_certificate_holder(uow, 8201)
    with live_bank.database.unit_of_work() as uow:
        from creditbank.accounts import api as accounts  # noqa: PLC0415

        (outcome,) = accounts.standing_outcome_ids(uow=uow, account_number=account)
        issued = issuing.issue(uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC))
        found = [signing.did_document(uow=uow, owner=owner) for owner in (signing.BANK, "BIMTEO")]
    assert issued.document is not None
    return issued.document, {document["id"]: document for document in found}


def _verify(credential: dict[str, Any], documents: dict[str, Any]) -> dict[str, Any]:
    return run_harness({"action": "verify-di", "credential": credential, "documents": documents})


def test_a_credential_with_skill_alignments_verifies(
    badge: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    credential, documents = badge
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    skills = [a for a in alignment if a["targetType"] == "ext:Skill"]
    assert {a["targetCode"] for a in skills} == {world.BIM, world.TEAMWORK}
    answer = _verify(credential, documents)
    assert answer["verified"] is True, answer["errors"]
    changed = copy.deepcopy(credential)
    for entry in changed["credentialSubject"]["achievement"]["alignment"]:
        if entry["targetType"] == "ext:Skill":
            entry["targetName"] = "另一项技能"
    assert _verify(changed, documents)["verified"] is False
