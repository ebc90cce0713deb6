"""Verifiable credentials over HTTP, on both databases, as an issuer and an outside verifier
meet them: exporting an outcome as an Open Badge (JSON-LD or JWT), verifying it, the DID
documents, revocation and suspension through the status lists, rotating and compromising keys,
a learner's CLR, requests the bank refuses, and private keys kept sealed in the database.

Each concern acts on outcomes of its own. Institution VCA exports and verifies (its registrar
opens the learners' accounts and deposits through the API); VCB is another institution whose
registrar is refused; VCK's keys are rotated and marked compromised, so nothing else signs
with them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from creditbank import clock
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import multikey, signing, statuslist
from creditbank.credentials.tables import SigningKeyRow
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests.bulk_files import id_number
from tests.conftest import LiveBank

MAIN, OTHER, KEYS = "VCA", "VCB", "VCK"
COURSE = "VC-CAD"  # every institution's: LOFOUC level 4, 3 credits (LOFOUC has no EQF crosswalk)
TRADE = "VC-ELEC"  # VCA's: NVQC level 4, 5 credits; the NVQC-EQF crosswalk puts it at EQF 3
CREDITS = {COURSE: "3", TRADE: "5"}
LEARNER_NAME = "林书瑶"
PROBLEM = "application/problem+json"
VC_LD = "application/vc+ld+json"
EVERY_CHECK = ["syntax", "schema", "issuer_key", "signature", "validity", "status", "ledger"]
CJK = re.compile(r"[\u4e00-\u9fff]")
MAIN_LEARNER, KEYS_LEARNER = 7000, 7001  # serials of id_number(); each backend has its bank
RECORDS = count(1)
SERIALS = count(7100)

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class Staff:
    admin: httpx2.Client
    registrars: dict[str, httpx2.Client]
    host: str
    """The host of the bank's did:web identities (its public URL's)."""

    def did(self, code: str) -> str:
        return multikey.did_web(self.host, "institutions", code)


@pytest.fixture(scope="module")
def staff(live_bank: LiveBank) -> Iterator[Staff]:
    """Institutions VCA, VCB and VCK with their course, VCA's NVQC qualification, a registrar
    of each and a bank administrator, as API clients."""
    emails = {code: f"registrar@{code.lower()}.example" for code in (MAIN, OTHER, KEYS)}
    with live_bank.database.unit_of_work() as uow:
        for code, name in ((MAIN, "甲职业学院"), (OTHER, "乙职业学院"), (KEYS, "丙职业学院")):
            institutions.add_institution(
                uow=uow, code=code, name=name, type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
            )
            catalog.add_item(uow=uow, draft=_item(code, COURSE), on=clock.today())
            institutions.add_user(
                uow=uow, email=emails[code], role=Role.REGISTRAR, institution=code
            )
        catalog.add_item(uow=uow, draft=_item(MAIN, TRADE), on=clock.today())
        institutions.add_user(uow=uow, email="admin@bank.example", role=Role.BANK_ADMIN)
        admin = institutions.create_token(uow=uow, email="admin@bank.example").secret
        tokens = {
            code: institutions.create_token(uow=uow, email=e).secret for code, e in emails.items()
        }
    with ExitStack() as stack:
        yield Staff(
            admin=stack.enter_context(_client(live_bank.url, admin)),
            registrars={
                code: stack.enter_context(_client(live_bank.url, token))
                for code, token in tokens.items()
            },
            host=urlsplit(live_bank.settings.public_url).netloc,
        )


def _item(owner: str, code: str) -> ItemDraft:
    if code == TRADE:
        return ItemDraft(
            institution=owner,
            code=code,
            kind=ItemKind.VOCATIONAL_QUALIFICATION,
            name="电工",
            framework="NVQC",
            levels=("4",),
            credits=Decimal(5),
        )
    return ItemDraft(
        institution=owner,
        code=code,
        kind=ItemKind.COURSE,
        name="计算机辅助设计",
        framework="LOFOUC",
        levels=("4",),
        credits=Decimal(3),
    )


def _client(url: str, token: str) -> httpx2.Client:
    return httpx2.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        timeout=30,
    )


def open_account(registrar: httpx2.Client, serial: int) -> str:
    """A learner's account opened through the API (identity number ``id_number(serial)``)."""
    opened = registrar.post(
        "/api/v1/learners", json={"id_number": id_number(serial), "name": LEARNER_NAME}
    )
    assert opened.status_code in {200, 201}, opened.text
    number: str = opened.json()["account_number"]
    return number


@pytest.fixture(scope="module")
def learner(staff: Staff) -> str:
    """A learner of VCA's, opened by its registrar: the account number."""
    return open_account(staff.registrars[MAIN], MAIN_LEARNER)


def deposit(
    registrar: httpx2.Client, institution: str, account: str, item: str = COURSE
) -> JsonObject:
    """A new outcome of ``item`` deposited through the API (score 85): the deposit's answer."""
    answer = registrar.post(
        "/api/v1/outcomes",
        json={
            "institution": institution,
            "account_number": account,
            "record_id": f"VC-{next(RECORDS)}",
            "item_code": item,
            "level": "4",
            "credits": CREDITS[item],
            "score": "85",
            "assessed_on": "2024-06-30",
        },
    )
    assert answer.status_code == 201, answer.text
    body: JsonObject = answer.json()
    return body


def export(client: httpx2.Client, outcome_id: str, fmt: str = "ob3") -> httpx2.Response:
    return client.get(f"/api/v1/outcomes/{outcome_id}/credential", params={"format": fmt})


def exported(client: httpx2.Client, outcome_id: str) -> JsonObject:
    answer = export(client, outcome_id)
    assert answer.status_code == 200, answer.text
    document: JsonObject = answer.json()
    return document


def verify(client: httpx2.Client, credential: JsonObject | str, language: str = "en") -> JsonObject:
    """The bank's verdict on ``credential`` (a JSON-LD document, or a compact JWT)."""
    if isinstance(credential, str):
        body, media_type = credential.encode(), "text/plain"
    else:
        body, media_type = json.dumps(credential, ensure_ascii=False).encode(), "application/json"
    answer = client.post(
        "/api/v1/verify",
        content=body,
        headers={"Content-Type": media_type, "Accept-Language": language},
    )
    assert answer.status_code == 200, answer.text
    verdict: JsonObject = answer.json()
    return verdict


def outcome_of(verdict: JsonObject, check: str) -> tuple[str, str]:
    """(result, code) of one check of a verdict."""
    (found,) = [c for c in verdict["checks"] if c["check"] == check]
    return found["result"], found["code"]


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def problem_type(answer: httpx2.Response) -> str:
    assert answer.headers["content-type"] == PROBLEM, answer.text
    kind: str = answer.json()["type"]
    return kind


def public_keys(client: httpx2.Client, code: str) -> dict[str, str]:
    """An institution's keys from the keys API: verification method -> publicKeyMultibase."""
    answer = client.get(f"/api/v1/institutions/{code}/keys")
    assert answer.status_code == 200, answer.text
    return {key["verification_method"]: key["public_key_multibase"] for key in answer.json()}


# --- export ------------------------------------------------------------------------------


def test_an_outcome_exports_as_a_signed_open_badge(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[MAIN]
    deposited = deposit(registrar, MAIN, learner, TRADE)
    answer = export(registrar, deposited["id"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == VC_LD
    badge = answer.json()
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"].startswith("urn:uuid:")
    assert badge["issuer"]["id"] == staff.did(MAIN)
    (proof,) = badge["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] in public_keys(registrar, MAIN)

    subject = badge["credentialSubject"]
    achievement = subject["achievement"]
    assert subject["creditsEarned"] == 5
    assert achievement["creditsAvailable"] == 5
    assert achievement["humanCode"] == TRADE
    alignments = achievement["alignment"]
    assert [(a["targetType"], a["targetCode"]) for a in alignments] == [
        ("ext:FrameworkLevel", "4"),
        ("ext:EQFCorrespondence", "3"),
    ]
    assert alignments[0]["targetFramework"].startswith("NVQC")
    assert "EQF" in alignments[1]["targetFramework"]
    # the levels' names as people read them, in Chinese and English (not a repr)
    assert [a["targetName"] for a in alignments] == [
        "中级工 / Intermediate worker",
        "第3级 / Level 3",
    ]

    described = {d["id"]: d["resultType"] for d in achievement["resultDescription"]}
    results = {described[r["resultDescription"]]: r for r in subject["result"]}
    assert len(results) == len(subject["result"]) == 2
    assert results["Status"]["status"] == "Completed"
    assert Decimal(results["RawScore"]["value"]) == 85

    (identity,) = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    salted = (learner + identity["salt"]).encode()
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    assert "id" not in subject and "name" not in subject
    readable = json.dumps(badge, ensure_ascii=False)
    for secret in (id_number(MAIN_LEARNER), LEARNER_NAME, learner):
        assert secret not in answer.text and secret not in readable

    (evidence,) = badge["evidence"]
    link = urlsplit(evidence["id"])
    query = parse_qs(link.query)
    assert link.path == f"/api/v1/records/{deposited['id']}/receipt"
    assert int(query["leaf_index"][0]) == deposited["receipt"]["leaf_index"]
    assert query["leaf_hash"] == [deposited["receipt"]["leaf_hash"]]
    (logged,) = client.get(link.path).json()["receipts"]  # the link answers on the bank
    assert logged["leaf_index"] == deposited["receipt"]["leaf_index"]


def test_exporting_again_gives_the_same_bytes(staff: Staff, learner: str) -> None:
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner)["id"]
    first = export(registrar, outcome)
    assert first.status_code == 200, first.text
    assert export(registrar, outcome).content == first.content
    assert export(staff.admin, outcome).content == first.content  # whoever asks
    deposit(registrar, MAIN, learner)  # the log grows: the credential must not change
    assert export(registrar, outcome).content == first.content


def test_an_outcome_exports_as_a_vc_jwt(staff: Staff, learner: str) -> None:
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner)["id"]
    badge = exported(registrar, outcome)
    answer = export(registrar, outcome, "jwt")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == "application/vc+jwt"
    token = answer.text
    header_part, payload_part, signature = token.split(".")
    header = json.loads(b64url(header_part))
    assert header["typ"] == "vc+jwt"
    assert header["cty"] == "vc"
    assert header["alg"] in {"EdDSA", "Ed25519"}  # both name an Ed25519 signature
    assert header["kid"] == badge["proof"][0]["verificationMethod"]
    # VC-JOSE-COSE: the payload is the credential itself, the same one as the JSON-LD export
    assert json.loads(b64url(payload_part)) == {k: v for k, v in badge.items() if k != "proof"}
    public = multikey.decode_public_key(public_keys(registrar, MAIN)[header["kid"]])
    Ed25519PublicKey.from_public_bytes(public).verify(
        b64url(signature), f"{header_part}.{payload_part}".encode()
    )


# --- verify ------------------------------------------------------------------------------


def test_the_verifier_passes_our_credentials_on_every_check(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner, TRADE)["id"]
    badge = exported(registrar, outcome)
    token = export(registrar, outcome, "jwt").text
    for credential, form in ((badge, "data_integrity"), (token, "jwt")):
        verdict = verify(client, credential)  # anyone may ask: no token
        assert verdict["verified"] is True, verdict
        assert verdict["format"] == form
        assert [(c["check"], c["result"]) for c in verdict["checks"]] == [
            (check, "passed") for check in EVERY_CHECK
        ]
        assert all(c["message"] for c in verdict["checks"])
        assert verdict["credential_id"] == badge["id"]
        assert verdict["issuer"] == staff.did(MAIN)
        assert verdict["types"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert verdict["credentials"] == []


def test_the_verifier_finds_a_changed_credential_out(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner)["id"]
    tampered = exported(registrar, outcome)
    tampered["credentialSubject"]["creditsEarned"] = 30
    verdict = verify(client, tampered)
    assert verdict["verified"] is False
    assert outcome_of(verdict, "signature") == ("failed", "bad_signature")
    assert outcome_of(verdict, "syntax") == ("passed", "ok")

    header, payload, signature = export(registrar, outcome, "jwt").text.split(".")
    claims = json.loads(b64url(payload))
    claims["credentialSubject"]["creditsEarned"] = 30
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    verdict = verify(client, f"{header}.{forged}.{signature}")
    assert verdict["verified"] is False
    assert verdict["format"] == "jwt"
    assert outcome_of(verdict, "signature") == ("failed", "bad_signature")


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a credential", b'{"@context": ', b"[]", b"abc.def.ghi", b"\xff\xfe\x00"],
    ids=["empty", "text", "broken-json", "array", "jwt-shaped", "binary"],
)
def test_garbage_gets_a_verdict_not_a_server_error(client: httpx2.Client, garbage: bytes) -> None:
    answer = client.post(
        "/api/v1/verify", content=garbage, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    verdict = answer.json()
    assert verdict["verified"] is False
    assert verdict["checks"][0]["check"] == "syntax"
    assert verdict["checks"][0]["result"] == "failed"


def test_the_verdict_speaks_chinese(staff: Staff, learner: str, client: httpx2.Client) -> None:
    registrar = staff.registrars[MAIN]
    badge = exported(registrar, deposit(registrar, MAIN, learner)["id"])
    tampered = copy.deepcopy(badge)
    tampered["name"] = "伪造的证书"
    for credential in (badge, tampered, "not a credential"):
        verdict = verify(client, credential, language="zh")
        for check in verdict["checks"]:
            assert CJK.search(check["message"]), check
        english = verify(client, credential)
        assert [c["code"] for c in english["checks"]] == [c["code"] for c in verdict["checks"]]
        assert english["checks"] != verdict["checks"]


# --- DID documents -----------------------------------------------------------------------


def assert_lists_keys(document: JsonObject, did: str, keys: dict[str, str]) -> None:
    """``document`` is ``did``'s DID document with exactly ``keys`` as Multikeys."""
    assert document["id"] == did
    assert "https://www.w3.org/ns/did/v1" in document["@context"]
    methods = document["verificationMethod"]
    assert {m["id"]: m["publicKeyMultibase"] for m in methods} == keys
    assert {(m["type"], m["controller"]) for m in methods} == {("Multikey", did)}
    assert document["assertionMethod"] == [m["id"] for m in methods]
    for key in keys.values():
        assert key.startswith("z6Mk")
        assert len(multikey.decode_public_key(key)) == 32


def list_issuer(list_credential: JsonObject) -> str:
    issuer = list_credential["issuer"]
    found: str = issuer["id"] if isinstance(issuer, dict) else issuer
    return found


def did_document_path(staff: Staff, did: str) -> str:
    """Where the bank serves the DID document of one of its did:web identities."""
    if did == multikey.did_web(staff.host):
        return "/.well-known/did.json"
    prefix = multikey.did_web(staff.host, "institutions", "")
    assert did.startswith(prefix), did
    return f"/institutions/{did.removeprefix(prefix)}/did.json"


def owner_of(staff: Staff, did: str) -> str:
    """The code under /api/v1/institutions/{code}/keys of one of the bank's did:web DIDs."""
    path = did_document_path(staff, did)
    return "bank" if path.startswith("/.well-known") else path.split("/")[2]


def test_did_documents_list_the_keys_of_the_keys_api(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[MAIN]
    badge = exported(registrar, deposit(registrar, MAIN, learner)["id"])
    document = client.get(f"/institutions/{MAIN}/did.json")
    assert document.status_code == 200, document.text
    assert document.headers["content-type"] == "application/ld+json"
    keys = public_keys(registrar, MAIN)
    assert_lists_keys(document.json(), staff.did(MAIN), keys)
    assert badge["proof"][0]["verificationMethod"] in keys

    # the bank signs the learners' records: once one is made, its key is in the bank's document
    record = staff.admin.get(f"/api/v1/learners/{learner}/clr")
    assert record.status_code == 200, record.text
    bank = client.get("/.well-known/did.json")
    assert bank.status_code == 200, bank.text
    bank_keys = public_keys(staff.admin, "bank")
    assert_lists_keys(bank.json(), multikey.did_web(staff.host), bank_keys)
    assert record.json()["proof"][0]["verificationMethod"] in bank_keys

    # a status list's key is in its issuer's DID document
    status_list = client.get(urlsplit(badge["credentialStatus"][0]["statusListCredential"]).path)
    assert status_list.status_code == 200, status_list.text
    issuer = list_issuer(status_list.json())
    (list_proof,) = status_list.json()["proof"]
    listed = client.get(did_document_path(staff, issuer)).json()
    assert list_proof["verificationMethod"] in {m["id"] for m in listed["verificationMethod"]}

    missing = client.get("/institutions/NO-SUCH-PLACE/did.json")
    assert missing.status_code == 404
    assert problem_type(missing) == "/problems/institution-not-found"


# --- status ------------------------------------------------------------------------------


def status_bits(client: httpx2.Client, entry: JsonObject) -> tuple[JsonObject, bytes]:
    """The status list credential an entry points at (fetched from the bank) and its bits."""
    answer = client.get(urlsplit(entry["statusListCredential"]).path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == VC_LD
    list_credential: JsonObject = answer.json()
    assert list_credential["id"] == entry["statusListCredential"]
    assert "BitstringStatusListCredential" in list_credential["type"]
    subject = list_credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == entry["statusPurpose"]
    return list_credential, statuslist.decode(subject["encodedList"])


def test_revoking_the_outcome_revokes_its_credential(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner)["id"]
    badge = exported(registrar, outcome)
    token = export(registrar, outcome, "jwt").text
    revocation, suspension = badge["credentialStatus"]
    assert (revocation["statusPurpose"], suspension["statusPurpose"]) == (
        "revocation",
        "suspension",
    )
    assert revocation["type"] == "BitstringStatusListEntry"
    index = int(revocation["statusListIndex"])
    _, before = status_bits(client, revocation)
    assert not statuslist.get_bit(before, index)

    revoked = registrar.post(
        f"/api/v1/outcomes/{outcome}/revocation", json={"reason": "成绩录入错误"}
    )
    assert revoked.status_code == 200, revoked.text
    for credential in (badge, token):
        verdict = verify(client, credential)
        assert verdict["verified"] is False
        assert outcome_of(verdict, "status") == ("failed", "revoked")
        assert outcome_of(verdict, "signature") == ("passed", "ok")
    list_credential, bits = status_bits(client, revocation)
    assert len(bits) * 8 >= 131_072
    assert statuslist.get_bit(bits, index)
    _, suspended = status_bits(client, suspension)
    assert not statuslist.get_bit(suspended, int(suspension["statusListIndex"]))
    list_verdict = verify(client, list_credential)  # the list is a credential of the bank's
    assert list_verdict["verified"] is True, list_verdict


def test_a_credential_is_suspended_and_lifted_but_a_revocation_is_final(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[MAIN]
    badge = exported(registrar, deposit(registrar, MAIN, learner)["id"])
    credential_id = badge["id"].removeprefix("urn:uuid:")
    url = f"/api/v1/credentials/{credential_id}/status"

    suspended = registrar.post(url, json={"purpose": "suspension", "reason": "核查中"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json() == {"credential": credential_id, "purpose": "suspension", "set": "true"}
    verdict = verify(client, badge)
    assert verdict["verified"] is False
    assert outcome_of(verdict, "status") == ("failed", "suspended")
    _, bits = status_bits(client, badge["credentialStatus"][1])
    assert statuslist.get_bit(bits, int(badge["credentialStatus"][1]["statusListIndex"]))

    lifted = registrar.post(
        url, json={"purpose": "suspension", "value": False, "reason": "核查无误"}
    )
    assert lifted.status_code == 200, lifted.text
    assert verify(client, badge)["verified"] is True

    not_revoked = registrar.post(url, json={"purpose": "revocation", "value": False, "reason": "x"})
    assert not_revoked.status_code == 422, not_revoked.text
    assert problem_type(not_revoked) == "/problems/invalid-status"
    revoked = staff.admin.post(url, json={"purpose": "revocation", "reason": "证书有误"})
    assert revoked.status_code == 200, revoked.text
    assert outcome_of(verify(client, badge), "status") == ("failed", "revoked")
    unrevoked = staff.admin.post(url, json={"purpose": "revocation", "value": False, "reason": "x"})
    assert unrevoked.status_code == 422, unrevoked.text
    assert outcome_of(verify(client, badge), "status") == ("failed", "revoked")

    for body in ({"purpose": "expiry", "reason": "x"}, {"purpose": "suspension", "reason": ""}):
        assert registrar.post(url, json=body).status_code == 422
    missing = registrar.post(
        "/api/v1/credentials/00000000-0000-4000-8000-000000000000/status",
        json={"purpose": "suspension", "reason": "x"},
    )
    assert missing.status_code == 404
    assert problem_type(missing) == "/problems/credential-not-found"
    stranger = staff.registrars[OTHER].post(url, json={"purpose": "suspension", "reason": "x"})
    assert stranger.status_code == 403


def test_status_lists_that_do_not_exist(client: httpx2.Client) -> None:
    for path in ("/api/v1/credentials/status/999999/revocation", "/api/v1/credentials/status/1/x"):
        answer = client.get(path)
        assert answer.status_code == 404, answer.text
        assert problem_type(answer) == "/problems/status-list-not-found"


# --- keys --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys_learner(staff: Staff) -> str:
    return open_account(staff.registrars[KEYS], KEYS_LEARNER)


def test_rotating_and_compromising_keys(
    staff: Staff, keys_learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[KEYS]
    keys_url = f"/api/v1/institutions/{KEYS}/keys"
    outcome = deposit(registrar, KEYS, keys_learner)["id"]
    before = exported(registrar, outcome)
    before_jwt = export(registrar, outcome, "jwt").text
    (old,) = registrar.get(keys_url).json()
    assert before["proof"][0]["verificationMethod"] == old["verification_method"]
    assert old["did"] == staff.did(KEYS)
    assert old["valid_until"] is None and old["compromised_from"] is None

    rotated = registrar.post(f"{keys_url}/rotate")
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert new["name"] != old["name"]
    assert new["verification_method"] != old["verification_method"]
    assert new["public_key_multibase"] != old["public_key_multibase"]
    listed = {key["name"]: key for key in registrar.get(keys_url).json()}
    assert listed[old["name"]]["valid_until"] is not None  # the old key ends at the rotation
    assert listed[new["name"]]["valid_until"] is None
    assert_lists_keys(
        client.get(f"/institutions/{KEYS}/did.json").json(),
        staff.did(KEYS),
        {key["verification_method"]: key["public_key_multibase"] for key in listed.values()},
    )
    for credential in (before, before_jwt):  # signed while the old key was valid
        assert verify(client, credential)["verified"] is True

    after = exported(registrar, outcome)
    assert after["proof"][0]["verificationMethod"] == new["verification_method"]
    assert after["id"] != before["id"]
    assert verify(client, after)["verified"] is True

    signed = datetime.fromisoformat(before["proof"][0]["created"])
    compromise = f"{keys_url}/{old['name']}/compromised"
    later = registrar.post(compromise, json={"since": (signed + timedelta(seconds=1)).isoformat()})
    assert later.status_code == 200, later.text
    assert datetime.fromisoformat(later.json()["compromised_from"]) == signed + timedelta(seconds=1)
    assert verify(client, before)["verified"] is True  # signed before the compromise

    earlier = registrar.post(
        compromise, json={"since": (signed - timedelta(minutes=1)).isoformat()}
    )
    assert earlier.status_code == 200, earlier.text
    for credential in (before, before_jwt):
        verdict = verify(client, credential)
        assert verdict["verified"] is False
        assert outcome_of(verdict, "issuer_key") == ("failed", "compromised")
    assert verify(client, after)["verified"] is True  # the new key is untouched

    unknown = registrar.post(f"{keys_url}/key-99/compromised", json={"since": signed.isoformat()})
    assert unknown.status_code == 404
    assert problem_type(unknown) == "/problems/key-not-found"
    backwards = registrar.post(
        keys_url,
        json={"valid_from": signed.isoformat(), "valid_until": (signed - timedelta(1)).isoformat()},
    )
    assert backwards.status_code == 422
    assert problem_type(backwards) == "/problems/invalid-key"


def test_a_did_key_signs_what_follows_it(
    staff: Staff, keys_learner: str, client: httpx2.Client
) -> None:
    registrar = staff.registrars[KEYS]
    made = registrar.post(f"/api/v1/institutions/{KEYS}/keys", json={"did_method": "key"})
    assert made.status_code == 201, made.text
    key = made.json()
    assert key["did"] == f"did:key:{key['public_key_multibase']}"
    assert key["verification_method"] == f"{key['did']}#{key['public_key_multibase']}"
    badge = exported(registrar, deposit(registrar, KEYS, keys_learner)["id"])
    assert badge["issuer"]["id"] == key["did"]
    assert badge["proof"][0]["verificationMethod"] == key["verification_method"]
    verdict = verify(client, badge)
    assert verdict["verified"] is True, verdict
    assert outcome_of(verdict, "issuer_key") == ("passed", "ok")
    # a did:key is not a did:web key: the institution's DID document does not list it
    document = client.get(f"/institutions/{KEYS}/did.json").json()
    assert key["public_key_multibase"] not in {
        m["publicKeyMultibase"] for m in document["verificationMethod"]
    }


def test_keys_of_another_institution_are_refused(staff: Staff) -> None:
    stranger = staff.registrars[OTHER]
    keys_url = f"/api/v1/institutions/{MAIN}/keys"
    for answer in (
        stranger.get(keys_url),
        stranger.post(keys_url, json={}),
        stranger.post(f"{keys_url}/rotate"),
        stranger.post(f"{keys_url}/key-1/compromised", json={"since": "2024-01-01T00:00:00Z"}),
        stranger.get("/api/v1/institutions/bank/keys"),
    ):
        assert answer.status_code == 403, answer.text
        assert problem_type(answer) == "/problems/forbidden"
    assert staff.registrars[MAIN].get(keys_url).status_code == 200


# --- the learner's record ----------------------------------------------------------------


def test_a_learners_record_as_a_clr(staff: Staff, client: httpx2.Client) -> None:
    registrar = staff.registrars[MAIN]
    account = open_account(registrar, next(SERIALS))
    first = deposit(registrar, MAIN, account)["id"]
    second = deposit(registrar, MAIN, account, TRADE)["id"]
    url = f"/api/v1/learners/{account}/clr"
    answer = staff.admin.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == VC_LD
    record = answer.json()
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["issuer"]["id"] == multikey.did_web(staff.host)
    assert record["partial"] is False
    subject = record["credentialSubject"]
    inner = subject["verifiableCredential"]
    assert [c["credentialSubject"]["achievement"]["humanCode"] for c in inner] == [COURSE, TRADE]
    assert inner == [exported(registrar, first), exported(registrar, second)]
    (identity,) = subject["identifier"]
    salted = (account + identity["salt"]).encode()
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(salted).hexdigest()
    for secret in (LEARNER_NAME, account):
        assert secret not in json.dumps(record, ensure_ascii=False)

    verdict = verify(client, record)
    assert verdict["verified"] is True, verdict
    assert outcome_of(verdict, "signature") == ("passed", "ok")
    assert [(part["verified"], part["credential_id"]) for part in verdict["credentials"]] == [
        (True, c["id"]) for c in inner
    ]

    chosen = staff.admin.get(url, params={"outcomes": second})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["partial"] is True
    assert [c["id"] for c in chosen.json()["credentialSubject"]["verifiableCredential"]] == [
        inner[1]["id"]
    ]

    unknown = staff.admin.get(url, params={"outcomes": f"{first},no-such-outcome"})
    assert unknown.status_code == 422, unknown.text
    assert problem_type(unknown) == "/problems/invalid-selection"
    assert "no-such-outcome" in unknown.json()["detail"]
    assert registrar.get(url).status_code == 403  # bank administrators only


# --- refusals ----------------------------------------------------------------------------


def test_export_requests_the_bank_refuses(staff: Staff, learner: str) -> None:
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner)["id"]

    missing = export(registrar, "no-such-outcome")
    assert missing.status_code == 404
    assert problem_type(missing) == "/problems/outcome-not-found"
    unknown_format = export(registrar, outcome, "pdf")
    assert unknown_format.status_code == 422
    assert problem_type(unknown_format) == "/problems/invalid-format"
    stranger = export(staff.registrars[OTHER], outcome)
    assert stranger.status_code == 403
    assert problem_type(stranger) == "/problems/forbidden"
    assert export(staff.admin, outcome).status_code == 200


# --- private keys at rest ----------------------------------------------------------------


def test_private_keys_are_stored_sealed(staff: Staff, learner: str, live_bank: LiveBank) -> None:
    registrar = staff.registrars[MAIN]
    exported(registrar, deposit(registrar, MAIN, learner)["id"])  # VCA has a key by now
    vault = signing.KeyVault(base64.b64decode(live_bank.settings.data_key.get_secret_value()))
    stranger = signing.KeyVault(os.urandom(32))
    with live_bank.database.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(SigningKeyRow)))
        assert MAIN in {row.owner for row in rows}
        for row in rows:
            sealed, nonce = bytes(row.sealed_private_key), bytes(row.sealed_nonce)
            assert len(nonce) == 12
            assert len(sealed) == 32 + 16  # AES-GCM: the ciphertext of 32 bytes and its tag
            private = vault.open(row.owner, row.name, nonce, sealed)
            raw = private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            assert raw not in sealed and raw not in nonce
            assert private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            ) == multikey.decode_public_key(row.public_key)
            with pytest.raises(InvalidTag):
                stranger.open(row.owner, row.name, nonce, sealed)
            with pytest.raises(InvalidTag):  # bound to its owner and name
                vault.open(row.owner, row.name + "-copy", nonce, sealed)


# --- last: the bank without a usable key -------------------------------------------------


def test_a_revoked_credential_fails_while_its_lists_cannot_be_signed(
    staff: Staff, learner: str, client: httpx2.Client
) -> None:
    """The keys that sign the status lists are marked compromised from now and no new one is
    registered yet: no list can be signed, and a revoked credential must still fail (its
    status not skipped as if the list were someone else's)."""
    registrar = staff.registrars[MAIN]
    outcome = deposit(registrar, MAIN, learner)["id"]
    badge = exported(registrar, outcome)
    list_path = urlsplit(badge["credentialStatus"][0]["statusListCredential"]).path
    signer = owner_of(staff, list_issuer(client.get(list_path).json()))
    revoked = registrar.post(f"/api/v1/outcomes/{outcome}/revocation", json={"reason": "错误"})
    assert revoked.status_code == 200, revoked.text
    keys_url = f"/api/v1/institutions/{signer}/keys"
    since = datetime.now(UTC).isoformat()  # what was signed until now stays good
    for key in staff.admin.get(keys_url).json():
        marked = staff.admin.post(f"{keys_url}/{key['name']}/compromised", json={"since": since})
        assert marked.status_code == 200, marked.text
    served = client.get(list_path)
    assert served.status_code == 409  # no list can be signed now
    assert problem_type(served) == "/problems/no-signing-key"
    verdict = verify(client, badge)
    assert verdict["verified"] is False, verdict
    assert outcome_of(verdict, "status")[0] == "failed"

    assert staff.admin.post(f"{keys_url}/rotate").status_code == 201
    assert outcome_of(verify(client, badge), "status") == ("failed", "revoked")
