"""``eddsa-rdfc-2022`` proofs against the published test vectors, byte for byte.

The W3C vc-di-eddsa vectors (the Alumni credential, the Employment Authorization
credential, proof sets and proof chains) and the 1EdTech Open Badges 3.0 and CLR
2.0 signing vectors: canonical N-Quads, hashes, signatures, verification. The
vectors live in ``tests/vectors/`` (see the README files there for what was
reconstructed and how).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from creditbank.credentials.multikey import decode_public_key, did_key_method, did_key_public_key
from creditbank.credentials.proofs import (
    CanonicalisationError,
    ProofError,
    canonicalise,
    hashes,
    proofs_of,
    sign,
    signature_of,
    unsecured,
    verify,
)

JsonObject = dict[str, Any]

VECTORS = Path(__file__).parents[2] / "vectors"
EDDSA = VECTORS / "vc-di-eddsa"
RDFC = EDDSA / "eddsa-rdfc-2022"
SET_CHAIN = EDDSA / "proof-set-chain"
OPEN_BADGES = VECTORS / "openbadges"

ED25519_PRIVATE_PREFIX = b"\x80\x26"  # multicodec ed25519-priv (0x1300), varint-encoded

# The W3C vectors' contexts that the bank does not bundle (tests/vectors/vc-di-eddsa/contexts/).
DOCUMENTS: dict[str, JsonObject] = {
    "https://www.w3.org/ns/credentials/examples/v2": {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    },
    "https://w3id.org/citizenship/v4rc1": json.loads(
        (EDDSA / "contexts" / "citizenship-v4rc1.subset.json").read_text(encoding="utf-8")
    ),
}


def _json(path: Path) -> JsonObject:
    value: JsonObject = json.loads(path.read_text(encoding="utf-8"))
    return value


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _value(path: Path) -> str:
    """A one-value file (hash, signature): its text without surrounding white space."""
    return _text(path).strip()


def _multibase_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from Multikey text: ``z`` + base58btc(0x8026 + 32-byte seed)."""
    assert text.startswith("z")
    data = base58.b58decode(text[1:])
    assert data[:2] == ED25519_PRIVATE_PREFIX
    assert len(data) == 2 + 32
    return Ed25519PrivateKey.from_private_bytes(data[2:])


def _proof_value(signature: bytes) -> str:
    return "z" + base58.b58encode(signature).decode("ascii")


def _changed(document: JsonObject, path: tuple[str, ...], value: object) -> JsonObject:
    """A deep copy of ``document`` with the value at ``path`` replaced."""
    changed = copy.deepcopy(document)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def test_the_vectors_name_their_source() -> None:
    for folder in (EDDSA, OPEN_BADGES):
        assert re.fullmatch(r"[0-9a-f]{40}", _value(folder / "SOURCE_COMMIT"))


# --- W3C vc-di-eddsa: eddsa-rdfc-2022 ------------------------------------------------------------

# (vector folder, the unsigned document it signs)
RDFC_CASES = [
    pytest.param(RDFC, EDDSA / "unsigned.json", id="alumni"),
    pytest.param(RDFC / "employ", EDDSA / "employmentAuth.json", id="employment"),
]


@pytest.mark.parametrize(("folder", "unsigned_path"), RDFC_CASES)
def test_the_signed_vector_is_the_unsigned_document_and_a_proof(
    folder: Path, unsigned_path: Path
) -> None:
    signed = _json(folder / "signedDataInt.json")
    config = _json(folder / "proofConfigDataInt.json")
    assert unsecured(signed) == _json(unsigned_path)
    assert signed["proof"] == {
        **{key: value for key, value in config.items() if key != "@context"},
        "proofValue": _value(folder / "sigBTC58DataInt.txt"),
    }
    assert config["@context"] == signed["@context"]


@pytest.mark.parametrize(("folder", "unsigned_path"), RDFC_CASES)
def test_the_canonical_forms_are_the_published_ones(folder: Path, unsigned_path: Path) -> None:
    document = _json(unsigned_path)
    found = hashes(document, _json(folder / "proofConfigDataInt.json"), documents=DOCUMENTS)
    # N-Quads: every quad ends with " .\n", the last one too; compared exactly, not stripped.
    assert found.document_canonical == _text(folder / "canonDocDataInt.txt")
    assert found.proof_canonical == _text(folder / "proofCanonDataInt.txt")
    assert found.document_canonical.endswith(" .\n")
    assert canonicalise(document, documents=DOCUMENTS) == found.document_canonical


@pytest.mark.parametrize(("folder", "unsigned_path"), RDFC_CASES)
def test_the_hashes_are_the_published_ones(folder: Path, unsigned_path: Path) -> None:
    found = hashes(
        _json(unsigned_path), _json(folder / "proofConfigDataInt.json"), documents=DOCUMENTS
    )
    assert found.proof_hash.hex() == _value(folder / "proofHashDataInt.txt")
    assert found.document_hash.hex() == _value(folder / "docHashDataInt.txt")
    # The data signed is the proof configuration's hash, then the document's.
    assert found.signed_data.hex() == _value(folder / "combinedHashDataInt.txt")


def test_the_w3c_key_pair_is_one_key() -> None:
    key_pair = _json(EDDSA / "keyPair.json")
    private_key = _multibase_private_key(key_pair["privateKeyMultibase"])
    public_key = decode_public_key(key_pair["publicKeyMultibase"])
    assert private_key.public_key().public_bytes_raw() == public_key
    config = _json(RDFC / "proofConfigDataInt.json")
    assert config["verificationMethod"] == did_key_method(public_key)


@pytest.mark.parametrize(("folder", "unsigned_path"), RDFC_CASES)
def test_signing_gives_the_published_signature(folder: Path, unsigned_path: Path) -> None:
    unsigned = _json(unsigned_path)
    config = _json(folder / "proofConfigDataInt.json")
    private_key = _multibase_private_key(_json(EDDSA / "keyPair.json")["privateKeyMultibase"])

    signed = sign(
        unsigned,
        private_key=private_key,
        verification_method=config["verificationMethod"],
        created=config["created"],
        documents=DOCUMENTS,
    )

    assert unsecured(signed) == unsigned
    assert isinstance(signed["proof"], list)
    assert len(signed["proof"]) == 1
    proof = signed["proof"][0]
    assert proof["proofValue"] == _value(folder / "sigBTC58DataInt.txt")
    assert signature_of(proof).hex() == _value(folder / "sigHexDataInt.txt")
    assert proof == _json(folder / "signedDataInt.json")["proof"]
    assert unsigned == _json(unsigned_path), "signing must not change its input"


@pytest.mark.parametrize(("folder", "unsigned_path"), RDFC_CASES)
def test_the_signed_vector_verifies(folder: Path, unsigned_path: Path) -> None:
    signed = _json(folder / "signedDataInt.json")
    public_key = decode_public_key(_json(EDDSA / "keyPair.json")["publicKeyMultibase"])
    assert verify(signed, signed["proof"], public_key, documents=DOCUMENTS) is True
    # ... also when the proof is given in a proof array
    in_array = {**signed, "proof": [signed["proof"]]}
    assert verify(in_array, signed["proof"], public_key, documents=DOCUMENTS) is True


CHANGES = [
    pytest.param(("name",), "Forged Credential", id="document-name"),
    pytest.param(("validFrom",), "2000-01-01T00:00:00Z", id="document-validFrom"),
    pytest.param(("description",), "Forged.", id="document-description"),
    pytest.param(("proof", "created"), "2023-02-24T23:36:39Z", id="proof-created"),
    pytest.param(("proof", "proofPurpose"), "authentication", id="proof-purpose"),
]


@pytest.mark.parametrize(("folder", "unsigned_path"), RDFC_CASES)
@pytest.mark.parametrize(("path", "value"), CHANGES)
def test_changing_one_value_breaks_the_signature(
    folder: Path, unsigned_path: Path, path: tuple[str, ...], value: str
) -> None:
    changed = _changed(_json(folder / "signedDataInt.json"), path, value)
    public_key = decode_public_key(_json(EDDSA / "keyPair.json")["publicKeyMultibase"])
    assert verify(changed, changed["proof"], public_key, documents=DOCUMENTS) is False


def test_another_key_does_not_verify() -> None:
    signed = _json(RDFC / "signedDataInt.json")
    other = decode_public_key(
        _json(SET_CHAIN / "multiKeyPairs.json")["keyPair1"]["publicKeyMultibase"]
    )
    assert verify(signed, signed["proof"], other, documents=DOCUMENTS) is False


MALFORMED = [
    pytest.param(("proofValue",), "2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5", id="no-multibase-prefix"),
    pytest.param(("proofValue",), "z0OIl", id="not-base58"),
    pytest.param(("proofValue",), "z" + base58.b58encode(bytes(63)).decode(), id="63-bytes"),
    pytest.param(("cryptosuite",), "eddsa-jcs-2022", id="other-cryptosuite"),
    pytest.param(("type",), "Ed25519Signature2020", id="other-proof-type"),
    pytest.param(("proofPurpose",), None, id="no-proof-purpose"),
]


@pytest.mark.parametrize(("path", "value"), MALFORMED)
def test_a_malformed_proof_is_refused(path: tuple[str, ...], value: str | None) -> None:
    signed = _json(RDFC / "signedDataInt.json")
    proof = _changed(signed["proof"], path, value)
    public_key = decode_public_key(_json(EDDSA / "keyPair.json")["publicKeyMultibase"])
    with pytest.raises(ProofError):
        verify(signed, proof, public_key, documents=DOCUMENTS)


def test_a_document_whose_context_is_not_given_is_refused() -> None:
    signed = _json(RDFC / "signedDataInt.json")
    public_key = decode_public_key(_json(EDDSA / "keyPair.json")["publicKeyMultibase"])
    # https://www.w3.org/ns/credentials/examples/v2 is not bundled.
    with pytest.raises(CanonicalisationError, match=re.escape("credentials/examples/v2")):
        verify(signed, signed["proof"], public_key)


# --- W3C vc-di-eddsa: proof sets and proof chains ------------------------------------------------


def _set_chain_key(number: int) -> Ed25519PrivateKey:
    key_pair = _json(SET_CHAIN / "multiKeyPairs.json")[f"keyPair{number}"]
    private_key = _multibase_private_key(key_pair["privateKeyMultibase"])
    assert private_key.public_key().public_bytes_raw() == decode_public_key(
        key_pair["publicKeyMultibase"]
    )
    return private_key


def _method_key(proof: JsonObject) -> bytes:
    return did_key_public_key(proof["verificationMethod"])


def test_the_set_and_chain_proofs_are_made_with_the_four_key_pairs() -> None:
    methods = [
        _json(SET_CHAIN / name)["verificationMethod"]
        for name in (
            "proofSetConfig1.json",
            "proofSetConfig2.json",
            "proofChainConfig1.json",
            "proofChainConfig2.json",
        )
    ]
    keys = [_set_chain_key(number).public_key().public_bytes_raw() for number in (1, 2, 3, 4)]
    assert methods == [did_key_method(key) for key in keys]


@pytest.mark.parametrize("number", [1, 2])
def test_a_proof_set_proof_signs_the_unsigned_document(number: int) -> None:
    """Each proof of a set covers the document without any proof (and its own options, ``id``
    included): signing reproduces the published proofValue."""
    config = _json(SET_CHAIN / f"proofSetConfig{number}.json")
    published = _json(SET_CHAIN / f"proofSetConfigSigned{number}.json")
    document = _json(SET_CHAIN / "unsigned.json")
    assert document == _json(EDDSA / "unsigned.json")

    found = hashes(document, config, documents=DOCUMENTS)
    signature = _set_chain_key(number).sign(found.signed_data)

    assert published == {**config, "proofValue": _proof_value(signature)}


@pytest.mark.parametrize("name", ["signedProofSet1.json", "signedProofSet2.json"])
def test_each_proof_of_a_set_verifies(name: str) -> None:
    signed = _json(SET_CHAIN / name)
    assert unsecured(signed) == _json(SET_CHAIN / "unsigned.json")
    found = proofs_of(signed)
    assert [proof["id"] for proof in found] == [
        _json(SET_CHAIN / f"proofSetConfig{number}.json")["id"]
        for number in range(1, len(found) + 1)
    ]
    for proof in found:
        assert verify(signed, proof, _method_key(proof), documents=DOCUMENTS) is True
        changed = _changed(signed, ("credentialSubject", "alumniOf"), "Another School")
        assert verify(changed, proof, _method_key(proof), documents=DOCUMENTS) is False


def test_the_proofs_of_a_set_are_not_interchangeable() -> None:
    signed = _json(SET_CHAIN / "signedProofSet2.json")
    first, second = proofs_of(signed)
    assert verify(signed, first, _method_key(second), documents=DOCUMENTS) is False
    assert verify(signed, second, _method_key(first), documents=DOCUMENTS) is False


def _previous(proof: JsonObject) -> set[str]:
    previous = proof["previousProof"]
    return {previous} if isinstance(previous, str) else set(previous)


@pytest.mark.parametrize("number", [1, 2])
def test_a_chain_proof_signs_the_document_with_the_proofs_it_follows(number: int) -> None:
    """What a chained proof signs, read from the vectors alone (not through ``verify``).

    The secured document is the document with, as its ``proof``, exactly the earlier proofs
    that ``previousProof`` names (the published ``proofChainTempDoc*.json``, proofValues
    included); canonicalised with those proofs in it, it gives the published proofValue.
    """
    published = _json(SET_CHAIN / f"proofChainConfigSigned{number}.json")
    config = _json(SET_CHAIN / f"proofChainConfig{number}.json")
    signed = _json(SET_CHAIN / f"signedProofChain{number}.json")
    temporary = _json(SET_CHAIN / f"proofChainTempDoc{number}.json")
    assert published == {**config, "proofValue": published["proofValue"]}
    assert proofs_of(signed)[-1] == published

    earlier = [proof for proof in proofs_of(signed) if proof.get("id") in _previous(config)]
    assert len(earlier) == len(_previous(config))
    assert temporary == {**unsecured(signed), "proof": earlier}

    proof_config = {**config, "@context": temporary["@context"]}
    data = (
        hashlib.sha256(canonicalise(proof_config, documents=DOCUMENTS).encode()).digest()
        + hashlib.sha256(canonicalise(temporary, documents=DOCUMENTS).encode()).digest()
    )
    signature = _set_chain_key(number + 2).sign(data)
    assert _proof_value(signature) == published["proofValue"]
    Ed25519PublicKey.from_public_bytes(_method_key(config)).verify(signature, data)


@pytest.mark.parametrize("name", ["signedProofChain1.json", "signedProofChain2.json"])
def test_each_proof_of_a_chain_verifies(name: str) -> None:
    signed = _json(SET_CHAIN / name)
    results = {
        proof.get("id", "the last proof"): verify(
            signed, proof, _method_key(proof), documents=DOCUMENTS
        )
        for proof in proofs_of(signed)
    }
    assert all(results.values()), results


def test_a_chain_proof_fails_without_a_proof_it_follows() -> None:
    signed = _json(SET_CHAIN / "signedProofChain1.json")
    first, second, chained = proofs_of(signed)
    without = {**signed, "proof": [second, chained]}
    assert verify(without, chained, _method_key(chained), documents=DOCUMENTS) is False
    changed = {**signed, "proof": [_changed(first, ("created",), "2023-02-24T23:36:39Z"), second]}
    assert verify(changed, chained, _method_key(chained), documents=DOCUMENTS) is False


# --- 1EdTech: Open Badges 3.0 and CLR 2.0 ---------------------------------------------------------

OB_CASES = [pytest.param("obv3p0", id="open-badge"), pytest.param("clrv2p0", id="clr")]


def _ob_private_key() -> Ed25519PrivateKey:
    key_pair = _json(OPEN_BADGES / "keyPair.json")
    secret = bytes.fromhex(key_pair["privateKeyHex"])  # seed || public key, as libsodium has it
    private_key = Ed25519PrivateKey.from_private_bytes(secret[:32])
    public_key = private_key.public_key().public_bytes_raw()
    assert secret[32:] == public_key == bytes.fromhex(key_pair["publicKeyHex"])
    assert decode_public_key(key_pair["publicKeyMultibase"]) == public_key
    return private_key


def _ob_public_key() -> bytes:
    return bytes.fromhex(_json(OPEN_BADGES / "keyPair.json")["publicKeyHex"])


@pytest.mark.parametrize("name", OB_CASES)
def test_open_badges_canonical_forms_are_the_published_ones(name: str) -> None:
    """With the bundled contexts alone (no ``documents``)."""
    folder = OPEN_BADGES / name
    document = _json(folder / "document.json")
    assert canonicalise(document) == _text(folder / "document-canon.txt")
    found = hashes(document, _json(folder / "proof-config.json"))
    assert found.document_canonical == _text(folder / "document-canon.txt")
    assert found.proof_canonical == _text(folder / "proof-canon.txt")


@pytest.mark.parametrize("name", OB_CASES)
def test_open_badges_hashes_and_signature_are_the_published_ones(name: str) -> None:
    folder = OPEN_BADGES / name
    document = _json(folder / "document.json")
    config = _json(folder / "proof-config.json")
    expected = _json(folder / "expected.json")

    found = hashes(document, config)
    assert found.document_hash.hex() == expected["documentHashHex"]
    assert found.proof_hash.hex() == expected["proofHashHex"]

    signed = sign(
        document,
        private_key=_ob_private_key(),
        verification_method=config["verificationMethod"],
        created=config["created"],
    )
    (proof,) = signed["proof"]
    assert proof == {**config, "proofValue": expected["proofValue"]}
    assert signature_of(proof).hex() == expected["signatureHex"]


@pytest.mark.parametrize("name", OB_CASES)
def test_a_signed_open_badge_verifies_and_a_changed_one_does_not(name: str) -> None:
    folder = OPEN_BADGES / name
    config = _json(folder / "proof-config.json")
    signed = {
        **_json(folder / "document.json"),
        "proof": {**config, "proofValue": _json(folder / "expected.json")["proofValue"]},
    }
    assert verify(signed, signed["proof"], _ob_public_key()) is True
    changed = _changed(signed, ("credentialSubject", "id"), "did:example:someone-else")
    assert verify(changed, changed["proof"], _ob_public_key()) is False


def test_the_badge_inside_the_clr_verifies() -> None:
    clr = _json(OPEN_BADGES / "clrv2p0" / "document.json")
    (badge,) = clr["credentialSubject"]["verifiableCredential"]
    (proof,) = proofs_of(badge)
    assert verify(badge, proof, _ob_public_key()) is True
    changed = _changed(badge, ("name",), "Example University Diploma")
    assert verify(changed, proof, _ob_public_key()) is False
