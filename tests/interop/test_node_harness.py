"""Tests of the Node verification harness itself (interop/verify.mjs), before it judges ours.

The harness must accept the W3C vc-di-eddsa test vectors and reject them once altered,
resolve did:key and did:web offline, read Bitstring Status Lists, and verify and reject
vc+jwt tokens. Our own signer is not used here: did:web and status-list fixtures are
signed by the same Node libraries (interop/sign-fixture.mjs), JWTs by joserfc.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import warnings
import zlib
from typing import Any

import pytest
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from tests.interop.node import (
    REPO_ROOT,
    run_harness,
    sign_fixture,
)

VECTORS = REPO_ROOT / "tests" / "vectors" / "vc-di-eddsa"
EXAMPLES_CONTEXT = {
    "https://www.w3.org/ns/credentials/examples/v2": {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
}
DID = "did:web:localhost%3A8000:institutions:SHAC"
DID_JSON_URL = "https://localhost:8000/institutions/SHAC/did.json"
SEED = "5eed" * 16
OTHER_SEED = "07" * 32
CREATED = "2024-01-01T00:00:00Z"
LIST_URL = "https://localhost:8000/institutions/SHAC/status/1"
REVOKED_INDEX = 5
VALID_INDEX = 6


def _vector(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return document


def _verify(credential: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return run_harness({"action": "verify-di", "credential": credential, **extra})


def _badge(status_index: int | None = None) -> dict[str, Any]:
    badge: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:7a1f1a7e-4d0c-4a86-9a43-3f0c5f3f8a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "SHAC"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Introduction to Accounting",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://localhost:8000/achievements/1",
                "type": ["Achievement"],
                "name": "Introduction to Accounting",
                "description": "Three credits of introductory accounting.",
                "criteria": {"narrative": "Pass the final examination."},
            },
        },
    }
    if status_index is not None:
        badge["credentialStatus"] = {
            "id": f"{LIST_URL}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": LIST_URL,
        }
    return badge


@pytest.fixture(scope="module")
def did_web_badge() -> dict[str, Any]:
    """An Open Badge signed by the did:web key: {credential, didDocument, ...}."""
    return sign_fixture(
        {"action": "issue", "seed": SEED, "did": DID, "credential": _badge(), "created": CREATED}
    )


@pytest.fixture(scope="module")
def status_list() -> dict[str, Any]:
    """A signed revocation list of 131072 bits with bit REVOKED_INDEX set."""
    return sign_fixture(
        {
            "action": "status-list",
            "seed": SEED,
            "did": DID,
            "id": LIST_URL,
            "statusPurpose": "revocation",
            "set": [REVOKED_INDEX],
            "validFrom": "2024-01-01T00:00:00Z",
            "created": CREATED,
        }
    )


# --- verify-di: W3C vectors (did:key) ----------------------------------------------------


def test_w3c_vector_verifies_with_did_key() -> None:
    answer = _verify(
        _vector("eddsa-rdfc-2022/signedDataInt.json"),
        documents=EXAMPLES_CONTEXT,
        checkIssuer=False,
    )
    assert answer["verified"] is True, answer
    assert answer["errors"] == []
    assert [proof["verified"] for proof in answer["proofs"]] == [True]
    assert answer["status"] is None


def test_w3c_vector_fails_the_issuer_binding_by_default() -> None:
    # Its issuer is an https URL while the key is a did:key: the library's
    # CredentialIssuancePurpose requires issuer == controller of the method.
    answer = _verify(_vector("eddsa-rdfc-2022/signedDataInt.json"), documents=EXAMPLES_CONTEXT)
    assert answer["verified"] is False
    assert "Credential issuer must match the verification method controller." in answer["errors"]


def test_w3c_vector_with_a_changed_field_does_not_verify() -> None:
    credential = _vector("eddsa-rdfc-2022/signedDataInt.json")
    credential["credentialSubject"]["alumniOf"] = "The School of Counterfeits"
    answer = _verify(credential, documents=EXAMPLES_CONTEXT, checkIssuer=False)
    assert answer["verified"] is False
    assert "Invalid signature." in answer["errors"]


def test_an_unknown_context_is_refused_not_fetched() -> None:
    answer = _verify(_vector("eddsa-rdfc-2022/signedDataInt.json"), checkIssuer=False)
    assert answer["verified"] is False
    assert (
        "not in the offline loader: https://www.w3.org/ns/credentials/examples/v2"
        in answer["errors"]
    )


def test_a_proof_set_verifies_and_reports_each_proof() -> None:
    credential = _vector("proof-set-chain/signedProofSet2.json")
    answer = _verify(credential, documents=EXAMPLES_CONTEXT, checkIssuer=False)
    assert answer["verified"] is True, answer
    assert [proof["verified"] for proof in answer["proofs"]] == [True, True]

    # jsonld-signatures accepts a set when ANY proof verifies: "proofs" tells the rest.
    credential["proof"][1]["proofValue"] = credential["proof"][0]["proofValue"]
    answer = _verify(credential, documents=EXAMPLES_CONTEXT, checkIssuer=False)
    assert answer["verified"] is True
    assert [proof["verified"] for proof in answer["proofs"]] == [True, False]
    assert answer["proofs"][1]["errors"] == ["Invalid signature."]


def test_a_did_key_fixture_verifies_with_no_documents() -> None:
    badge = _badge()
    del badge["issuer"]  # sign-fixture makes the issuer the did:key
    signed = sign_fixture({"action": "issue", "seed": SEED, "did": "did:key", "credential": badge})
    did = signed["didDocument"]["id"]
    assert did.startswith("did:key:z6Mk")
    assert signed["credential"]["issuer"] == did
    answer = _verify(signed["credential"])
    assert answer["verified"] is True, answer
    assert answer["proofs"] == [
        {"verified": True, "verificationMethod": signed["verificationMethod"], "errors": []}
    ]


# --- verify-di: did:web -------------------------------------------------------------------


@pytest.mark.parametrize("key", [DID, DID_JSON_URL], ids=["by-did", "by-did-json-url"])
def test_did_web_open_badge_verifies(did_web_badge: dict[str, Any], key: str) -> None:
    answer = _verify(did_web_badge["credential"], documents={key: did_web_badge["didDocument"]})
    assert answer["verified"] is True, answer
    assert answer["proofs"] == [
        {"verified": True, "verificationMethod": f"{DID}#key-1", "errors": []}
    ]


def test_did_web_open_badge_changed_does_not_verify(did_web_badge: dict[str, Any]) -> None:
    credential = copy.deepcopy(did_web_badge["credential"])
    credential["credentialSubject"]["achievement"]["name"] = "Advanced Accounting"
    answer = _verify(credential, documents={DID: did_web_badge["didDocument"]})
    assert answer["verified"] is False
    assert "Invalid signature." in answer["errors"]


def test_did_web_key_must_be_an_assertion_method(did_web_badge: dict[str, Any]) -> None:
    did_document = copy.deepcopy(did_web_badge["didDocument"])
    did_document["assertionMethod"] = []
    answer = _verify(did_web_badge["credential"], documents={DID: did_document})
    assert answer["verified"] is False
    assert any("not authorized by controller" in error for error in answer["errors"]), answer


def test_did_web_document_must_be_given(did_web_badge: dict[str, Any]) -> None:
    answer = _verify(did_web_badge["credential"])
    assert answer["verified"] is False
    assert f"not in the offline loader: {DID}#key-1" in answer["errors"]


def test_did_web_key_of_another_seed_does_not_verify(did_web_badge: dict[str, Any]) -> None:
    other = sign_fixture(
        {"action": "issue", "seed": OTHER_SEED, "did": DID, "credential": _badge()}
    )
    answer = _verify(did_web_badge["credential"], documents={DID: other["didDocument"]})
    assert answer["verified"] is False
    assert "Invalid signature." in answer["errors"]


def test_validity_window_uses_now(did_web_badge: dict[str, Any]) -> None:
    answer = _verify(
        did_web_badge["credential"],
        documents={DID: did_web_badge["didDocument"]},
        now="2023-06-01T00:00:00Z",
    )
    assert answer["verified"] is False
    assert any('is before "validFrom"' in error for error in answer["errors"]), answer


# --- status -------------------------------------------------------------------------------


def test_status_reads_the_bits(status_list: dict[str, Any]) -> None:
    documents = {DID: status_list["didDocument"]}
    for index, expected in [(REVOKED_INDEX, True), (VALID_INDEX, False), (131071, False)]:
        answer = run_harness(
            {
                "action": "status",
                "statusListCredential": status_list["credential"],
                "index": index,
                "purpose": "revocation",
                "documents": documents,
            }
        )
        assert answer == {"verified": True, "set": expected, "length": 131072, "errors": []}


def test_status_of_an_unverifiable_list_is_not_read(status_list: dict[str, Any]) -> None:
    tampered = copy.deepcopy(status_list["credential"])
    clean = sign_fixture(
        {
            "action": "status-list",
            "seed": SEED,
            "did": DID,
            "id": LIST_URL,
            "statusPurpose": "revocation",
        }
    )
    tampered["credentialSubject"]["encodedList"] = clean["credential"]["credentialSubject"][
        "encodedList"
    ]
    request = {
        "action": "status",
        "statusListCredential": tampered,
        "index": REVOKED_INDEX,
        "purpose": "revocation",
        "documents": {DID: status_list["didDocument"]},
    }
    answer = run_harness(request)
    assert answer["verified"] is False
    assert answer["set"] is None
    assert any("Invalid signature." in error for error in answer["errors"]), answer

    # without the issuer's DID document the list cannot be verified either
    answer = run_harness(
        {**request, "statusListCredential": status_list["credential"], "documents": {}}
    )
    assert answer["verified"] is False
    assert answer["set"] is None


def test_status_purpose_must_match(status_list: dict[str, Any]) -> None:
    answer = run_harness(
        {
            "action": "status",
            "statusListCredential": status_list["credential"],
            "index": REVOKED_INDEX,
            "purpose": "suspension",
            "documents": {DID: status_list["didDocument"]},
        }
    )
    assert answer["verified"] is False
    assert answer["set"] is None
    assert any("does not match" in error for error in answer["errors"]), answer


def test_status_list_must_have_at_least_131072_bits() -> None:
    short = sign_fixture(
        {
            "action": "status-list",
            "seed": SEED,
            "did": DID,
            "id": LIST_URL,
            "statusPurpose": "revocation",
            "length": 1024,
        }
    )
    answer = run_harness(
        {
            "action": "status",
            "statusListCredential": short["credential"],
            "index": 0,
            "purpose": "revocation",
            "documents": {DID: short["didDocument"]},
        }
    )
    assert answer["verified"] is False
    assert answer["length"] == 1024
    assert "the list has 1024 bits; at least 131072 are required" in answer["errors"]


def _encoded(compressed: bytes, *, padded: bool = False) -> str:
    text = base64.urlsafe_b64encode(compressed).decode()
    return "u" + (text if padded else text.rstrip("="))


def _gzip_that_needs_padding() -> bytes:
    bits = bytearray(16384)
    for index in range(len(bits)):
        compressed = gzip.compress(bytes(bits), mtime=0)
        if len(compressed) % 3:
            return compressed
        bits[index] = 0xFF
    raise AssertionError("no list whose base64 needs padding")


@pytest.mark.parametrize(
    ("encoded_list", "error"),
    [
        (
            _encoded(_gzip_that_needs_padding(), padded=True),
            'encodedList must be "u" followed by base64url without padding',
        ),
        (_encoded(zlib.compress(bytes(16384))), "encodedList is not GZIP-compressed"),
    ],
    ids=["padded", "zlib"],
)
def test_status_list_encoding_is_checked(encoded_list: str, error: str) -> None:
    # The library itself accepts both; other verifiers need not.
    signed = sign_fixture(
        {
            "action": "status-list",
            "seed": SEED,
            "did": DID,
            "id": LIST_URL,
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        }
    )
    answer = run_harness(
        {
            "action": "status",
            "statusListCredential": signed["credential"],
            "index": 0,
            "purpose": "revocation",
            "documents": {DID: signed["didDocument"]},
        }
    )
    assert answer == {"verified": False, "set": None, "length": 131072, "errors": [error]}


def test_status_list_from_python_gzip_is_read_like_the_library() -> None:
    # Bit i is the most significant bit first: index 0 -> 0x80 of byte 0, index 9 -> 0x40 of byte 1.
    bits = bytearray(16384)
    bits[0] |= 0x80
    bits[1] |= 0x40
    signed = sign_fixture(
        {
            "action": "status-list",
            "seed": SEED,
            "did": DID,
            "id": LIST_URL,
            "statusPurpose": "suspension",
            "encodedList": _encoded(gzip.compress(bytes(bits), mtime=0)),
        }
    )
    for index, expected in [(0, True), (1, False), (8, False), (9, True)]:
        answer = run_harness(
            {
                "action": "status",
                "statusListCredential": signed["credential"],
                "index": index,
                "purpose": "suspension",
                "documents": {DID: signed["didDocument"]},
            }
        )
        assert answer == {"verified": True, "set": expected, "length": 131072, "errors": []}


@pytest.mark.parametrize(("index", "revoked"), [(REVOKED_INDEX, True), (VALID_INDEX, False)])
def test_verify_di_checks_status_on_request(
    status_list: dict[str, Any], index: int, revoked: bool
) -> None:
    signed = sign_fixture(
        {
            "action": "issue",
            "seed": SEED,
            "did": DID,
            "credential": _badge(index),
            "created": CREATED,
        }
    )
    documents = {DID: signed["didDocument"], LIST_URL: status_list["credential"]}
    answer = _verify(signed["credential"], documents=documents, checkStatus=True)
    assert answer["verified"] is True, answer
    assert answer["status"] == {
        "verified": True,
        "errors": [],
        "entries": [
            {
                "statusPurpose": "revocation",
                "statusListCredential": LIST_URL,
                "statusListIndex": str(index),
                "set": revoked,
            }
        ],
        "revoked": revoked,
        "suspended": False,
    }

    # not asked: no status check, no list needed
    answer = _verify(signed["credential"], documents={DID: signed["didDocument"]})
    assert answer["verified"] is True
    assert answer["status"] is None


def test_verify_di_status_list_from_another_issuer_fails(status_list: dict[str, Any]) -> None:
    other_did = "did:web:localhost%3A8000:institutions:OTHER"
    signed = sign_fixture(
        {
            "action": "issue",
            "seed": OTHER_SEED,
            "did": other_did,
            "credential": _badge(REVOKED_INDEX) | {"issuer": other_did},
        }
    )
    documents = {
        other_did: signed["didDocument"],
        DID: status_list["didDocument"],
        LIST_URL: status_list["credential"],
    }
    answer = _verify(signed["credential"], documents=documents, checkStatus=True)
    assert answer["verified"] is False
    assert answer["status"]["verified"] is False
    assert any("Issuers of the status list" in error for error in answer["errors"]), answer


# --- verify-jwt ---------------------------------------------------------------------------

JWT_PAYLOAD = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": DID,
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner"},
}


def _sign_jwt(key: OKPKey, header: dict[str, Any], payload: dict[str, Any]) -> str:
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as deprecated (RFC 9864); VC-JOSE-COSE still uses it.
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(
            header, json.dumps(payload).encode(), key, algorithms=["EdDSA"]
        )


@pytest.fixture(scope="module")
def jwt_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519")


def _verify_jwt(token: str, key: OKPKey) -> dict[str, Any]:
    return run_harness(
        {"action": "verify-jwt", "jwt": token, "publicKeyJwk": key.as_dict(private=False)}
    )


def test_jwt_verifies(jwt_key: OKPKey) -> None:
    token = _sign_jwt(jwt_key, {"alg": "EdDSA", "typ": "vc+jwt"}, JWT_PAYLOAD)
    answer = _verify_jwt(token, jwt_key)
    assert answer == {
        "verified": True,
        "errors": [],
        "header": {"alg": "EdDSA", "typ": "vc+jwt"},
        "payload": JWT_PAYLOAD,
    }


def test_jwt_with_a_tampered_payload_does_not_verify(jwt_key: OKPKey) -> None:
    header, _, signature = _sign_jwt(jwt_key, {"alg": "EdDSA", "typ": "vc+jwt"}, JWT_PAYLOAD).split(
        "."
    )
    forged = JWT_PAYLOAD | {"issuer": "did:web:evil.example"}
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    answer = _verify_jwt(f"{header}.{body}.{signature}", jwt_key)
    assert answer["verified"] is False
    assert answer["payload"] is None
    assert answer["errors"] == [
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed"
    ]


@pytest.mark.parametrize("typ", ["JWT", "application/vc+ld+json+jwt", None])
def test_jwt_needs_typ_vc_jwt(jwt_key: OKPKey, typ: str | None) -> None:
    header = {"alg": "EdDSA"} if typ is None else {"alg": "EdDSA", "typ": typ}
    answer = _verify_jwt(_sign_jwt(jwt_key, header, JWT_PAYLOAD), jwt_key)
    assert answer["verified"] is False
    assert any("typ" in error for error in answer["errors"]), answer


def test_jwt_with_another_key_does_not_verify(jwt_key: OKPKey) -> None:
    token = _sign_jwt(jwt_key, {"alg": "EdDSA", "typ": "vc+jwt"}, JWT_PAYLOAD)
    answer = _verify_jwt(token, OKPKey.generate_key("Ed25519"))
    assert answer["verified"] is False


def test_jwt_payload_must_be_a_credential(jwt_key: OKPKey) -> None:
    token = _sign_jwt(jwt_key, {"alg": "EdDSA", "typ": "vc+jwt"}, {"sub": "someone"})
    answer = _verify_jwt(token, jwt_key)
    assert answer["verified"] is False
    assert any("payload is not a valid credential" in error for error in answer["errors"])
