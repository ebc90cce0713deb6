"""Credentials the bank issues, judged by an independent verifier: the Node harness
(interop/verify.mjs, Digital Bazaar's VC libraries and ``jose``), on both databases.

Our Data Integrity Open Badge must verify in ``@digitalbazaar/vc`` given our DID document
(and, for its status, our status list credentials), and fail once changed; our vc+jwt must
verify with ``jose`` given the key's JWK, and fail once changed; our revocation and suspension
lists must read right in ``@digitalbazaar/vc-bitstring-status-list`` (bit clear, then set);
a credential signed by a key since rotated away, one signed by a did:key, and a learner's CLR
must verify too. The credentials are made by the service on a live bank's database, as the
API makes them.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank import clock
from creditbank.accounts import api as accounts
from creditbank.accounts import outcomes
from creditbank.accounts.model import LearningSetting, OutcomeFacts
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import issuing, multikey, signing, status_lists, vcjwt
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.bulk_files import open_learner
from tests.conftest import LiveBank
from tests.interop.node import run_harness

ISSUER, ROTATING, SELF_DESCRIBED, MIXED = "NODE-U", "NODE-R", "NODE-K", "NODE-M"
COURSE = "NODE-101"
RECORDS = count(1)

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class World:
    """A live bank's database with three institutions, a learner and a registrar's user id."""

    database: Database
    account: str
    user_id: int

    def deposit(self, institution: str = ISSUER) -> str:
        """A new outcome of ``institution``'s course for the learner: its public id."""
        with self.database.unit_of_work() as uow:
            return outcomes.deposit_outcome(
                uow=uow,
                institution=institution,
                account_number=self.account,
                facts=OutcomeFacts(
                    record_id=f"NODE-{next(RECORDS)}",
                    item_code=COURSE,
                    level="4",
                    credits=Decimal(3),
                    score=Decimal(91),
                    assessed_on=clock.today(),
                    setting=LearningSetting.FORMAL,
                ),
                today=clock.today(),
            ).outcome.public_id

    def issue(self, outcome_id: str, fmt: str = "ob3") -> issuing.Issued:
        with self.database.unit_of_work() as uow:
            return issuing.issue(uow=uow, outcome_id=outcome_id, fmt=fmt, now=datetime.now(UTC))

    def badge(self, outcome_id: str) -> JsonObject:
        document = self.issue(outcome_id).document
        assert document is not None
        return document

    def did_documents(self) -> JsonObject:
        """Every DID document of the bank's, by DID (the harness's offline resolver reads
        them from ``documents``)."""
        with self.database.unit_of_work() as uow:
            found = [
                signing.did_document(uow=uow, owner=owner)
                for owner in (signing.BANK, ISSUER, ROTATING, SELF_DESCRIBED, MIXED)
            ]
        return {document["id"]: document for document in found}

    def status_lists(self, credential: JsonObject) -> JsonObject:
        """The status list credentials a credential points at, by URL, as the bank serves them
        now."""
        lists = {}
        with self.database.unit_of_work() as uow:
            for entry in credential["credentialStatus"]:
                url = entry["statusListCredential"]
                list_id, purpose = urlsplit(url).path.split("/")[-2:]
                lists[url] = status_lists.status_list_credential(
                    uow=uow, list_id=int(list_id), purpose=purpose, now=datetime.now(UTC)
                )
        return lists

    def documents(self, credential: JsonObject) -> JsonObject:
        """What a verifier fetches for ``credential``: its status lists, then the DID
        documents (the bank's key signs the lists, made on first use)."""
        lists = self.status_lists(credential)
        return {**lists, **self.did_documents()}

    def revoke(self, outcome_id: str) -> None:
        with self.database.unit_of_work() as uow:
            accounts.revoke_outcome(
                uow=uow, public_id=outcome_id, user_id=self.user_id, reason="成绩录入错误"
            )

    def suspend(self, credential: JsonObject) -> None:
        with self.database.unit_of_work() as uow:
            status_lists.change_status(
                uow=uow,
                credential_id=credential["id"].removeprefix("urn:uuid:"),
                purpose="suspension",
                value=True,
                reason="核查中",
                by_user=self.user_id,
                now=datetime.now(UTC),
            )

    def public_key(self, verification_method: str) -> bytes:
        """The raw Ed25519 key of one of our did:web verification methods."""
        for document in self.did_documents().values():
            for method in document["verificationMethod"]:
                if method["id"] == verification_method:
                    return multikey.decode_public_key(method["publicKeyMultibase"])
        raise AssertionError(verification_method)


@pytest.fixture(scope="module")
def world(live_bank: LiveBank) -> World:
    with live_bank.database.unit_of_work() as uow:
        for code in (ISSUER, ROTATING, SELF_DESCRIBED, MIXED):
            institutions.add_institution(
                uow=uow, code=code, name="互操作学院", type=InstitutionType.OPEN_UNIVERSITY
            )
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=code,
                    code=COURSE,
                    kind=ItemKind.COURSE,
                    name="数据库原理",
                    framework="LOFOUC",
                    levels=("4",),
                    credits=Decimal(3),
                ),
                on=clock.today(),
            )
        user = institutions.add_user(
            uow=uow, email="registrar@node.example", role=Role.REGISTRAR, institution=ISSUER
        )
        account = open_learner(uow, serial=8100)
    return World(live_bank.database, account, user.id)


def verify_di(credential: JsonObject, documents: JsonObject, **options: Any) -> JsonObject:
    return run_harness(
        {"action": "verify-di", "credential": credential, "documents": documents, **options}
    )


def assert_verified(answer: JsonObject, verification_method: str) -> None:
    assert answer["verified"] is True, answer["errors"]
    assert answer["errors"] == []
    assert answer["proofs"] == [
        {"verified": True, "verificationMethod": verification_method, "errors": []}
    ]


# --- Data Integrity ----------------------------------------------------------------------


def test_our_open_badge_verifies_in_digital_bazaar(world: World) -> None:
    badge = world.badge(world.deposit())
    answer = verify_di(badge, world.did_documents())  # the issuer must control the key
    assert_verified(answer, badge["proof"][0]["verificationMethod"])
    assert answer["status"] is None


def test_a_changed_open_badge_fails_in_digital_bazaar(world: World) -> None:
    badge = world.badge(world.deposit())
    did_documents = world.did_documents()
    for change in ("credits", "issuer", "identity"):
        tampered = copy.deepcopy(badge)
        if change == "credits":
            tampered["credentialSubject"]["creditsEarned"] = 30
        elif change == "issuer":
            tampered["issuer"]["name"] = "别的学院"
        else:
            tampered["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
        answer = verify_di(tampered, did_documents)
        assert answer["verified"] is False, change
        assert [proof["verified"] for proof in answer["proofs"]] == [False], (change, answer)


def test_our_status_entries_verify_in_digital_bazaar(world: World) -> None:
    badge = world.badge(world.deposit())
    answer = verify_di(badge, world.documents(badge), checkStatus=True)
    assert_verified(answer, badge["proof"][0]["verificationMethod"])
    status = answer["status"]
    assert status["verified"] is True, status["errors"]
    assert (status["revoked"], status["suspended"]) == (False, False)
    assert [(e["statusPurpose"], e["set"]) for e in status["entries"]] == [
        ("revocation", False),
        ("suspension", False),
    ]


def test_digital_bazaar_sees_our_revocations_and_suspensions(world: World) -> None:
    revoked, suspended = world.badge(world.deposit()), world.badge(world.deposit())
    world.revoke(outcome_of(revoked))
    world.suspend(suspended)
    for credential, expected in ((revoked, (True, False)), (suspended, (False, True))):
        answer = verify_di(credential, world.documents(credential), checkStatus=True)
        status = answer["status"]
        assert status is not None and status["verified"] is True, answer["errors"]
        assert (status["revoked"], status["suspended"]) == expected


def outcome_of(credential: JsonObject) -> str:
    """The outcome a credential of ours was issued for (from its ledger receipt's URL)."""
    (evidence,) = credential["evidence"]
    path: str = urlsplit(evidence["id"]).path
    return path.split("/")[-2]


# --- Bitstring Status List ---------------------------------------------------------------


def read_bit(world: World, credential: JsonObject, purpose: str) -> JsonObject:
    """The harness's reading of ``credential``'s bit in its ``purpose`` list, as served now."""
    (entry,) = [e for e in credential["credentialStatus"] if e["statusPurpose"] == purpose]
    lists = world.status_lists(credential)
    return run_harness(
        {
            "action": "status",
            "statusListCredential": lists[entry["statusListCredential"]],
            "index": int(entry["statusListIndex"]),
            "purpose": purpose,
            "documents": world.did_documents(),
        }
    )


def test_our_status_lists_read_right_in_the_status_list_library(world: World) -> None:
    badge = world.badge(world.deposit())
    for purpose in ("revocation", "suspension"):
        answer = read_bit(world, badge, purpose)
        assert answer["verified"] is True, answer["errors"]
        assert answer["set"] is False
        assert answer["length"] >= 131_072

    world.suspend(badge)
    assert read_bit(world, badge, "suspension")["set"] is True
    assert read_bit(world, badge, "revocation")["set"] is False
    world.revoke(outcome_of(badge))
    answer = read_bit(world, badge, "revocation")
    assert (answer["verified"], answer["set"]) == (True, True), answer["errors"]


# --- JWT ---------------------------------------------------------------------------------


def test_our_jwt_verifies_with_jose(world: World) -> None:
    outcome = world.deposit()
    token = world.issue(outcome, "jwt").jwt
    assert token is not None
    header = json.loads(_b64url(token.split(".")[0]))
    jwk = vcjwt.public_jwk(world.public_key(header["kid"]))
    answer = run_harness({"action": "verify-jwt", "jwt": token, "publicKeyJwk": jwk})
    assert answer["verified"] is True, answer["errors"]
    assert answer["header"]["typ"] == "vc+jwt"
    assert answer["payload"] == {k: v for k, v in world.badge(outcome).items() if k != "proof"}

    header_part, payload_part, signature = token.split(".")
    claims = json.loads(_b64url(payload_part))
    claims["credentialSubject"]["creditsEarned"] = 30
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    answer = run_harness(
        {"action": "verify-jwt", "jwt": f"{header_part}.{forged}.{signature}", "publicKeyJwk": jwk}
    )
    assert answer["verified"] is False
    assert any("signature verification failed" in error for error in answer["errors"]), answer

    other = vcjwt.public_jwk(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    answer = run_harness({"action": "verify-jwt", "jwt": token, "publicKeyJwk": other})
    assert answer["verified"] is False


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- keys --------------------------------------------------------------------------------


def test_a_credential_of_a_rotated_key_still_verifies(world: World) -> None:
    outcome = world.deposit(ROTATING)
    before = world.badge(outcome)
    with world.database.unit_of_work() as uow:
        signing.rotate_key(uow=uow, owner=ROTATING, now=datetime.now(UTC))
    after = world.badge(outcome)
    assert after["proof"][0]["verificationMethod"] != before["proof"][0]["verificationMethod"]
    for credential in (before, after):  # the DID document lists the old key and the new
        answer = verify_di(credential, world.documents(credential), checkStatus=True)
        assert_verified(answer, credential["proof"][0]["verificationMethod"])
        assert answer["status"]["verified"] is True, answer["status"]["errors"]


def test_a_did_key_credential_verifies_with_no_documents(world: World) -> None:
    with world.database.unit_of_work() as uow:
        key = signing.generate_key(
            uow=uow, owner=SELF_DESCRIBED, now=datetime.now(UTC), did_method="key"
        )
    badge = world.badge(world.deposit(SELF_DESCRIBED))
    assert badge["issuer"]["id"] == key.did
    assert_verified(verify_di(badge, {}), key.verification_method)


def test_status_of_did_web_credentials_after_a_did_key_is_registered(world: World) -> None:
    """An institution that issued under its did:web registers a did:key, which signs what
    follows: the lists of both kinds of credentials keep their own credentials' issuer."""
    earlier = world.badge(world.deposit(MIXED))
    with world.database.unit_of_work() as uow:
        signing.generate_key(uow=uow, owner=MIXED, now=datetime.now(UTC), did_method="key")
    later = world.badge(world.deposit(MIXED))
    assert earlier["issuer"]["id"] != later["issuer"]["id"]
    for credential in (earlier, later):
        answer = verify_di(credential, world.documents(credential), checkStatus=True)
        assert answer["verified"] is True, (credential["issuer"]["id"], answer["errors"])
        assert answer["status"]["verified"] is True


# --- CLR ---------------------------------------------------------------------------------


def test_our_clr_verifies_in_digital_bazaar(world: World) -> None:
    first, second = world.deposit(), world.deposit()
    with world.database.unit_of_work() as uow:
        record = issuing.issue_clr(
            uow=uow,
            account_number=world.account,
            outcome_ids=[first, second],
            now=datetime.now(UTC),
        )
    documents = world.did_documents()
    assert_verified(verify_di(record, documents), record["proof"][0]["verificationMethod"])
    inner = record["credentialSubject"]["verifiableCredential"]
    assert len(inner) == 2
    for credential in inner:
        assert_verified(
            verify_di(credential, documents), credential["proof"][0]["verificationMethod"]
        )
    tampered = copy.deepcopy(record)
    tampered["credentialSubject"]["verifiableCredential"][0]["credentialSubject"][
        "creditsEarned"
    ] = 30
    assert verify_di(tampered, documents)["verified"] is False
