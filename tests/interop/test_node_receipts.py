"""Self-contained receipts of credentials the bank issued, checked without the bank: by the
bank's pure check (``credentials.api.check_receipt``) and by the independent Node verifier
(``interop/receipt.mjs``: ``canonicalize`` for RFC 8785, node:crypto for SHA-256 and Ed25519),
on both databases.

A bank deposits an outcome and issues its Open Badge; two witnesses (the bank's own witness
code, each with its own key and state) cosign the bank's newest checkpoint. From the
credential, the inclusion proof beside it (``credentials.api.outcome_receipt``), the checkpoint
with its cosignatures, the log's key and the witnesses' keys alone, both verifiers rebuild the
same leaf hash and accept it; each altered copy (credits changed, a wrong salt, a checkpoint
not signed by the log's key, fewer than k cosignatures) fails in both, naming the same reason.
The bank's own verifier (the API's ``/api/v1/verify``) recomputes the commitment too, and a
credential issued before (its receipt a URL alone) still verifies there as before.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import httpx2
import pytest

from creditbank import clock
from creditbank.accounts import outcomes
from creditbank.accounts.model import LearningSetting, OutcomeFacts
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import api as credentials
from creditbank.credentials import issuing, receipts
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger import api as ledger
from creditbank.ledger import notes
from creditbank.ledger.witness import Witness
from creditbank.ledger.witnessing import add_checkpoint_body
from tests.bulk_files import open_learner
from tests.conftest import LiveBank
from tests.interop.node import run_harness
from tests.support import receipts as pure
from tests.support.receipts import Bundle

ISSUER, COURSE = "RCPT-U", "RCPT-101"
RECORDS = count(1)
K = 2
JsonObject = dict[str, Any]


@dataclass(frozen=True)
class World:
    database: Database
    url: str
    account: str

    def deposit(self) -> str:
        with self.database.unit_of_work() as uow:
            return outcomes.deposit_outcome(
                uow=uow,
                institution=ISSUER,
                account_number=self.account,
                facts=OutcomeFacts(
                    record_id=f"RCPT-{next(RECORDS)}",
                    item_code=COURSE,
                    level="4",
                    credits=Decimal("2.5"),
                    score=Decimal("88.5"),
                    assessed_on=clock.today(),
                    setting=LearningSetting.FORMAL,
                ),
                today=clock.today(),
            ).outcome.public_id

    def issue(self, outcome_id: str) -> JsonObject:
        with self.database.unit_of_work() as uow:
            issued = issuing.issue(uow=uow, outcome_id=outcome_id, fmt="ob3", now=datetime.now(UTC))
        assert issued.document is not None
        return issued.document

    def bundle(self, outcome_id: str, witnesses: list[Witness]) -> Bundle:
        """What a peer bank is handed: the credential, its inclusion proof against the newest
        checkpoint, that checkpoint as the witnesses cosigned it, the log's key."""
        credential = self.issue(outcome_id)
        with self.database.unit_of_work() as uow:
            receipt = credentials.outcome_receipt(uow=uow, outcome_id=outcome_id)
            checkpoint = ledger.latest_checkpoint(uow)
            log_key = ledger.log_verifier_key(uow=uow)
        assert checkpoint is not None and checkpoint.tree_size == receipt["tree_size"]
        cosigned = checkpoint.note + "".join(
            witness.add_checkpoint(add_checkpoint_body(0, [], checkpoint.note)).decode()
            for witness in witnesses
        )
        return Bundle(
            credential, receipt, cosigned, log_key, tuple(w.verifier_key for w in witnesses)
        )


@pytest.fixture(scope="module")
def world(live_bank: LiveBank) -> World:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code=ISSUER, name="收据学院", type=InstitutionType.OPEN_UNIVERSITY
        )
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=ISSUER,
                code=COURSE,
                kind=ItemKind.COURSE,
                name="数据结构",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(3),
            ),
            on=clock.today(),
        )
        account = open_learner(uow, serial=8200)
    return World(live_bank.database, live_bank.url, account)


@pytest.fixture
def witnesses(world: World, tmp_path: Path) -> list[Witness]:
    """Two witnesses of the bank's log, each with its own key and a fresh state."""
    with world.database.unit_of_work() as uow:
        origin, log_key = ledger.log_origin(uow=uow), ledger.log_verifier_key(uow=uow)
    found = []
    for name in ("witness-a.example", "witness-b.example"):
        private, _public = notes.generate_key(name)
        signer = notes.CosignatureSigner.from_private_key(private)
        found.append(Witness(tmp_path / name, signer, {origin: [log_key]}))
    return found


def node(bundle: Bundle, k: int = K) -> JsonObject:
    return run_harness(bundle.node_request(k))


def test_an_issued_credential_verifies_without_the_bank(
    world: World, witnesses: list[Witness]
) -> None:
    outcome = world.deposit()
    bundle = world.bundle(outcome, witnesses)

    verdict = credentials.check_receipt(*bundle.arguments(K))
    answer = node(bundle)

    assert verdict.ok, verdict.failures
    assert answer["verified"] is True, answer["errors"]
    assert answer["leafHash"] == verdict.leaf_hash is not None
    assert (
        answer["cosignedBy"]
        == list(verdict.cosigned_by)
        == ["witness-a.example", "witness-b.example"]
    )
    assert (answer["treeSize"], answer["rootHash"]) == (verdict.tree_size, verdict.root_hash)
    assert verdict.entry_id == outcome
    assert verdict.record is not None
    assert verdict.record["public_id"] == outcome
    assert (verdict.record["credits"], verdict.record["score"]) == ("2.5", "88.50")
    # the receipt holds no name, no identity number, no account number: only the record's
    # fields the credential does not state
    embedded = pure.narrative(bundle.credential)
    assert {"credits", "item_code", "learner", "account_number"}.isdisjoint(embedded["record"])
    assert world.account not in json.dumps(bundle.credential)
    assert embedded["log"] == bundle.checkpoint.split("\n", 1)[0]


def altered_copies(bundle: Bundle) -> dict[str, tuple[Bundle, str]]:
    """A credit changed, a wrong salt, a checkpoint whose log signature is a forger's (same
    name, another key; the witnesses' cosignatures kept), one cosignature fewer than k."""
    more_credits = copy.deepcopy(bundle.credential)
    more_credits["credentialSubject"]["creditsEarned"] = 5
    salt = pure.narrative(bundle.credential)
    salt["salt"] = "00" * 16
    body, signatures = bundle.checkpoint.split("\n\n", 1)
    log_line, *cosignatures = signatures.splitlines()
    origin = body.split("\n", 1)[0]
    forger = notes.Signer.from_private_key(notes.generate_key(origin)[0])
    forged = notes.sign(body + "\n", [forger]) + "".join(line + "\n" for line in cosignatures)
    one_fewer = f"{body}\n\n{log_line}\n{cosignatures[0]}\n"
    replace = dataclasses.replace
    return {
        "credits changed": (replace(bundle, credential=more_credits), "commitment_mismatch"),
        "wrong salt": (
            replace(bundle, credential=pure.with_narrative(bundle.credential, salt)),
            "commitment_mismatch",
        ),
        "checkpoint not signed by the log key": (
            replace(bundle, checkpoint=forged),
            "bad_checkpoint_signature",
        ),
        "fewer than k cosignatures": (
            replace(bundle, checkpoint=one_fewer),
            "too_few_cosignatures",
        ),
    }


def test_altered_copies_fail_in_both_verifiers_naming_why(
    world: World, witnesses: list[Witness]
) -> None:
    bundle = world.bundle(world.deposit(), witnesses)
    for case, (spoiled, code) in altered_copies(bundle).items():
        verdict = credentials.check_receipt(*spoiled.arguments(K))
        answer = node(spoiled)
        assert code in verdict.codes(), (case, verdict.failures)
        assert answer["verified"] is False, case
        assert code in answer["codes"], (case, answer["errors"])
        assert any(error.startswith(f"{code}: ") for error in answer["errors"])


@pytest.mark.parametrize("case", sorted(pure.altered(pure.good())))
def test_node_and_python_agree_on_each_spoiled_receipt(case: str) -> None:
    bundle, k, code = pure.altered(pure.good())[case]
    assert code in node(bundle, k)["codes"]
    assert code in credentials.check_receipt(*bundle.arguments(k)).codes()


def test_node_accepts_the_pure_good_receipt() -> None:
    answer = node(pure.good())
    assert answer["verified"] is True, answer["errors"]
    assert answer["leafHash"] == credentials.check_receipt(*pure.good().arguments(K)).leaf_hash


def ledger_check(world: World, credential: JsonObject) -> JsonObject:
    """The ledger check of the bank's public verifier (``POST /api/v1/verify``)."""
    with httpx2.Client(base_url=world.url, timeout=10, headers={"Accept-Language": "en"}) as client:
        answer = client.post("/api/v1/verify", json=credential)
    assert answer.status_code == 200, answer.text
    verdict: JsonObject = answer.json()
    (found,) = [check for check in verdict["checks"] if check["check"] == "ledger"]
    return {**found, "verified": verdict["verified"]}


def test_the_banks_verifier_recomputes_the_commitment(world: World) -> None:
    credential = world.issue(world.deposit())
    good = ledger_check(world, credential)
    assert (good["verified"], good["result"], good["code"]) == (True, "passed", "ok")
    assert "recomputed from the credential" in good["message"]

    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["creditsEarned"] = 5
    bad = ledger_check(world, changed)
    assert (bad["verified"], bad["result"], bad["code"]) == (False, "failed", "commitment_mismatch")


def test_a_credential_issued_before_verifies_as_before(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A credential issued before this bank's receipts were self-contained (its receipt the
    URL, leaf index and hash alone) verifies at the bank as it did: the bank's log holds the
    leaf. Without the bank it cannot be checked: it carries no salt, so ``no_receipt``."""
    outcome = world.deposit()
    with monkeypatch.context() as patched:
        patched.setattr(receipts, "embedded_receipt", lambda **_: None)
        old = world.issue(outcome)
    (evidence,) = old["evidence"]
    assert evidence["narrative"].startswith("leaf_index: ")
    answer = ledger_check(world, old)
    assert (answer["verified"], answer["result"], answer["code"]) == (True, "passed", "ok")
    with world.database.unit_of_work() as uow:
        receipt = credentials.outcome_receipt(uow=uow, outcome_id=outcome)
        checkpoint = ledger.latest_checkpoint(uow)
        log_key = ledger.log_verifier_key(uow=uow)
    assert checkpoint is not None
    verdict = credentials.check_receipt(old, receipt, checkpoint.text, log_key, (), 0)
    assert verdict.codes() == ["no_receipt"]
    # exported again now, the same credential carries the self-contained receipt
    assert world.issue(outcome)["evidence"][0]["narrative"].startswith("{")
